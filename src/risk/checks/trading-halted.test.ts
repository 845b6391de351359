import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { tradingHalted } from './trading-halted.js';

describe('trading_halted (§7.2 #3)', () => {
  it.each(['active', 'reducing'] as const)('passes in the %s state', (tradingState) => {
    expect(evaluate(tradingHalted, { tradingState }).passed).toBe(true);
  });

  it('denies a new order while halted', () => {
    const result = evaluate(tradingHalted, { tradingState: 'halted' });
    expect(result).toMatchObject({ name: 'trading_halted', passed: false, code: 'TRADING_HALTED' });
    expect(result.message).toContain('halted');
  });

  it('denies even an order that reduces exposure while halted', () => {
    const result = evaluate(tradingHalted, {
      tradingState: 'halted',
      order: { side: 'sell' },
      account: { position: dec(10) },
    });
    expect(result.code).toBe('TRADING_HALTED');
    expect(result.passed).toBe(false);
  });
});
