import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { defineInstrument } from '../../domain/instrument.js';
import { evaluate } from '../test-support.js';
import { minNotional } from './min-notional.js';

const instrument = defineInstrument({
  symbol: 'AAPL',
  name: 'Apple Inc.',
  assetClass: 'us_equity',
  tickSize: '0.01',
  lotSize: '1',
  minNotional: '1000',
});

describe('min_notional (§7.2 #9)', () => {
  it('passes a notional exactly at the minimum and denies one a tick below', () => {
    expect(evaluate(minNotional, { instrument }).passed).toBe(true);
    const result = evaluate(minNotional, { instrument, order: { limitPrice: dec('99.99') } });
    expect(result).toMatchObject({
      name: 'min_notional',
      passed: false,
      code: 'MIN_NOTIONAL',
      limit: '1000',
      actual: '999.9',
    });
    expect(result.message).toContain('at least 11');
  });

  it('skips an order without a price', () => {
    const result = evaluate(minNotional, { instrument, orderPrice: undefined });
    expect(result).toMatchObject({ passed: true, skipped: true });
  });
});
