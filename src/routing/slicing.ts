/**
 * Slicing plans of the execution algorithms, ORDER-SEMANTICS §9. Pure: times are epoch milliseconds
 * given by the caller, randomness is injected, quantities are exact and rounded down to the lot step.
 */
import { type Decimal, ZERO, dec, maxDec, minDec, sumDec } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import { roundToStep } from '../domain/instrument.js';

export { US_EQUITY_VOLUME_PROFILE, type VolumeProfile, weightsForHorizon } from './volume-profile.js';

export interface Slice {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly quantity: Decimal;
}

export interface Jitter {
  /** Each time moves by up to ±fraction × interval; 0 to 0.5, so slices keep their order. */
  readonly fraction: number;
  /** Uniform in [0, 1), injected so that plans are reproducible. */
  readonly random: () => number;
}

export interface TwapInput {
  readonly quantity: Decimal;
  readonly horizonMs: number;
  readonly intervalMs: number;
  readonly start: number;
  readonly lotStep: Decimal;
  readonly minQuantity: Decimal;
  readonly jitter?: Jitter;
}

export interface VwapInput {
  readonly quantity: Decimal;
  readonly horizonMs: number;
  readonly start: number;
  /** One per bucket of equal length over the horizon; not negative, not all zero. */
  readonly weights: readonly number[] | readonly Decimal[];
  readonly lotStep: Decimal;
  readonly minQuantity: Decimal;
}

function invalid(message: string, field: string): TradingError {
  return new TradingError('INVALID_ARGUMENT', message, { details: { field } });
}

const floorLot = (quantity: Decimal, lotStep: Decimal): Decimal => roundToStep(quantity, lotStep, 'down');

function checkQuantity(quantity: Decimal, lotStep: Decimal): void {
  if (!quantity.isPositive() || quantity.isZero())
    throw invalid('quantity must be greater than 0.', 'quantity');
  if (!lotStep.isPositive() || lotStep.isZero()) throw invalid('lotStep must be greater than 0.', 'lotStep');
}

/**
 * §9's "while a slice would be below the minimum size, n is reduced", in closed form: floor_lot(Q / n)
 * ≥ m, with m the minimum rounded up to the lot step (and at least one lot, so no slice is empty), holds
 * exactly when n ≤ Q / m. So n = min(n, floor(Q / m)), and at least 1.
 */
export function twapSliceCount(
  quantity: Decimal,
  wanted: number,
  lotStep: Decimal,
  minQuantity: Decimal,
): number {
  const smallest = roundToStep(maxDec(minQuantity, lotStep), lotStep, 'up');
  const most = quantity.div(smallest).floor();
  return Math.max(1, most.lessThan(wanted) ? most.toNumber() : wanted);
}

function jittered(at: number, input: TwapInput): number {
  const { jitter, intervalMs, start, horizonMs } = input;
  if (jitter === undefined || jitter.fraction === 0) return at;
  const moved = at + (2 * jitter.random() - 1) * jitter.fraction * intervalMs;
  return Math.round(Math.min(start + horizonMs, Math.max(start, moved)));
}

/**
 * TWAP (§9): n = floor(horizon / interval) slices, reduced while a slice would be below the minimum;
 * slices 1..n−1 are floor_lot(quantity / n) and slice n the rest; slice k at start + (k − 1) × interval
 * (rounded to the millisecond; a fractional interval is allowed), moved by the optional jitter but
 * never before the start nor past the horizon.
 */
export function twapSlices(input: TwapInput): Slice[] {
  const { quantity, horizonMs, intervalMs, start, lotStep, minQuantity, jitter } = input;
  checkQuantity(quantity, lotStep);
  if (!(intervalMs > 0)) throw invalid('intervalMs must be greater than 0.', 'intervalMs');
  if (!(horizonMs >= intervalMs)) throw invalid('The horizon must be at least one interval.', 'horizonMs');
  if (jitter !== undefined && !(jitter.fraction >= 0 && jitter.fraction <= 0.5))
    throw invalid('jitter.fraction must be from 0 to 0.5.', 'jitter');
  // 1e-9 absorbs float division: horizon / (horizon / 3) may be 2.9999999999999996.
  const wanted = Math.floor(horizonMs / intervalMs + 1e-9);
  const n = twapSliceCount(quantity, wanted, lotStep, minQuantity);
  const size = floorLot(quantity.div(n), lotStep);
  const last = quantity.minus(size.times(n - 1));
  return Array.from({ length: n }, (_, i) => ({
    at: jittered(Math.round(start + i * intervalMs), input),
    quantity: i === n - 1 ? last : size,
  }));
}

function weightsOf(weights: readonly number[] | readonly Decimal[]): Decimal[] {
  const out = weights.map((w: number | Decimal) => (typeof w === 'number' ? dec(w) : w));
  if (out.length === 0) throw invalid('VWAP needs at least one weight.', 'weights');
  if (out.some((w) => !w.isFinite() || w.isNegative()))
    throw invalid('VWAP weights must be finite and not negative.', 'weights');
  return out;
}

/**
 * VWAP (§9): the horizon is cut into one equal bucket per weight; slice k = floor_lot(quantity × wₖ / Σw)
 * at the start of bucket k, and the last bucket with a positive weight gets the rest.
 *
 * Buckets with zero weight send nothing (the profile says nothing trades then), and a slice that rounds
 * to zero or falls below minQuantity is not sent either: its quantity goes to the last slice, as any
 * rounding remainder does. If the last slice itself ends up below minQuantity it is merged into the
 * slice before it.
 */
export function vwapSlices(input: VwapInput): Slice[] {
  const { quantity, horizonMs, start, lotStep, minQuantity } = input;
  checkQuantity(quantity, lotStep);
  if (!(horizonMs > 0)) throw invalid('horizonMs must be greater than 0.', 'horizonMs');
  const weights = weightsOf(input.weights);
  const total = sumDec(weights);
  if (total.isZero()) throw invalid('VWAP weights must not all be zero.', 'weights');
  const n = weights.length;
  const lastIndex = weights.findLastIndex((w) => !w.isZero());
  const slices: Slice[] = [];
  for (let k = 0; k < lastIndex; k++) {
    const size = floorLot(quantity.times(weights[k] ?? ZERO).div(total), lotStep);
    if (size.isZero() || size.lessThan(minQuantity)) continue;
    slices.push({ at: start + Math.floor((k * horizonMs) / n), quantity: size });
  }
  const rest = quantity.minus(sumDec(slices.map((s) => s.quantity)));
  const previous = slices.at(-1);
  if (previous !== undefined && rest.lessThan(minQuantity)) {
    slices[slices.length - 1] = { at: previous.at, quantity: previous.quantity.plus(rest) };
  } else {
    slices.push({ at: start + Math.floor((lastIndex * horizonMs) / n), quantity: rest });
  }
  return slices;
}

/**
 * Iceberg (§9): the next child is min(display, leaves), the display rounded down to the lot step but at
 * least one lot. Nothing (zero) once no leaves remain.
 */
export function icebergNext(leaves: Decimal, displayQuantity: Decimal, lotStep: Decimal): Decimal {
  if (!leaves.isPositive() || leaves.isZero()) return ZERO;
  const display = maxDec(floorLot(displayQuantity, lotStep), lotStep);
  return minDec(display, leaves);
}
