/**
 * Every call the adapter makes to the exchange, through one place that maps ccxt's failures to
 * BrokerCallErrors with scrubbed messages, and reads ccxt's `features` for the limits and symbol
 * requirements of the list endpoints. The exchange (and with it the credentials) lives only in a
 * private field here and in the broker.
 */
import type { Exchange, Order as CcxtOrder, Trade } from 'ccxt';
import { type CallKind, toBrokerError } from './errors.js';
import { type OrderView, viewOf } from './order-view.js';

/** How many pages of trades one read walks at most (1000 trades each on Binance). */
const MAX_TRADE_PAGES = 10;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back a trades report reaches on an exchange that serves them window by window. */
export const MAX_LOOKBACK_MS = 7 * DAY_MS;

export class VenueCalls {
  readonly #exchange: Exchange;
  readonly #venue: string;
  readonly #now: () => number;

  constructor(exchange: Exchange, venue: string, now: () => number) {
    this.#exchange = exchange;
    this.#venue = venue;
    this.#now = now;
  }

  /** Runs a ccxt call; any failure becomes a BrokerCallError (definitive or ambiguous). */
  async call<T>(kind: CallKind, what: string, run: (exchange: Exchange) => Promise<T>): Promise<T> {
    try {
      return await run(this.#exchange);
    } catch (error) {
      throw toBrokerError(this.#venue, error, kind, what, this.secrets());
    }
  }

  /** A ccxt order read into our terms; a response ccxt could not fill in is an unparseable answer. */
  view(order: CcxtOrder, what: string): OrderView {
    try {
      return viewOf(order, this.#now());
    } catch (error) {
      throw toBrokerError(this.#venue, error, 'query', what, this.secrets());
    }
  }

  /** Open orders of every symbol at once, or symbol by symbol where the exchange requires one. */
  async openOrders(symbols: Iterable<string>): Promise<OrderView[]> {
    if (this.feature('fetchOpenOrders', 'symbolRequired') !== true) {
      const orders = await this.call('query', 'fetchOpenOrders', (ex) => ex.fetchOpenOrders());
      return orders.map((o) => this.view(o, 'fetchOpenOrders'));
    }
    return this.openOrdersIn(symbols);
  }

  /**
   * Open orders of the given symbols, one request each: far cheaper than all symbols at once
   * (Binance weighs openOrders 6 with a symbol, 80 without).
   */
  async openOrdersIn(symbols: Iterable<string>): Promise<OrderView[]> {
    const out: OrderView[] = [];
    for (const symbol of symbols) {
      const orders = await this.call('query', `fetchOpenOrders ${symbol}`, (ex) =>
        ex.fetchOpenOrders(symbol),
      );
      out.push(...orders.map((o) => this.view(o, 'fetchOpenOrders')));
    }
    return out;
  }

  /** Recent orders of one symbol, open and closed (the newest `limit` the exchange keeps). */
  async recentOrders(symbol: string): Promise<OrderView[]> {
    const limit = this.limitOf('fetchOrders');
    const orders = await this.call('query', `fetchOrders ${symbol}`, (ex) =>
      ex.has['fetchOrders'] === true
        ? ex.fetchOrders(symbol, undefined, limit)
        : Promise.all([ex.fetchOpenOrders(symbol), ex.fetchClosedOrders(symbol, undefined, limit)]).then(
            (l) => l.flat(),
          ),
    );
    return orders.map((o) => this.view(o, 'fetchOrders'));
  }

  /**
   * The account's trades of one symbol from `since` on. Where ccxt says the exchange serves a
   * bounded window per request (`features.spot.fetchMyTrades.untilDays`: 1 day on Binance, whose
   * myTrades returns nothing past startTime + 24 h), the span is read window by window, at most
   * MAX_LOOKBACK_MS back; the last window is open-ended so that it reaches the venue's now.
   */
  async tradesSince(symbol: string, since: number): Promise<Trade[]> {
    const days = this.feature('fetchMyTrades', 'untilDays');
    if (typeof days !== 'number' || days <= 0) return this.tradePages(symbol, since, undefined);
    const span = days * DAY_MS - 1;
    const now = this.#now();
    const out: Trade[] = [];
    let from = Math.max(since, now - MAX_LOOKBACK_MS);
    for (; from + span < now; from += span + 1)
      out.push(...(await this.tradePages(symbol, from, from + span)));
    out.push(...(await this.tradePages(symbol, from, undefined)));
    return out;
  }

  /** One window of trades, page after page (`limit` a page). */
  private async tradePages(symbol: string, since: number, until: number | undefined): Promise<Trade[]> {
    const limit = this.limitOf('fetchMyTrades');
    const params = until === undefined ? {} : { until };
    const out: Trade[] = [];
    let from = since;
    for (let page = 0; page < MAX_TRADE_PAGES; page++) {
      const batch = await this.call('query', `fetchMyTrades ${symbol}`, (ex) =>
        ex.fetchMyTrades(symbol, from, limit, params),
      );
      out.push(...batch);
      if (limit === undefined || batch.length < limit) break;
      const last = Math.max(...batch.map((t) => t.timestamp ?? from));
      if (last <= from) break;
      from = last;
    }
    return out;
  }

  /** The secrets to scrub from messages, read from the exchange where they live. */
  private secrets(): string[] {
    const ex = this.#exchange;
    return [ex.apiKey, ex.secret, ex.password].filter((s): s is string => typeof s === 'string' && s !== '');
  }

  private limitOf(method: string): number | undefined {
    const limit = this.feature(method, 'limit');
    return typeof limit === 'number' && limit > 0 ? limit : undefined;
  }

  /** `exchange.features.spot[method][key]`: ccxt's per-method facts (limits, required symbols). */
  private feature(method: string, key: string): unknown {
    const spot: unknown = this.#exchange.features['spot'];
    if (typeof spot !== 'object' || spot === null) return undefined;
    const entry: unknown = (spot as Record<string, unknown>)[method];
    return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)[key] : undefined;
  }
}
