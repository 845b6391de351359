/**
 * Orders through ccxt: submit, cancel, lookups by client order id, the poll pass that turns what
 * the venue reports into events, and the fills report. The broker (ccxt-broker.ts) holds the
 * connection and the reports; this file holds what happens to orders.
 */
import type { Order as CcxtOrder, Trade } from 'ccxt';
import { ZERO } from '../../domain/decimal.js';
import type { ErrorCode } from '../../domain/errors.js';
import { TradingError } from '../../domain/errors.js';
import type { Fill } from '../../domain/events.js';
import type { Instrument } from '../../domain/instrument.js';
import { BrokerCallError, type SubmitReceipt, type SubmitRequest } from '../broker.js';
import { type FillContext, toFill } from './mapping.js';
import { type RequestContext, checkRequest, createOrderArgs } from './order-request.js';
import type { Track, OrderTracker } from './order-tracker.js';
import type { OrderView } from './order-view.js';
import type { VenueCalls } from './venue-calls.js';

/**
 * Refusals of the order itself (its price, size, funds, post-only, the market's state): the
 * submit answers `rejected` and the stream carries the same `rej`. Refusals of the call (rate
 * limit, credentials, a reused client order id) are thrown: they say nothing about an order, and
 * a `rej` under a reused id would reject the order that owns it.
 */
const CALL_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  'DUPLICATE_CLIENT_ORDER_ID',
  'RATE_LIMITED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'BROKER_ERROR',
]);

/**
 * How far back a poll reads trades at most. Binance serves at most 24 hours of trades from a
 * start time (ccxt `features.spot.fetchMyTrades.untilDays: 1`): a cursor left on an old order
 * would read an empty window forever.
 */
const TRADE_WINDOW_MS = 23 * 60 * 60 * 1000;

/**
 * One poll in this many reads the open orders of every symbol (to find orders this adapter does
 * not follow yet); the others read only the symbols of followed orders, and a poll with nothing
 * to follow reads nothing. At the default 1 s interval that keeps a pass well inside Binance's
 * request weight (openOrders without a symbol weighs 80 of 6000 a minute, 6 with one).
 */
const SWEEP_EVERY = 30;

/**
 * Polls in a row an order may be unknown to the venue before the adapter stops asking: the
 * engine's reconciliation then resolves it (§8.2, an acknowledged order missing at the venue).
 */
const MAX_MISSES = 3;

export interface OrderFlowDeps {
  readonly venue: string;
  readonly accountId: string;
  readonly calls: VenueCalls;
  readonly tracker: OrderTracker;
  readonly now: () => number;
  readonly request: () => RequestContext;
  /** Markets of the assets the account holds, where fills may be after a restart. */
  readonly heldSymbols: () => Promise<string[]>;
}

export class OrderFlow {
  /** Per symbol, the venue time from which the next poll reads trades. */
  private readonly cursors = new Map<string, number>();
  /** Client order ids of orders this adapter did not send, by venue order id. */
  private readonly clientIds = new Map<string, string>();
  private passes = 0;

  constructor(private readonly deps: OrderFlowDeps) {}

  async submit(request: SubmitRequest): Promise<SubmitReceipt> {
    const { venue, tracker, calls } = this.deps;
    if (tracker.find(request.clientOrderId) !== undefined) {
      const message = `clientOrderId ${request.clientOrderId} was already used at ${venue}.`;
      throw new BrokerCallError(venue, 'definitive', 'DUPLICATE_CLIENT_ORDER_ID', message);
    }
    const ctx = this.deps.request();
    const instrument = checkRequest(request, ctx);
    const args = definitive(venue, () => createOrderArgs(request, instrument, ctx.exchange));
    let order: CcxtOrder;
    try {
      order = await calls.call('submit', `createOrder ${request.clientOrderId}`, (ex) =>
        ex.createOrder(args.symbol, args.type, args.side, args.amount, args.price, args.params),
      );
    } catch (error) {
      return this.refused(request, error);
    }
    const view = this.acceptedView(order, request, instrument);
    const track = this.follow(request.clientOrderId, view);
    tracker.observe(track, view);
    for (const trade of order.trades)
      tracker.fill(track, toFill(trade, this.fillContext(track, view.createdAt)));
    tracker.settle(track);
    return { status: 'accepted', venueOrderId: view.venueOrderId, at: this.deps.now() };
  }

  async cancel(clientOrderId: string): Promise<void> {
    const { venue, calls, tracker } = this.deps;
    const track = tracker.find(clientOrderId) ?? (await this.adopt(clientOrderId));
    if (track === undefined) {
      throw new BrokerCallError(
        venue,
        'definitive',
        'NOT_FOUND_AT_VENUE',
        `${venue} does not know order ${clientOrderId}.`,
      );
    }
    let order: CcxtOrder;
    try {
      order = await calls.call('cancel', `cancelOrder ${clientOrderId}`, (ex) =>
        ex.cancelOrder(track.venueOrderId, track.symbol),
      );
    } catch (error) {
      throw await this.cancelRefusal(track, error);
    }
    tracker.observe(track, calls.view(order, 'cancelOrder'));
    tracker.settle(track);
  }

  /** The venue's view of an order by our client order id; undefined when the venue does not know it. */
  async lookup(clientOrderId: string): Promise<OrderView | undefined> {
    const { tracker, calls } = this.deps;
    const track = tracker.find(clientOrderId);
    if (track !== undefined) return this.fetchView(track.venueOrderId, track.symbol);
    const open = await calls.openOrders(tracker.symbols());
    const found = open.find((v) => v.clientOrderId === clientOrderId);
    if (found !== undefined) return found;
    const symbols = new Set([...tracker.symbols(), ...(await this.deps.heldSymbols())]);
    for (const symbol of symbols) {
      const view = await this.fetchView('', symbol, { origClientOrderId: clientOrderId, clientOrderId });
      if (view !== undefined) return view;
    }
    return undefined;
  }

  /**
   * One poll: the open orders (of every symbol on a sweep, where any not followed yet are
   * followed; else of the followed orders' symbols), the followed orders that left them, then the
   * trades of their symbols since the last seen; an ended order's end is told once its fills are.
   */
  async pass(): Promise<void> {
    const { tracker, calls } = this.deps;
    const sweep = this.passes++ % SWEEP_EVERY === 0;
    const watched = new Set(tracker.working().map((t) => t.symbol));
    if (!sweep && watched.size === 0) return;
    const open = sweep ? await calls.openOrders(tracker.symbols()) : await calls.openOrdersIn(watched);
    const openIds = new Set(open.map((v) => v.venueOrderId));
    for (const view of [...open].sort((a, b) => a.createdAt - b.createdAt)) {
      const track =
        tracker.byVenueId(view.venueOrderId) ?? this.follow(view.clientOrderId ?? view.venueOrderId, view);
      tracker.observe(track, view);
    }
    for (const track of tracker.working()) {
      if (openIds.has(track.venueOrderId) || track.final !== undefined) continue;
      const view = await this.fetchView(track.venueOrderId, track.symbol);
      if (view === undefined) {
        if (++track.misses >= MAX_MISSES) track.done = true;
        continue;
      }
      track.misses = 0;
      tracker.observe(track, view);
    }
    for (const symbol of new Set(tracker.working().map((t) => t.symbol))) await this.readTrades(symbol);
    for (const track of tracker.working()) tracker.settle(track);
  }

  /** The account's fills from `since` on, in every symbol it traded, holds or has open orders in. */
  async fillsSince(since: number): Promise<Fill[]> {
    const { tracker, calls } = this.deps;
    const open = await calls.openOrders(tracker.symbols());
    const held = await this.deps.heldSymbols();
    const symbols = new Set([...tracker.symbols(), ...open.map((v) => v.symbol), ...held]);
    const out: Fill[] = [];
    for (const symbol of symbols) {
      for (const trade of await calls.tradesSince(symbol, since)) {
        const fill = toFill(trade, await this.contextOf(trade, symbol));
        tracker.record(fill);
        if (fill.ts >= since) out.push(fill);
      }
    }
    const unique = new Map(out.map((f) => [f.fillId, f]));
    return [...unique.values()].sort((a, b) => a.ts - b.ts || a.fillId.localeCompare(b.fillId));
  }

  /**
   * Tells the new fills of followed orders in one symbol. The cursor moves only over trades of
   * followed orders: a trade of an order whose submit is still in flight is read again next time,
   * once the order is followed, instead of being skipped for good.
   */
  private async readTrades(symbol: string): Promise<void> {
    const cursor = this.cursors.get(symbol) ?? this.deps.now();
    const since = Math.max(cursor, this.deps.now() - TRADE_WINDOW_MS);
    const trades = await this.deps.calls.tradesSince(symbol, since);
    const ordered = [...trades].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    for (const trade of ordered) {
      const track = trade.order === undefined ? undefined : this.deps.tracker.byVenueId(trade.order);
      if (track === undefined) continue;
      this.deps.tracker.fill(track, toFill(trade, this.fillContext(track, since)));
      const at = trade.timestamp ?? since;
      this.cursors.set(symbol, Math.max(this.cursors.get(symbol) ?? at, at));
    }
  }

  /** Follows an order and makes sure the polls read its symbol's trades from its creation on. */
  private follow(clientOrderId: string, view: OrderView): Track {
    const track = this.deps.tracker.follow(clientOrderId, view);
    const cursor = this.cursors.get(view.symbol);
    this.cursors.set(view.symbol, cursor === undefined ? view.createdAt : Math.min(cursor, view.createdAt));
    return track;
  }

  /** Finds an order this adapter does not follow yet (sent before a restart) and follows it. */
  private async adopt(clientOrderId: string): Promise<Track | undefined> {
    const view = await this.lookup(clientOrderId);
    return view === undefined ? undefined : this.follow(clientOrderId, view);
  }

  /** One order, or undefined when the venue does not know it. */
  private async fetchView(
    id: string,
    symbol: string,
    params?: Record<string, unknown>,
  ): Promise<OrderView | undefined> {
    try {
      const order = await this.deps.calls.call('query', `fetchOrder ${symbol}`, (ex) =>
        ex.fetchOrder(id, symbol, params),
      );
      return this.deps.calls.view(order, 'fetchOrder');
    } catch (error) {
      if (error instanceof BrokerCallError && error.code === 'NOT_FOUND_AT_VENUE') return undefined;
      throw error;
    }
  }

  /** An order refusal answers `rejected` (and tells `rej`); anything else is thrown as it is. */
  private refused(request: SubmitRequest, error: unknown): SubmitReceipt {
    if (
      !(error instanceof BrokerCallError) ||
      error.outcome !== 'definitive' ||
      CALL_REFUSALS.has(error.code)
    ) {
      throw error;
    }
    this.deps.tracker.refused(request.clientOrderId, error.code, error.message);
    return { status: 'rejected', code: error.code, message: error.message, at: this.deps.now() };
  }

  /**
   * A cancel the venue refuses as "unknown order": Binance says so (-2011) for an order that is
   * already done as much as for one it never had. Done orders are ORDER_NOT_OPEN (the engine
   * records `cxl_rej`), unknown ones NOT_FOUND_AT_VENUE.
   */
  private async cancelRefusal(track: Track, error: unknown): Promise<unknown> {
    if (!(error instanceof BrokerCallError) || error.code !== 'NOT_FOUND_AT_VENUE') return error;
    const view =
      track.final ?? (await this.fetchView(track.venueOrderId, track.symbol).catch(() => undefined));
    if (view === undefined || view.venueStatus === 'open') return error;
    this.deps.tracker.observe(track, view);
    const message = `${track.clientOrderId} is no longer open at ${this.deps.venue} (${view.rawStatus ?? view.venueStatus}).`;
    return new BrokerCallError(this.deps.venue, 'definitive', 'ORDER_NOT_OPEN', message);
  }

  /**
   * The view of an accepted order. An answer ccxt could not fill in (an exchange answering with an
   * acknowledgement only) still means accepted: what the request said stands until a poll.
   */
  private acceptedView(order: CcxtOrder, request: SubmitRequest, instrument: Instrument): OrderView {
    try {
      return this.deps.calls.view(order, 'createOrder');
    } catch (error) {
      if (order.id === undefined || order.id === '') throw error;
      const now = this.deps.now();
      return {
        venueOrderId: order.id,
        clientOrderId: request.clientOrderId,
        symbol: instrument.symbol,
        side: request.side,
        type: request.type,
        timeInForce: request.timeInForce,
        postOnly: request.postOnly === true,
        quantity: request.quantity,
        filledQty: ZERO,
        filledNotional: undefined,
        limitPrice: request.limitPrice,
        stopPrice: request.stopPrice,
        venueStatus: 'open',
        rawStatus: undefined,
        working: undefined,
        createdAt: now,
        updatedAt: now,
      };
    }
  }

  private fillContext(track: Track, ts: number): FillContext {
    return {
      venue: this.deps.venue,
      accountId: this.deps.accountId,
      clientOrderId: track.clientOrderId,
      venueOrderId: track.venueOrderId,
      symbol: track.symbol,
      side: track.side,
      ts,
    };
  }

  /** Whose a reported trade is: a followed order's, else the client id the venue stored for it. */
  private async contextOf(trade: Trade, symbol: string): Promise<FillContext> {
    const orderId = trade.order ?? '';
    const track = this.deps.tracker.byVenueId(orderId);
    if (track !== undefined) return this.fillContext(track, trade.timestamp ?? 0);
    let clientOrderId = this.clientIds.get(orderId);
    if (clientOrderId === undefined) {
      const view = orderId === '' ? undefined : await this.fetchView(orderId, symbol);
      clientOrderId = view?.clientOrderId ?? orderId;
      this.clientIds.set(orderId, clientOrderId);
    }
    const side = trade.side === 'sell' ? 'sell' : 'buy';
    const base = { venue: this.deps.venue, accountId: this.deps.accountId };
    return { ...base, clientOrderId, venueOrderId: orderId, symbol, side, ts: trade.timestamp ?? 0 };
  }
}

/** Runs a pure step whose TradingError is a definitive refusal of the request. */
function definitive<T>(venue: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof TradingError && !(error instanceof BrokerCallError))
      throw new BrokerCallError(venue, 'definitive', error.code, error.message);
    throw error;
  }
}
