/**
 * Decimal → number for the float ranking, about 10× faster than `toNumber()` (which prints the
 * decimal to a string and parses it back, ~165 ns: 8 venues × 10 levels × 2 spent a quarter of the
 * routing budget on it).
 *
 * decimal.js stores a value as base-10⁷ words `d`, a base-10 exponent `e` of the leading digit and a
 * sign `s` (all public in its typings). With at most two words the digits form an integer below 10¹⁴,
 * exact in a double, and 10^k for |k| ≤ 22 is exact too, so one IEEE multiplication or division is
 * correctly rounded: the result is exactly `toNumber()`'s. Anything else falls back to `toNumber()`.
 * So equal decimals give equal numbers and the order of decimals is kept.
 */
import type { Decimal } from '../domain/decimal.js';
import { roundToStep } from '../domain/instrument.js';

const POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

function digitCount(word: number): number {
  let count = 1;
  for (let bound = 10; word >= bound && count < 7; bound *= 10) count += 1;
  return count;
}

export function toFloat(value: Decimal): number {
  const { d: words, e: exponent, s: sign } = value;
  // decimal.js leaves d null for NaN and ±Infinity, whatever its typings say.
  const first = (words as number[] | null)?.[0];
  if (first === undefined || words.length > 2) return value.toNumber();
  const integer = words.length === 1 ? first : first * 1e7 + (words[1] ?? 0);
  const scale = exponent - digitCount(first) + 1 - 7 * (words.length - 1);
  const power = POWERS[Math.abs(scale)];
  if (power === undefined) return value.toNumber();
  return sign * (scale >= 0 ? integer * power : integer / power);
}

/**
 * floor_lot, exactly: the number of steps is guessed in floats and the guess checked in Decimal
 * (step × k ≤ value < step × (k + 1)): a product and two comparisons instead of a division, a rounding
 * and a product. A guess that fails the check (float error at a boundary) falls back to roundToStep.
 */
export function floorToStep(value: Decimal, step: Decimal): Decimal {
  const guess = Math.floor(toFloat(value) / toFloat(step));
  if (Number.isSafeInteger(guess) && guess >= 0) {
    const floor = step.times(guess);
    if (floor.lessThanOrEqualTo(value) && value.minus(floor).lessThan(step)) return floor;
  }
  return roundToStep(value, step, 'down');
}
