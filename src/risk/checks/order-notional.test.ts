import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { orderNotional } from './order-notional.js';

const limit = (value: string) => ({ limits: { maxOrderNotional: dec(value) } });

describe('order_notional (§7.2 #13)', () => {
  it.each(LIMIT_LEVELS)('passes at the %s limit and denies a tick over it', (level) => {
    const levels = { [level]: limit('1000') };
    expect(evaluate(orderNotional, { levels }).passed).toBe(true); // 10 × 100
    const result = evaluate(orderNotional, { levels, order: { limitPrice: dec('100.01') } });
    expect(result).toMatchObject({
      name: 'order_notional',
      passed: false,
      code: 'ORDER_NOTIONAL_LIMIT',
      level,
      limit: '1000',
      actual: '1000.1',
    });
    expect(result.message).toContain(`the ${level} limit 1000`);
    expect(result.message).toContain('at most 9');
  });

  it('reports the first level in order global, account, agent', () => {
    const levels = { global: limit('900'), account: limit('500'), agent: limit('400') };
    expect(evaluate(orderNotional, { levels }).level).toBe('global');
    const inner = { global: limit('5000'), account: limit('500'), agent: limit('400') };
    expect(evaluate(orderNotional, { levels: inner }).level).toBe('account');
  });

  it('passes with no limit set', () => {
    expect(evaluate(orderNotional, { order: { quantity: dec(1_000_000) } }).passed).toBe(true);
  });

  it('is skipped for an order that reduces exposure', () => {
    const result = evaluate(orderNotional, {
      levels: { agent: limit('1') },
      order: { side: 'sell' },
      account: { position: dec(10) },
    });
    expect(result).toMatchObject({
      passed: true,
      skipped: true,
      message: 'skipped: the order reduces exposure',
    });
  });

  it('is skipped without a price', () => {
    const result = evaluate(orderNotional, { levels: { agent: limit('1') }, orderPrice: undefined });
    expect(result).toMatchObject({ passed: true, skipped: true });
  });
});
