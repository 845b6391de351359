import { describe, expect, it } from 'vitest';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { rateLimit } from './rate-limit.js';

describe('rate_limit (§7.2 #19), per agent', () => {
  it("allows an agent's 20th order in a second by default and denies its 21st", () => {
    expect(evaluate(rateLimit, { levels: { agent: { ordersLastSecond: 19 } } }).passed).toBe(true);
    const result = evaluate(rateLimit, { levels: { agent: { ordersLastSecond: 20 } } });
    expect(result).toMatchObject({
      name: 'rate_limit',
      passed: false,
      code: 'RATE_LIMITED',
      limit: '20',
      actual: '21',
    });
    expect(result.message).toContain('per second per agent');
    expect(result.message).toContain('default');
  });

  it("allows an agent's 300th order in a minute by default and denies its 301st", () => {
    expect(evaluate(rateLimit, { levels: { agent: { ordersLastMinute: 299 } } }).passed).toBe(true);
    expect(evaluate(rateLimit, { levels: { agent: { ordersLastMinute: 300 } } })).toMatchObject({
      passed: false,
      limit: '300',
      actual: '301',
    });
  });

  it('counts the agent, not everyone: other agents at the limit do not throttle this one', () => {
    const busy = { global: { ordersLastSecond: 500 }, account: { ordersLastMinute: 5_000 } };
    expect(evaluate(rateLimit, { levels: busy }).passed).toBe(true);
  });

  it.each(LIMIT_LEVELS)('a limit set at the %s level caps the agent and names that level', (level) => {
    const limits = { maxOrdersPerSecond: 5, maxOrdersPerMinute: 50 };
    const at = (agent: { ordersLastSecond?: number; ordersLastMinute?: number }) =>
      evaluate(rateLimit, {
        levels: level === 'agent' ? { agent: { limits, ...agent } } : { [level]: { limits }, agent },
      });
    expect(at({ ordersLastSecond: 4 }).passed).toBe(true);
    expect(at({ ordersLastSecond: 5 })).toMatchObject({ passed: false, level, limit: '5', actual: '6' });
    expect(at({ ordersLastMinute: 49 }).passed).toBe(true);
    expect(at({ ordersLastMinute: 50 })).toMatchObject({ passed: false, level, limit: '50', actual: '51' });
  });

  it('the tightest level wins, and a level may also loosen the default', () => {
    const levels = {
      global: { limits: { maxOrdersPerSecond: 100 } },
      account: { limits: { maxOrdersPerSecond: 40 } },
      agent: { ordersLastSecond: 39 },
    };
    expect(evaluate(rateLimit, { levels }).passed).toBe(true);
    expect(evaluate(rateLimit, { levels: { ...levels, agent: { ordersLastSecond: 40 } } })).toMatchObject({
      passed: false,
      level: 'account',
      limit: '40',
    });
  });
});
