import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { RiskLimits } from '../types.js';
import { LIMIT_LEVELS } from '../types.js';
import { evaluate } from '../test-support.js';
import { positionLimit } from './position-limit.js';

const at = (limits: RiskLimits, position: number, sameSideLeaves = 0) => ({
  limits,
  position: dec(position),
  sameSideLeaves: dec(sameSideLeaves),
});
const buy = (quantity: number) => ({ side: 'buy' as const, quantity: dec(quantity) });
const sell = (quantity: number) => ({ side: 'sell' as const, quantity: dec(quantity) });
const qty = { maxPositionQuantity: dec(100) };

describe('position_limit (§7.2 #14)', () => {
  it.each(LIMIT_LEVELS)('passes reaching the %s quantity limit and denies one unit over', (level) => {
    expect(evaluate(positionLimit, { levels: { [level]: at(qty, 90) }, order: buy(10) }).passed).toBe(true);
    const result = evaluate(positionLimit, { levels: { [level]: at(qty, 90) }, order: buy(11) });
    expect(result).toMatchObject({
      name: 'position_limit',
      passed: false,
      code: 'POSITION_LIMIT',
      level,
      limit: '100',
      actual: '101',
    });
    expect(result.message).toContain('maxPositionQuantity');
    expect(result.message).toContain('at most 10');
  });

  it('counts open same-side leaves', () => {
    const levels = { agent: at(qty, 90, 5) };
    expect(evaluate(positionLimit, { levels, order: buy(5) }).passed).toBe(true);
    expect(evaluate(positionLimit, { levels, order: buy(6) })).toMatchObject({
      passed: false,
      actual: '101',
    });
  });

  it('measures a short by its size', () => {
    const levels = { account: at(qty, -90) };
    expect(evaluate(positionLimit, { levels, order: sell(10) }).passed).toBe(true);
    expect(evaluate(positionLimit, { levels, order: sell(11) })).toMatchObject({
      passed: false,
      actual: '101',
    });
  });

  it('counts a flip past zero by the new size', () => {
    const levels = { agent: at(qty, 50) };
    expect(evaluate(positionLimit, { levels, order: sell(150) }).passed).toBe(true);
    const result = evaluate(positionLimit, { levels, order: sell(151) });
    expect(result).toMatchObject({ passed: false, actual: '101' });
    expect(result.message).toContain('at most 150');
  });

  it.each(LIMIT_LEVELS)('values the position at the reference against the %s notional limit', (level) => {
    const levels = { [level]: at({ maxPositionNotional: dec(10_000) }, 90) };
    expect(evaluate(positionLimit, { levels, order: buy(10) }).passed).toBe(true);
    const result = evaluate(positionLimit, { levels, order: buy(10), reference: dec('100.01') });
    expect(result).toMatchObject({ passed: false, level, limit: '10000', actual: '10001' });
    expect(result.message).toContain('maxPositionNotional');
  });

  it.each(LIMIT_LEVELS)('caps the position at a share of the %s equity', (level) => {
    const levels = { [level]: { ...at({ maxPositionPctOfEquity: dec(10) }, 90), equity: dec(100_000) } };
    expect(evaluate(positionLimit, { levels, order: buy(10) }).passed).toBe(true);
    const result = evaluate(positionLimit, { levels, order: buy(10), reference: dec('100.01') });
    expect(result).toMatchObject({ passed: false, level, limit: '10000', actual: '10001' });
    expect(result.message).toContain('maxPositionPctOfEquity');
  });

  it('values at the order price without a reference, and skips notional limits with neither', () => {
    const levels = { agent: at({ maxPositionNotional: dec(10_000) }, 90) };
    const noReference = { levels, reference: undefined, order: { ...buy(10), limitPrice: dec('100.01') } };
    expect(evaluate(positionLimit, noReference)).toMatchObject({ passed: false, actual: '10001' });
    const unpriced = { levels, reference: undefined, orderPrice: undefined, order: buy(1000) };
    expect(evaluate(positionLimit, unpriced).passed).toBe(true);
  });

  it('passes with no limit set, and is skipped for a reducing order', () => {
    expect(evaluate(positionLimit, { levels: { agent: at({}, 1e9) }, order: buy(1e9) }).passed).toBe(true);
    const reducing = evaluate(positionLimit, {
      levels: { agent: at(qty, 500) },
      order: sell(10),
      account: { position: dec(500) },
    });
    expect(reducing).toMatchObject({ passed: true, skipped: true });
  });
});
