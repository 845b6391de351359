import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import { impactBpsOf, marketImpactBps } from './impact.js';

const bps = (q: number, depth: number | undefined, volume?: number): string =>
  marketImpactBps(
    dec(q),
    depth === undefined ? undefined : dec(depth),
    volume === undefined ? undefined : dec(volume),
  ).toFixed();

describe('marketImpactBps: 0.01 × sqrt(Q / V) × 10⁴', () => {
  it('is 10 bp for 1% of the liquidity and 100 bp for all of it', () => {
    expect(bps(100, 10_000)).toBe('10');
    expect(bps(10_000, 10_000)).toBe('100');
  });

  it('adds recent volume to the displayed depth', () => {
    expect(bps(400, 10_000, 30_000)).toBe('10');
  });

  it('rounds to 0.01 bp', () => {
    expect(bps(200, 400)).toBe('70.71');
  });

  it('is 0 against unlimited depth and for nothing, capped at 1000 bp, 1000 bp when V = 0', () => {
    expect(bps(1_000, undefined)).toBe('0');
    expect(bps(0, 100)).toBe('0');
    expect(bps(1_000_000, 1)).toBe('1000');
    expect(bps(5, 0)).toBe('1000');
  });

  it('grows with size and shrinks with liquidity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (a, b, depth) => {
          const [small, large] = a <= b ? [a, b] : [b, a];
          expect(dec(bps(small, depth)).lessThanOrEqualTo(bps(large, depth))).toBe(true);
          expect(impactBpsOf(small, depth)).toBeGreaterThanOrEqual(impactBpsOf(small, depth * 2));
        },
      ),
    );
  });
});
