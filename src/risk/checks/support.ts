import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { ErrorCode } from '../../domain/errors.js';
import { type Instrument, floorLot } from '../../domain/instrument.js';
import type { Side } from '../../domain/order.js';
import type { CheckResult, LevelUsage, LimitLevel, RiskLimits } from '../types.js';

/** The note a ᴿ check (ORDER-SEMANTICS.md §7.2) carries when it is skipped for a reducing order. */
export const REDUCES_NOTE = 'skipped: the order reduces exposure';
export const NO_PRICE_NOTE = 'skipped: the order has no price to value it at';

/** A passing result, made once per check so that a pass allocates nothing. */
export function passed(name: string, code: ErrorCode): CheckResult {
  return Object.freeze({ name, passed: true, code });
}

/** A skipped (and so passing) result with the reason, made once per check. */
export function skipped(name: string, code: ErrorCode, message: string): CheckResult {
  return Object.freeze({ name, passed: true, code, message, skipped: true });
}

export interface Denial {
  readonly message: string;
  readonly level?: LimitLevel;
  readonly limit?: Decimal | number;
  readonly actual?: Decimal | number;
}

export function denied(name: string, code: ErrorCode, denial: Denial): CheckResult {
  const { level, limit, actual, message } = denial;
  return {
    name,
    passed: false,
    code,
    ...(level === undefined ? {} : { level }),
    ...(limit === undefined ? {} : { limit: text(limit) }),
    ...(actual === undefined ? {} : { actual: text(actual) }),
    message,
  };
}

/** An exact decimal string, or a count. */
export function text(value: Decimal | number): string {
  return typeof value === 'number' ? String(value) : value.toFixed();
}

/** +1 for a buy, −1 for a sell: the sign an order adds to a position. */
export function sideSign(side: Side): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}

/** "the agent limit", for messages. */
export function limitName(level: LimitLevel): string {
  return `the ${level} limit`;
}

/** Names where a limit with a default came from: the tightest level that sets it, else the default. */
export function sourceName(usage: LevelUsage | undefined): string {
  return usage === undefined ? 'the default' : limitName(usage.level);
}

/**
 * What to do about a quantity over a limit: the largest quantity on the lot step that fits, or that
 * none does.
 */
export function quantityAdvice(instrument: Instrument, fits: Decimal, within = 'the limit'): string {
  const most = fits.greaterThan(ZERO) ? floorLot(instrument, fits) : ZERO;
  return most.greaterThanOrEqualTo(instrument.minQuantity) && most.greaterThan(ZERO)
    ? `reduce quantity to at most ${most.toFixed()}`
    : `no quantity fits within ${within}`;
}

/** The advice for a notional limit the order exceeds: the quantity that fits at the order price. */
export function notionalAdvice(
  instrument: Instrument,
  headroom: Decimal,
  price: Decimal | undefined,
): string {
  if (price === undefined || price.isZero()) return 'reduce quantity';
  return quantityAdvice(instrument, headroom.div(price));
}

/**
 * The level that sets the tightest (smallest) value of a limit; undefined when no level sets it.
 * Used by the limits that protect against bad prices (band, quote age) rather than budgets.
 */
export function tightestLevel(
  levels: readonly LevelUsage[],
  pick: (limits: RiskLimits) => Decimal | number | undefined,
): LevelUsage | undefined {
  let best: LevelUsage | undefined;
  let bestValue: Decimal | number | undefined;
  for (const usage of levels) {
    const value = pick(usage.limits);
    if (value !== undefined && (bestValue === undefined || smaller(value, bestValue))) {
      best = usage;
      bestValue = value;
    }
  }
  return best;
}

function smaller(a: Decimal | number, b: Decimal | number): boolean {
  if (typeof a === 'number') return typeof b === 'number' ? a < b : b.greaterThan(a);
  return a.lessThan(b);
}
