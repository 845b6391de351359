import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { defineInstrument } from '../../domain/instrument.js';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { exposure } from './exposure.js';

const overLimit = { order: { limitPrice: dec('100.01') } }; // notional 1000.1

describe('exposure (§7.2 #16)', () => {
  it.each(LIMIT_LEVELS)('passes gross exposure reaching the %s limit and denies a tick over', (level) => {
    const levels = { [level]: { limits: { maxGrossExposure: dec(100_000) }, grossExposure: dec(99_000) } };
    expect(evaluate(exposure, { levels }).passed).toBe(true);
    const result = evaluate(exposure, { levels, ...overLimit });
    expect(result).toMatchObject({
      name: 'exposure',
      passed: false,
      code: 'EXPOSURE_LIMIT',
      level,
      limit: '100000',
      actual: '100000.1',
    });
    expect(result.message).toContain('gross exposure');
    expect(result.message).toContain('maxGrossExposure');
  });

  it.each(LIMIT_LEVELS)('limits the asset class exposure at the %s level', (level) => {
    const limits = { maxAssetClassExposure: { us_equity: dec(50_000), crypto: dec(1) } };
    const levels = { [level]: { limits, assetClassExposure: dec(49_000) } };
    expect(evaluate(exposure, { levels }).passed).toBe(true);
    const result = evaluate(exposure, { levels, ...overLimit });
    expect(result).toMatchObject({ passed: false, level, limit: '50000', actual: '50000.1' });
    expect(result.message).toContain('us_equity exposure');
  });

  it.each(LIMIT_LEVELS)('limits the sector exposure to a share of the %s equity', (level) => {
    const levels = {
      [level]: {
        limits: { maxSectorExposurePct: dec(20) },
        sectorExposure: dec(19_000),
        equity: dec(100_000),
      },
    };
    expect(evaluate(exposure, { levels }).passed).toBe(true);
    const result = evaluate(exposure, { levels, ...overLimit });
    expect(result).toMatchObject({ passed: false, level, limit: '20000', actual: '20000.1' });
    expect(result.message).toContain('Information Technology sector');
  });

  it('has no sector limit for an instrument without a sector', () => {
    const instrument = defineInstrument({
      symbol: 'X',
      name: 'X',
      assetClass: 'us_equity',
      tickSize: '0.01',
      lotSize: '1',
    });
    const levels = { agent: { limits: { maxSectorExposurePct: dec(1) }, sectorExposure: dec(99_999) } };
    expect(evaluate(exposure, { levels, instrument }).passed).toBe(true);
  });

  it('passes with no limit set, and is skipped for a reducing order or without a price', () => {
    expect(evaluate(exposure, { levels: { agent: { grossExposure: dec(1e12) } } }).passed).toBe(true);
    const tight = { agent: { limits: { maxGrossExposure: dec(1) } } };
    const reducing = evaluate(exposure, {
      levels: tight,
      order: { side: 'sell' },
      account: { position: dec(10) },
    });
    expect(reducing).toMatchObject({ passed: true, skipped: true });
    expect(evaluate(exposure, { levels: tight, orderPrice: undefined })).toMatchObject({
      passed: true,
      skipped: true,
    });
  });
});
