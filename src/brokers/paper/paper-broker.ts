import { randomBytes } from 'node:crypto';
import type { Account } from '../../domain/account.js';
import type { Clock } from '../../domain/clock.js';
import type { Fill } from '../../domain/events.js';
import type { InstrumentRegistry } from '../../domain/instruments.js';
import type { Instrument } from '../../domain/instrument.js';
import { ORDER_TYPES, type Order, TIME_IN_FORCE } from '../../domain/order.js';
import type { Position } from '../../domain/position.js';
import { type BookSnapshot, type MarketFeed, type MarketUpdate, symbolOf } from '../../marketdata/types.js';
import type {
  Broker,
  CancelRequest,
  ContingentClass,
  GroupSubmitRequest,
  ReplaceRequest,
  SubmitReceipt,
  SubmitRequest,
  VenueAccount,
  VenueBalance,
  VenueCapabilities,
  VenueEvent,
  VenueEventListener,
  VenueOrder,
  VenuePosition,
} from '../broker.js';
import { type EngineCounters, MatchingEngine } from './matching-engine.js';
import { type PaperOptions, resolvePaperOptions } from './options.js';
import { PaperLedger } from './paper-ledger.js';
import type { PaperStateStore } from './paper-state.js';
import type { VenueProfile } from './venue-profiles.js';
import type { WorkingSnapshot } from './working-order.js';

const ALL_CONTINGENT: readonly ContingentClass[] = ['bracket', 'oco', 'oto'];

export interface PaperBrokerDeps {
  readonly profile: VenueProfile;
  readonly instruments: InstrumentRegistry;
  readonly clock: Clock;
  /** Market data; without one the venue matches only what `simulate` gives it. */
  readonly feed?: MarketFeed;
  /**
   * Makes this instance's venue order ids (and so its fill ids) unique: `{venue}-{instanceId}-{n}`.
   * Default: the start time in base 36 and four random characters.
   */
  readonly instanceId?: string;
  /** Where the venue keeps its state; without one it lives in memory only. */
  readonly state?: PaperStateStore;
}

/**
 * The built-in paper exchange behind the broker port: a matching engine per venue profile, its
 * ledger, market data from a feed, and command latency on the injected clock (a command sent at t
 * is processed against the data as of t + latency, §10).
 */
export class PaperBroker implements Broker {
  readonly venue: string;
  readonly kind = 'paper' as const;
  readonly mode = 'paper' as const;
  readonly capabilities: VenueCapabilities;
  readonly profile: VenueProfile;
  private readonly deps: PaperBrokerDeps;
  private readonly engine: MatchingEngine;
  private readonly ledger: PaperLedger;
  private readonly listeners = new Set<VenueEventListener>();
  private readonly optionsCache = new Map<string, PaperOptions>();
  /** Symbols whose market `simulate` set: the feed no longer moves them here (in memory only). */
  private readonly pinned = new Set<string>();
  private unsubscribeFeed: (() => void) | undefined;
  private timer: { at: number; cancel: () => void } | undefined;
  private instanceId: string;
  /** Durable mode: events wait here until the batch that produced them is saved. */
  private readonly buffered: VenueEvent[] = [];
  /** Durable mode: resolves once everything changed so far is saved and its events published. */
  private persistence: Promise<void> = Promise.resolve();
  /** Durable mode: changes made while a save is running, saved together by the next one. */
  private next: PendingSave | undefined;
  private saving = false;
  /** The last failure to save; the venue then publishes nothing more until it is restarted. */
  persistenceError: unknown;

  constructor(deps: PaperBrokerDeps) {
    this.deps = deps;
    this.profile = deps.profile;
    this.venue = deps.profile.id;
    this.ledger = new PaperLedger(deps.profile.accounts);
    const base = resolvePaperOptions(deps.profile.assetClasses[0] ?? 'us_equity', deps.profile.options);
    this.capabilities = {
      assetClasses: deps.profile.assetClasses,
      symbols: deps.instruments
        .all()
        .filter((i) => deps.profile.assetClasses.includes(i.assetClass))
        .map((i) => i.symbol),
      orderTypes: deps.profile.orderTypes ?? ORDER_TYPES,
      // Opening and closing auctions exist for equities only.
      timeInForce: deps.profile.assetClasses.includes('us_equity')
        ? TIME_IN_FORCE
        : TIME_IN_FORCE.filter((t) => t !== 'opg' && t !== 'cls'),
      fractional: true,
      shorting: deps.profile.accounts.some((a) => a.allowShort),
      postOnly: true,
      reduceOnly: true,
      displayQuantity: true,
      extendedHours: deps.profile.assetClasses.includes('us_equity'),
      replace: true,
      nativeContingent: deps.profile.nativeContingent ?? ALL_CONTINGENT,
      fees: { makerBps: base.makerFeeBps, takerBps: base.takerFeeBps },
    };
    this.instanceId = deps.instanceId ?? `${deps.clock.now().toString(36)}${randomBytes(2).toString('hex')}`;
    this.engine = new MatchingEngine({
      venue: this.venue,
      orderIdPrefix: `${this.venue}-${this.instanceId}`,
      instruments: deps.instruments,
      capabilities: this.capabilities,
      optionsFor: (instrument) => this.optionsFor(instrument),
      ledger: this.ledger,
      emit: (accountId, event) => {
        const venueEvent = { venue: this.venue, accountId, event };
        if (deps.state === undefined) this.publish(venueEvent);
        else this.buffered.push(venueEvent);
      },
    });
  }

  /** Options per instrument: the asset class defaults, the venue's, then the symbol's overrides. */
  optionsFor(instrument: Instrument): PaperOptions {
    let options = this.optionsCache.get(instrument.symbol);
    if (options === undefined) {
      const overrides = { ...this.profile.options, ...(this.profile.symbolOptions[instrument.symbol] ?? {}) };
      options = resolvePaperOptions(instrument.assetClass, overrides);
      this.optionsCache.set(instrument.symbol, options);
    }
    return options;
  }

  async connect(): Promise<void> {
    if (this.deps.state !== undefined && this.unsubscribeFeed === undefined)
      await this.resume(this.deps.state);
    if (this.deps.feed !== undefined && this.unsubscribeFeed === undefined) {
      const feed = this.deps.feed;
      for (const symbol of this.capabilities.symbols ?? []) {
        const book = feed.snapshot(symbol);
        if (book !== undefined) this.onFeed({ kind: 'book', book });
      }
      this.unsubscribeFeed = feed.subscribe((update) => {
        this.onFeed(update);
      });
    }
  }

  /** Durable mode: resolves once everything so far is saved and its events published. */
  whenSaved(): Promise<void> {
    return this.persistence;
  }

  /** Takes back the saved venue (orders, indexes, ledger, id counters), or saves a new one. */
  private async resume(state: PaperStateStore): Promise<void> {
    const saved = await state.load(this.venue);
    if (saved === undefined) {
      this.flush(true);
      await this.persistence;
      return;
    }
    this.instanceId = saved.instanceId;
    this.ledger.restore({ accounts: saved.accounts, positions: saved.positions, fills: saved.fills });
    this.engine.restore(saved.orders, saved.counters, `${this.venue}-${saved.instanceId}`);
    this.ledger.takeChanges();
    this.engine.takeChanges();
    this.armTimer();
  }

  /**
   * Durable mode: saves what the last command or update changed, then publishes its events, in
   * order. A crash before the save loses the batch and its events together: the venue never told
   * anyone about what it no longer knows. Group commit: one save runs at a time, and the changes of
   * every command that ran meanwhile are merged (latest state per order, account and position) and
   * saved together by the next, so a burst of commands costs one transaction, not one each.
   */
  private flush(everything = false): void {
    const state = this.deps.state;
    if (state === undefined) return;
    const engine = this.engine.takeChanges();
    const ledger = this.ledger.takeChanges();
    const events = this.buffered.splice(0);
    const accounts = everything ? this.ledger.allAccounts() : ledger.accounts;
    if (
      !everything &&
      events.length === 0 &&
      engine.orders.length === 0 &&
      accounts.length === 0 &&
      ledger.fills.length === 0
    )
      return;
    if (this.next === undefined) {
      let done = (): void => undefined;
      const saved = new Promise<void>((resolve) => {
        done = resolve;
      });
      this.next = {
        orders: new Map(),
        accounts: new Map(),
        positions: new Map(),
        fills: [],
        events: [],
        counters: engine.counters,
        done,
      };
      this.persistence = saved;
    }
    const next = this.next;
    next.counters = engine.counters;
    for (const o of engine.orders) next.orders.set(`${o.order.accountId}\u0000${o.order.clientOrderId}`, o);
    for (const a of accounts) next.accounts.set(a.id, a);
    for (const p of ledger.positions) next.positions.set(`${p.accountId}\u0000${p.symbol}`, p);
    next.fills.push(...ledger.fills);
    next.events.push(...events);
    if (!this.saving) void this.save(state);
  }

  /**
   * Saves the pending batch, publishes its events, then the batch gathered meanwhile, if any. A
   * failure to save (or a listener that throws) stops the venue publishing (persistenceError);
   * every batch's waiters are answered either way.
   */
  private async save(state: PaperStateStore): Promise<void> {
    this.saving = true;
    try {
      for (let batch = this.next; batch !== undefined; batch = this.next) {
        this.next = undefined;
        try {
          if (this.persistenceError !== undefined) continue;
          await state.save(this.venue, {
            instanceId: this.instanceId,
            counters: batch.counters,
            orders: [...batch.orders.values()],
            accounts: [...batch.accounts.values()],
            positions: [...batch.positions.values()],
            fills: batch.fills,
          });
          for (const event of batch.events) this.publish(event);
        } catch (error) {
          this.persistenceError = error;
        } finally {
          batch.done();
        }
      }
    } finally {
      this.saving = false;
    }
  }

  close(): Promise<void> {
    this.unsubscribeFeed?.();
    this.unsubscribeFeed = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    return Promise.resolve();
  }

  submit(request: SubmitRequest): Promise<SubmitReceipt> {
    const latency = this.optionsForSymbol(request.symbol)?.latencySubmitMs ?? 0;
    return this.after(latency, () => this.engine.submit(request, this.deps.clock.now()));
  }

  /** A native bracket, OCO or OTO (§4): one receipt per leg, in order. */
  submitGroup(request: GroupSubmitRequest): Promise<SubmitReceipt[]> {
    const latency = this.optionsForSymbol(request.legs[0]?.symbol)?.latencySubmitMs ?? 0;
    return this.after(latency, () => this.engine.submitGroup(request, this.deps.clock.now()));
  }

  cancel(request: CancelRequest): Promise<void> {
    const latency = this.optionsForSymbol(this.orderSymbol(request))?.latencyCancelMs ?? 0;
    return this.after(latency, () => {
      this.engine.cancel(request.accountId, request.clientOrderId, this.deps.clock.now());
    });
  }

  replace(request: ReplaceRequest): Promise<void> {
    const latency = this.optionsForSymbol(this.orderSymbol(request))?.latencyReplaceMs ?? 0;
    return this.after(latency, () => {
      this.engine.replace(request.accountId, request.clientOrderId, request.changes, this.deps.clock.now());
    });
  }

  /**
   * Runs a command `latency` ms from now, inside the clock's own timer, so that it meets the market
   * as of that moment even when a simulated clock jumps past it in one step (§10).
   */
  private async after<T>(latency: number, command: () => T): Promise<T> {
    const result = await this.run(latency, command);
    await this.persistence; // durable mode: answered once saved and published
    return result;
  }

  private run<T>(latency: number, command: () => T): Promise<T> {
    // A throw inside an executor becomes the promise's rejection.
    if (latency <= 0)
      return new Promise<T>((resolve) => {
        resolve(this.afterCommand(command));
      });
    return new Promise<T>((resolve, reject) => {
      this.deps.clock.schedule(this.deps.clock.now() + latency, () => {
        try {
          resolve(this.afterCommand(command));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  subscribe(listener: VenueEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  getOrder(accountId: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    const order = this.engine.order(accountId, clientOrderId);
    return Promise.resolve(order === undefined ? undefined : toVenueOrder(order));
  }

  openOrders(accountId: string): Promise<VenueOrder[]> {
    return Promise.resolve(this.engine.openOrders(accountId).map(toVenueOrder));
  }

  ordersSince(accountId: string, since: number): Promise<VenueOrder[]> {
    const orders = this.engine.allOrders().filter((o) => o.accountId === accountId && o.updatedAt >= since);
    return Promise.resolve(orders.map(toVenueOrder));
  }

  fillsSince(accountId: string, since: number): Promise<Fill[]> {
    return Promise.resolve(this.ledger.fillsSince(accountId, since));
  }

  positions(accountId: string): Promise<VenuePosition[]> {
    const positions = this.ledger.positions(accountId).map((p) => ({
      symbol: p.symbol,
      quantity: p.quantity,
      avgEntryPrice: p.avgEntryPrice,
    }));
    return Promise.resolve(positions);
  }

  balances(accountId: string): Promise<VenueBalance[]> {
    const account = this.ledger.account(accountId);
    const balances = Object.entries(account.cash).map(([currency, total]) => ({
      currency,
      total,
      available: this.ledger.availableCash(accountId, currency),
    }));
    return Promise.resolve(balances);
  }

  accounts(): Promise<VenueAccount[]> {
    const out = this.ledger.allAccounts().map((account) => {
      const value = this.ledger.valuation(account.id, (symbol) => this.engine.market(symbol)?.mid());
      return {
        accountId: account.id,
        type: account.type,
        currency: account.currency,
        equity: value.equity,
        cash: value.cash,
        buyingPower: value.buyingPower,
        patternDayTrader: account.patternDayTrader,
        dayTradeCount: account.dayTrades.length,
        tradingBlocked: account.tradingBlocked,
      };
    });
    return Promise.resolve(out);
  }

  book(symbol: string): BookSnapshot | undefined {
    return this.engine.snapshot(this.deps.instruments.find(symbol)?.symbol ?? symbol);
  }

  /**
   * Paper only: replaces the market for a symbol and runs matching (the simulateMarket tool). A
   * simulated book is taken as given (no depth scale) and pins the symbol: from then on the feed's
   * updates for it (books, bars, trades) are ignored here, so that a random walk or a replay does
   * not overwrite it; only the next `simulate` moves it. The pin lives in memory: a restarted venue
   * follows the feed again.
   */
  simulate(update: MarketUpdate): void {
    const symbol = symbolOf(update);
    const instrument = this.deps.instruments.find(symbol);
    if (instrument !== undefined) this.pinned.add(instrument.symbol);
    this.onMarket(update, false);
  }

  /** Whether this venue trades the symbol (its asset class is one of the venue's). */
  trades(symbol: string): boolean {
    const instrument = this.deps.instruments.find(symbol);
    return instrument !== undefined && this.profile.assetClasses.includes(instrument.assetClass);
  }

  /** Whether the feed's updates for the symbol still reach this venue's matching (not pinned). */
  followsFeed(symbol: string): boolean {
    const instrument = this.deps.instruments.find(symbol);
    if (instrument === undefined || this.pinned.has(instrument.symbol)) return false;
    return this.profile.assetClasses.includes(instrument.assetClass);
  }

  /** Paper only: the number of orders resting or waiting at this venue. */
  workingOrderCount(): number {
    return this.engine.restingCount();
  }

  private onFeed(update: MarketUpdate): void {
    const instrument = this.deps.instruments.find(symbolOf(update));
    if (instrument !== undefined && this.pinned.has(instrument.symbol)) return;
    this.onMarket(update, true);
  }

  private onMarket(update: MarketUpdate, scale: boolean): void {
    if (update.kind === 'book') {
      if (!this.trades(update.book.symbol)) return;
      this.afterCommand(() => {
        this.engine.onBook(scale ? this.scaled(update.book) : update.book);
      });
    } else if (update.kind === 'bar') {
      this.afterCommand(() => {
        this.engine.onBar(update.bar);
      });
    } else {
      this.afterCommand(() => {
        this.engine.onTrade(update.trade);
      });
    }
  }

  /** The venue's own liquidity: shared market data with sizes × depth scale. */
  private scaled(book: BookSnapshot): BookSnapshot {
    const scale = this.profile.depthScale;
    if (scale.equals(1)) return book;
    const level = (l: BookSnapshot['bids'][number]): BookSnapshot['bids'][number] =>
      l.size === undefined ? l : { price: l.price, size: l.size.times(scale) };
    return { ...book, bids: book.bids.map(level), asks: book.asks.map(level) };
  }

  /** Runs a command, then makes sure a timer is set for the next expiry or closing auction. */
  private afterCommand<T>(command: () => T): T {
    try {
      return command();
    } finally {
      this.armTimer();
      this.flush();
    }
  }

  private armTimer(): void {
    const next = this.engine.nextTimerAt();
    if (next === this.timer?.at) return;
    this.timer?.cancel();
    this.timer = undefined;
    if (next === undefined) return;
    const cancel = this.deps.clock.schedule(next, () => {
      this.timer = undefined;
      this.afterCommand(() => {
        this.engine.tick(this.deps.clock.now());
      });
    });
    this.timer = { at: next, cancel };
  }

  private publish(event: VenueEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private optionsForSymbol(symbol: string | undefined): PaperOptions | undefined {
    const instrument = symbol === undefined ? undefined : this.deps.instruments.find(symbol);
    return instrument === undefined ? undefined : this.optionsFor(instrument);
  }

  private orderSymbol(request: CancelRequest): string | undefined {
    return this.engine.order(request.accountId, request.clientOrderId)?.symbol;
  }
}

function toVenueOrder(order: Order): VenueOrder {
  const {
    id,
    venueOrderIds,
    priorStatus: _p,
    overfillQty: _o,
    filledNotional: _n,
    held,
    emulated: _e,
    inferred: _i,
    external: _x,
    reject: _r,
    parentId: _pid,
    ...rest
  } = order;
  return {
    ...rest,
    venueOrderId: venueOrderIds[venueOrderIds.length - 1] ?? id,
    ...(held ? { held: true } : {}),
  };
}

/** Durable mode: the changes waiting for the next save, merged by key, and their events in order. */
interface PendingSave {
  readonly orders: Map<string, WorkingSnapshot>;
  readonly accounts: Map<string, Account>;
  readonly positions: Map<string, Position>;
  readonly fills: Fill[];
  readonly events: VenueEvent[];
  counters: EngineCounters;
  readonly done: () => void;
}
