import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one decimal type for prices, quantities and money. A private clone so that no other
 * library's global Decimal settings can change ours: 40 significant digits, half-even rounding,
 * and plain notation (never "1e-7") when printed.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;
export type DecimalInput = Decimal | string | number;

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);
export const BPS = new Decimal(10_000);

/** Wire form: a plain decimal string without exponent or trailing zeros ("0.0015", "187.42"). */
export function toWire(value: Decimal): string {
  return value.toFixed();
}

export function dec(value: DecimalInput): Decimal {
  return value instanceof Decimal ? value : new Decimal(value);
}

/** Parses a decimal from the wire; undefined when it is not a finite decimal number. */
export function parseDecimal(value: unknown): Decimal | undefined {
  if (value instanceof Decimal) return value.isFinite() ? value : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? new Decimal(String(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? new Decimal(text) : undefined;
}

export function minDec(a: Decimal, b: Decimal): Decimal {
  return a.lessThanOrEqualTo(b) ? a : b;
}

export function maxDec(a: Decimal, b: Decimal): Decimal {
  return a.greaterThanOrEqualTo(b) ? a : b;
}

export function sumDec(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
