/**
 * Alpaca market data (stocks `/v2/stocks/...`, crypto `/v1beta3/crypto/us/...`) into the shapes of
 * src/marketdata/types.ts. Prices and sizes arrive as JSON numbers; each goes into Decimal through
 * its shortest decimal form (parseDecimal), which is the literal Alpaca wrote.
 */
import { type Decimal, parseDecimal } from '../../domain/decimal.js';
import type { Bar, BookLevel, BookSnapshot, TradePrint } from '../../marketdata/types.js';
import { timeOf } from './values.js';
import type { AlpacaBar, AlpacaQuote, AlpacaSnapshot, AlpacaTrade } from './wire.js';

function numberOf(value: number, field: string): Decimal {
  const parsed = parseDecimal(value);
  if (parsed === undefined) throw new Error(`Alpaca sent a malformed ${field}: ${String(value)}.`);
  return parsed;
}

/** One side of a quote; Alpaca reports an empty side as price 0. */
function level(price: number | null | undefined, size: number | null | undefined): BookLevel[] {
  if (price === null || price === undefined || price <= 0) return [];
  return size === null || size === undefined
    ? [{ price: numberOf(price, 'price') }]
    : [{ price: numberOf(price, 'price'), size: numberOf(size, 'size') }];
}

/** An L1 quote as a one-level book (ORDER-SEMANTICS.md §2.5). */
export function bookOfQuote(symbol: string, quote: AlpacaQuote): BookSnapshot {
  return {
    symbol,
    ts: timeOf(quote.t, 't'),
    bids: level(quote.bp, quote.bs),
    asks: level(quote.ap, quote.as),
  };
}

export function tradePrintOf(symbol: string, trade: AlpacaTrade): TradePrint {
  const size = trade.s ?? 0;
  return { symbol, ts: timeOf(trade.t, 't'), price: numberOf(trade.p, 'p'), size: numberOf(size, 's') };
}

export function barOf(symbol: string, bar: AlpacaBar): Bar {
  return {
    symbol,
    ts: timeOf(bar.t, 't'),
    open: numberOf(bar.o, 'o'),
    high: numberOf(bar.h, 'h'),
    low: numberOf(bar.l, 'l'),
    close: numberOf(bar.c, 'c'),
    volume: numberOf(bar.v, 'v'),
  };
}

/** A symbol's snapshot: its latest quote (with the last trade), trade and bars, each when present. */
export interface MarketSnapshot {
  readonly symbol: string;
  readonly book?: BookSnapshot;
  readonly trade?: TradePrint;
  readonly minuteBar?: Bar;
  readonly dailyBar?: Bar;
  readonly prevDailyBar?: Bar;
}

export function snapshotOf(symbol: string, snapshot: AlpacaSnapshot): MarketSnapshot {
  const out: { -readonly [K in keyof MarketSnapshot]: MarketSnapshot[K] } = { symbol };
  const trade = snapshot.latestTrade ? tradePrintOf(symbol, snapshot.latestTrade) : undefined;
  if (trade !== undefined) out.trade = trade;
  if (snapshot.latestQuote) {
    const book = bookOfQuote(symbol, snapshot.latestQuote);
    out.book = trade === undefined ? book : { ...book, last: trade.price, lastSize: trade.size };
  }
  if (snapshot.minuteBar) out.minuteBar = barOf(symbol, snapshot.minuteBar);
  if (snapshot.dailyBar) out.dailyBar = barOf(symbol, snapshot.dailyBar);
  if (snapshot.prevDailyBar) out.prevDailyBar = barOf(symbol, snapshot.prevDailyBar);
  return out;
}
