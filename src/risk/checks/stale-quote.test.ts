import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { NOW, evaluate } from '../test-support.js';
import { staleQuote } from './stale-quote.js';

const aged = (ms: number) => ({ bid: dec('99.99'), ask: dec('100.01'), ts: NOW - ms });

describe('stale_quote (§7.2 #7)', () => {
  it('passes a quote exactly 5000 ms old by default and denies one 5001 ms old', () => {
    expect(evaluate(staleQuote, { quote: aged(5000) }).passed).toBe(true);
    expect(evaluate(staleQuote, { quote: aged(5001) })).toMatchObject({
      name: 'stale_quote',
      passed: false,
      code: 'STALE_QUOTE',
      level: 'global',
      limit: '5000',
      actual: '5001',
    });
  });

  it('denies a missing quote while the session is open', () => {
    const result = evaluate(staleQuote, { quote: undefined });
    expect(result).toMatchObject({ passed: false, code: 'STALE_QUOTE' });
    expect(result.message).toContain('no quote');
  });

  it('passes a stale or missing quote while the session is closed', () => {
    expect(evaluate(staleQuote, { sessionOpen: false, quote: aged(60_000) }).passed).toBe(true);
    expect(evaluate(staleQuote, { sessionOpen: false, quote: undefined }).passed).toBe(true);
  });

  it('uses the tightest level and names it', () => {
    const levels = {
      account: { limits: { maxQuoteAgeMs: 3000 } },
      agent: { limits: { maxQuoteAgeMs: 1000 } },
    };
    expect(evaluate(staleQuote, { levels, quote: aged(1000) }).passed).toBe(true);
    expect(evaluate(staleQuote, { levels, quote: aged(1001) })).toMatchObject({
      passed: false,
      level: 'agent',
      limit: '1000',
      actual: '1001',
    });
  });

  it('replaces the default when a level sets a looser age', () => {
    const levels = { global: { limits: { maxQuoteAgeMs: 10_000 } } };
    expect(evaluate(staleQuote, { levels, quote: aged(10_000) }).passed).toBe(true);
    expect(evaluate(staleQuote, { levels, quote: aged(10_001) }).passed).toBe(false);
  });
});
