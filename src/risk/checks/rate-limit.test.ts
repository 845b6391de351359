import { describe, expect, it } from 'vitest';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { rateLimit } from './rate-limit.js';

describe('rate_limit (§7.2 #19)', () => {
  it('allows the 20th order in a second by default and denies the 21st, at the global level', () => {
    expect(evaluate(rateLimit, { levels: { global: { ordersLastSecond: 19 } } }).passed).toBe(true);
    const result = evaluate(rateLimit, { levels: { global: { ordersLastSecond: 20 } } });
    expect(result).toMatchObject({
      name: 'rate_limit',
      passed: false,
      code: 'RATE_LIMITED',
      level: 'global',
      limit: '20',
      actual: '21',
    });
    expect(result.message).toContain('per second');
  });

  it('allows the 300th order in a minute by default and denies the 301st', () => {
    expect(evaluate(rateLimit, { levels: { global: { ordersLastMinute: 299 } } }).passed).toBe(true);
    expect(evaluate(rateLimit, { levels: { global: { ordersLastMinute: 300 } } })).toMatchObject({
      passed: false,
      limit: '300',
      actual: '301',
    });
  });

  it.each(LIMIT_LEVELS)('applies a %s level limit to that level usage', (level) => {
    const limits = { maxOrdersPerSecond: 5, maxOrdersPerMinute: 50 };
    expect(evaluate(rateLimit, { levels: { [level]: { limits, ordersLastSecond: 4 } } }).passed).toBe(true);
    expect(evaluate(rateLimit, { levels: { [level]: { limits, ordersLastSecond: 5 } } })).toMatchObject({
      passed: false,
      level,
      limit: '5',
      actual: '6',
    });
    expect(evaluate(rateLimit, { levels: { [level]: { limits, ordersLastMinute: 49 } } }).passed).toBe(true);
    expect(evaluate(rateLimit, { levels: { [level]: { limits, ordersLastMinute: 50 } } })).toMatchObject({
      passed: false,
      level,
      limit: '50',
      actual: '51',
    });
  });

  it('applies the defaults to the global usage only', () => {
    const busyAgent = { account: { ordersLastSecond: 50 }, agent: { ordersLastMinute: 500 } };
    expect(evaluate(rateLimit, { levels: busyAgent }).passed).toBe(true);
  });

  it('drops the default once any level sets the limit', () => {
    const levels = { global: { ordersLastSecond: 100 }, agent: { limits: { maxOrdersPerSecond: 200 } } };
    expect(evaluate(rateLimit, { levels }).passed).toBe(true);
  });
});
