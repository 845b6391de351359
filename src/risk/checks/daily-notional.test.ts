import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { dailyNotional } from './daily-notional.js';

const used = (limit: string, sofar: string) => ({
  limits: { maxDailyNotional: dec(limit) },
  dailyNotional: dec(sofar),
});

describe('daily_notional (§7.2 #13b)', () => {
  it.each(LIMIT_LEVELS)('passes reaching the %s daily limit exactly and denies a tick over', (level) => {
    const levels = { [level]: used('10000', '9000') };
    expect(evaluate(dailyNotional, { levels }).passed).toBe(true);
    const result = evaluate(dailyNotional, { levels, order: { limitPrice: dec('100.01') } });
    expect(result).toMatchObject({
      name: 'daily_notional',
      passed: false,
      code: 'DAILY_NOTIONAL_LIMIT',
      level,
      limit: '10000',
      actual: '10000.1',
    });
    expect(result.message).toContain('9000 already accepted');
    expect(result.message).toContain('at most 9');
  });

  it('says nothing fits once the budget is spent', () => {
    const result = evaluate(dailyNotional, { levels: { agent: used('10000', '10000') } });
    expect(result.message).toContain('no quantity fits');
  });

  it('passes with no limit set, and is skipped for a reducing order', () => {
    expect(evaluate(dailyNotional, { levels: { agent: { dailyNotional: dec(1e9) } } }).passed).toBe(true);
    const reducing = evaluate(dailyNotional, {
      levels: { agent: used('1', '1') },
      order: { side: 'sell' },
      account: { position: dec(10) },
    });
    expect(reducing).toMatchObject({ passed: true, skipped: true });
  });
});
