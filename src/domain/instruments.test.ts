import { describe, expect, it } from 'vitest';
import { dec } from './decimal.js';
import type { Instrument } from './instrument.js';
import { InstrumentRegistry } from './instruments.js';

describe('InstrumentRegistry.add', () => {
  it('adds unknown symbols, keeps known ones as they were, and finds them by any spelling', () => {
    const registry = new InstrumentRegistry();
    const size = registry.size;
    const aapl = registry.get('AAPL');
    const listed = (symbol: string, tick: string): Instrument => ({
      ...aapl,
      symbol,
      name: symbol,
      tickSize: dec(tick),
    });
    expect(registry.add([listed('AAPL', '0.5'), listed('ZZZZ/USD', '0.001')])).toBe(1);
    expect(registry.size).toBe(size + 1);
    expect(registry.get('AAPL').tickSize.toFixed()).toBe(aapl.tickSize.toFixed());
    expect(registry.get('zzzzusd').tickSize.toFixed()).toBe('0.001');
  });
});
