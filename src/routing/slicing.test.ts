import { describe, expect, it } from 'vitest';
import { type Decimal, dec } from '../domain/decimal.js';
import { type Slice, icebergNext, twapSlices, vwapSlices } from './slicing.js';

const START = 1_700_000_000_000;
const MINUTE = 60_000;

const plain = (slices: readonly Slice[]) => slices.map((s) => [s.at - START, s.quantity.toFixed()]);
const twap = (quantity: number, overrides: Partial<Parameters<typeof twapSlices>[0]> = {}) =>
  twapSlices({
    quantity: dec(quantity),
    horizonMs: 60 * MINUTE,
    intervalMs: 5 * MINUTE,
    start: START,
    lotStep: dec(1),
    minQuantity: dec(1),
    ...overrides,
  });

describe('twapSlices (§9)', () => {
  it('cuts 1,000 shares over 60 minutes every 5 into 11 slices of 83 and a last of 87, 5 minutes apart', () => {
    const slices = twap(1_000);
    expect(plain(slices)).toEqual([
      ...Array.from({ length: 11 }, (_, k) => [k * 5 * MINUTE, '83']),
      [55 * MINUTE, '87'],
    ]);
  });

  it('reduces n while a slice would be below the minimum: 12 → 10 with a minimum of 100', () => {
    // n = 12: 83 < 100; n = 11: 90 < 100; n = 10: 100.
    expect(plain(twap(1_000, { minQuantity: dec(100) }))).toEqual(
      Array.from({ length: 10 }, (_, k) => [k * 5 * MINUTE, '100']),
    );
    expect(plain(twap(1_000, { minQuantity: dec(400) }))).toEqual([
      [0, '500'],
      [5 * MINUTE, '500'],
    ]);
  });

  it('sends everything at once when even two slices are too small (n = 1)', () => {
    expect(plain(twap(1_000, { minQuantity: dec(600) }))).toEqual([[0, '1000']]);
    expect(plain(twap(7, { lotStep: dec(10), minQuantity: dec(10) }))).toEqual([[0, '7']]);
  });

  it('rounds a minimum off the lot step up to the step, and floors slices to the lot', () => {
    // lot 10, minimum 95 → 100: n = min(12, floor(1005 / 100)) = 10, slice floor_lot(100.5) = 100, last 105.
    const slices = twap(1_005, { lotStep: dec(10), minQuantity: dec(95) });
    expect(slices.map((s) => s.quantity.toFixed())).toEqual([...Array<string>(9).fill('100'), '105']);
  });

  it('handles a fractional interval (horizon / 3) without losing a slice', () => {
    const slices = twap(9, { horizonMs: 100_000, intervalMs: 100_000 / 3 });
    expect(plain(slices)).toEqual([
      [0, '3'],
      [33_333, '3'],
      [66_667, '3'],
    ]);
  });

  it('refuses a horizon shorter than the interval', () => {
    expect(() => twap(100, { horizonMs: 4 * MINUTE })).toThrow(/at least one interval/);
  });

  it('jitters each time by up to ±fraction × interval, deterministically, never before the start', () => {
    const sequence = (values: number[]) => {
      let i = 0;
      return () => values[i++ % values.length] ?? 0;
    };
    const jitter = (values: number[]) => twap(120, { jitter: { fraction: 0.2, random: sequence(values) } });
    // random 0 → −0.2 × 5 min = −60 s (clamped to the start for the first slice); 0.75 → +30 s.
    const times = jitter([0, 0.75]).map((s) => s.at - START);
    expect(times.slice(0, 4)).toEqual([0, 5 * MINUTE + 30_000, 10 * MINUTE - 60_000, 15 * MINUTE + 30_000]);
    expect(jitter([0.3, 0.9, 0.1])).toEqual(jitter([0.3, 0.9, 0.1]));
    for (const [k, at] of jitter([0.999, 0.001]).map((s, i) => [i, s.at - START] as const)) {
      expect(Math.abs(at - k * 5 * MINUTE)).toBeLessThanOrEqual(MINUTE);
    }
    expect(() => twap(120, { jitter: { fraction: 0.6, random: Math.random } })).toThrow(/jitter/);
  });
});

describe('vwapSlices (§9)', () => {
  const vwap = (quantity: number, weights: readonly number[] | readonly Decimal[], minQuantity = 1) =>
    plain(
      vwapSlices({
        quantity: dec(quantity),
        horizonMs: 40 * MINUTE,
        start: START,
        weights,
        lotStep: dec(1),
        minQuantity: dec(minQuantity),
      }),
    );

  it('gives bucket k floor_lot(Q × wₖ / Σw) at its start and the last bucket the rest', () => {
    expect(vwap(1_000, [1, 2, 3, 4])).toEqual([
      [0, '100'],
      [10 * MINUTE, '200'],
      [20 * MINUTE, '300'],
      [30 * MINUTE, '400'],
    ]);
    expect(vwap(100, [dec(1), dec(1), dec(1)])).toEqual([
      [0, '33'],
      [Math.floor((40 * MINUTE) / 3), '33'],
      [Math.floor((80 * MINUTE) / 3), '34'],
    ]);
  });

  it('sends nothing in a zero-weight bucket; the last positive bucket takes the rest', () => {
    expect(vwap(10, [0, 1, 0, 1, 0])).toEqual([
      [8 * MINUTE, '5'],
      [24 * MINUTE, '5'],
    ]);
  });

  it('skips slices below the minimum (their quantity goes to the last) and merges a last one that is too small', () => {
    expect(vwap(100, [1, 1, 98], 5)).toEqual([[Math.floor((80 * MINUTE) / 3), '100']]);
    expect(vwap(100, [98, 1, 1], 5)).toEqual([[0, '100']]);
  });

  it('refuses no weights, negative weights and all-zero weights', () => {
    expect(() => vwap(10, [])).toThrow(/at least one weight/);
    expect(() => vwap(10, [1, -1])).toThrow(/not negative/);
    expect(() => vwap(10, [0, 0])).toThrow(/all be zero/);
  });
});

describe('icebergNext (§9)', () => {
  const next = (leaves: number, display: number | string, lot: number | string = 1) =>
    icebergNext(dec(leaves), dec(display), dec(lot)).toFixed();

  it('is min(display, leaves)', () => {
    expect(next(250, 100)).toBe('100');
    expect(next(40, 100)).toBe('40');
    expect(next(0, 100)).toBe('0');
  });

  it('rounds the display down to the lot step, but never below one lot', () => {
    expect(next(1_000, 150, 100)).toBe('100');
    expect(next(10, '0.5')).toBe('1');
  });
});
