/**
 * Small pure conversions shared by the Alpaca mappers: wire decimals into Decimal (never through a
 * binary float), RFC 3339 timestamps into epoch milliseconds, and symbols between Alpaca's forms and
 * ours.
 */
import { type Decimal, parseDecimal } from '../../domain/decimal.js';
import type { Side } from '../../domain/order.js';

/** A venue value that must be there: corrupt data throws (STYLE.md habit 7). */
export function decimalOf(value: string | number, field: string): Decimal {
  const parsed = parseDecimal(value);
  if (parsed === undefined) throw new Error(`Alpaca sent a malformed ${field}: ${String(value)}.`);
  return parsed;
}

/** A venue value that may be null or absent (Alpaca sends `null` for unset prices). */
export function optionalDecimalOf(
  value: string | number | null | undefined,
  field: string,
): Decimal | undefined {
  return value === null || value === undefined || value === '' ? undefined : decimalOf(value, field);
}

/** Epoch milliseconds from Alpaca's RFC 3339 times ("2023-12-12T22:31:24.668464435Z", "-04:00" offsets). */
export function timeOf(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`Alpaca sent a malformed ${field}: ${value}.`);
  return ms;
}

export function optionalTimeOf(value: string | null | undefined, field: string): number | undefined {
  return value === null || value === undefined || value === '' ? undefined : timeOf(value, field);
}

/** Alpaca's sides; activities also say `sell_short`, which is a sell for the order and the position. */
export function sideOf(value: string): Side {
  if (value === 'buy') return 'buy';
  if (value === 'sell' || value === 'sell_short') return 'sell';
  throw new Error(`Alpaca sent an unknown side: ${value}.`);
}

/** Quote currencies of Alpaca's crypto pairs, longest first so that `USDT` wins over `USD`. */
const CRYPTO_QUOTES = ['USDT', 'USDC', 'USD', 'BTC'] as const;

/**
 * Our symbol for an Alpaca one: crypto pairs as `BTC/USD` whether Alpaca wrote `BTC/USD` or the
 * legacy `BTCUSD` (still seen on streams and positions); equities unchanged.
 */
export function ourSymbol(symbol: string, assetClass?: string | null): string {
  if (symbol.includes('/') || assetClass !== 'crypto') return symbol;
  const quote = CRYPTO_QUOTES.find((q) => symbol.length > q.length && symbol.endsWith(q));
  return quote === undefined ? symbol : `${symbol.slice(0, -quote.length)}/${quote}`;
}

/** Alpaca takes crypto pairs with the slash (`BTC/USD`) and equities by ticker: ours as they are. */
export function alpacaSymbol(symbol: string): string {
  return symbol;
}

/** Our crypto symbols have a slash; everything else Alpaca trades here is a US equity. */
export function isCryptoSymbol(symbol: string): boolean {
  return symbol.includes('/');
}

/** The currency prices, fills and fees of a symbol are stated in. */
export function quoteCurrencyOf(symbol: string): string {
  const slash = symbol.indexOf('/');
  return slash < 0 ? 'USD' : symbol.slice(slash + 1);
}
