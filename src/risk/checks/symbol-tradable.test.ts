import { describe, expect, it } from 'vitest';
import { defineInstrument } from '../../domain/instrument.js';
import { evaluate } from '../test-support.js';
import { symbolTradable } from './symbol-tradable.js';

describe('symbol_tradable (§7.2 #2)', () => {
  it('passes a tradable instrument', () => {
    expect(evaluate(symbolTradable)).toMatchObject({ name: 'symbol_tradable', passed: true });
  });

  it('denies a known instrument that is not tradable, naming it', () => {
    const instrument = defineInstrument({
      symbol: 'DELIST',
      name: 'Delisted Corp',
      assetClass: 'us_equity',
      tickSize: '0.01',
      lotSize: '1',
      tradable: false,
    });
    const result = evaluate(symbolTradable, { instrument });
    expect(result).toMatchObject({ passed: false, code: 'SYMBOL_NOT_TRADABLE' });
    expect(result.message).toContain('DELIST');
  });
});
