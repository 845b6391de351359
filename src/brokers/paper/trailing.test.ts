import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import type { Order, Side } from '../../domain/order.js';
import { makeOrder } from '../../domain/test-support.js';
import { candidateStop, candidateTicks, ratchetRankTicks, tickTrail } from './trailing.js';

const instruments = new InstrumentRegistry();
const tick = dec('0.01');

const orderArb = fc.record({
  side: fc.constantFrom<Side>('buy', 'sell'),
  symbol: fc.constantFrom('AAPL', 'BTC/USD', 'ETH/USDT'),
  offset: fc.oneof(
    fc.integer({ min: 1, max: 50_000 }).map((n) => ({ trailPrice: dec(n).times(tick) })),
    fc.integer({ min: 1, max: 9_999 }).map((n) => ({ trailPercent: dec(n).div(100) })),
    fc.integer({ min: 1, max: 99_999 }).map((n) => ({ trailPercent: dec(n).div(1000) })),
  ),
});

const order = (o: { side: Side; symbol: string; offset: Partial<Order> }): Order =>
  makeOrder({
    type: 'trailing_stop',
    side: o.side,
    symbol: o.symbol,
    limitPrice: undefined,
    ...o.offset,
  } as Partial<Order>);

describe('trailing stops in integer ticks agree with the Decimal rule (§2.3)', () => {
  it('gives the same candidate stop as the Decimal computation at every on-tick basis', () => {
    fc.assert(
      fc.property(orderArb, fc.integer({ min: 100, max: 20_000_000 }), (o, basisTicks) => {
        const trailing = order(o);
        const instrument = instruments.get(trailing.symbol);
        const trail = tickTrail(instrument, trailing);
        expect(trail).toBeDefined();
        const ticks = candidateTicks(trail!, trailing.side, basisTicks);
        const exact = candidateStop(instrument, trailing, instrument.tickSize.times(basisTicks));
        expect(instrument.tickSize.times(ticks!).toFixed()).toBe(exact.toFixed());
      }),
      { numRuns: 2_000 },
    );
  });

  it('ratchets exactly at the rank: one tick of basis less would not improve the stop', () => {
    fc.assert(
      fc.property(orderArb, fc.integer({ min: 100, max: 20_000_000 }), (o, stopTicks) => {
        const trailing = order(o);
        const trail = tickTrail(instruments.get(trailing.symbol), trailing)!;
        const rank = ratchetRankTicks(trail, trailing.side, stopTicks)!;
        if (trailing.side === 'sell') {
          expect(candidateTicks(trail, 'sell', rank)!).toBeGreaterThan(stopTicks);
          expect(candidateTicks(trail, 'sell', rank - 1)!).toBeLessThanOrEqual(stopTicks);
        } else {
          const basis = -rank; // a BUY ratchets once ceil(basis) ≤ −rank
          if (basis < 1) return;
          expect(candidateTicks(trail, 'buy', basis)!).toBeLessThan(stopTicks);
          expect(candidateTicks(trail, 'buy', basis + 1)!).toBeGreaterThanOrEqual(stopTicks);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
