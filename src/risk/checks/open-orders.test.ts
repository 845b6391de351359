import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { openOrders } from './open-orders.js';

const open = (count: number) => ({ limits: { maxOpenOrders: 5 }, openOrders: count });

describe('open_orders (§7.2 #15b)', () => {
  it.each(LIMIT_LEVELS)('passes the 5th open order at the %s limit 5 and denies the 6th', (level) => {
    expect(evaluate(openOrders, { levels: { [level]: open(4) } }).passed).toBe(true);
    const result = evaluate(openOrders, { levels: { [level]: open(5) } });
    expect(result).toMatchObject({
      name: 'open_orders',
      passed: false,
      code: 'MAX_OPEN_ORDERS',
      level,
      limit: '5',
      actual: '6',
    });
    expect(result.message).toContain('cancelOrder');
  });

  it('passes with no limit set, and is skipped for a reducing order', () => {
    expect(evaluate(openOrders, { levels: { agent: { openOrders: 1000 } } }).passed).toBe(true);
    const reducing = evaluate(openOrders, {
      levels: { agent: open(9) },
      order: { side: 'sell' },
      account: { position: dec(10) },
    });
    expect(reducing).toMatchObject({ passed: true, skipped: true });
  });
});
