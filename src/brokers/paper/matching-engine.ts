import { BPS, type Decimal, ZERO, maxDec, minDec, sumDec } from '../../domain/decimal.js';
import type { ErrorCode } from '../../domain/errors.js';
import { TradingError } from '../../domain/errors.js';
import type { Fill, OrderChanges, OrderEvent } from '../../domain/events.js';
import type { Instrument } from '../../domain/instrument.js';
import type { InstrumentRegistry } from '../../domain/instruments.js';
import { type Order, type Side, createOrder, hasTrigger, isTerminal, leavesQty } from '../../domain/order.js';
import { extend } from '../../domain/objects.js';
import { applyEvent, applyOrderChanges } from '../../domain/order-status.js';
import { validateOrderSpec } from '../../domain/order-validation.js';
import type { BookSnapshot, Bar, TradePrint } from '../../marketdata/types.js';
import type { GroupSubmitRequest, SubmitReceipt, SubmitRequest, VenueCapabilities } from '../broker.js';
import { BrokerCallError } from '../broker.js';
import { ContingentGroups } from './contingent.js';
import { type Refusal, groupShapeRefusal, isHeldRole } from './contingent-shape.js';
import { type PaperOptions } from './options.js';
import type { PaperLedger } from './paper-ledger.js';
import { paperFee } from './paper-ledger.js';
import { SessionGate } from './session-gate.js';
import { type Execution, SymbolMarket } from './symbol-market.js';
import { SymbolBook } from './symbol-book.js';
import { candidateStop, candidateTicks, isBetterStop, tickTrail } from './trailing.js';
import {
  type WorkingOrder,
  type WorkingSnapshot,
  newWorking,
  snapshotOf,
  workingFrom,
  workingLimit,
} from './working-order.js';

export interface MatchingEngineConfig {
  readonly venue: string;
  readonly instruments: InstrumentRegistry;
  readonly capabilities: VenueCapabilities;
  /** Options per instrument (§10: options MAY be overridden per instrument). */
  readonly optionsFor: (instrument: Instrument) => PaperOptions;
  readonly ledger: PaperLedger;
  /**
   * Venue order ids are `{prefix}-{n}`, counting up per instance (§6.1); the prefix defaults to the
   * venue name. A venue that restarts must use a new prefix (or resume its counter), or its fill
   * ids would repeat.
   */
  readonly orderIdPrefix?: string;
  /** Receives every order event, in order, after the venue's own state has applied it. */
  readonly emit: (accountId: string, event: OrderEvent) => void;
}

/** Per-update context: how marketability and fills are judged on this update (§2.4, §2.5). */
interface Pass {
  readonly discontinuity: boolean;
  /** A bar path point: limits need a strict cross (bar_limit_fill = cross); triggers fill at their own price. */
  readonly bar: boolean;
}

const NORMAL: Pass = { discontinuity: false, bar: false };

/**
 * The paper exchange's matching engine (ORDER-SEMANTICS.md §2–§5). It matches this venue's orders
 * against market data it does not change: market orders walk the book, marketable limits take,
 * resting limits fill when the market reaches them (price-time priority), stops, touches and
 * trailing stops trigger from sorted indexes, and time in force expires on the session calendar.
 * Every state change is an event folded into the order through the domain transition table.
 */
export class MatchingEngine {
  private readonly cfg: MatchingEngineConfig;
  private readonly books = new Map<string, SymbolBook>();
  private readonly orders = new Map<string, WorkingOrder>();
  private readonly byAccountSymbol = new Map<string, Set<WorkingOrder>>();
  /** Open reduce-only orders per account and symbol: the only ones a position change can touch. */
  private readonly reduceOnly = new Map<string, Set<WorkingOrder>>();
  private readonly gate = new SessionGate();
  private venueSeq = 0;
  private idPrefix: string;
  /** Orders changed since the last `takeChanges` (a durable venue saves them before publishing). */
  private readonly dirty = new Set<WorkingOrder>();
  private eventSeq = 0;
  private prioritySeq = 0;
  private now = 0;
  /** Bracket, OCO and OTO groups (§4): they react to their legs' fills, ends and replaces. */
  private readonly groups: ContingentGroups;

  constructor(cfg: MatchingEngineConfig) {
    this.cfg = cfg;
    this.idPrefix = cfg.orderIdPrefix ?? cfg.venue;
    this.groups = new ContingentGroups({
      activate: (w, quantity) => {
        this.activateLeg(w, quantity);
      },
      resize: (w, quantity) => {
        this.resizeLeg(w, quantity);
      },
      cancel: (w, reason) => {
        if (!isTerminal(w.order.status)) this.finish(w, { kind: 'cxl', reason });
      },
      reject: (w, code, message) => {
        if (!isTerminal(w.order.status)) this.finish(w, { kind: 'rej', code, message });
      },
      touch: (w) => this.dirty.add(w),
      otoTrigger: (w) => this.book(w.instrument).options.otoTrigger,
    });
  }

  // ---------------------------------------------------------------- queries

  get venue(): string {
    return this.cfg.venue;
  }

  order(accountId: string, clientOrderId: string): Order | undefined {
    return this.orders.get(orderKey(accountId, clientOrderId))?.order;
  }

  allOrders(): Order[] {
    return [...this.orders.values()].map((w) => w.order);
  }

  openOrders(accountId?: string): Order[] {
    const out: Order[] = [];
    for (const w of this.orders.values()) {
      if (!isTerminal(w.order.status) && (accountId === undefined || w.order.accountId === accountId))
        out.push(w.order);
    }
    return out;
  }

  market(symbol: string): SymbolMarket | undefined {
    return this.books.get(symbol)?.market;
  }

  snapshot(symbol: string): BookSnapshot | undefined {
    const market = this.books.get(symbol)?.market;
    return market?.hasData === true ? market.snapshot() : undefined;
  }

  restingCount(): number {
    let n = 0;
    for (const book of this.books.values()) n += book.size;
    return n;
  }

  /** The earliest time at which a timer must run expiries or a closing auction. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const book of this.books.values()) {
      const at = book.nextTimerAt();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  // ---------------------------------------------------------------- durability

  /** What changed since the last call, to save: the orders touched and the counters. */
  takeChanges(): { orders: WorkingSnapshot[]; counters: EngineCounters } {
    const orders = [...this.dirty].map(snapshotOf);
    this.dirty.clear();
    return {
      orders,
      counters: { venueSeq: this.venueSeq, prioritySeq: this.prioritySeq, eventSeq: this.eventSeq },
    };
  }

  /**
   * Takes back a saved venue: every order, the open ones into their indexes with what they hold
   * back, and the counters, so that ids continue where they stopped. Call before any traffic.
   */
  restore(orders: readonly WorkingSnapshot[], counters: EngineCounters, idPrefix?: string): void {
    if (idPrefix !== undefined) this.idPrefix = idPrefix;
    this.venueSeq = counters.venueSeq;
    this.prioritySeq = counters.prioritySeq;
    this.eventSeq = counters.eventSeq;
    const restored: WorkingOrder[] = [];
    for (const snapshot of orders) {
      const instrument = this.cfg.instruments.get(snapshot.order.symbol);
      const w = workingFrom(snapshot, instrument);
      this.orders.set(orderKey(w.order.accountId, w.order.clientOrderId), w);
      restored.push(w);
      if (isTerminal(w.order.status)) continue;
      this.track(w);
      const book = this.book(instrument);
      if (w.order.type === 'trailing_stop' && w.order.currentStop !== undefined) {
        w.trail = tickTrail(instrument, w.order);
        w.stopTicks = book.market.tickKey(w.order.currentStop, 'floor');
      }
      if (snapshot.waiting !== 'none') book.add(w, snapshot.waiting);
      if (!w.reservedCash.isZero())
        this.cfg.ledger.reserveCash(w.order.accountId, instrument.quote, w.reservedCash);
      if (!w.reservedQty.isZero())
        this.cfg.ledger.reserveQty(w.order.accountId, w.order.symbol, w.reservedQty);
    }
    this.groups.restore(restored);
  }

  // ---------------------------------------------------------------- commands

  /**
   * A new order. Malformed input throws a definitive BrokerCallError and leaves no trace; an order
   * the venue refuses on market grounds (post-only would take, stop in market, no market, funds,
   * reduce-only, auction window) is recorded as rejected and answered `rejected`.
   */
  submit(request: SubmitRequest, now: number): SubmitReceipt {
    this.now = Math.max(this.now, now);
    const instrument = this.admit(request);
    const w = this.record(request, instrument, false);
    const book = this.book(instrument);
    const refusal = this.refusal(w, book);
    if (refusal !== undefined) {
      this.event(w, { kind: 'rej', code: refusal.code, message: refusal.message });
      this.untrack(w);
      return this.rejected(refusal);
    }
    this.reserve(w, book);
    this.event(w, { kind: 'ack' });
    this.arrive(w, book);
    return { status: 'accepted', venueOrderId: w.order.id, at: this.now };
  }

  /**
   * A contingent group (§4), one receipt per leg in order. A group refused as a whole (shape,
   * unsupported class, a leg's malformed input) leaves no trace and every receipt is rejected
   * with one code; one refused on market grounds (its entry, primary or an OCO member) is recorded
   * with a `rej` for every leg. Otherwise every leg is acknowledged; held legs wait off the book.
   */
  submitGroup(request: GroupSubmitRequest, now: number): SubmitReceipt[] {
    this.now = Math.max(this.now, now);
    const admitted = this.admitGroup(request);
    if ('code' in admitted) return request.legs.map(() => this.rejected(admitted));
    const legs = request.legs.map((leg) => this.record(leg, admitted.instrument, isHeldRole(leg.role)));
    this.groups.register(request, legs);
    const book = this.book(admitted.instrument);
    const refusal = this.groupRefusal(legs, book);
    if (refusal !== undefined) {
      for (const w of legs) this.event(w, { kind: 'rej', code: refusal.code, message: refusal.message });
      return legs.map(() => this.rejected(refusal));
    }
    for (const w of legs) {
      if (w.order.held) {
        w.expireAt = this.expiryOf(book, w.order);
        book.add(w, 'held');
      } else this.reserve(w, book);
      this.event(w, { kind: 'ack' });
    }
    for (const w of legs) if (!w.order.held && !isTerminal(w.order.status)) this.arrive(w, book);
    return legs.map((w) => ({ status: 'accepted', venueOrderId: w.order.id, at: this.now }));
  }

  cancel(accountId: string, clientOrderId: string, now: number): void {
    this.now = Math.max(this.now, now);
    const w = this.known(accountId, clientOrderId);
    if (isTerminal(w.order.status)) {
      throw new BrokerCallError(
        this.cfg.venue,
        'definitive',
        'ORDER_NOT_OPEN',
        `Order ${clientOrderId} is ${w.order.status}.`,
      );
    }
    this.finish(w, { kind: 'cxl', reason: 'canceled on request' });
  }

  replace(accountId: string, clientOrderId: string, changes: OrderChanges, now: number): void {
    this.now = Math.max(this.now, now);
    const w = this.known(accountId, clientOrderId);
    const status = w.order.status;
    if (status !== 'new' && status !== 'triggered' && status !== 'partially_filled') {
      const code = isTerminal(status) ? 'ORDER_NOT_OPEN' : 'ORDER_PENDING';
      throw new BrokerCallError(this.cfg.venue, 'definitive', code, `Order ${clientOrderId} is ${status}.`);
    }
    const book = this.book(w.instrument);
    const refusal = this.replaceRefusal(w, changes, book);
    if (refusal !== undefined) {
      this.event(w, { kind: 'rpl_rej', code: refusal.code, message: refusal.message });
      return;
    }
    const keepsPriority = keepsQueuePriority(w.order, changes);
    const trailReset = changes.trailPrice !== undefined || changes.trailPercent !== undefined;
    book.remove(w);
    // The venue reports the replace as pending, then confirms it (§1.3: rpl is valid only from pending_replace).
    this.event(w, { kind: 'rpl_req', origin: 'venue', changes: definedChanges(changes) });
    this.event(w, { kind: 'rpl', changes: definedChanges(changes) });
    this.groups.afterReplace(w, changes);
    if (isTerminal(w.order.status)) {
      this.release(w);
      return;
    }
    if (!keepsPriority) w.seq = ++this.prioritySeq;
    w.expireAt = this.expiryAfterReplace(w, book, changes);
    if (w.order.held) {
      book.add(w, 'held');
      return;
    }
    if (w.order.displayQty !== undefined) w.displayLeft = minDec(w.order.displayQty, leavesQty(w.order));
    if (trailReset && w.active) this.setTrailingStop(w, book, true);
    this.reserve(w, book, true);
    this.arrive(w, book, true);
  }

  // ---------------------------------------------------------------- market data

  onBook(snapshot: BookSnapshot): void {
    const instrument = this.cfg.instruments.find(snapshot.symbol);
    if (instrument === undefined) return;
    const book = this.book(instrument);
    this.now = Math.max(this.now, snapshot.ts);
    book.market.barMode = false;
    book.market.update(snapshot);
    if (book.options.queuePosition) this.shrinkQueues(book);
    const opened = this.gate.observe(book, this.now);
    this.runUpdate(book, { discontinuity: snapshot.discontinuity === true || opened, bar: false });
  }

  /** Bars are used only when a symbol has no book or quote data (§2.5). */
  onBar(bar: Bar): void {
    const instrument = this.cfg.instruments.find(bar.symbol);
    if (instrument === undefined) return;
    const book = this.book(instrument);
    if (book.market.hasData && !book.market.barMode) return;
    book.market.barMode = true;
    const points = barPath(bar, book.options.barPath);
    points.forEach((price, i) => {
      this.now = Math.max(this.now, bar.ts + i);
      book.market.update({
        symbol: bar.symbol,
        ts: this.now,
        bids: [{ price }],
        asks: [{ price }],
        last: price,
      });
      const opened = this.gate.observe(book, this.now);
      if (i === 0) this.releaseNextBar(book);
      this.runUpdate(book, { discontinuity: i === 0 || opened, bar: true });
    });
  }

  onTrade(print: TradePrint): void {
    const instrument = this.cfg.instruments.find(print.symbol);
    if (instrument === undefined) return;
    const book = this.book(instrument);
    this.now = Math.max(this.now, print.ts);
    book.market.last = print.price;
    if (book.options.queuePosition) this.tradeThroughQueues(book, print);
    if (book.options.triggerSource === 'last') {
      this.runTriggers(book, NORMAL);
      this.runRatchets(book);
    }
  }

  /** A timer tick: expiries and closing auctions due at `now`. */
  tick(now: number): void {
    this.now = Math.max(this.now, now);
    for (const book of this.books.values()) {
      this.runAuctions(book);
      this.runExpiries(book);
    }
  }

  // ---------------------------------------------------------------- acceptance

  /** Records a new order (pending_new, or held for a contingent leg) and indexes it by account. */
  private record(request: SubmitRequest, instrument: Instrument, held: boolean): WorkingOrder {
    const venueOrderId = `${this.idPrefix}-${++this.venueSeq}`;
    const order = this.initialOrder(request, venueOrderId, held);
    const w = newWorking(order, instrument, ++this.prioritySeq);
    this.orders.set(orderKey(request.accountId, request.clientOrderId), w);
    this.track(w);
    return w;
  }

  private rejected(refusal: Refusal): SubmitReceipt {
    return { status: 'rejected', code: refusal.code, message: refusal.message, at: this.now };
  }

  /** A group's shape and every leg's input checks (§4, then as `submit`); the instrument when they pass. */
  private admitGroup(request: GroupSubmitRequest): Refusal | { instrument: Instrument } {
    const caps = this.cfg.capabilities;
    const shape = groupShapeRefusal(request, caps.nativeContingent, this.cfg.venue);
    if (shape !== undefined) return shape;
    const ids = new Set(request.legs.map((leg) => leg.clientOrderId));
    if (ids.size !== request.legs.length) {
      return {
        code: 'DUPLICATE_CLIENT_ORDER_ID',
        message: 'the legs of a group need distinct clientOrderIds.',
      };
    }
    try {
      const [instrument] = request.legs.map((leg) => this.admit(leg));
      if (instrument === undefined) throw new Error('paper venue bug: a group passed its shape with no legs');
      return { instrument };
    } catch (error) {
      if (error instanceof BrokerCallError) return { code: error.code, message: error.message };
      throw error;
    }
  }

  /** The first market-ground refusal among the legs that work at once (held legs are checked on activation). */
  private groupRefusal(legs: readonly WorkingOrder[], book: SymbolBook): Refusal | undefined {
    for (const w of legs) {
      if (w.order.held) continue;
      const refusal = this.refusal(w, book);
      if (refusal !== undefined) {
        const which = `${w.group?.role ?? 'leg'} ${w.order.clientOrderId}`;
        return { code: refusal.code, message: `${which} refused, so is its group: ${refusal.message}` };
      }
    }
    return undefined;
  }

  /** Input checks that refuse a request outright (nothing is recorded). */
  private admit(request: SubmitRequest): Instrument {
    const fail = (code: ErrorCode, message: string): never => {
      throw new BrokerCallError(this.cfg.venue, 'definitive', code, message);
    };
    if (!this.cfg.ledger.has(request.accountId))
      fail('NOT_FOUND', `No account ${request.accountId} at ${this.cfg.venue}.`);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(request.clientOrderId)) {
      fail('INVALID_ORDER', 'clientOrderId must be 1 to 64 characters of [A-Za-z0-9_-].');
    }
    if (this.orders.has(orderKey(request.accountId, request.clientOrderId))) {
      fail(
        'DUPLICATE_CLIENT_ORDER_ID',
        `clientOrderId ${request.clientOrderId} was already used at ${this.cfg.venue}.`,
      );
    }
    const instrument = this.cfg.instruments.find(request.symbol);
    if (instrument === undefined) return fail('INSTRUMENT_NOT_FOUND', `Unknown symbol "${request.symbol}".`);
    const caps = this.cfg.capabilities;
    if (!caps.assetClasses.includes(instrument.assetClass)) {
      fail(
        'SYMBOL_NOT_TRADABLE',
        `${this.cfg.venue} does not trade ${instrument.assetClass} (${instrument.symbol}).`,
      );
    }
    if (!caps.orderTypes.includes(request.type))
      fail('INVALID_ORDER', `${this.cfg.venue} does not take ${request.type} orders.`);
    if (!caps.timeInForce.includes(request.timeInForce)) {
      fail('INVALID_ORDER', `${this.cfg.venue} does not take time in force ${request.timeInForce}.`);
    }
    try {
      validateOrderSpec(request, instrument, { now: this.now });
    } catch (error) {
      if (error instanceof TradingError) fail(error.code, error.message);
      throw error;
    }
    return instrument;
  }

  private initialOrder(request: SubmitRequest, venueOrderId: string, held: boolean): Order {
    return createOrder(request, {
      id: venueOrderId,
      clientOrderId: request.clientOrderId,
      accountId: request.accountId,
      venue: this.cfg.venue,
      venueOrderIds: [venueOrderId],
      held,
      createdAt: this.now,
    });
  }

  /** Market-condition refusals on acceptance (§2.2, §2.4, §3.2, §3.3); undefined when accepted. */
  private refusal(w: WorkingOrder, book: SymbolBook): { code: ErrorCode; message: string } | undefined {
    const o = w.order;
    const auction = this.gate.auctionRefusal(book, o, this.now);
    if (auction !== undefined) return auction;
    if (o.reduceOnly === true && !this.reducesExposure(w)) {
      return { code: 'REDUCE_ONLY', message: 'reduce-only order would not reduce the position.' };
    }
    const funds = this.fundsRefusal(w, book);
    if (funds !== undefined) return funds;
    if (book.market.barMode || o.timeInForce === 'opg' || o.timeInForce === 'cls') return undefined;
    const open = this.gate.matchable(book, o, this.now);
    if (!open && (o.timeInForce === 'ioc' || o.timeInForce === 'fok')) {
      return {
        code: 'MARKET_CLOSED',
        message: `${o.timeInForce} orders need an open session; ${o.symbol} is closed now.`,
      };
    }
    if (o.type === 'market' && open && book.market.farTouch(o.side) === undefined) {
      return { code: 'NO_MARKET', message: `no ${o.side === 'buy' ? 'asks' : 'bids'} for ${o.symbol}.` };
    }
    if (o.postOnly === true && o.type === 'limit' && this.marketable(book, o.side, o.limitPrice, NORMAL)) {
      return { code: 'POST_ONLY_WOULD_TAKE', message: 'post-only limit would take liquidity.' };
    }
    if (hasTrigger(o.type) && book.options.rejectStopsInMarket && this.triggerHolds(w, book)) {
      return { code: 'STOP_IN_MARKET', message: `${o.type} trigger already holds at acceptance.` };
    }
    return undefined;
  }

  /**
   * Cash accounts cannot spend what they lack; shorting needs `allow_short` (§10). `order` is the
   * order as it would be (a replace checks its result, §7.3); what `w` already holds counts as free.
   */
  private fundsRefusal(
    w: WorkingOrder,
    book: SymbolBook,
    order: Order = w.order,
  ): { code: ErrorCode; message: string } | undefined {
    const account = this.cfg.ledger.account(order.accountId);
    const leaves = order.quantity.minus(order.filledQty);
    if (order.side === 'sell') {
      if (account.allowShort || order.reduceOnly === true) return undefined;
      const held = this.cfg.ledger.availableQty(order.accountId, order.symbol).plus(w.reservedQty);
      return leaves.greaterThan(held)
        ? {
            code: 'INSUFFICIENT_BUYING_POWER',
            message: `sell of ${leaves.toFixed()} exceeds the ${held.toFixed()} held and not already offered.`,
          }
        : undefined;
    }
    if (account.type !== 'cash') return undefined;
    const price = this.reservePrice(order, book);
    if (price === undefined) return undefined;
    const cost = leaves.times(price).times(BPS.plus(book.options.takerFeeBps)).div(BPS);
    const available = this.cfg.ledger.availableCash(order.accountId, w.instrument.quote).plus(w.reservedCash);
    return cost.greaterThan(available)
      ? {
          code: 'INSUFFICIENT_BUYING_POWER',
          message: `order needs ${cost.toFixed()} ${w.instrument.quote}; ${available.toFixed()} is available.`,
        }
      : undefined;
  }

  private reservePrice(o: Order, book: SymbolBook): Decimal | undefined {
    return o.limitPrice ?? o.stopPrice ?? o.triggerPrice ?? book.market.farTouch(o.side) ?? book.market.last;
  }

  /** Holds cash for buys on cash accounts and quantity for sells where shorting is off. */
  private reserve(w: WorkingOrder, book: SymbolBook, refresh = false): void {
    if (!refresh) w.reservePrice = this.reservePrice(w.order, book) ?? ZERO;
    const o = w.order;
    const account = this.cfg.ledger.account(o.accountId);
    const leaves = leavesQty(o);
    if (o.side === 'buy' && account.type === 'cash') {
      const want = leaves.times(w.reservePrice).times(BPS.plus(book.options.takerFeeBps)).div(BPS);
      this.cfg.ledger.reserveCash(o.accountId, w.instrument.quote, want.minus(w.reservedCash));
      w.reservedCash = want;
    }
    if (o.side === 'sell' && !account.allowShort) {
      this.cfg.ledger.reserveQty(o.accountId, o.symbol, leaves.minus(w.reservedQty));
      w.reservedQty = leaves;
    }
  }

  private release(w: WorkingOrder): void {
    const o = w.order;
    if (!w.reservedCash.isZero())
      this.cfg.ledger.reserveCash(o.accountId, w.instrument.quote, w.reservedCash.negated());
    if (!w.reservedQty.isZero()) this.cfg.ledger.reserveQty(o.accountId, o.symbol, w.reservedQty.negated());
    w.reservedCash = ZERO;
    w.reservedQty = ZERO;
  }

  /**
   * An order arriving (on acceptance, after a replace, or on trigger): market orders walk,
   * marketable limits take, the rest rests or waits for its trigger (§2.4).
   */
  private arrive(w: WorkingOrder, book: SymbolBook, replaced = false): void {
    const o = w.order;
    if (!replaced) w.expireAt = this.expiryOf(book, o);
    if (o.timeInForce === 'opg' || o.timeInForce === 'cls') {
      w.auctionAt = this.gate.auctionTime(book, o, this.now);
      book.add(w, 'auction');
      return;
    }
    if (book.market.barMode && !replaced) {
      // An order submitted during a bar is first evaluated on the next bar (§2.5).
      w.nextBar = true;
    }
    if (hasTrigger(o.type) && !w.fired) {
      this.waitForTrigger(w, book);
      return;
    }
    this.work(w, book, NORMAL);
  }

  /** In session, or on an update stamped exactly at the order's expiry, which can still fill it (§3.2). */
  private canMatch(book: SymbolBook, w: WorkingOrder): boolean {
    return this.gate.matchable(book, w.order, this.now) || w.expireAt === this.now;
  }

  /** When time in force ends an order accepted now: gtd at its time, day at its session's close. */
  private expiryOf(book: SymbolBook, o: Order): number | undefined {
    if (o.timeInForce === 'gtd') return o.expireAt;
    if (o.timeInForce === 'day') return this.gate.dayExpiry(book, o, this.now);
    return undefined;
  }

  /** A replace keeps a day order's session; a new time in force or gtd time sets a new expiry. */
  private expiryAfterReplace(w: WorkingOrder, book: SymbolBook, changes: OrderChanges): number | undefined {
    const keep = w.order.timeInForce === 'day' && changes.timeInForce === undefined;
    return keep ? w.expireAt : this.expiryOf(book, w.order);
  }

  private waitForTrigger(w: WorkingOrder, book: SymbolBook): void {
    const o = w.order;
    if (o.type === 'trailing_stop') {
      if (!w.active && !w.nextBar && this.activationHolds(w, book)) w.active = true;
      if (!w.active) {
        book.add(w, 'activation');
        return;
      }
      if (w.order.currentStop === undefined) this.setTrailingStop(w, book, false);
      // Without a basis yet, the first stop is set at the first update that has one (§2.3).
      book.add(w, w.order.currentStop === undefined ? 'unpriced' : 'stop');
      return;
    }
    if (!w.nextBar && this.triggerHolds(w, book)) {
      this.fire(w, book, NORMAL); // reject_stops_in_market = false: triggers at once and fills as taker
      return;
    }
    book.add(w, o.type === 'market_if_touched' || o.type === 'limit_if_touched' ? 'touch' : 'stop');
  }

  /** A live market or limit order: take what it can now, then rest, keep working or cancel by TIF. */
  private work(w: WorkingOrder, book: SymbolBook, pass: Pass): void {
    const o = w.order;
    const limit = workingLimit(w);
    if (w.nextBar || !this.canMatch(book, w)) {
      book.add(w, limit === undefined ? 'remainder' : 'resting');
      return;
    }
    if (o.type !== 'market' && !w.fired && limit === undefined) return;
    if (w.fired && o.postOnly === true && this.marketable(book, o.side, limit, pass)) {
      this.finish(w, {
        kind: 'rej',
        code: 'POST_ONLY_WOULD_TAKE',
        message: 'post-only limit would take on trigger.',
      });
      return;
    }
    const leaves = leavesQty(o);
    if (o.timeInForce === 'fok') {
      const available = book.market.availableWithin(o.side, limit);
      if (available !== undefined && available.lessThan(leaves)) {
        this.finish(w, { kind: 'cxl', reason: 'fill-or-kill could not fill in full' });
        return;
      }
    }
    if (limit === undefined || barTriggered(w, pass) || this.marketable(book, o.side, limit, pass)) {
      this.take(w, book, limit, pass);
      if (isTerminal(w.order.status)) return;
    }
    if (o.timeInForce === 'ioc' || o.timeInForce === 'fok') {
      this.finish(w, { kind: 'cxl', reason: `${o.timeInForce} remainder canceled` });
      return;
    }
    if (limit === undefined) {
      if (book.options.marketRemainder === 'cancel')
        this.finish(w, { kind: 'cxl', reason: 'market remainder canceled' });
      else book.add(w, 'remainder');
      return;
    }
    if (o.displayQty !== undefined && w.displayLeft === undefined)
      w.displayLeft = minDec(o.displayQty, leavesQty(w.order));
    this.joinQueue(w, book);
    book.add(w, 'resting');
  }

  /** queue_position (§2.6): joining a level, or losing priority, queues behind its displayed size. */
  private joinQueue(w: WorkingOrder, book: SymbolBook): void {
    const limit = workingLimit(w);
    if (!book.options.queuePosition || limit === undefined || w.queueSeq === w.seq) return;
    w.queueAhead = book.market.displayedAt(w.order.side, limit);
    w.queueSeq = w.seq;
  }

  /** A level shrinking below an order's queue ahead cuts the queue to the new size (§2.6). */
  private shrinkQueues(book: SymbolBook): void {
    for (const side of ['buy', 'sell'] as const) {
      const deepest = book.market.deepestOwn(side);
      if (deepest === undefined) continue;
      for (const w of book.restingAtOrBetter(side, deepest)) {
        const limit = workingLimit(w);
        if (w.queueAhead === undefined || limit === undefined || w.queueAhead.isZero()) continue;
        w.queueAhead = minDec(w.queueAhead, book.market.displayedAt(side, limit));
      }
    }
  }

  /**
   * A trade at an order's price by an aggressor from the other side (a seller, for a resting buy)
   * cuts its queue ahead by the trade's size; the excess fills the order (§2.6).
   */
  private tradeThroughQueues(book: SymbolBook, print: TradePrint): void {
    if (print.aggressor === undefined) return;
    const side = print.aggressor === 'sell' ? 'buy' : 'sell';
    let remaining = print.size;
    for (const w of book.restingAtOrBetter(side, print.price)) {
      const limit = workingLimit(w);
      if (remaining.isZero() || limit === undefined || !limit.equals(print.price)) continue;
      if (isTerminal(w.order.status) || !this.canMatch(book, w)) continue;
      const ahead = w.queueAhead ?? ZERO;
      const cut = minDec(ahead, remaining);
      w.queueAhead = ahead.minus(cut);
      remaining = remaining.minus(cut);
      const leaves = leavesQty(w.order);
      const slice = w.displayLeft === undefined ? leaves : minDec(w.displayLeft, leaves);
      const quantity = minDec(remaining, slice);
      if (quantity.isZero()) continue;
      remaining = remaining.minus(quantity);
      this.fill(w, book, { price: limit, quantity }, 'maker');
      if (isTerminal(w.order.status)) book.remove(w);
      else if (w.displayLeft !== undefined) this.useSlice(w, book, quantity);
    }
  }

  /** Taker fills: walk the book within the limit; on a bar point, fill at the order's own price. */
  private take(w: WorkingOrder, book: SymbolBook, limit: Decimal | undefined, pass: Pass): void {
    const executions = barTriggered(w, pass)
      ? this.barTriggerFill(w, book, limit)
      : book.market.walk(w.order.side, leavesQty(w.order), limit);
    for (const exec of executions) {
      this.fill(w, book, exec, 'taker');
      if (isTerminal(w.order.status)) return;
    }
  }

  /** Between bar points price moves continuously: a triggered order is hit at its own trigger (§2.5). */
  private barTriggerFill(w: WorkingOrder, book: SymbolBook, limit: Decimal | undefined): Execution[] {
    const o = w.order;
    const trigger = o.type === 'trailing_stop' ? o.currentStop : (o.stopPrice ?? o.triggerPrice);
    if (trigger === undefined) return book.market.walk(o.side, leavesQty(o), limit);
    if (
      limit !== undefined &&
      !(o.side === 'buy' ? trigger.lessThanOrEqualTo(limit) : trigger.greaterThanOrEqualTo(limit))
    )
      return [];
    const bps = book.options.noDepthSlippageBps;
    const factor = o.side === 'buy' ? BPS.plus(bps).div(BPS) : BPS.minus(bps).div(BPS);
    const price =
      limit === undefined
        ? trigger
            .times(factor)
            .toDecimalPlaces(w.instrument.tickSize.decimalPlaces(), o.side === 'buy' ? 2 : 3)
        : trigger;
    return [{ price, quantity: leavesQty(o) }];
  }

  // ---------------------------------------------------------------- per update (§2.4)

  private runUpdate(book: SymbolBook, pass: Pass): void {
    this.runAuctions(book);
    this.runRemainders(book, pass);
    this.runResting(book, pass);
    this.runTriggers(book, pass);
    this.runRatchets(book);
    this.runExpiries(book);
  }

  /** (1) Market remainders keep walking; buys first, then in arrival order. */
  private runRemainders(book: SymbolBook, pass: Pass): void {
    for (const w of book.remainders()) {
      if (isTerminal(w.order.status) || !this.canMatch(book, w)) continue;
      book.remove(w);
      this.take(w, book, undefined, pass);
      if (isTerminal(w.order.status)) continue;
      if (w.order.timeInForce === 'ioc' || w.order.timeInForce === 'fok')
        this.finish(w, { kind: 'cxl', reason: 'remainder canceled' });
      else book.add(w, 'remainder');
    }
  }

  /** (2) Resting limits the market reached: maker fills at the limit (taker at a discontinuity). */
  private runResting(book: SymbolBook, pass: Pass): void {
    // With queue_position on, a level merely touched fills only through trades (§2.6).
    const queued = book.options.queuePosition && !pass.discontinuity;
    const strict = (pass.bar && book.options.barLimitFill === 'cross') || queued;
    for (const side of ['buy', 'sell'] as const) {
      const far = book.market.farTouch(side);
      if (far === undefined) continue;
      for (const w of book.restingReached(side, far, strict)) {
        if (isTerminal(w.order.status) || !this.canMatch(book, w)) continue;
        const limit = workingLimit(w);
        if (limit === undefined) continue;
        if (pass.discontinuity) this.take(w, book, limit, pass);
        else this.makerFill(w, book, limit);
        if (isTerminal(w.order.status)) book.remove(w);
      }
    }
  }

  private makerFill(w: WorkingOrder, book: SymbolBook, limit: Decimal): void {
    const leaves = leavesQty(w.order);
    const slice = w.displayLeft === undefined ? leaves : minDec(w.displayLeft, leaves);
    const quantity = book.market.makerFill(w.order.side, slice, limit);
    if (quantity.isZero()) return;
    this.fill(w, book, { price: limit, quantity }, 'maker');
    if (w.displayLeft !== undefined && !isTerminal(w.order.status)) this.useSlice(w, book, quantity);
  }

  /** Iceberg: a used-up slice shows the next one with new priority at the back of its level (§3.3). */
  private useSlice(w: WorkingOrder, book: SymbolBook, quantity: Decimal): void {
    if (w.displayLeft === undefined || w.order.displayQty === undefined) return;
    w.displayLeft = w.displayLeft.minus(quantity);
    if (w.displayLeft.greaterThan(ZERO)) return;
    w.displayLeft = minDec(w.order.displayQty, leavesQty(w.order));
    w.seq = ++this.prioritySeq;
    this.joinQueue(w, book);
    book.add(w, 'resting');
  }

  /** (3) Trigger checks; triggered orders are matched at once. Buys first, better price first. */
  private runTriggers(book: SymbolBook, pass: Pass): void {
    for (const side of ['buy', 'sell'] as const) {
      const basis = this.basis(book, side);
      if (basis === undefined) continue;
      for (const w of book.unpriced(side)) {
        this.setTrailingStop(w, book, false);
        book.add(w, 'stop');
      }
      for (const w of book.triggered(side, basis)) {
        if (w.nextBar || isTerminal(w.order.status) || !this.canMatch(book, w)) continue;
        if (!this.triggerHolds(w, book)) continue;
        this.fire(w, book, pass);
      }
      for (const w of book.activated(side, basis)) {
        if (w.nextBar || !this.activationHolds(w, book)) continue;
        w.active = true;
        book.remove(w);
        this.setTrailingStop(w, book, false);
        book.add(w, 'stop');
      }
    }
  }

  /** (4) Trailing ratchets: only orders whose basis crossed their next-ratchet bound are touched. */
  private runRatchets(book: SymbolBook): void {
    for (const side of ['buy', 'sell'] as const) {
      const basis = this.basis(book, side);
      if (basis === undefined) continue;
      for (const w of book.ratchets(side, basis)) {
        if (w.order.currentStop === undefined || isTerminal(w.order.status)) continue;
        const next = this.ratchetedStop(w, book, basis);
        if (next === undefined) continue;
        book.remove(w);
        w.stopTicks = next.ticks;
        this.event(w, { kind: 'upd', changes: { currentStop: next.stop } });
        book.add(w, 'stop');
      }
    }
  }

  /** The better stop this basis gives, if any: in integer ticks where exact, else in Decimal. */
  private ratchetedStop(
    w: WorkingOrder,
    book: SymbolBook,
    basis: Decimal,
  ): { stop: Decimal; ticks: number } | undefined {
    const side = w.order.side;
    const floor = book.market.tickKey(basis, 'floor');
    if (w.trail !== undefined && w.stopTicks !== undefined && floor === book.market.tickKey(basis, 'ceil')) {
      const ticks = candidateTicks(w.trail, side, floor);
      if (ticks !== undefined) {
        const better = side === 'sell' ? ticks > w.stopTicks : ticks < w.stopTicks;
        return better ? { stop: book.tick.times(ticks), ticks } : undefined;
      }
    }
    const current = w.order.currentStop;
    const candidate = candidateStop(w.instrument, w.order, basis);
    if (current === undefined || !isBetterStop(side, candidate, current)) return undefined;
    return { stop: candidate, ticks: book.market.tickKey(candidate, 'floor') };
  }

  /** (5) Expiries at or before now, after this update's matching. */
  private runExpiries(book: SymbolBook): void {
    for (const w of book.expiredBy(this.now)) {
      if (isTerminal(w.order.status)) continue;
      this.finish(w, { kind: 'exp' });
    }
  }

  /** Opening and closing auctions: opg/cls orders fill in full at the session's price (§3.2). */
  private runAuctions(book: SymbolBook): void {
    for (const w of book.auctionsDue(this.now)) {
      const price = w.order.timeInForce === 'opg' ? this.gate.openingPrice(book) : book.closingPrice;
      const limit = w.order.limitPrice;
      const ok =
        price !== undefined &&
        (limit === undefined ||
          (w.order.side === 'buy' ? price.lessThanOrEqualTo(limit) : price.greaterThanOrEqualTo(limit)));
      if (!ok) {
        this.finish(w, { kind: 'cxl', reason: `${w.order.timeInForce} auction price not within the limit` });
        continue;
      }
      book.remove(w);
      this.fill(w, book, { price, quantity: leavesQty(w.order) }, 'taker');
    }
  }

  private releaseNextBar(book: SymbolBook): void {
    for (const w of book.all()) w.nextBar = false;
  }

  // ---------------------------------------------------------------- triggers and predicates

  /** The basis the triggers of `side` compare with: the ask for buys, the bid for sells, or the last trade. */
  private basis(book: SymbolBook, side: Side): Decimal | undefined {
    if (book.options.triggerSource === 'last') return book.market.last;
    return book.market.touch(side);
  }

  /** §2.2: stop: BUY ask ≥ stop, SELL bid ≤ stop; touched: BUY ask ≤ trigger, SELL bid ≥ trigger. */
  private triggerHolds(w: WorkingOrder, book: SymbolBook): boolean {
    const o = w.order;
    const basis = this.basis(book, o.side);
    if (basis === undefined) return false;
    if (o.type === 'market_if_touched' || o.type === 'limit_if_touched') {
      const trigger = o.triggerPrice;
      if (trigger === undefined) return false;
      return o.side === 'buy' ? basis.lessThanOrEqualTo(trigger) : basis.greaterThanOrEqualTo(trigger);
    }
    const stop = o.type === 'trailing_stop' ? o.currentStop : o.stopPrice;
    if (stop === undefined) return false;
    return o.side === 'buy' ? basis.greaterThanOrEqualTo(stop) : basis.lessThanOrEqualTo(stop);
  }

  /** Trailing activation: BUY ask ≤ activation, SELL bid ≥ activation. */
  private activationHolds(w: WorkingOrder, book: SymbolBook): boolean {
    const basis = this.basis(book, w.order.side);
    const activation = w.order.activationPrice;
    if (basis === undefined || activation === undefined) return false;
    return w.order.side === 'buy'
      ? basis.lessThanOrEqualTo(activation)
      : basis.greaterThanOrEqualTo(activation);
  }

  /** Limit marketable: BUY ask ≤ limit, SELL bid ≥ limit; on bar points with `cross`, strictly. */
  private marketable(book: SymbolBook, side: Side, limit: Decimal | undefined, pass: Pass): boolean {
    const far = book.market.farTouch(side);
    if (far === undefined) return false;
    if (limit === undefined) return true;
    const strict = pass.bar && book.options.barLimitFill === 'cross';
    if (side === 'buy') return strict ? far.lessThan(limit) : far.lessThanOrEqualTo(limit);
    return strict ? far.greaterThan(limit) : far.greaterThanOrEqualTo(limit);
  }

  /** A trigger fired: `trig`, then the order acts as a market (stop, trailing, MIT) or limit arriving now. */
  private fire(w: WorkingOrder, book: SymbolBook, pass: Pass): void {
    book.remove(w);
    w.fired = true;
    this.event(w, { kind: 'trig' });
    this.work(w, book, pass);
  }

  private setTrailingStop(w: WorkingOrder, book: SymbolBook, announce: boolean): void {
    const basis = this.basis(book, w.order.side);
    if (basis === undefined) return;
    const stop = candidateStop(w.instrument, w.order, basis);
    if (announce || w.order.currentStop === undefined) {
      this.event(w, { kind: 'upd', changes: { currentStop: stop } });
    }
    w.trail = tickTrail(w.instrument, w.order);
    const current = w.order.currentStop;
    w.stopTicks = current === undefined ? undefined : book.market.tickKey(current, 'floor');
  }

  // ---------------------------------------------------------------- replace checks (§5)

  private replaceRefusal(
    w: WorkingOrder,
    changes: OrderChanges,
    book: SymbolBook,
  ): { code: ErrorCode; message: string } | undefined {
    const o = w.order;
    const triggerChange =
      changes.stopPrice !== undefined ||
      changes.triggerPrice !== undefined ||
      changes.trailPrice !== undefined ||
      changes.trailPercent !== undefined;
    if (triggerChange && o.status !== 'new') {
      return {
        code: 'INVALID_ORDER',
        message: `trigger prices cannot change once the order is ${o.status}.`,
      };
    }
    if (changes.quantity !== undefined && changes.quantity.lessThan(o.filledQty)) {
      return {
        code: 'QUANTITY_BELOW_FILLED',
        message: `quantity ${changes.quantity.toFixed()} is below the ${o.filledQty.toFixed()} already filled.`,
      };
    }
    const spec = applyOrderChanges(o, changes);
    try {
      // A quantity equal to the filled quantity is valid here: the replace fills the order (§5 note 5).
      const probe = spec.quantity.equals(o.filledQty)
        ? { ...spec, quantity: spec.quantity.plus(w.instrument.lotSize) }
        : spec;
      validateOrderSpec(probe, w.instrument, { now: this.now });
    } catch (error) {
      if (error instanceof TradingError) return { code: error.code, message: error.message };
      throw error;
    }
    const group = this.groups.replaceRefusal(w, changes, spec);
    if (group !== undefined || o.held) return group; // a held leg meets the market only when it works
    if (
      o.postOnly === true &&
      (o.type === 'limit' || w.fired) &&
      this.marketable(book, o.side, spec.limitPrice, NORMAL)
    ) {
      return { code: 'POST_ONLY_WOULD_TAKE', message: 'the new limit would take liquidity.' };
    }
    const funds = this.fundsRefusal(w, book, spec);
    if (funds !== undefined) return funds;
    if (triggerChange && book.options.rejectStopsInMarket && !w.fired && o.type !== 'trailing_stop') {
      const probeOrder: WorkingOrder = { ...w, order: { ...o, ...spec } };
      if (this.triggerHolds(probeOrder, book))
        return { code: 'STOP_IN_MARKET', message: 'the new trigger already holds.' };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- fills, positions, reduce-only

  private fill(w: WorkingOrder, book: SymbolBook, exec: Execution, liquidity: 'maker' | 'taker'): void {
    const o = w.order;
    let quantity = minDec(exec.quantity, leavesQty(o));
    if (o.reduceOnly === true) {
      // Each fill of a reduce-only order is capped at |position| (§3.3).
      quantity = minDec(quantity, this.cfg.ledger.position(o.accountId, o.symbol).quantity.abs());
    }
    if (quantity.lessThanOrEqualTo(ZERO)) return;
    const bps = liquidity === 'maker' ? book.options.makerFeeBps : book.options.takerFeeBps;
    const venueOrderId = o.venueOrderIds[o.venueOrderIds.length - 1] ?? o.id;
    const fill: Fill = {
      fillId: `${venueOrderId}-${++w.fillCount}`,
      clientOrderId: o.clientOrderId,
      venueOrderId,
      venue: this.cfg.venue,
      accountId: o.accountId,
      symbol: o.symbol,
      side: o.side,
      quantity,
      price: exec.price,
      liquidity,
      fee: paperFee(quantity, exec.price, bps),
      feeCurrency: w.instrument.quote,
      ts: this.now,
    };
    const before = this.cfg.ledger.position(o.accountId, o.symbol);
    const update = this.cfg.ledger.applyFill(fill, w.instrument.quote);
    const reduced =
      update !== undefined &&
      !before.quantity.isZero() &&
      (o.side === 'buy') !== before.quantity.isPositive();
    if (reduced) this.recordDayTrade(book, o.accountId, before.openedAt);
    this.event(w, { kind: 'fill', fill });
    if (isTerminal(w.order.status)) this.release(w);
    else this.reserve(w, book, true);
    // The group reacts first, so that its cancels carry its reason (§4), then reduce-only caps (§3.3).
    this.groups.afterFill(w);
    this.maintainReduceOnly(o.accountId, o.symbol);
  }

  /** A fill that reduced a position opened this session is a day trade (PDT flag at 4 in 5 days). */
  private recordDayTrade(book: SymbolBook, accountId: string, openedAt: number | undefined): void {
    const since = this.gate.dayTradeWindow(book, openedAt, this.now);
    if (since === undefined) return;
    const equity = this.cfg.ledger.valuation(accountId, (symbol) =>
      this.books.get(symbol)?.market.mid(),
    ).equity;
    this.cfg.ledger.recordDayTrade(accountId, this.now, since, equity);
  }

  /** An order reduces exposure when it is opposite a non-zero position and, with the others, fits in it (§7.1). */
  private reducesExposure(w: WorkingOrder): boolean {
    const o = w.order;
    const position = this.cfg.ledger.position(o.accountId, o.symbol).quantity;
    if (position.isZero() || (o.side === 'buy') === position.isPositive()) return false;
    let leaves = o.quantity;
    // Held legs count in no sum; an OCO group counts once, as its largest member (§7.1).
    const own = this.groups.ocoKey(w);
    const largest = new Map<string, Decimal>();
    for (const other of this.accountOrders(o.accountId, o.symbol)) {
      if (other === w || other.order.side !== o.side || isTerminal(other.order.status) || other.order.held)
        continue;
      const key = this.groups.ocoKey(other);
      if (key === undefined) leaves = leaves.plus(leavesQty(other.order));
      else if (key !== own) largest.set(key, maxDec(largest.get(key) ?? ZERO, leavesQty(other.order)));
    }
    return leaves.plus(sumDec(largest.values())).lessThanOrEqualTo(position.abs());
  }

  /** After a position change: reduce-only orders shrink to |position|, or cancel when flat or same side. */
  private maintainReduceOnly(accountId: string, symbol: string): void {
    const open = this.reduceOnly.get(`${accountId}|${symbol}`);
    if (open === undefined || open.size === 0) return;
    const position = this.cfg.ledger.position(accountId, symbol).quantity;
    for (const w of [...open]) {
      const o = w.order;
      if (isTerminal(o.status) || o.held) continue; // held legs are capped once they work (§4)
      if (position.isZero() || (o.side === 'buy') === position.isPositive()) {
        this.finish(w, { kind: 'cxl', reason: 'reduce-only order canceled: nothing left to reduce' });
      } else if (leavesQty(o).greaterThan(position.abs())) {
        this.event(w, { kind: 'upd', changes: { quantity: o.filledQty.plus(position.abs()) } });
      }
    }
  }

  // ---------------------------------------------------------------- bookkeeping

  /** Ends an order (cxl, exp, rej): out of every index, reservations released. */
  private finish(w: WorkingOrder, event: DistributiveOmit<OrderEvent, EventBaseKeys>): void {
    this.book(w.instrument).remove(w);
    this.event(w, event);
    this.release(w);
    this.groups.afterEnd(w);
  }

  /**
   * A held leg starts working (§4): `upd { held: false, quantity }`, then it arrives like an order
   * accepted now, keeping its expiry. A trigger that already holds fires at once; a post-only
   * limit that would take is rejected, as on acceptance.
   */
  private activateLeg(w: WorkingOrder, quantity: Decimal): void {
    if (isTerminal(w.order.status) || !w.order.held) return;
    const book = this.book(w.instrument);
    book.remove(w);
    w.seq = ++this.prioritySeq;
    this.event(w, { kind: 'upd', changes: { held: false, quantity } });
    const o = w.order;
    if (o.postOnly === true && o.type === 'limit' && this.marketable(book, o.side, o.limitPrice, NORMAL)) {
      const message = 'post-only limit would take liquidity on activation.';
      this.finish(w, { kind: 'rej', code: 'POST_ONLY_WOULD_TAKE', message });
      return;
    }
    this.reserve(w, book);
    this.arrive(w, book, true);
  }

  /** The group sets a leg's quantity (§4): a larger one loses priority, a smaller one keeps it (§5). */
  private resizeLeg(w: WorkingOrder, quantity: Decimal): void {
    if (isTerminal(w.order.status) || quantity.equals(w.order.quantity)) return;
    const increase = quantity.greaterThan(w.order.quantity);
    this.event(w, { kind: 'upd', changes: { quantity } });
    if (w.order.held) return;
    const book = this.book(w.instrument);
    if (w.displayLeft !== undefined) w.displayLeft = minDec(w.displayLeft, leavesQty(w.order));
    const where = w.waiting;
    if (increase) {
      w.seq = ++this.prioritySeq;
      // Mid-processing (waiting 'none') the caller puts it back itself.
      if (where !== 'none') book.add(w, where);
      if (where === 'resting') this.joinQueue(w, book);
    }
    this.reserve(w, book, true);
  }

  /** Folds an event into the order through the transition table, then publishes it. */
  private event(w: WorkingOrder, body: DistributiveOmit<OrderEvent, EventBaseKeys>): void {
    const o = w.order;
    const event = extend(body, {
      eventId: `${this.cfg.venue}-e${++this.eventSeq}`,
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderIds[o.venueOrderIds.length - 1] ?? o.id,
      venueTime: this.now,
      receivedAt: this.now,
    }) as OrderEvent;
    const result = applyEvent(o, event);
    if (result.outcome !== 'applied') {
      throw new Error(`paper venue bug: ${event.kind} is not valid for ${o.clientOrderId} in ${o.status}`);
    }
    w.order = result.order;
    this.dirty.add(w);
    if (isTerminal(w.order.status)) this.untrack(w);
    this.cfg.emit(o.accountId, event);
  }

  private known(accountId: string, clientOrderId: string): WorkingOrder {
    const w = this.orders.get(orderKey(accountId, clientOrderId));
    if (w === undefined) {
      throw new BrokerCallError(
        this.cfg.venue,
        'definitive',
        'NOT_FOUND_AT_VENUE',
        `No order ${clientOrderId} at ${this.cfg.venue}.`,
      );
    }
    return w;
  }

  private book(instrument: Instrument): SymbolBook {
    let book = this.books.get(instrument.symbol);
    if (book === undefined) {
      const options = this.cfg.optionsFor(instrument);
      book = new SymbolBook(new SymbolMarket(instrument, options), options);
      this.books.set(instrument.symbol, book);
    }
    return book;
  }

  private track(w: WorkingOrder): void {
    const key = `${w.order.accountId}|${w.order.symbol}`;
    setFor(this.byAccountSymbol, key).add(w);
    if (w.order.reduceOnly === true) setFor(this.reduceOnly, key).add(w);
  }

  private untrack(w: WorkingOrder): void {
    const key = `${w.order.accountId}|${w.order.symbol}`;
    this.byAccountSymbol.get(key)?.delete(w);
    this.reduceOnly.get(key)?.delete(w);
  }

  private accountOrders(accountId: string, symbol: string): WorkingOrder[] {
    return [...(this.byAccountSymbol.get(`${accountId}|${symbol}`) ?? [])];
  }
}

/**
 * On a bar segment (not its open) price moves continuously, so a triggered order is hit at its own
 * trigger price; at the open, a gap, it takes the book price like any arrival (§2.5).
 */
function barTriggered(w: WorkingOrder, pass: Pass): boolean {
  return pass.bar && !pass.discontinuity && w.fired;
}

/** The engine's id counters, saved with its orders. */
export interface EngineCounters {
  readonly venueSeq: number;
  readonly prioritySeq: number;
  readonly eventSeq: number;
}

type EventBaseKeys = 'eventId' | 'clientOrderId' | 'venueOrderId' | 'venueTime' | 'receivedAt';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function setFor<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function orderKey(accountId: string, clientOrderId: string): string {
  return `${accountId}|${clientOrderId}`;
}

/** Queue priority survives only a lower quantity at the same prices (§5). */
function keepsQueuePriority(order: Order, changes: OrderChanges): boolean {
  const { quantity, ...rest } = changes;
  const others = Object.entries(rest as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return quantity !== undefined && quantity.lessThan(order.quantity) && others.length === 0;
}

function definedChanges(changes: OrderChanges): OrderChanges {
  const entries = Object.entries(changes as Record<string, unknown>);
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** The bar path of §2.5: O, H, L, C, or O, L, H, C when the low is closer to the open (adaptive). */
export function barPath(bar: Bar, mode: 'ohlc' | 'adaptive'): Decimal[] {
  const lowFirst = mode === 'adaptive' && bar.open.minus(bar.low).lessThan(bar.high.minus(bar.open));
  return lowFirst ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close];
}
