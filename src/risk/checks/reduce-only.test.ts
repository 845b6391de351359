import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { reduceOnly } from './reduce-only.js';

const sell = (quantity: number, reduce = true) => ({
  side: 'sell' as const,
  quantity: dec(quantity),
  reduceOnly: reduce,
});

describe('reduce_only (§7.2 #10)', () => {
  it('passes a reduce-only sell of exactly the long position and denies one unit more', () => {
    const account = { position: dec(10) };
    expect(evaluate(reduceOnly, { order: sell(10), account }).passed).toBe(true);
    const result = evaluate(reduceOnly, { order: sell(11), account });
    expect(result).toMatchObject({ name: 'reduce_only', passed: false, code: 'REDUCE_ONLY' });
    expect(result.message).toContain('reduce-only');
    expect(result.message).toContain('at most 10');
  });

  it('counts the open sell leaves against the position', () => {
    const account = { position: dec(10), openSellLeaves: dec(5) };
    expect(evaluate(reduceOnly, { order: sell(5), account }).passed).toBe(true);
    const result = evaluate(reduceOnly, { order: sell(6), account });
    expect(result.passed).toBe(false);
    expect(result.message).toContain('at most 5');
  });

  it('denies a reduce-only order without a position', () => {
    const result = evaluate(reduceOnly, { order: sell(1) });
    expect(result.passed).toBe(false);
    expect(result.message).toContain('no position to reduce');
  });

  it('passes any order in the active state without reduceOnly', () => {
    expect(evaluate(reduceOnly, { order: sell(100, false) }).passed).toBe(true);
  });

  describe('in the reducing trading state', () => {
    it('denies an order that does not reduce, naming the trading state', () => {
      const result = evaluate(reduceOnly, { tradingState: 'reducing' });
      expect(result).toMatchObject({ passed: false, code: 'REDUCE_ONLY' });
      expect(result.message).toContain('trading state is reducing');
    });

    it('passes orders that reduce a long or a short position', () => {
      expect(
        evaluate(reduceOnly, {
          tradingState: 'reducing',
          order: sell(10, false),
          account: { position: dec(10) },
        }).passed,
      ).toBe(true);
      const cover = { side: 'buy' as const, quantity: dec(4) };
      const short = { position: dec(-10), openBuyLeaves: dec(6) };
      expect(evaluate(reduceOnly, { tradingState: 'reducing', order: cover, account: short }).passed).toBe(
        true,
      );
      const over = { side: 'buy' as const, quantity: dec(5) };
      expect(evaluate(reduceOnly, { tradingState: 'reducing', order: over, account: short }).passed).toBe(
        false,
      );
    });
  });
});
