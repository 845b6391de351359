/**
 * Alpaca market data behind short-lived caches: stocks from `/v2/stocks/...`, crypto from
 * `/v1beta3/crypto/us/...`. Quotes, trades and snapshots live `quotesMs` (default 1 s), bars
 * `barsMs` (default 5 min). One request per key is in flight at a time, so a burst of readers costs
 * one call, which matters under Alpaca's 200 requests a minute.
 */
import type { Bar, BookSnapshot, TradePrint } from '../../marketdata/types.js';
import { type MarketSnapshot, barOf, bookOfQuote, snapshotOf, tradePrintOf } from './mapping-market.js';
import { type AlpacaApis, wireJson } from './rest.js';
import { isCryptoSymbol } from './values.js';
import {
  barsPageSchema,
  cryptoSnapshotsSchema,
  latestBarsSchema,
  latestQuotesSchema,
  latestTradesSchema,
  stockSnapshotsSchema,
} from './wire.js';

export interface MarketDataTtl {
  readonly quotesMs: number;
  readonly barsMs: number;
}

export const DEFAULT_MARKET_DATA_TTL: MarketDataTtl = { quotesMs: 1000, barsMs: 300_000 };

/** Historical bars: an Alpaca timeframe ("1Min", "1Day"), a start and an optional end (epoch ms). */
export interface BarsQuery {
  readonly timeframe: string;
  readonly start: number;
  readonly end?: number;
  readonly limit?: number;
}

/** Runs a read against Alpaca, turning its failures into BrokerCallErrors. */
export type ReadCall = <T>(what: string, call: () => Promise<T>) => Promise<T>;

class TtlCache<T> {
  private readonly entries = new Map<string, { readonly at: number; readonly value: T }>();
  private readonly inflight = new Map<string, Promise<T>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs: number, now: () => number) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  /** The cached value, fresh or not, and whether it is fresh. */
  peek(key: string): { readonly value: T; readonly fresh: boolean } | undefined {
    const entry = this.entries.get(key);
    return entry === undefined
      ? undefined
      : { value: entry.value, fresh: this.now() - entry.at < this.ttlMs };
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.peek(key);
    if (cached?.fresh === true) return cached.value;
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const loading = load()
      .then((value) => {
        this.entries.set(key, { at: this.now(), value });
        return value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, loading);
    return loading;
  }
}

const LOC = 'us' as const;

export class AlpacaMarketData {
  /** The SDK clients hold the credentials: a private field keeps them out of inspect and JSON. */
  readonly #apis: Pick<AlpacaApis, 'stocks' | 'crypto'>;
  private readonly read: ReadCall;
  private readonly quotes: TtlCache<BookSnapshot | undefined>;
  private readonly trades: TtlCache<TradePrint | undefined>;
  private readonly snapshots: TtlCache<MarketSnapshot | undefined>;
  private readonly latestBars: TtlCache<Bar | undefined>;
  private readonly history: TtlCache<Bar[]>;
  private closed = false;
  /** The last background refresh failure, for diagnostics (the failure itself is not thrown). */
  lastRefreshError: unknown;

  constructor(
    apis: Pick<AlpacaApis, 'stocks' | 'crypto'>,
    read: ReadCall,
    ttl: MarketDataTtl,
    now: () => number,
  ) {
    this.#apis = apis;
    this.read = read;
    this.quotes = new TtlCache(ttl.quotesMs, now);
    this.trades = new TtlCache(ttl.quotesMs, now);
    this.snapshots = new TtlCache(ttl.quotesMs, now);
    this.latestBars = new TtlCache(ttl.barsMs, now);
    this.history = new TtlCache(ttl.barsMs, now);
  }

  /** The latest quote as a one-level book; undefined when Alpaca has none for the symbol. */
  quote(symbol: string): Promise<BookSnapshot | undefined> {
    return this.quotes.get(symbol, () =>
      this.read(`latest quote of ${symbol}`, async () => {
        const call = isCryptoSymbol(symbol)
          ? this.#apis.crypto.cryptoLatestQuotesRaw({ loc: LOC, symbols: symbol })
          : this.#apis.stocks.stockLatestQuotesRaw({ symbols: symbol });
        const quote = (await wireJson(call, latestQuotesSchema)).quotes[symbol];
        return quote === undefined ? undefined : bookOfQuote(symbol, quote);
      }),
    );
  }

  trade(symbol: string): Promise<TradePrint | undefined> {
    return this.trades.get(symbol, () =>
      this.read(`latest trade of ${symbol}`, async () => {
        const call = isCryptoSymbol(symbol)
          ? this.#apis.crypto.cryptoLatestTradesRaw({ loc: LOC, symbols: symbol })
          : this.#apis.stocks.stockLatestTradesRaw({ symbols: symbol });
        const trade = (await wireJson(call, latestTradesSchema)).trades[symbol];
        return trade === undefined ? undefined : tradePrintOf(symbol, trade);
      }),
    );
  }

  latestBar(symbol: string): Promise<Bar | undefined> {
    return this.latestBars.get(symbol, () =>
      this.read(`latest bar of ${symbol}`, async () => {
        const call = isCryptoSymbol(symbol)
          ? this.#apis.crypto.cryptoLatestBarsRaw({ loc: LOC, symbols: symbol })
          : this.#apis.stocks.stockLatestBarsRaw({ symbols: symbol });
        const bar = (await wireJson(call, latestBarsSchema)).bars[symbol];
        return bar === undefined ? undefined : barOf(symbol, bar);
      }),
    );
  }

  /** Latest quote (with the last trade), trade and bars in one call. */
  snapshot(symbol: string): Promise<MarketSnapshot | undefined> {
    return this.snapshots.get(symbol, () =>
      this.read(`snapshot of ${symbol}`, async () => {
        const raw = isCryptoSymbol(symbol)
          ? (
              await wireJson(
                this.#apis.crypto.cryptoSnapshotsRaw({ loc: LOC, symbols: symbol }),
                cryptoSnapshotsSchema,
              )
            ).snapshots[symbol]
          : (await wireJson(this.#apis.stocks.stockSnapshotsRaw({ symbols: symbol }), stockSnapshotsSchema))[
              symbol
            ];
        return raw === undefined ? undefined : snapshotOf(symbol, raw);
      }),
    );
  }

  /** Historical bars, every page of them, oldest first. */
  bars(symbol: string, query: BarsQuery): Promise<Bar[]> {
    const key = `${symbol}|${query.timeframe}|${query.start}|${query.end ?? ''}|${query.limit ?? ''}`;
    return this.history.get(key, () => this.read(`bars of ${symbol}`, () => this.allBars(symbol, query)));
  }

  private async allBars(symbol: string, query: BarsQuery): Promise<Bar[]> {
    const out: Bar[] = [];
    let pageToken: string | undefined;
    do {
      const request = {
        symbols: symbol,
        timeframe: query.timeframe,
        start: new Date(query.start),
        ...(query.end === undefined ? {} : { end: new Date(query.end) }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(pageToken === undefined ? {} : { pageToken }),
      };
      const call = isCryptoSymbol(symbol)
        ? this.#apis.crypto.cryptoBarsRaw({ ...request, loc: LOC })
        : this.#apis.stocks.stockBarsRaw(request);
      const page = await wireJson(call, barsPageSchema);
      out.push(...(page.bars?.[symbol] ?? []).map((bar) => barOf(symbol, bar)));
      pageToken = page.next_page_token ?? undefined;
    } while (pageToken !== undefined && (query.limit === undefined || out.length < query.limit));
    return query.limit === undefined ? out : out.slice(0, query.limit);
  }

  /**
   * The last cached quote, fresh or stale, without waiting; a stale or missing one starts a
   * background refresh whose failure is kept in `lastRefreshError`, never thrown.
   */
  book(symbol: string): BookSnapshot | undefined {
    const cached = this.quotes.peek(symbol);
    if (cached?.fresh !== true && !this.closed) {
      void this.quote(symbol).catch((error: unknown) => {
        this.lastRefreshError = error;
      });
    }
    return cached?.value;
  }

  close(): void {
    this.closed = true;
  }
}
