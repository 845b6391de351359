import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { dailyLoss } from './daily-loss.js';

const day = (equity: string, start: string | undefined, limit = '1000') => ({
  limits: { dailyLossLimit: dec(limit) },
  equity: dec(equity),
  startOfDayEquity: start === undefined ? undefined : dec(start),
});

describe('daily_loss (§7.2 #17)', () => {
  it.each(LIMIT_LEVELS)('denies a loss equal to the %s limit and passes a cent less', (level) => {
    expect(evaluate(dailyLoss, { levels: { [level]: day('99000.01', '100000') } }).passed).toBe(true);
    const result = evaluate(dailyLoss, { levels: { [level]: day('99000', '100000') } });
    expect(result).toMatchObject({
      name: 'daily_loss',
      passed: false,
      code: 'DAILY_LOSS_LIMIT',
      level,
      limit: '1000',
      actual: '1000',
    });
    expect(result.message).toContain('reduce exposure');
  });

  it('passes a gain, an unknown start of day, and an unset limit', () => {
    expect(evaluate(dailyLoss, { levels: { agent: day('101000', '100000') } }).passed).toBe(true);
    expect(evaluate(dailyLoss, { levels: { agent: day('1', undefined) } }).passed).toBe(true);
    const unset = { equity: dec(1), startOfDayEquity: dec(100_000) };
    expect(evaluate(dailyLoss, { levels: { agent: unset } }).passed).toBe(true);
  });

  it('is skipped for a reducing order', () => {
    const reducing = evaluate(dailyLoss, {
      levels: { agent: day('1', '100000') },
      order: { side: 'sell' },
      account: { position: dec(10) },
    });
    expect(reducing).toMatchObject({ passed: true, skipped: true });
  });
});
