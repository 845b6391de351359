import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import { aggregate, aggregateBy, aggregateByVenue } from './execution-aggregates.js';
import { metricsRow } from './test-support.js';

describe('aggregates', () => {
  // Venue A: a small-priced order with a lot of slippage and a large one with little.
  const rows = [
    metricsRow({
      orderId: 'a1',
      filledQty: '100',
      avgFillPrice: '10',
      slippageBps: '10',
      priceImprovementBps: '-1',
      implementationShortfall: '1.5',
      latencyMs: 10,
    }),
    metricsRow({
      orderId: 'a2',
      quantity: '2',
      filledQty: '1',
      avgFillPrice: '4000',
      fillRate: '0.5',
      slippageBps: '2',
      priceImprovementBps: '3',
      implementationShortfall: '0.8',
      latencyMs: 21,
    }),
    // No arrival quote: counted in orders and fill rate, not in the price figures.
    metricsRow({ orderId: 'a3', fillRate: '0', filledQty: '0', avgFillPrice: null }),
    metricsRow({ orderId: 'b1', venue: 'venue-b', symbol: 'MSFT', slippageBps: '-4', latencyMs: 7 }),
  ];

  it('weights slippage and improvement by filled notional, averages fill rate and latency per order', () => {
    const [a, b] = aggregateByVenue(rows);
    expect(a?.venue).toBe('venue-a');
    expect(a?.orders).toBe(3);
    // (10 × 1000 + 2 × 4000) / 5000 = 3.6 (quantity weighting would say 9.92: the cheap unit dominates).
    expect(a?.avgSlippageBps?.toFixed()).toBe('3.6');
    expect(a?.priceImprovementBps?.toFixed()).toBe('2.2'); // (−1 × 1000 + 3 × 4000) / 5000
    expect(a?.fillRate?.toFixed()).toBe('0.5'); // (1 + 0.5 + 0) / 3
    expect(a?.implementationShortfall.toFixed()).toBe('2.3');
    expect(a?.avgLatencyMs?.toFixed()).toBe('15.5'); // (10 + 21) / 2: a3 has none
    expect(b).toMatchObject({ venue: 'venue-b', orders: 1 });
    expect(b?.avgSlippageBps?.toFixed()).toBe('-4');
    expect(b?.priceImprovementBps).toBeUndefined();
  });

  it('rounds as documented and totals over every venue', () => {
    const totals = aggregate(rows);
    expect(totals.orders).toBe(4);
    // (10 000 + 8 000 − 4 000) / 6000 = 2.33333…
    expect(totals.avgSlippageBps?.toFixed()).toBe('2.3333');
    expect(totals.fillRate?.toFixed()).toBe('0.625');
    expect(totals.avgLatencyMs?.toFixed()).toBe('12.7'); // 38 / 3
    const thirds = aggregate([
      metricsRow({ fillRate: '1' }),
      metricsRow({ fillRate: '0' }),
      metricsRow({ fillRate: '0' }),
    ]);
    expect(thirds.fillRate?.toFixed()).toBe('0.333333');
  });

  it('has no averages over nothing', () => {
    const empty = aggregate([]);
    expect(empty).toEqual({ orders: 0, implementationShortfall: dec(0) });
    expect(aggregateByVenue([])).toEqual([]);
  });

  it('groups by any key, sorted', () => {
    expect(aggregateBy(rows, (r) => r.symbol).map((g) => [g.key, g.aggregate.orders])).toEqual([
      ['AAPL', 3],
      ['MSFT', 1],
    ]);
  });
});
