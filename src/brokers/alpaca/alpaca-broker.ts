/**
 * Alpaca behind the broker port: REST through the SDK's generated clients (rest.ts), order updates
 * from the trade_updates stream (trade-stream.ts, stream-sync.ts), one account per key. Replaces go
 * out as new revisions of the client order id and are reported under ours (client-ids.ts); native
 * brackets, OCOs and OTOs keep their exits linked by role (order-ids.ts).
 *
 * The key id and secret stay inside the SDK clients, which live in private fields: they appear in
 * no error, log line, JSON or inspection of this object.
 */
import { inspect } from 'node:util';
import type { trading } from '@alpacahq/alpaca-trade-api';
import { z } from 'zod';
import type { AccountMode } from '../../domain/account.js';
import type { Fill, OrderChanges } from '../../domain/events.js';
import type { Instrument } from '../../domain/instrument.js';
import { isOpen, isTerminal } from '../../domain/order.js';
import type { BookSnapshot } from '../../marketdata/types.js';
import {
  type Broker,
  BrokerCallError,
  type CancelRequest,
  type GroupSubmitRequest,
  type ReplaceRequest,
  type SubmitReceipt,
  type SubmitRequest,
  type VenueAccount,
  type VenueBalance,
  type VenueEventListener,
  type VenueOrder,
  type VenuePosition,
} from '../broker.js';
import { revisionClientOrderId, revisionOf } from './client-ids.js';
import {
  type CancelAllResult,
  type Scrub,
  brokerCallError,
  cancelAllResultsOf,
  scrubberOf,
} from './errors.js';
import { type GroupPlan, planGroup } from './group-requests.js';
import { AlpacaMarketData, DEFAULT_MARKET_DATA_TTL } from './market-data.js';
import {
  type MarketClock,
  type TradingDay,
  toVenueAccount,
  toVenueBalances,
  toVenuePosition,
} from './mapping-account.js';
import { orderStatusOf, orderTypeOf, toVenueOrder } from './mapping.js';
import { ALPACA_CAPABILITIES, type AlpacaBrokerOptions, restOptionsOf, streamOptionsOf } from './options.js';
import { OrderIds } from './order-ids.js';
import { type Caller, type FoundOrder, OrderLookup, flatten } from './order-lookup.js';
import { AlpacaReference } from './reference.js';
import { type ReplaceTarget, checkClientOrderId, checkSpec, replaceBody, submitBody } from './requests.js';
import { type AlpacaApis, createApis, wireJson } from './rest.js';
import { StreamSync } from './stream-sync.js';
import { type StreamStats, TradeStream } from './trade-stream.js';
import { type AlpacaOrder, cancelAllItemSchema, orderSchema } from './wire.js';

export { ALPACA_CAPABILITIES, type AlpacaBrokerOptions } from './options.js';

export class AlpacaBroker implements Broker {
  readonly venue: string;
  readonly kind = 'alpaca' as const;
  readonly mode: AccountMode;
  readonly capabilities = ALPACA_CAPABILITIES;
  readonly accountId: string;
  /** Latest quotes, trades, bars and snapshots behind TTL caches. */
  readonly marketData: AlpacaMarketData;
  readonly #apis: AlpacaApis;
  readonly #stream: TradeStream;
  readonly #scrub: Scrub;
  private readonly ids: OrderIds;
  private readonly lookup: OrderLookup;
  private readonly sync: StreamSync;
  private readonly pendingReplaces = new Map<string, OrderChanges>();
  private readonly reference: AlpacaReference;
  private readonly now: () => number;
  private readonly connectTimeoutMs: number;
  private readonly call: Caller;

  constructor(options: AlpacaBrokerOptions) {
    this.venue = options.venue;
    this.mode = options.mode;
    this.accountId = options.accountId ?? 'alpaca';
    this.now = options.now ?? Date.now;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    const scrub = scrubberOf([options.keyId, options.secret]);
    this.#scrub = scrub;
    const onError = (message: string): void => options.onError?.(scrub(message));
    this.#apis = createApis(restOptionsOf(options));
    this.call = async (op, what, run) => {
      try {
        return await run();
      } catch (error) {
        throw brokerCallError(this.venue, op, what, error, this.#scrub);
      }
    };
    this.ids = new OrderIds(options.legLinks);
    const where = { venue: this.venue, accountId: this.accountId };
    this.lookup = new OrderLookup(this.#apis, this.call, this.ids, where);
    this.sync = new StreamSync({
      ...where,
      ids: this.ids,
      lookup: this.lookup,
      pendingReplaces: this.pendingReplaces,
      now: this.now,
      onError,
    });
    this.#stream = new TradeStream(streamOptionsOf(options, this.now), {
      onUpdate: (data) => {
        this.sync.onUpdate(data);
      },
      onListening: (again) => {
        this.sync.onListening(again);
      },
      onError,
    });
    const ttl = { ...DEFAULT_MARKET_DATA_TTL, ...options.marketDataTtl };
    const read = <T>(what: string, run: () => Promise<T>): Promise<T> => this.call('read', what, run);
    this.marketData = new AlpacaMarketData(this.#apis, read, ttl, this.now);
    this.reference = new AlpacaReference(this.#apis, read);
  }

  /** Opens the trade_updates stream; resolves once Alpaca listens (see TradeStream.connect). */
  connect(): Promise<void> {
    return this.#stream.connect(this.connectTimeoutMs);
  }

  /** Stops the stream, its reconnects and catch-ups, and background market data refreshes. */
  close(): Promise<void> {
    this.#stream.close();
    this.sync.close();
    this.marketData.close();
    return Promise.resolve();
  }

  streamStats(): StreamStats {
    return this.#stream.stats();
  }

  /** Resolves once the catch-up after the latest reconnect (if any) has been reported. */
  caughtUp(): Promise<void> {
    return this.sync.idle();
  }

  subscribe(listener: VenueEventListener): () => void {
    return this.sync.subscribe(listener);
  }

  async submit(request: SubmitRequest): Promise<SubmitReceipt> {
    this.checkAccount(request.accountId);
    checkClientOrderId(this.venue, request.clientOrderId);
    checkSpec(this.venue, this.capabilities, request);
    const order = await this.post(submitBody(request), `submit of ${request.clientOrderId}`);
    this.ids.assign(request.clientOrderId, order.id, 0);
    return this.receiptOf(order);
  }

  /** Alpaca's bracket, OCO or OTO: one request, one receipt per leg in the request's order. */
  async submitGroup(request: GroupSubmitRequest): Promise<SubmitReceipt[]> {
    this.checkAccount(request.accountId);
    const plan = this.linkLegs(request);
    let parent = await this.post(plan.body, `${request.orderClass} submit of ${plan.parentClientOrderId}`);
    this.ids.assign(plan.parentClientOrderId, parent.id, 0);
    // The group is in; a failed re-read only leaves the exits' ids to their first events.
    if (!parent.legs?.length) parent = (await this.lookup.byId(parent.id).catch(() => undefined)) ?? parent;
    this.ids.learn(parent);
    return plan.legs.map((leg) => {
      if (leg.role === 'parent') return this.receiptOf(parent);
      const venueOrderId = this.ids.currentOf(leg.clientOrderId)?.venueOrderId ?? `${parent.id}:${leg.role}`;
      return { status: 'accepted', venueOrderId, at: this.now() };
    });
  }

  /**
   * Links the exits of a group sent before a restart to their parent again (in-memory links are
   * gone after one), then reads the parent so that the exits' Alpaca ids are known.
   */
  async restoreGroup(request: GroupSubmitRequest): Promise<void> {
    this.checkAccount(request.accountId);
    await this.lookup.current(this.linkLegs(request).parentClientOrderId);
  }

  private linkLegs(request: GroupSubmitRequest): GroupPlan {
    const plan = planGroup(this.venue, this.capabilities, request);
    for (const leg of plan.legs) {
      if (leg.role === 'parent') continue;
      this.ids.links.set(leg.clientOrderId, {
        parentClientOrderId: plan.parentClientOrderId,
        role: leg.role,
      });
    }
    return plan;
  }

  private post(body: trading.PostOrderRequest, what: string): Promise<AlpacaOrder> {
    return this.call('submit', what, () =>
      wireJson(this.#apis.orders.postOrderRaw({ postOrderRequest: body }), orderSchema),
    );
  }

  private receiptOf(order: AlpacaOrder): SubmitReceipt {
    if (order.status !== 'rejected') return { status: 'accepted', venueOrderId: order.id, at: this.now() };
    const message = `Alpaca rejected order ${order.id} on submission.`;
    return { status: 'rejected', code: 'VENUE_REJECTED', message, at: this.now() };
  }

  /** DELETE /v2/orders/{id}; the outcome arrives on the stream (cxl), or as a definitive refusal. */
  async cancel(request: CancelRequest): Promise<void> {
    this.checkAccount(request.accountId);
    const known = this.ids.currentOf(request.clientOrderId)?.venueOrderId;
    const orderId = known ?? (await this.openOrder(request.clientOrderId)).id;
    await this.call('cancel', `cancel of ${request.clientOrderId}`, async () => {
      // value() releases the empty 204 body.
      await (await this.#apis.orders.deleteOrderByOrderIDRaw({ orderId })).value();
    });
  }

  /** DELETE /v2/orders: cancels every open order; per-order outcomes from Alpaca's 207 answer. */
  async cancelAll(accountId: string): Promise<CancelAllResult[]> {
    this.checkAccount(accountId);
    const items = await this.call('cancel', 'cancel of all open orders', () =>
      wireJson(this.#apis.orders.deleteAllOrdersRaw(), z.array(cancelAllItemSchema)),
    );
    return cancelAllResultsOf(items);
  }

  /**
   * PATCH /v2/orders/{id} under the next revision of the client order id. Alpaca answers with the
   * new order; the old one becomes `replaced`. rpl is reported when the stream confirms it.
   */
  async replace(request: ReplaceRequest): Promise<void> {
    this.checkAccount(request.accountId);
    const { clientOrderId, changes } = request;
    const order = await this.openOrder(clientOrderId);
    const revision =
      Math.max(revisionOf(order.client_order_id), this.ids.currentOf(clientOrderId)?.revision ?? 0) + 1;
    const target: ReplaceTarget = { type: orderTypeOf(order) };
    if (order.trail_percent) target.trailKind = 'percent';
    else if (order.trail_price) target.trailKind = 'price';
    const body = replaceBody(
      this.venue,
      this.capabilities,
      changes,
      target,
      revisionClientOrderId(clientOrderId, revision),
    );
    this.pendingReplaces.set(clientOrderId, changes);
    try {
      const next = await this.call('replace', `replace of ${clientOrderId}`, () =>
        wireJson(
          this.#apis.orders.patchOrderByOrderIdRaw({ orderId: order.id, patchOrderRequest: body }),
          orderSchema,
        ),
      );
      this.ids.assign(clientOrderId, next.id, revision);
      this.ids.closed(order.id);
    } catch (error) {
      if (!(error instanceof BrokerCallError) || error.outcome === 'definitive')
        this.pendingReplaces.delete(clientOrderId);
      throw error;
    }
  }

  /** The Alpaca order carrying ours now; refused definitively when unknown or already closed. */
  private async openOrder(clientOrderId: string): Promise<AlpacaOrder> {
    const found = await this.lookup.current(clientOrderId);
    if (found === undefined)
      throw new BrokerCallError(
        this.venue,
        'definitive',
        'NOT_FOUND_AT_VENUE',
        `Alpaca does not know order ${clientOrderId}.`,
      );
    const status = orderStatusOf(found.order);
    if (isTerminal(status))
      throw new BrokerCallError(
        this.venue,
        'definitive',
        'ORDER_NOT_OPEN',
        `Order ${clientOrderId} is ${status} at Alpaca.`,
      );
    return found.order;
  }

  async getOrder(accountId: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    this.checkAccount(accountId);
    const found = await this.lookup.current(clientOrderId);
    return found === undefined ? undefined : toVenueOrder(found.order, { ...this.where(), clientOrderId });
  }

  async openOrders(accountId: string): Promise<VenueOrder[]> {
    this.checkAccount(accountId);
    const orders = this.venueOrders(flatten(await this.lookup.list('open')));
    return orders.filter((o) => isOpen(o.status));
  }

  /** Orders submitted since `since`, and those last seen open, that changed since then. */
  async ordersSince(accountId: string, since: number): Promise<VenueOrder[]> {
    this.checkAccount(accountId);
    const orders = this.venueOrders([...(await this.lookup.changedSince(since - 1)).values()]);
    return orders.filter((o) => o.updatedAt >= since);
  }

  /** A replaced order is reported by its successor, under the same client order id. */
  private venueOrders(found: readonly FoundOrder[]): VenueOrder[] {
    return found
      .filter(({ order }) => order.status !== 'replaced')
      .map(({ order, parent }) =>
        toVenueOrder(order, { ...this.where(), clientOrderId: this.ids.learn(order, parent) }),
      );
  }

  fillsSince(accountId: string, since: number): Promise<Fill[]> {
    this.checkAccount(accountId);
    return this.lookup.fillsSince(since);
  }

  async positions(accountId: string): Promise<VenuePosition[]> {
    this.checkAccount(accountId);
    return (await this.reference.positions()).map(toVenuePosition);
  }

  async balances(accountId: string): Promise<VenueBalance[]> {
    this.checkAccount(accountId);
    return toVenueBalances(await this.reference.account());
  }

  async accounts(): Promise<VenueAccount[]> {
    return [toVenueAccount(await this.reference.account(), this.accountId)];
  }

  /** The last cached quote as a one-level book; a stale or missing one is refreshed in the background. */
  book(symbol: string): BookSnapshot | undefined {
    return this.marketData.book(symbol);
  }

  /** Instruments from GET /v2/assets/{symbol}, cached; without symbols, the ones read so far. */
  instruments(symbols?: readonly string[]): Promise<Instrument[]> {
    return this.reference.instruments(symbols);
  }

  /** GET /v2/clock: whether the market is open and its next open and close. */
  clock(): Promise<MarketClock> {
    return this.reference.clock();
  }

  /** GET /v2/calendar between two ISO dates (`2025-01-02`), both included. */
  calendar(start: string, end: string): Promise<TradingDay[]> {
    return this.reference.calendar(start, end);
  }

  private where(): { venue: string; accountId: string } {
    return { venue: this.venue, accountId: this.accountId };
  }

  /** Alpaca has one account per key. */
  private checkAccount(accountId: string): void {
    if (accountId !== this.accountId)
      throw new BrokerCallError(
        this.venue,
        'definitive',
        'NOT_FOUND',
        `${this.venue} has one account, "${this.accountId}", not "${accountId}".`,
      );
  }

  toJSON(): Record<string, string> {
    return { venue: this.venue, kind: this.kind, mode: this.mode, accountId: this.accountId };
  }

  [inspect.custom](): string {
    return `AlpacaBroker ${JSON.stringify(this.toJSON())}`;
  }
}
