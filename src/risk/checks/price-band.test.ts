import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { priceBand } from './price-band.js';

const buy = (limitPrice: string) => ({ order: { side: 'buy' as const, limitPrice: dec(limitPrice) } });
const sell = (limitPrice: string) => ({ order: { side: 'sell' as const, limitPrice: dec(limitPrice) } });

describe('price_band (§7.2 #8)', () => {
  it('passes a buy limit at reference + 10% by default and denies one tick above', () => {
    expect(evaluate(priceBand, buy('110')).passed).toBe(true);
    expect(evaluate(priceBand, buy('110.01'))).toMatchObject({
      name: 'price_band',
      passed: false,
      code: 'PRICE_BAND',
      level: 'global',
      limit: '110',
      actual: '110.01',
    });
  });

  it('passes a sell limit at reference − 10% and denies one tick below', () => {
    expect(evaluate(priceBand, sell('90')).passed).toBe(true);
    const result = evaluate(priceBand, sell('89.99'));
    expect(result).toMatchObject({ passed: false, limit: '90', actual: '89.99' });
    expect(result.message).toContain('at or above 90');
  });

  it('leaves a buy far below or a sell far above the reference alone (they cannot fat-finger a fill)', () => {
    expect(evaluate(priceBand, buy('50')).passed).toBe(true);
    expect(evaluate(priceBand, sell('150')).passed).toBe(true);
  });

  it('uses the tightest band any level sets and names that level', () => {
    const levels = {
      account: { limits: { priceBandPct: dec(8) } },
      agent: { limits: { priceBandPct: dec(5) } },
    };
    expect(evaluate(priceBand, { ...buy('105'), levels }).passed).toBe(true);
    expect(evaluate(priceBand, { ...buy('105.01'), levels })).toMatchObject({
      passed: false,
      level: 'agent',
      limit: '105',
    });
  });

  it('replaces the default when a level sets a wider band', () => {
    const levels = { global: { limits: { priceBandPct: dec(20) } } };
    expect(evaluate(priceBand, { ...buy('120'), levels }).passed).toBe(true);
    expect(evaluate(priceBand, { ...buy('120.01'), levels }).passed).toBe(false);
  });

  it('skips an order without a limit price, and one without a reference', () => {
    const market = evaluate(priceBand, { order: { type: 'market', limitPrice: undefined } });
    expect(market).toMatchObject({ passed: true, skipped: true });
    expect(evaluate(priceBand, { ...buy('500'), reference: undefined })).toMatchObject({
      passed: true,
      skipped: true,
    });
  });
});
