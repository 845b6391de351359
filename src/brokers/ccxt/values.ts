/**
 * Numbers across the ccxt boundary. ccxt's unified structures carry binary floats; the exchange's
 * own strings ride along under `info`. Into the adapter everything goes as Decimal, from the raw
 * string when there is one, else from the float's shortest round-trip text (what ccxt parsed it
 * from). Out of it, amounts and prices go as ccxt-formatted text, never through arithmetic.
 */
import { type Decimal, parseDecimal } from '../../domain/decimal.js';
import { TradingError } from '../../domain/errors.js';

/** A decimal the venue may leave out (null, undefined, ""); a malformed one throws. */
export function optionalDecimal(value: unknown, field: string): Decimal | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const parsed = parseDecimal(value);
  if (parsed === undefined) throw new Error(`The venue sent a malformed ${field}: ${JSON.stringify(value)}.`);
  return parsed;
}

/** A decimal that must be there: corrupt venue data throws (STYLE.md habit 7). */
export function requiredDecimal(value: unknown, field: string): Decimal {
  const parsed = optionalDecimal(value, field);
  if (parsed === undefined) throw new Error(`The venue sent no ${field}.`);
  return parsed;
}

/** The raw value when present, else the unified one. */
export function preferRaw(
  raw: string | undefined,
  unified: number | undefined,
  field: string,
): Decimal | undefined {
  return optionalDecimal(raw ?? unified, field);
}

/** A positive price, or undefined for Binance's "0.00000000" placeholder and absent values. */
export function positiveOrUndefined(value: Decimal | undefined): Decimal | undefined {
  return value !== undefined && value.gt(0) ? value : undefined;
}

/**
 * The number ccxt's `createOrder` signature asks for, from text ccxt itself formatted
 * (`amountToPrecision`, `priceToPrecision`). ccxt turns it back into text with its shortest
 * round-trip form; a value a double cannot carry exactly is refused instead of rounded.
 */
export function ccxtNumber(text: string, field: string): number {
  const value = Number(text);
  const back = parseDecimal(value);
  const exact = parseDecimal(text);
  if (back === undefined || exact === undefined || !back.equals(exact)) {
    throw new TradingError(
      'INVALID_ORDER',
      `${field} ${text} has more digits than the venue API can carry.`,
      {
        hint: `Send ${field} with at most 15 significant digits.`,
        details: { field },
      },
    );
  }
  return value;
}

/** Epoch milliseconds from a venue timestamp that must be there. */
export function timeOf(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}
