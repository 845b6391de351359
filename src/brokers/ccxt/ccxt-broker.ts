/**
 * Any ccxt exchange's spot market behind the Broker port: one adapter parameterised by exchange id
 * (STYLE.md habit 1). Orders go out through ccxt's unified methods; events come back by polling
 * (spot REST has no push): each pass reads the open orders, the orders that left them, and the
 * account's trades since the last seen, and tells what is new (order-tracker.ts).
 */
import { inspect } from 'node:util';
import type { Exchange } from 'ccxt';
import type { Decimal } from '../../domain/decimal.js';
import type { Fill } from '../../domain/events.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import type { BookSnapshot } from '../../marketdata/types.js';
import {
  type Broker,
  BrokerCallError,
  type CancelRequest,
  type ReplaceRequest,
  type SubmitReceipt,
  type SubmitRequest,
  type VenueAccount,
  type VenueBalance,
  type VenueCapabilities,
  type VenueEventListener,
  type VenueOrder,
  type VenuePosition,
} from '../broker.js';
import { assertCapable, deriveCapabilities, initialCapabilities } from './capabilities.js';
import { type CcxtCredentials, createCcxtExchange } from './exchange.js';
import { spotInstruments } from './instruments.js';
import { type CcxtQuote, MarketData } from './market-data.js';
import { canTrade, toVenueBalances, toVenueOrder } from './mapping.js';
import { OrderFlow } from './order-flow.js';
import { OrderTracker } from './order-tracker.js';
import { PollLoop } from './poll-loop.js';
import { accountOf, midOf, positionsOf } from './reports.js';
import { VenueCalls } from './venue-calls.js';

export interface CcxtBrokerOptions {
  /** Our venue id, e.g. `ccxt-binance-paper`. */
  readonly venue: string;
  /** The ccxt exchange id, e.g. `binance`. */
  readonly exchangeId: string;
  /** The one account this connection trades. Default `main`. */
  readonly accountId?: string;
  readonly mode: 'paper' | 'live';
  /** The exchange's testnet (Binance spot: testnet.binance.vision). */
  readonly sandbox: boolean;
  readonly credentials?: CcxtCredentials;
  /** The account's reporting currency: cash, buying power and equity are stated in it. Default USDT. */
  readonly currency?: string;
  /** How often the poll loop runs. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Our clock (events' `receivedAt`, cache ages). Default Date.now. */
  readonly now?: () => number;
  /** A pre-built exchange (tests); credentials and sandbox are then its own. */
  readonly exchange?: Exchange;
  /**
   * ccxt's built-in limiter paces each call to the exchange's published rate limit (its
   * `rateLimit` and per-endpoint weights): that is how each broker's published limits are
   * respected. Default true.
   */
  readonly enableRateLimit?: boolean;
  /** ccxt's per-request timeout (default 10 s); a submit that runs out is ambiguous. */
  readonly timeoutMs?: number;
  /** Hears what a background poll failed with; the loop keeps running. */
  readonly onPollError?: (error: BrokerCallError) => void;
}

export class CcxtBroker implements Broker {
  readonly venue: string;
  readonly kind = 'ccxt' as const;
  readonly mode: 'paper' | 'live';
  readonly exchangeId: string;
  readonly accountId: string;
  readonly currency: string;
  readonly #exchange: Exchange;
  readonly #calls: VenueCalls;
  readonly #tracker: OrderTracker;
  readonly #market: MarketData;
  readonly #flow: OrderFlow;
  readonly #loop: PollLoop;
  readonly #listeners = new Set<VenueEventListener>();
  readonly #now: () => number;
  #capabilities: VenueCapabilities = initialCapabilities();
  #instruments = new InstrumentRegistry([]);
  #connected = false;

  constructor(options: CcxtBrokerOptions) {
    this.venue = options.venue;
    this.mode = options.mode;
    this.exchangeId = options.exchangeId;
    this.accountId = options.accountId ?? 'main';
    this.currency = options.currency ?? 'USDT';
    this.#now = options.now ?? Date.now;
    this.#exchange =
      options.exchange ??
      createCcxtExchange({
        exchangeId: options.exchangeId,
        sandbox: options.sandbox,
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
        ...(options.enableRateLimit === undefined ? {} : { enableRateLimit: options.enableRateLimit }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    this.#calls = new VenueCalls(this.#exchange, this.venue, this.#now);
    this.#tracker = new OrderTracker(this.venue, this.accountId, this.#now, (event) => {
      for (const listener of this.#listeners) listener(event);
    });
    this.#market = new MarketData(this.#exchange, this.#now);
    this.#flow = new OrderFlow({
      venue: this.venue,
      accountId: this.accountId,
      calls: this.#calls,
      tracker: this.#tracker,
      now: this.#now,
      request: () => ({
        venue: this.venue,
        capabilities: this.#capabilities,
        instruments: this.#instruments,
        exchange: this.#exchange,
        now: this.#now(),
      }),
      heldSymbols: () => this.heldSymbols(),
    });
    this.#loop = new PollLoop(
      this.venue,
      options.pollIntervalMs ?? 1_000,
      () => this.#flow.pass(),
      options.onPollError,
    );
  }

  get capabilities(): VenueCapabilities {
    return this.#capabilities;
  }

  /** The venue's spot instruments (empty before `connect`). */
  instruments(): InstrumentRegistry {
    return this.#instruments;
  }

  /** Loads the spot markets, checks the exchange has what the adapter needs, starts polling. */
  async connect(): Promise<void> {
    if (this.#connected) return;
    assertCapable(this.#exchange, this.venue);
    await this.#calls.call('query', 'loadMarkets', (ex) => ex.loadMarkets());
    const instruments = spotInstruments(this.#exchange.markets ?? {}, this.#exchange.precisionMode);
    this.#instruments = new InstrumentRegistry(instruments);
    const symbols = instruments.filter((i) => i.tradable).map((i) => i.symbol);
    this.#capabilities = deriveCapabilities(this.#exchange, symbols);
    this.#connected = true;
    this.#loop.start();
  }

  /** Stops the poll loop and waits for a pass in flight. */
  async close(): Promise<void> {
    this.#connected = false;
    await this.#loop.stop();
  }

  /** Runs one poll pass now (after any in flight): for tests and a reconciler. */
  poll(): Promise<void> {
    return this.#loop.runNow();
  }

  async submit(request: SubmitRequest): Promise<SubmitReceipt> {
    this.assertAccount(request.accountId);
    return this.#flow.submit(request);
  }

  async cancel(request: CancelRequest): Promise<void> {
    this.assertAccount(request.accountId);
    await this.#flow.cancel(request.clientOrderId);
  }

  /** Spot has no modify here (capabilities.replace is false): the engine cancels and resubmits. */
  // eslint-disable-next-line @typescript-eslint/require-await -- the port's contract is a promise
  async replace(request: ReplaceRequest): Promise<void> {
    this.assertAccount(request.accountId);
    const message = `${this.venue} has no order replace on spot; cancel ${request.clientOrderId} and submit anew.`;
    throw new BrokerCallError(this.venue, 'definitive', 'INVALID_ORDER', message);
  }

  subscribe(listener: VenueEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async getOrder(accountId: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    this.assertAccount(accountId);
    const view = await this.#flow.lookup(clientOrderId);
    return view === undefined ? undefined : toVenueOrder(view, this.owner(clientOrderId));
  }

  async openOrders(accountId: string): Promise<VenueOrder[]> {
    this.assertAccount(accountId);
    const views = await this.#calls.openOrders(this.#tracker.symbols());
    return views.map((v) => toVenueOrder(v, this.owner(v.clientOrderId ?? v.venueOrderId)));
  }

  /**
   * Orders updated at or after `since`, over every symbol this adapter traded or has open orders
   * in. Binance's allOrders filters by creation time, so the newest orders are read and filtered
   * here by their update time (an old order filled today still counts).
   */
  async ordersSince(accountId: string, since: number): Promise<VenueOrder[]> {
    this.assertAccount(accountId);
    const open = await this.#calls.openOrders(this.#tracker.symbols());
    const symbols = new Set([...this.#tracker.symbols(), ...open.map((v) => v.symbol)]);
    const byId = new Map(open.map((v) => [v.venueOrderId, v]));
    for (const symbol of symbols)
      for (const v of await this.#calls.recentOrders(symbol)) byId.set(v.venueOrderId, v);
    return [...byId.values()]
      .filter((v) => v.updatedAt >= since)
      .map((v) => toVenueOrder(v, this.owner(v.clientOrderId ?? v.venueOrderId)));
  }

  /**
   * Fills at or after `since` in every symbol this adapter traded, holds or has open orders in.
   * On an exchange that serves trades in windows (Binance: 24 h a request) it reaches at most
   * 7 days back (venue-calls.ts MAX_LOOKBACK_MS).
   */
  async fillsSince(accountId: string, since: number): Promise<Fill[]> {
    this.assertAccount(accountId);
    return this.#flow.fillsSince(since);
  }

  async positions(accountId: string): Promise<VenuePosition[]> {
    this.assertAccount(accountId);
    return this.positionsFrom(await this.balances(accountId));
  }

  async balances(accountId: string): Promise<VenueBalance[]> {
    this.assertAccount(accountId);
    return (await this.fetchBalances()).balances;
  }

  async accounts(): Promise<VenueAccount[]> {
    const { balances, tradingBlocked } = await this.fetchBalances();
    const positions = this.positionsFrom(balances);
    const marks = new Map<string, Decimal>();
    for (const p of positions) {
      const mark = await this.markOf(p.symbol);
      if (mark !== undefined) marks.set(p.symbol, mark);
    }
    const sources = { accountId: this.accountId, currency: this.currency, tradingBlocked };
    return [accountOf(balances, positions, { ...sources, markOf: (symbol) => marks.get(symbol) })];
  }

  /** The last order book fetched; one older than 1 s is refreshed in the background. */
  book(symbol: string): BookSnapshot | undefined {
    const instrument = this.#instruments.find(symbol);
    if (instrument === undefined) return undefined;
    if (!this.#market.bookIsFresh(instrument.symbol)) {
      this.#market.book(instrument.symbol).catch(() => undefined);
    }
    return this.#market.lastBook(instrument.symbol);
  }

  /** The ticker's touch and last trade, cached for 1 s. */
  ticker(symbol: string): Promise<CcxtQuote> {
    const instrument = this.#instruments.find(symbol);
    return this.#calls.call('query', `fetchTicker ${symbol}`, () =>
      this.#market.ticker(instrument?.symbol ?? symbol),
    );
  }

  /** What printing the broker shows: never the exchange instance, which holds the credentials. */
  toJSON(): Record<string, string> {
    return {
      venue: this.venue,
      kind: this.kind,
      mode: this.mode,
      exchangeId: this.exchangeId,
      accountId: this.accountId,
    };
  }

  toString(): string {
    return `CcxtBroker ${this.venue}`;
  }

  [inspect.custom](): string {
    return `CcxtBroker ${inspect(this.toJSON())}`;
  }

  private async fetchBalances(): Promise<{ balances: VenueBalance[]; tradingBlocked: boolean }> {
    const raw = await this.#calls.call('query', 'fetchBalance', (ex) => ex.fetchBalance());
    const code = (id: string): string => this.#exchange.safeCurrencyCode(id) ?? id;
    return { balances: toVenueBalances(raw, code), tradingBlocked: !canTrade(raw) };
  }

  private positionsFrom(balances: readonly VenueBalance[]): VenuePosition[] {
    return positionsOf(balances, {
      currency: this.currency,
      instruments: this.#instruments,
      fillsOf: (symbol) => this.#tracker.recordedFills(symbol),
    });
  }

  /** Markets of held assets against the account currency: where fills may be, after a restart too. */
  private async heldSymbols(): Promise<string[]> {
    const { balances } = await this.fetchBalances();
    return this.positionsFrom(balances).map((p) => p.symbol);
  }

  private async markOf(symbol: string): Promise<Decimal | undefined> {
    try {
      const book = await this.#market.book(symbol);
      return midOf(book);
    } catch {
      return undefined;
    }
  }

  private owner(clientOrderId: string): { venue: string; accountId: string; clientOrderId: string } {
    return { venue: this.venue, accountId: this.accountId, clientOrderId };
  }

  private assertAccount(accountId: string): void {
    if (accountId === this.accountId) return;
    throw new BrokerCallError(
      this.venue,
      'definitive',
      'NOT_FOUND',
      `${this.venue} has no account ${accountId}; it trades ${this.accountId}.`,
    );
  }
}
