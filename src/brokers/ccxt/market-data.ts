/**
 * Order books and tickers with a short time-to-live (1 s): the port's `book()` is synchronous and
 * called often, an account valuation wants a mid, and neither should cost a request each time.
 * Concurrent reads of one symbol share a single request.
 */
import type { Exchange, Ticker } from 'ccxt';
import type { Decimal } from '../../domain/decimal.js';
import type { BookSnapshot } from '../../marketdata/types.js';
import { toBookSnapshot } from './mapping.js';
import { optionalDecimal } from './values.js';

export const MARKET_DATA_TTL_MS = 1_000;

/** A ticker's touch and last trade as exact decimals. */
export interface CcxtQuote {
  readonly symbol: string;
  readonly ts: number;
  readonly bid?: Decimal;
  readonly ask?: Decimal;
  readonly last?: Decimal;
}

interface Entry<T> {
  at: number;
  value: T | undefined;
  pending: Promise<T> | undefined;
}

/** One value per key, fetched at most once per TTL. */
class TtlCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: () => number,
    private readonly load: (key: string) => Promise<T>,
  ) {}

  /** The cached value, whatever its age. */
  peek(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  fresh(key: string): boolean {
    const entry = this.entries.get(key);
    return entry?.value !== undefined && this.now() - entry.at < MARKET_DATA_TTL_MS;
  }

  /** The value, fetched when missing or older than the TTL. */
  get(key: string): Promise<T> {
    const entry = this.entries.get(key) ?? { at: 0, value: undefined, pending: undefined };
    this.entries.set(key, entry);
    if (entry.value !== undefined && this.fresh(key)) return Promise.resolve(entry.value);
    entry.pending ??= this.load(key).then(
      (value) => {
        entry.value = value;
        entry.at = this.now();
        entry.pending = undefined;
        return value;
      },
      (error: unknown) => {
        entry.pending = undefined;
        throw error;
      },
    );
    return entry.pending;
  }
}

export class MarketData {
  readonly #books: TtlCache<BookSnapshot>;
  readonly #tickers: TtlCache<CcxtQuote>;

  constructor(exchange: Exchange, now: () => number) {
    const hasBooks = exchange.has['fetchOrderBook'] === true || exchange.has['fetchOrderBook'] === 'emulated';
    this.#tickers = new TtlCache(now, async (symbol) =>
      quoteOf(await exchange.fetchTicker(symbol), symbol, now()),
    );
    // An exchange without order books (the capability check lets fetchTicker stand in) gets a
    // one-level book from its ticker's touch.
    this.#books = new TtlCache(now, async (symbol) =>
      hasBooks
        ? toBookSnapshot(await exchange.fetchOrderBook(symbol), symbol, now())
        : bookOfQuote(await this.#tickers.get(symbol)),
    );
  }

  book(symbol: string): Promise<BookSnapshot> {
    return this.#books.get(symbol);
  }

  /** The last book fetched, however old; undefined before the first fetch. */
  lastBook(symbol: string): BookSnapshot | undefined {
    return this.#books.peek(symbol);
  }

  bookIsFresh(symbol: string): boolean {
    return this.#books.fresh(symbol);
  }

  ticker(symbol: string): Promise<CcxtQuote> {
    return this.#tickers.get(symbol);
  }
}

/** Binance's raw ticker strings (`bidPrice`, `askPrice`, `lastPrice`) when there, else ccxt's floats. */
export function quoteOf(ticker: Ticker, symbol: string, now: number): CcxtQuote {
  const info = (typeof ticker.info === 'object' && ticker.info !== null ? ticker.info : {}) as Record<
    string,
    unknown
  >;
  const pick = (raw: unknown, unified: number | undefined, field: string): Decimal | undefined => {
    const value = optionalDecimal(typeof raw === 'string' ? raw : unified, field);
    return value !== undefined && value.gt(0) ? value : undefined;
  };
  const bid = pick(info['bidPrice'], ticker.bid, 'ticker bid');
  const ask = pick(info['askPrice'], ticker.ask, 'ticker ask');
  const last = pick(info['lastPrice'], ticker.last, 'ticker last');
  return {
    symbol,
    ts: ticker.timestamp ?? now,
    ...(bid === undefined ? {} : { bid }),
    ...(ask === undefined ? {} : { ask }),
    ...(last === undefined ? {} : { last }),
  };
}

function bookOfQuote(quote: CcxtQuote): BookSnapshot {
  return {
    symbol: quote.symbol,
    ts: quote.ts,
    bids: quote.bid === undefined ? [] : [{ price: quote.bid }],
    asks: quote.ask === undefined ? [] : [{ price: quote.ask }],
    ...(quote.last === undefined ? {} : { last: quote.last }),
  };
}
