import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { roundToStep } from '../domain/instrument.js';
import { floorToStep, toFloat } from './float.js';

describe('toFloat', () => {
  it('equals toNumber on hand-picked values', () => {
    for (const text of [
      '0',
      '-0',
      '1',
      '187.42',
      '0.0015',
      '-99.95',
      '30000.5',
      '1e-9',
      '12345678901234.5',
      '1e300',
      '1e-300',
      '0.1234567890123456789',
    ]) {
      const value = new Decimal(text);
      expect(Object.is(toFloat(value), value.toNumber())).toBe(true);
    }
    expect(toFloat(new Decimal(Infinity))).toBe(Infinity);
    expect(toFloat(new Decimal(NaN))).toBeNaN();
  });

  it('equals toNumber on random decimals', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.integer({ min: -30, max: 30 }),
        (digits, shift) => {
          const value = new Decimal(digits.toString()).times(new Decimal(10).pow(shift));
          expect(toFloat(value)).toBe(value.toNumber());
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe('floorToStep', () => {
  it('floors to the lot step exactly', () => {
    expect(floorToStep(new Decimal('0.3337'), new Decimal('0.001')).toFixed()).toBe('0.333');
    expect(floorToStep(new Decimal('1005'), new Decimal('10')).toFixed()).toBe('1000');
    expect(floorToStep(new Decimal('0.3'), new Decimal('0.1')).toFixed()).toBe('0.3');
    expect(floorToStep(new Decimal('0.7'), new Decimal('0.1')).toFixed()).toBe('0.7');
  });

  it('agrees with roundToStep(…, "down") on random values and steps', () => {
    const steps = ['1', '0.1', '0.01', '0.001', '0.00000001', '5', '100', '0.25'];
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.integer({ min: 0, max: 12 }),
        fc.constantFrom(...steps),
        (digits, places, step) => {
          const value = new Decimal(digits.toString()).div(new Decimal(10).pow(places));
          const expected = roundToStep(value, new Decimal(step), 'down');
          expect(floorToStep(value, new Decimal(step)).equals(expected)).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
