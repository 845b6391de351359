/**
 * Property tests of the paper matching engine over random order flows (ORDER-SEMANTICS.md §2.4, §3,
 * §5, §6, §10), checked against an independent model built only from the data books the test sends
 * and the events the engine emits. After every step:
 * - the book is never crossed: no resting limit is marketable against what the market still offers;
 * - every order's filled quantity and notional are the sums of its fill events, within its quantity,
 *   and its status agrees with them; nothing follows a terminal event; `ack`/`rej` come first;
 * - conservation: cash moves by exactly −Σ signed quantity × price − Σ fees; positions are the sums
 *   of signed fills; realized P&L − average entry × quantity equals the fills' signed cash flow;
 * - a cash account never goes below zero cash or short; reduce-only fills never grow or flip a
 *   position; post-only orders never take; limits are respected (makers fill at their limit);
 *   a resting iceberg fills at most one slice per update; gtd orders are gone after their expiry;
 *   malformed requests throw and change nothing.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type Decimal, ZERO, dec } from '../../domain/decimal.js';
import type { OrderChanges } from '../../domain/events.js';
import { type Order, type OrderType, type Side, type TimeInForce, isTerminal } from '../../domain/order.js';
import type { BookLevel } from '../../marketdata/types.js';
import { BrokerCallError, type SubmitRequest } from '../broker.js';
import { type EngineHarness, type RecordedEvent, makeAccount, makeEngine } from './test-support.js';

/** A fill as the model keeps it. */
interface Execution {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/** Tuesday 2026-06-09 14:00 UTC = 10:00 New York: the whole flow stays inside the regular session. */
const START = Date.UTC(2026, 5, 9, 14, 0);
const TICK = dec('0.01');
const SYMBOLS = [
  { symbol: 'AAPL', startTicks: 10_000, unit: dec(1) }, // 100.00, whole shares, no fees
  { symbol: 'BTC/USD', startTicks: 5_000_000, unit: dec('0.001') }, // 50,000.00, maker 15 / taker 25 bps
] as const;
const START_CASH = { M1: dec(10_000_000), C1: dec(100_000) } as const;
type AccountId = keyof typeof START_CASH;

const ALLOWED_TIF: Readonly<Record<string, readonly TimeInForce[]>> = {
  market: ['day', 'gtc', 'ioc', 'fok'],
  limit: ['day', 'gtc', 'gtd', 'ioc', 'fok'],
  stop: ['day', 'gtc', 'gtd'],
  stop_limit: ['day', 'gtc', 'gtd'],
  trailing_stop: ['day', 'gtc'],
};

// ---------------------------------------------------------------- actions

interface BookAction {
  readonly kind: 'book';
  readonly sym: number;
  readonly move: number;
  readonly spread: number;
  readonly bids: readonly number[];
  readonly asks: readonly number[];
}
interface SubmitAction {
  readonly kind: 'submit';
  readonly sym: number;
  readonly cash: boolean;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: number;
  readonly qty: number;
  readonly offset: number;
  readonly offset2: number;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly display: number;
  readonly expireIn: number;
}
interface CancelAction {
  readonly kind: 'cancel';
  readonly pick: number;
}
interface ReplaceAction {
  readonly kind: 'replace';
  readonly pick: number;
  readonly qty: number | null;
  readonly offset: number | null;
}
interface TickAction {
  readonly kind: 'tick';
}
type Action = BookAction | SubmitAction | CancelAction | ReplaceAction | TickAction;

interface Variant {
  readonly name: string;
  readonly consumption: boolean;
  readonly replaces: boolean;
  /** Level sizes in units; the strict variant keeps every level deeper than any order. */
  readonly sizes: readonly [number, number];
  readonly maxQty: number;
}

const sometimes = (oneIn: number): fc.Arbitrary<boolean> =>
  fc.integer({ min: 1, max: oneIn }).map((n) => n === 1);

function flow(v: Variant): fc.Arbitrary<Action[]> {
  const sym = fc.integer({ min: 0, max: SYMBOLS.length - 1 });
  const qty = fc.integer({ min: 1, max: v.maxQty });
  const size = fc.integer({ min: v.sizes[0], max: v.sizes[1] });
  const book: fc.Arbitrary<Action> = fc.record({
    kind: fc.constant('book' as const),
    sym,
    move: fc.integer({ min: -3, max: 3 }),
    spread: fc.integer({ min: 1, max: 3 }),
    bids: fc.array(size, { minLength: 1, maxLength: 3 }),
    asks: fc.array(size, { minLength: 1, maxLength: 3 }),
  });
  const submit: fc.Arbitrary<Action> = fc.record({
    kind: fc.constant('submit' as const),
    sym,
    cash: sometimes(3),
    side: fc.constantFrom<Side>('buy', 'sell'),
    type: fc.constantFrom<OrderType>(
      'market',
      'limit',
      'limit',
      'limit',
      'stop',
      'stop_limit',
      'trailing_stop',
    ),
    tif: fc.nat(),
    qty,
    offset: fc.integer({ min: -4, max: 4 }),
    offset2: fc.integer({ min: -2, max: 4 }),
    postOnly: sometimes(4),
    reduceOnly: sometimes(5),
    display: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: qty, weight: 1 }),
    expireIn: fc.integer({ min: 1, max: 10 }),
  });
  const cancel: fc.Arbitrary<Action> = fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() });
  const replace: fc.Arbitrary<Action> = fc.record({
    kind: fc.constant('replace' as const),
    pick: fc.nat(),
    qty: fc.option(qty, { nil: null }),
    offset: fc.option(fc.integer({ min: -4, max: 4 }), { nil: null }),
  });
  const tick: fc.Arbitrary<Action> = fc.constant({ kind: 'tick' as const });
  const weighted = [
    { arbitrary: book, weight: 4 },
    { arbitrary: submit, weight: 4 },
    { arbitrary: cancel, weight: 1 },
    { arbitrary: tick, weight: 1 },
    ...(v.replaces ? [{ arbitrary: replace, weight: 2 }] : []),
  ];
  return fc.array(fc.oneof(...weighted), { minLength: 1, maxLength: 60, size: 'max' });
}

// ---------------------------------------------------------------- the world and its independent model

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

const add = (map: Map<string, Decimal>, key: string, value: Decimal): void => {
  map.set(key, (map.get(key) ?? ZERO).plus(value));
};

class World {
  readonly h: EngineHarness;
  private ts = START;
  private readonly bidTicks: number[] = SYMBOLS.map((s) => s.startTicks);
  private readonly askTicks: number[] = SYMBOLS.map((s) => s.startTicks + 1);
  /** The last data book sent per symbol. */
  private readonly books = new Map<string, { bids: BookLevel[]; asks: BookLevel[] }>();
  /** Fills (price, quantity) per symbol and side since that symbol's last book (every size is fresh). */
  private readonly takenSince = new Map<string, { buy: Execution[]; sell: Execution[] }>();
  private readonly submitted: { accountId: AccountId; id: string }[] = [];
  private readonly filled = new Map<string, Decimal>();
  private readonly notional = new Map<string, Decimal>();
  private readonly positions = new Map<string, Decimal>();
  private readonly flows = new Map<string, Decimal>();
  private readonly fees = new Map<string, Decimal>();
  private readonly cashFlow = new Map<string, Decimal>();
  private readonly started = new Set<string>();
  private readonly closed = new Set<string>();
  private nextId = 0;

  constructor(private readonly v: Variant) {
    this.h = makeEngine({
      options: { liquidity_consumption: v.consumption },
      accounts: [
        makeAccount({ id: 'M1', cash: { USD: START_CASH.M1 } }),
        makeAccount({
          id: 'C1',
          type: 'cash',
          allowShort: false,
          marginMultiplier: dec(1),
          cash: { USD: START_CASH.C1 },
        }),
      ],
    });
  }

  step(a: Action): void {
    this.ts += 1000;
    const mark = this.h.events.length;
    const icebergStep = a.kind === 'book';
    switch (a.kind) {
      case 'book':
        this.book(a);
        break;
      case 'submit':
        this.submit(a, mark);
        break;
      case 'cancel':
        this.cancel(a, mark);
        break;
      case 'replace':
        this.replace(a, mark);
        break;
      case 'tick':
        this.h.engine.tick(this.ts);
        break;
    }
    const fresh = this.h.events.slice(mark);
    const makerFills = this.absorb(fresh);
    this.checkOrders();
    this.checkConservation();
    this.checkUncrossed();
    this.checkNotOverfilled();
    if (icebergStep) this.checkIcebergs(makerFills);
    if (a.kind === 'tick' || a.kind === 'book')
      this.checkExpiries(a.kind === 'book' ? SYMBOLS[a.sym]?.symbol : undefined);
  }

  // ---------------------------------------------------------------- commands

  private book(a: BookAction): void {
    const s = SYMBOLS[a.sym]!;
    const bid = (this.bidTicks[a.sym] ?? s.startTicks) + a.move;
    const ask = bid + a.spread;
    this.bidTicks[a.sym] = bid;
    this.askTicks[a.sym] = ask;
    const previous = this.books.get(s.symbol);
    // Every level's size differs from the last book's at that price, so consumption is forgotten (§2.4).
    const level = (ticks: number, units: number, before: readonly BookLevel[] | undefined): BookLevel => {
      const price = TICK.times(ticks);
      let size = s.unit.times(units);
      if (before?.find((l) => l.price.equals(price))?.size?.equals(size) === true) size = size.plus(s.unit);
      return { price, size };
    };
    const bids = a.bids.map((n, i) => level(bid - i, n, previous?.bids));
    const asks = a.asks.map((n, i) => level(ask + i, n, previous?.asks));
    this.books.set(s.symbol, { bids, asks });
    this.takenSince.set(s.symbol, { buy: [], sell: [] });
    this.h.engine.onBook({ symbol: s.symbol, ts: this.ts, bids, asks });
  }

  private request(a: SubmitAction): SubmitRequest {
    const s = SYMBOLS[a.sym]!;
    const accountId: AccountId = a.cash ? 'C1' : 'M1';
    // The cash account sends only orders whose cost is known up front, so it can never overspend.
    const type: OrderType = a.cash && a.type !== 'limit' && a.type !== 'stop_limit' ? 'limit' : a.type;
    const tifs = ALLOWED_TIF[type] ?? ['day'];
    const timeInForce = tifs[a.tif % tifs.length] ?? 'day';
    const bid = this.bidTicks[a.sym] ?? s.startTicks;
    const ask = this.askTicks[a.sym] ?? s.startTicks + 1;
    // Reduce-only orders mostly go against the position, so that some of them are accepted.
    const position = this.positions.get(`${accountId}|${s.symbol}`) ?? ZERO;
    const side: Side = a.reduceOnly && !position.isZero() ? (position.isPositive() ? 'sell' : 'buy') : a.side;
    const buy = side === 'buy';
    const limitTicks = buy ? ask - 2 + a.offset : bid + 2 - a.offset;
    const stopTicks = buy ? ask + a.offset2 : bid - a.offset2;
    const stopLimitTicks = buy ? stopTicks + a.offset : stopTicks - a.offset;
    const quantity = s.unit.times(a.qty);
    return {
      accountId,
      clientOrderId: `o${++this.nextId}`,
      symbol: s.symbol,
      side,
      type,
      quantity,
      timeInForce,
      ...(type === 'limit' ? { limitPrice: TICK.times(limitTicks) } : {}),
      ...(type === 'stop' || type === 'stop_limit' ? { stopPrice: TICK.times(stopTicks) } : {}),
      ...(type === 'stop_limit' ? { limitPrice: TICK.times(stopLimitTicks) } : {}),
      ...(type === 'trailing_stop' ? { trailPrice: TICK.times(1 + Math.abs(a.offset)) } : {}),
      ...(timeInForce === 'gtd' ? { expireAt: this.ts + a.expireIn * 1000 } : {}),
      ...(a.postOnly && (type === 'limit' || type === 'stop_limit') ? { postOnly: true } : {}),
      ...(a.reduceOnly ? { reduceOnly: true } : {}),
      ...(type === 'limit' && a.display > 0 ? { displayQty: s.unit.times(Math.min(a.display, a.qty)) } : {}),
    };
  }

  private submit(a: SubmitAction, mark: number): void {
    const request = this.request(a);
    const before = this.fingerprint();
    try {
      this.h.engine.submit(request, this.ts);
    } catch (error) {
      if (!(error instanceof BrokerCallError)) throw error;
      check(this.h.events.length === mark, `a refused submit (${error.code}) emitted events`);
      check(this.fingerprint() === before, `a refused submit (${error.code}) changed the venue's state`);
      return;
    }
    this.submitted.push({ accountId: request.accountId as AccountId, id: request.clientOrderId });
  }

  private pick(n: number): { accountId: AccountId; id: string } | undefined {
    return this.submitted.length === 0 ? undefined : this.submitted[n % this.submitted.length];
  }

  private cancel(a: CancelAction, mark: number): void {
    const target = this.pick(a.pick);
    if (target === undefined) return;
    try {
      this.h.engine.cancel(target.accountId, target.id, this.ts);
    } catch (error) {
      if (!(error instanceof BrokerCallError)) throw error;
      this.checkRefusal(error, target, mark);
    }
  }

  private replace(a: ReplaceAction, mark: number): void {
    const target = this.pick(a.pick);
    if (target === undefined) return;
    const order = this.order(target.accountId, target.id);
    const s = SYMBOLS.find((x) => x.symbol === order.symbol)!;
    const index = SYMBOLS.indexOf(s);
    const bid = this.bidTicks[index] ?? s.startTicks;
    const ask = this.askTicks[index] ?? s.startTicks + 1;
    const limitTicks =
      a.offset === null ? undefined : order.side === 'buy' ? ask - 2 + a.offset : bid + 2 - a.offset;
    const changes: OrderChanges = {
      ...(a.qty !== null || limitTicks === undefined || order.limitPrice === undefined
        ? { quantity: s.unit.times(a.qty ?? 1) }
        : {}),
      ...(limitTicks !== undefined && order.limitPrice !== undefined
        ? { limitPrice: TICK.times(limitTicks) }
        : {}),
    };
    try {
      this.h.engine.replace(target.accountId, target.id, changes, this.ts);
    } catch (error) {
      if (!(error instanceof BrokerCallError)) throw error;
      this.checkRefusal(error, target, mark);
    }
  }

  private checkRefusal(
    error: BrokerCallError,
    target: { accountId: string; id: string },
    mark: number,
  ): void {
    const order = this.order(target.accountId, target.id);
    check(
      error.code === 'ORDER_NOT_OPEN' && isTerminal(order.status),
      `${target.id} (${order.status}) refused with ${error.code}`,
    );
    check(this.h.events.length === mark, `a refused request on ${target.id} emitted events`);
  }

  // ---------------------------------------------------------------- model

  /** Folds this step's events into the model; returns maker fill quantity per order. */
  private absorb(fresh: readonly RecordedEvent[]): Map<string, Decimal> {
    const maker = new Map<string, Decimal>();
    for (const e of fresh) {
      const key = `${e.accountId}|${e.clientOrderId}`;
      check(!this.closed.has(key), `${e.kind} for ${e.clientOrderId} after it was terminal`);
      if (!this.started.has(key)) {
        check(e.kind === 'ack' || e.kind === 'rej', `${e.clientOrderId}'s first event is ${e.kind}`);
        this.started.add(key);
      }
      if (e.kind === 'cxl' || e.kind === 'exp' || e.kind === 'rej') this.closed.add(key);
      if (e.kind !== 'fill') continue;
      const f = e.fill;
      const order = this.order(e.accountId, e.clientOrderId);
      const signed = f.side === 'buy' ? f.quantity : f.quantity.negated();
      const pk = `${e.accountId}|${f.symbol}`;
      const q0 = this.positions.get(pk) ?? ZERO;
      const q1 = q0.plus(signed);
      if (order.reduceOnly === true) {
        check(
          q1.abs().lessThanOrEqualTo(q0.abs()) && (q1.isZero() || q1.isNegative() === q0.isNegative()),
          `reduce-only ${f.clientOrderId} moved the position from ${q0.toFixed()} to ${q1.toFixed()}`,
        );
      }
      if (order.postOnly === true)
        check(f.liquidity === 'maker', `post-only ${f.clientOrderId} took liquidity`);
      check(f.price.mod(TICK).isZero() && f.quantity.greaterThan(ZERO), `fill ${f.fillId} is off the grid`);
      this.checkLimit(order, f.price, f.liquidity, f.fillId);
      add(this.filled, key, f.quantity);
      add(this.notional, key, f.quantity.times(f.price));
      this.positions.set(pk, q1);
      add(this.flows, pk, signed.times(f.price).negated());
      add(this.fees, pk, f.fee);
      add(this.cashFlow, e.accountId, signed.times(f.price).negated().minus(f.fee));
      const taken = this.takenSince.get(f.symbol);
      taken?.[f.side].push({ price: f.price, quantity: f.quantity });
      if (f.liquidity === 'maker') add(maker, key, f.quantity);
    }
    for (const o of this.h.engine.allOrders()) {
      if (isTerminal(o.status)) this.closed.add(`${o.accountId}|${o.clientOrderId}`);
    }
    return maker;
  }

  /** Limits are respected; a resting limit the market reaches fills at its limit (§2.4). */
  private checkLimit(order: Order, price: Decimal, liquidity: string, fillId: string): void {
    const limit = order.type === 'limit' || order.type === 'stop_limit' ? order.limitPrice : undefined;
    if (limit === undefined) return;
    const within = order.side === 'buy' ? price.lessThanOrEqualTo(limit) : price.greaterThanOrEqualTo(limit);
    check(within, `${fillId} at ${price.toFixed()} is beyond the ${order.side} limit ${limit.toFixed()}`);
    if (liquidity === 'maker')
      check(price.equals(limit), `maker ${fillId} at ${price.toFixed()}, not ${limit.toFixed()}`);
  }

  // ---------------------------------------------------------------- invariants

  private checkOrders(): void {
    for (const o of this.h.engine.allOrders()) {
      const key = `${o.accountId}|${o.clientOrderId}`;
      const filled = this.filled.get(key) ?? ZERO;
      const id = o.clientOrderId;
      check(
        o.filledQty.equals(filled),
        `${id}: filledQty ${o.filledQty.toFixed()} ≠ Σ fills ${filled.toFixed()}`,
      );
      check(
        o.filledQty.lessThanOrEqualTo(o.quantity),
        `${id}: filled ${o.filledQty.toFixed()} > ${o.quantity.toFixed()}`,
      );
      check(
        o.filledNotional.equals(this.notional.get(key) ?? ZERO),
        `${id}: filledNotional ≠ Σ quantity × price`,
      );
      const ok =
        o.status === 'partially_filled'
          ? filled.greaterThan(ZERO) && filled.lessThan(o.quantity)
          : o.status === 'filled'
            ? filled.equals(o.quantity)
            : o.status === 'new' || o.status === 'triggered' || o.status === 'rejected'
              ? filled.isZero()
              : true;
      check(ok, `${id}: status ${o.status} with ${filled.toFixed()} of ${o.quantity.toFixed()} filled`);
    }
  }

  private checkConservation(): void {
    const ledger = this.h.ledger;
    for (const accountId of ['M1', 'C1'] as const) {
      const moved = ledger.cash(accountId, 'USD').minus(START_CASH[accountId]);
      const expected = this.cashFlow.get(accountId) ?? ZERO;
      check(
        moved.equals(expected),
        `${accountId}: cash moved ${moved.toFixed()}, fills say ${expected.toFixed()}`,
      );
      for (const { symbol } of SYMBOLS) {
        const pk = `${accountId}|${symbol}`;
        const p = ledger.position(accountId, symbol);
        const q = this.positions.get(pk) ?? ZERO;
        check(
          p.quantity.equals(q),
          `${pk}: position ${p.quantity.toFixed()} ≠ Σ signed fills ${q.toFixed()}`,
        );
        check(p.fees.equals(this.fees.get(pk) ?? ZERO), `${pk}: position fees ≠ Σ fill fees`);
        // realized − a·q = −Σ signed quantity × price holds through opens, adds, reduces and flips (§6.2);
        // the average entry is a quotient, hence the tolerance.
        const gap = p.realizedPnl.minus(p.avgEntryPrice.times(p.quantity)).minus(this.flows.get(pk) ?? ZERO);
        check(
          gap.abs().lessThan(dec('1e-12')),
          `${pk}: realized P&L and average entry disagree with the fills by ${gap.toFixed()}`,
        );
        if (accountId === 'C1')
          check(!p.quantity.isNegative(), `cash account short ${p.quantity.toFixed()} ${symbol}`);
      }
      if (accountId === 'C1') check(!ledger.cash('C1', 'USD').isNegative(), 'cash account overspent');
    }
  }

  /**
   * No resting limit is marketable against what the market still offers. With consumption off the
   * strict form: against the data book. With it on, every level's size is fresh at each book, so
   * what is gone at or better than a limit is at most what this venue filled on that side since.
   */
  private checkUncrossed(): void {
    for (const o of this.h.engine.openOrders()) {
      const resting =
        (o.type === 'limit' && (o.status === 'new' || o.status === 'partially_filled')) ||
        (o.type === 'stop_limit' && (o.status === 'triggered' || o.status === 'partially_filled'));
      // A resting iceberg fills at most one slice per update (§3.3): it may stay marketable.
      if (!resting || o.limitPrice === undefined || o.displayQty !== undefined) continue;
      const shown = this.offered(o.symbol, o.side, o.limitPrice);
      if (shown === undefined) continue;
      // A maker with a better limit may have used these levels too, so count every fill on this side.
      const taken = this.filledWithin(o.symbol, o.side, undefined);
      const what = `${o.clientOrderId} ${o.side} ${o.status} ${o.filledQty.toFixed()}/${o.quantity.toFixed()} @ ${o.limitPrice.toFixed()}`;
      if (!this.v.consumption) check(false, `${what} rests marketable against ${shown.toFixed()} offered`);
      else
        check(
          shown.lessThanOrEqualTo(taken),
          `${what} rests while ${shown.minus(taken).toFixed()} is still offered`,
        );
    }
  }

  /**
   * With consumption on, the venue never fills more than the data offers (§2.4): every fill at price
   * X (a taker at its level, a maker at its limit) used liquidity at X or better, so for every level
   * X the fills at or better than X since the last book are at most the sizes shown at or better than X.
   */
  private checkNotOverfilled(): void {
    if (!this.v.consumption) return;
    for (const [symbol, book] of this.books) {
      for (const side of ['buy', 'sell'] as const) {
        for (const level of side === 'buy' ? book.asks : book.bids) {
          const shown = this.offered(symbol, side, level.price) ?? ZERO;
          const taken = this.filledWithin(symbol, side, level.price);
          check(
            taken.lessThanOrEqualTo(shown),
            `${symbol} ${side}s took ${taken.toFixed()} at or better than ${level.price.toFixed()}, where ${shown.toFixed()} was shown`,
          );
        }
      }
    }
  }

  /** Displayed size on the far side at or better than `limit` for a taker on `side`; undefined if none. */
  private offered(symbol: string, side: Side, limit: Decimal): Decimal | undefined {
    const book = this.books.get(symbol);
    const levels = (side === 'buy' ? book?.asks : book?.bids)?.filter((l) =>
      side === 'buy' ? l.price.lessThanOrEqualTo(limit) : l.price.greaterThanOrEqualTo(limit),
    );
    if (levels === undefined || levels.length === 0) return undefined;
    return levels.reduce((sum, l) => sum.plus(l.size ?? ZERO), ZERO);
  }

  /** What this venue filled on `side` at or better than `limit` (at any price without one) since the last book. */
  private filledWithin(symbol: string, side: Side, limit: Decimal | undefined): Decimal {
    const within = (price: Decimal): boolean =>
      limit === undefined ||
      (side === 'buy' ? price.lessThanOrEqualTo(limit) : price.greaterThanOrEqualTo(limit));
    const fills = this.takenSince.get(symbol)?.[side] ?? [];
    return fills.filter((f) => within(f.price)).reduce((sum, f) => sum.plus(f.quantity), ZERO);
  }

  /** With queue_position off a resting iceberg fills at most one displayed slice per update (§3.3). */
  private checkIcebergs(maker: Map<string, Decimal>): void {
    for (const [key, quantity] of maker) {
      const [accountId = '', id = ''] = key.split('|');
      const display = this.order(accountId, id).displayQty;
      if (display === undefined) continue;
      check(
        quantity.lessThanOrEqualTo(display),
        `iceberg ${id} filled ${quantity.toFixed()} > ${display.toFixed()} in one update`,
      );
    }
  }

  /** gtd orders are gone once a tick, or an update of their symbol, is stamped at or after expireAt (§3.2). */
  private checkExpiries(symbol: string | undefined): void {
    for (const o of this.h.engine.openOrders()) {
      if (o.timeInForce !== 'gtd' || o.expireAt === undefined || o.expireAt > this.ts) continue;
      check(
        symbol !== undefined && o.symbol !== symbol,
        `gtd ${o.clientOrderId} still ${o.status} after its expiry`,
      );
    }
  }

  private order(accountId: string, id: string): Order {
    const order = this.h.engine.order(accountId, id);
    if (order === undefined) throw new Error(`no order ${id}`);
    return order;
  }

  private fingerprint(): string {
    const ledger = this.h.ledger;
    return JSON.stringify({
      orders: this.h.engine.allOrders().length,
      open: this.h.engine.openOrders().length,
      cash: ['M1', 'C1'].map((a) => [ledger.cash(a, 'USD'), ledger.availableCash(a, 'USD')]),
      positions: ['M1', 'C1'].map((a) => ledger.positions(a)),
    });
  }
}

// ---------------------------------------------------------------- properties

const VARIANTS: readonly Variant[] = [
  {
    name: 'liquidity_consumption off, books deeper than any order',
    consumption: false,
    replaces: false,
    sizes: [600, 2000],
    maxQty: 500,
  },
  {
    name: 'liquidity_consumption on, shallow books',
    consumption: true,
    replaces: false,
    sizes: [1, 100],
    maxQty: 150,
  },
  {
    name: 'liquidity_consumption off, with replaces',
    consumption: false,
    replaces: true,
    sizes: [600, 2000],
    maxQty: 500,
  },
  {
    name: 'liquidity_consumption on, with replaces',
    consumption: true,
    replaces: true,
    sizes: [1, 100],
    maxQty: 150,
  },
];

describe('matching engine invariants over random order flows (margin and cash accounts, two symbols)', () => {
  for (const variant of VARIANTS) {
    it(`hold after every step: ${variant.name}`, () => {
      fc.assert(
        fc.property(flow(variant), (actions) => {
          const world = new World(variant);
          // Both symbols have data from the start (orders before any data: see the regression below).
          for (const sym of SYMBOLS.keys())
            world.step({
              kind: 'book',
              sym,
              move: 0,
              spread: 1,
              bids: [variant.sizes[1]],
              asks: [variant.sizes[1]],
            });
          for (const action of actions) world.step(action);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('regressions found by the properties', () => {
  it('a trailing stop accepted before any market data waits for the first update with a basis (§2.3)', () => {
    const h = makeEngine({ accounts: [makeAccount({ id: 'M1' })] });
    const receipt = h.engine.submit(
      {
        accountId: 'M1',
        clientOrderId: 't1',
        symbol: 'AAPL',
        side: 'sell',
        type: 'trailing_stop',
        quantity: dec(10),
        timeInForce: 'day',
        trailPrice: dec('1.00'),
      },
      START,
    );
    check(receipt.status === 'accepted', `receipt ${receipt.status}`);
    h.book('AAPL', [['100.00', '100']], [['100.10', '100']], START + 1000);
    const stop = h.engine.order('M1', 't1')?.currentStop?.toFixed();
    check(stop === '99', `current stop ${String(stop)}, expected 99 (bid 100.00 − 1.00)`);
  });
});
