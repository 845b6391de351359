import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { defineInstrument } from '../../domain/instrument.js';
import { type RiskInputOverrides, evaluate } from '../test-support.js';
import { patternDayTrader } from './pattern-day-trader.js';

/** A margin account just under 25 000 with three day trades, selling part of a long opened today. */
const closing: RiskInputOverrides = {
  order: { side: 'sell', quantity: dec(5) },
  account: { equity: dec('24999.99'), dayTradeCount: 3, position: dec(10), positionOpenedToday: true },
};
const withAccount = (changes: NonNullable<RiskInputOverrides['account']>): RiskInputOverrides => ({
  ...closing,
  account: { ...closing.account, ...changes },
});

describe('pattern_day_trader (§7.2 #12)', () => {
  it('denies closing a position opened today on a small margin account with 3 day trades', () => {
    const result = evaluate(patternDayTrader, closing);
    expect(result).toMatchObject({
      name: 'pattern_day_trader',
      passed: false,
      code: 'PATTERN_DAY_TRADER',
      limit: '25000',
      actual: '24999.99',
    });
    expect(result.message).toContain('3 day trades');
  });

  it('passes at exactly 25 000 of equity', () => {
    expect(evaluate(patternDayTrader, withAccount({ equity: dec(25_000) })).passed).toBe(true);
  });

  it('passes with 2 day trades', () => {
    expect(evaluate(patternDayTrader, withAccount({ dayTradeCount: 2 })).passed).toBe(true);
  });

  it('passes when the position was not opened today', () => {
    expect(evaluate(patternDayTrader, withAccount({ positionOpenedToday: false })).passed).toBe(true);
  });

  it('passes on a cash account', () => {
    expect(evaluate(patternDayTrader, withAccount({ type: 'cash' })).passed).toBe(true);
  });

  it('passes an order that adds to the position', () => {
    expect(evaluate(patternDayTrader, { ...closing, order: { side: 'buy' } }).passed).toBe(true);
  });

  it('denies covering a short opened today', () => {
    const cover = { ...withAccount({ position: dec(-10) }), order: { side: 'buy' as const } };
    expect(evaluate(patternDayTrader, cover).passed).toBe(false);
  });

  it('passes instruments other than US equities', () => {
    const instrument = defineInstrument({
      symbol: 'BTC/USD',
      name: 'Bitcoin',
      assetClass: 'crypto',
      tickSize: '0.01',
      lotSize: '0.00001',
    });
    expect(evaluate(patternDayTrader, { ...closing, instrument }).passed).toBe(true);
  });
});
