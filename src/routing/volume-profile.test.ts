import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import { vwapSlices } from './slicing.js';
import { US_EQUITY_VOLUME_PROFILE, weightsForHorizon } from './volume-profile.js';

const HOUR = 3_600_000;
/** 2024-03-05 09:30 New York (EST, UTC−5) and 2024-07-02 09:30 (EDT, UTC−4). */
const WINTER_OPEN = Date.UTC(2024, 2, 5, 14, 30);
const SUMMER_OPEN = Date.UTC(2024, 6, 2, 13, 30);

const close = (actual: readonly number[], expected: readonly number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((w, i) => {
    expect(w).toBeCloseTo(expected[i] ?? Number.NaN, 9);
  });
};

describe('US equity volume profile', () => {
  it('has 13 half-hour buckets summing to 100%, U-shaped', () => {
    const w = US_EQUITY_VOLUME_PROFILE.weights;
    expect(w).toHaveLength(13);
    expect(w.reduce((a, b) => a + b, 0)).toBe(100);
    expect(Math.min(...w)).toBeLessThan(w[0] ?? 0);
    expect(Math.max(...w)).toBe(w[12]);
  });
});

describe('weightsForHorizon', () => {
  it('picks the buckets the horizon overlaps, in New York time across DST', () => {
    close(weightsForHorizon(WINTER_OPEN, HOUR, 2), [12, 9]);
    close(weightsForHorizon(SUMMER_OPEN, HOUR, 2), [12, 9]);
  });

  it('splits profile buckets pro rata', () => {
    close(weightsForHorizon(WINTER_OPEN, HOUR, 4), [6, 6, 4.5, 4.5]);
    close(weightsForHorizon(WINTER_OPEN + HOUR / 4, HOUR / 2, 1), [6 + 4.5]);
  });

  it('gives no weight after the close, so VWAP sends nothing then', () => {
    const closing = WINTER_OPEN + 6 * HOUR; // 15:30
    const weights = weightsForHorizon(closing, HOUR, 2);
    close(weights, [13.5, 0]);
    const slices = vwapSlices({
      quantity: dec(100),
      horizonMs: HOUR,
      start: closing,
      weights,
      lotStep: dec(1),
      minQuantity: dec(1),
    });
    expect(slices.map((s) => [s.at, s.quantity.toFixed()])).toEqual([[closing, '100']]);
  });

  it('falls back to equal weights outside the session (VWAP becomes TWAP)', () => {
    expect(weightsForHorizon(WINTER_OPEN - 5 * HOUR, HOUR, 3)).toEqual([1, 1, 1]);
  });
});
