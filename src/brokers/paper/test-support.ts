/**
 * Builders for paper-venue tests: a matching engine over a real PaperLedger with every order type
 * and time in force enabled, an event recorder, and short helpers that feed it books, trades and
 * bars; shared order specs for the order-type tests and a per-order harness (account M1, described
 * event logs) for the time-in-force and instruction tests. In-process and deterministic (STYLE.md
 * habit 9). Not imported by production code.
 */
import { DateTime } from 'luxon';
import type { Account } from '../../domain/account.js';
import { type DecimalInput, dec } from '../../domain/decimal.js';
import type { Fill, OrderEvent, OrderEventKind } from '../../domain/events.js';
import type { AssetClass, Instrument } from '../../domain/instrument.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import {
  ORDER_TYPES,
  type Order,
  type OrderSpec,
  type OrderType,
  type Side,
  TIME_IN_FORCE,
} from '../../domain/order.js';
import { makeAccount as makeDomainAccount } from '../../domain/test-support.js';
import type { BookLevel, BookSnapshot } from '../../marketdata/types.js';
import type {
  ContingentClass,
  GroupLeg,
  SubmitReceipt,
  SubmitRequest,
  VenueCapabilities,
} from '../broker.js';
import { MatchingEngine } from './matching-engine.js';
import { type PaperOptionsInput, resolvePaperOptions } from './options.js';
import { PaperLedger } from './paper-ledger.js';

/** Thursday 2026-03-05 15:00Z = 10:00 New York: a regular US equity session (crypto trades always). */
export const T_OPEN = Date.UTC(2026, 2, 5, 15, 0);
/** The default account's id. */
export const ACCOUNT = 'A1';
/** The default venue name: venue order ids are `paper-1`, `paper-2`, ... */
export const VENUE = 'paper';

/** An order event as the engine emitted it, with the account it was emitted for. */
export type RecordedEvent = OrderEvent & { readonly accountId: string };

/** A book level: `[price, size]`, or `[price]` for a level without size (unlimited, §2.5). */
export type LevelInput = readonly [DecimalInput, DecimalInput?];

export interface BookExtra {
  readonly last?: DecimalInput;
  readonly lastSize?: DecimalInput;
  readonly discontinuity?: boolean;
}

export interface EngineOptions {
  /** Paper options (§10, snake_case) for every instrument, or per instrument. Defaults: the doc's. */
  readonly options?: PaperOptionsInput | ((instrument: Instrument) => PaperOptionsInput);
  /** Defaults to one margin account `A1` with 1,000,000 USD and USDT, shorting allowed. */
  readonly accounts?: readonly Account[];
  /** Asset classes the venue trades. Defaults to us_equity, crypto and forex. */
  readonly assetClasses?: readonly AssetClass[];
  readonly venue?: string;
  /** Contingent classes the venue runs natively. Defaults to all three. */
  readonly nativeContingent?: readonly ContingentClass[];
}

export interface EngineHarness {
  readonly engine: MatchingEngine;
  readonly ledger: PaperLedger;
  readonly instruments: InstrumentRegistry;
  /** Every event emitted so far, in order. */
  readonly events: RecordedEvent[];
  /** Feeds an L2 book (or an L1 quote: one level per side) to the engine. */
  book(
    symbol: string,
    bids: readonly LevelInput[],
    asks: readonly LevelInput[],
    ts: number,
    extra?: BookExtra,
  ): void;
  /** Feeds a trade print. */
  trade(symbol: string, price: DecimalInput, ts: number, size?: DecimalInput): void;
  /** Feeds a bar (`ts` is its open time). */
  bar(
    symbol: string,
    ohlc: readonly [DecimalInput, DecimalInput, DecimalInput, DecimalInput],
    ts: number,
  ): void;
  /** Submits with account A1 filled in unless given. */
  submit(
    request: Omit<SubmitRequest, 'accountId'> & { readonly accountId?: string },
    now: number,
  ): SubmitReceipt;
  /** Submits a contingent group for account A1 (each leg's account filled in unless given). */
  submitGroup(orderClass: ContingentClass, legs: readonly GroupLegInput[], now: number): SubmitReceipt[];
}

/** A group leg; its account defaults to the group's. */
export type GroupLegInput = Omit<GroupLeg, 'accountId'> & { readonly accountId?: string };

/** The domain's margin account (shorting allowed) as A1 with 1,000,000 USD and USDT; override anything. */
export function makeAccount(overrides: Partial<Account> = {}): Account {
  return makeDomainAccount({
    id: ACCOUNT,
    venue: VENUE,
    cash: { USD: dec(1_000_000), USDT: dec(1_000_000) },
    ...overrides,
  });
}

export function capabilitiesFor(
  assetClasses: readonly AssetClass[],
  nativeContingent: readonly ContingentClass[] = ['bracket', 'oco', 'oto'],
): VenueCapabilities {
  return {
    assetClasses,
    orderTypes: ORDER_TYPES,
    timeInForce: TIME_IN_FORCE,
    fractional: true,
    shorting: true,
    postOnly: true,
    reduceOnly: true,
    displayQuantity: true,
    extendedHours: true,
    replace: true,
    nativeContingent,
    fees: { makerBps: dec(0), takerBps: dec(0) },
  };
}

export function makeEngine(config: EngineOptions = {}): EngineHarness {
  const instruments = new InstrumentRegistry();
  const ledger = new PaperLedger(config.accounts ?? [makeAccount()]);
  const events: RecordedEvent[] = [];
  const optionsInput = config.options;
  const engine = new MatchingEngine({
    venue: config.venue ?? VENUE,
    instruments,
    ledger,
    capabilities: capabilitiesFor(
      config.assetClasses ?? ['us_equity', 'crypto', 'forex'],
      config.nativeContingent,
    ),
    optionsFor: (instrument) =>
      resolvePaperOptions(
        instrument.assetClass,
        typeof optionsInput === 'function' ? optionsInput(instrument) : (optionsInput ?? {}),
      ),
    emit: (accountId, event) => events.push({ ...event, accountId }),
  });
  return {
    engine,
    ledger,
    instruments,
    events,
    book: (symbol, bids, asks, ts, extra = {}) => {
      engine.onBook(bookSnapshot(symbol, bids, asks, ts, extra));
    },
    trade: (symbol, price, ts, size = 1) => {
      engine.onTrade({ symbol, ts, price: dec(price), size: dec(size) });
    },
    bar: (symbol, [open, high, low, close], ts) => {
      engine.onBar({
        symbol,
        ts,
        open: dec(open),
        high: dec(high),
        low: dec(low),
        close: dec(close),
        volume: dec(0),
      });
    },
    submit: (request, now) => engine.submit({ accountId: ACCOUNT, ...request }, now),
    submitGroup: (orderClass, legs, now) =>
      engine.submitGroup(
        {
          orderClass,
          accountId: legs[0]?.accountId ?? ACCOUNT,
          legs: legs.map((leg) => ({ accountId: ACCOUNT, ...leg })),
        },
        now,
      ),
  };
}

export function bookSnapshot(
  symbol: string,
  bids: readonly LevelInput[],
  asks: readonly LevelInput[],
  ts: number,
  extra: BookExtra = {},
): BookSnapshot {
  return {
    symbol,
    ts,
    bids: bids.map(level),
    asks: asks.map(level),
    ...(extra.last === undefined ? {} : { last: dec(extra.last) }),
    ...(extra.lastSize === undefined ? {} : { lastSize: dec(extra.lastSize) }),
    ...(extra.discontinuity === undefined ? {} : { discontinuity: extra.discontinuity }),
  };
}

function level([price, size]: LevelInput): BookLevel {
  return size === undefined ? { price: dec(price) } : { price: dec(price), size: dec(size) };
}

/** The events of one order (or all), in order. */
export function eventsOf(events: readonly RecordedEvent[], clientOrderId?: string): RecordedEvent[] {
  return clientOrderId === undefined ? [...events] : events.filter((e) => e.clientOrderId === clientOrderId);
}

/** Event kinds of one order (or all), in order: `['ack', 'fill', 'cxl']`. */
export function kindsOf(events: readonly RecordedEvent[], clientOrderId?: string): OrderEventKind[] {
  return eventsOf(events, clientOrderId).map((e) => e.kind);
}

/** The fills of one order (or all), in order. */
export function fillsOf(events: readonly RecordedEvent[], clientOrderId?: string): Fill[] {
  const out: Fill[] = [];
  for (const e of eventsOf(events, clientOrderId)) if (e.kind === 'fill') out.push(e.fill);
  return out;
}

/** Fills as `quantity@price` strings (exact decimals), for compact assertions. */
export function fillSummary(events: readonly RecordedEvent[], clientOrderId?: string): string[] {
  return fillsOf(events, clientOrderId).map((f) => `${f.quantity.toFixed()}@${f.price.toFixed()}`);
}

// ---------------------------------------------------------------- order-type tests: AAPL day orders

/** `seconds` after T_OPEN. */
export const at = (seconds: number): number => T_OPEN + seconds * 1000;

/** What an order spec may add to, or override in, `spec`. */
export type SpecExtra = Partial<Omit<OrderSpec, 'side' | 'type' | 'quantity'>>;

/** An AAPL day order; `extra` adds to it or overrides the symbol and time in force. */
export function spec(
  clientOrderId: string,
  side: Side,
  type: OrderType,
  quantity: DecimalInput,
  extra: SpecExtra = {},
) {
  return {
    clientOrderId,
    symbol: 'AAPL',
    side,
    type,
    quantity: dec(quantity),
    timeInForce: 'day' as const,
    ...extra,
  };
}

/** The status of an order of account A1; undefined when the engine does not know it. */
export function statusOf(h: EngineHarness, id: string): string | undefined {
  return h.engine.order(ACCOUNT, id)?.status;
}

// ---------------------------------------------------------------- per-order harness: account M1

/** A book level as `[price, size]` strings. */
export type SizedLevel = readonly [price: string, size: string];

/** A submit request; account M1, AAPL and day unless given. */
export type OrderRequest = Omit<SubmitRequest, 'accountId' | 'symbol' | 'timeInForce'> &
  Partial<Pick<SubmitRequest, 'accountId' | 'symbol' | 'timeInForce'>>;

/** Describes an event compactly: `fill 10@100.05 taker`, `rej MARKET_CLOSED`, `upd quantity=6`. */
export function describeEvent(e: OrderEvent): string {
  switch (e.kind) {
    case 'fill':
      return `fill ${e.fill.quantity.toFixed()}@${e.fill.price.toFixed()} ${e.fill.liquidity}`;
    case 'rej':
    case 'rpl_rej':
    case 'cxl_rej':
      return `${e.kind} ${e.code}`;
    case 'upd':
      return `upd ${Object.entries(e.changes)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',')}`;
    default:
      return e.kind;
  }
}

/**
 * A thin layer over makeEngine: margin account M1 with 100,000 USD, shorting allowed, unless
 * accounts are given; books and requests default to AAPL, requests to account M1 and day.
 */
export function harness(options: PaperOptionsInput = {}, accounts?: Account[]) {
  const h = makeEngine({
    options,
    accounts: accounts ?? [makeAccount({ id: 'M1', cash: { USD: dec(100_000) } })],
  });
  return {
    engine: h.engine,
    ledger: h.ledger,
    events: h.events,
    book(ts: number, bids: readonly SizedLevel[], asks: readonly SizedLevel[], symbol = 'AAPL'): void {
      h.book(symbol, bids, asks, ts);
    },
    submit(request: OrderRequest, now: number): SubmitReceipt {
      return h.submit({ accountId: 'M1', symbol: 'AAPL', timeInForce: 'day', ...request }, now);
    },
    /** The events of one order, described; a venue-side `rpl_req` (§1.3) is not required, so not shown. */
    log(clientOrderId: string): string[] {
      return h.events
        .filter((e) => e.clientOrderId === clientOrderId && e.kind !== 'rpl_req')
        .map(describeEvent);
    },
    order(clientOrderId: string, accountId = 'M1'): Order {
      const o = h.engine.order(accountId, clientOrderId);
      if (o === undefined) throw new Error(`no order ${clientOrderId}`);
      return o;
    },
    position(symbol = 'AAPL', accountId = 'M1'): string {
      return h.ledger.position(accountId, symbol).quantity.toFixed();
    },
    cash(accountId = 'M1'): string {
      return h.ledger.cash(accountId, 'USD').toFixed();
    },
  };
}

export const limit = (
  clientOrderId: string,
  side: 'buy' | 'sell',
  quantity: string,
  price: string,
): OrderRequest => ({
  clientOrderId,
  side,
  type: 'limit',
  quantity: dec(quantity),
  limitPrice: dec(price),
});

export const market = (clientOrderId: string, side: 'buy' | 'sell', quantity: string): OrderRequest => ({
  clientOrderId,
  side,
  type: 'market',
  quantity: dec(quantity),
});

/** New York wall-clock time to epoch ms (luxon handles DST). */
export const ny = (iso: string): number => DateTime.fromISO(iso, { zone: 'America/New_York' }).toMillis();
