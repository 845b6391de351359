import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { SymbolMarket } from './symbol-market.js';
import { makeEngine, T_OPEN } from './test-support.js';

/** ORDER-SEMANTICS.md §2.6: the queue model for resting limits, on book data with trades. */
function harness(queue: boolean) {
  const h = makeEngine({ options: { queue_position: queue } });
  const t = (s: number): number => T_OPEN + s * 1000;
  h.book(
    'AAPL',
    [
      ['100.00', '500'],
      ['99.99', '800'],
    ],
    [['100.01', '400']],
    t(0),
  );
  h.submit(
    {
      clientOrderId: 'b',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: dec(100),
      limitPrice: dec('100.00'),
      timeInForce: 'day',
    },
    t(0),
  );
  const sellTrade = (size: string, s: number, price = '100.00'): void => {
    h.engine.onTrade({ symbol: 'AAPL', ts: t(s), price: dec(price), size: dec(size), aggressor: 'sell' });
  };
  const filled = (): string => h.engine.order('A1', 'b')?.filledQty.toFixed() ?? 'missing';
  return { h, t, sellTrade, filled };
}

describe('queue_position (§2.6)', () => {
  it('queues behind the displayed size at its price; trades by sellers eat the queue, the excess fills', () => {
    const { sellTrade, filled, h } = harness(true);
    sellTrade('300', 1);
    expect(filled()).toBe('0'); // 200 still ahead
    sellTrade('250', 2);
    expect(filled()).toBe('50'); // 200 ahead, 50 to us
    const fill = h.events.find((e) => e.kind === 'fill');
    expect(fill?.kind === 'fill' && [fill.fill.price.toFixed(), fill.fill.liquidity]).toEqual([
      '100',
      'maker',
    ]);
  });

  it('a buyer-initiated trade at the price does not move a resting buy', () => {
    const { h, t, filled } = harness(true);
    h.engine.onTrade({ symbol: 'AAPL', ts: t(1), price: dec('100.00'), size: dec(10_000), aggressor: 'buy' });
    expect(filled()).toBe('0');
  });

  it('a level shrinking below the queue ahead cuts the queue to the new size', () => {
    const { h, t, sellTrade, filled } = harness(true);
    h.book(
      'AAPL',
      [
        ['100.00', '120'],
        ['99.99', '800'],
      ],
      [['100.01', '400']],
      t(1),
    );
    sellTrade('150', 2);
    expect(filled()).toBe('30');
  });

  it('a market that only touches the price does not fill a queued order; one moving through it does', () => {
    const { h, t, filled } = harness(true);
    h.book('AAPL', [['99.99', '800']], [['100.00', '50']], t(1));
    expect(filled()).toBe('0');
    h.book('AAPL', [['99.98', '800']], [['99.99', '70']], t(2));
    expect(filled()).toBe('70'); // strictly through: fills regardless of queue, up to what is offered
  });

  it('with the model off, a touch fills at once (the default)', () => {
    const { h, t, filled } = harness(false);
    h.book('AAPL', [['99.99', '800']], [['100.00', '50']], t(1));
    expect(filled()).toBe('50');
  });

  it('losing priority on a replace re-queues behind the displayed size', () => {
    const { h, t, sellTrade, filled } = harness(true);
    sellTrade('500', 1); // queue gone
    h.book(
      'AAPL',
      [
        ['100.00', '900'],
        ['99.99', '800'],
      ],
      [['100.01', '400']],
      t(2),
    );
    h.engine.replace('A1', 'b', { quantity: dec(150) }, t(3)); // a larger quantity loses priority
    sellTrade('100', 4);
    expect(filled()).toBe('0'); // 900 now ahead
    const market: SymbolMarket | undefined = h.engine.market('AAPL');
    expect(market?.displayedAt('buy', dec('100.00')).toFixed()).toBe('900');
  });
});
