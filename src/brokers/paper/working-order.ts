import { type Decimal, ZERO, dec } from '../../domain/decimal.js';
import type { Instrument } from '../../domain/instrument.js';
import type { Order } from '../../domain/order.js';
import type { ContingentClass, LegRole } from '../broker.js';
import type { TickTrail } from './trailing.js';

/** Where a working order waits. */
export type Waiting =
  | 'none'
  | 'resting' // a limit on the book (or a triggered stop_limit / limit_if_touched)
  | 'stop' // stop, stop_limit, active trailing stop: waiting for its trigger
  | 'touch' // market_if_touched / limit_if_touched
  | 'activation' // trailing stop waiting for its activation price
  | 'unpriced' // active trailing stop waiting for a first basis
  | 'remainder' // market order (or its remainder) that keeps working
  | 'auction' // opg / cls
  | 'held'; // a contingent leg its group holds: off the book, only its expiry is kept (§4)

/** A contingent leg's place in its group (§4), saved with the leg so that a restarted venue keeps the group. */
export interface GroupLink {
  readonly groupId: string;
  readonly orderClass: ContingentClass;
  readonly role: LegRole;
  /** Every leg's client order id, in the group's order (bracket entry, take-profit, stop-loss). */
  readonly legs: readonly string[];
  /** What the group asked of this leg; for OCO the group's quantity, kept current on replaces. */
  readonly quantity: Decimal;
}

/** The paper venue's mutable record of one order; `order` is its lifecycle view, folded from its events. */
export interface WorkingOrder {
  order: Order;
  readonly instrument: Instrument;
  /** Time priority: set on arrival and whenever the order loses priority (§5). */
  seq: number;
  fillCount: number;
  waiting: Waiting;
  /** The trailing stop is active (no activation price, or it was reached). */
  active: boolean;
  /** The trigger fired: a stop now works as a market order, a stop_limit as a limit. */
  fired: boolean;
  /** Iceberg: what is left of the displayed slice. */
  displayLeft?: Decimal;
  expireAt: number | undefined;
  /** The session open (opg) or close (cls) at which an auction order executes. */
  auctionAt?: number;
  /** Cash held back for a buy on a cash account, per unit of leaves. */
  reservePrice: Decimal;
  reservedCash: Decimal;
  reservedQty: Decimal;
  /** queue_position: displayed size ahead of this order at its price, and the priority it was taken at. */
  queueAhead: Decimal | undefined;
  queueSeq: number | undefined;
  /** Trailing stops: the offset and the current stop in integer ticks, where exact. */
  trail: TickTrail | undefined;
  stopTicks: number | undefined;
  /** Arrival evaluated on the next bar (bar data: §2.5). */
  nextBar: boolean;
  /** Its contingent group, if it belongs to one. */
  group: GroupLink | undefined;
}

export function newWorking(order: Order, instrument: Instrument, seq: number): WorkingOrder {
  return {
    order,
    instrument,
    seq,
    fillCount: 0,
    waiting: 'none',
    active: order.type !== 'trailing_stop' || order.activationPrice === undefined,
    fired: false,
    reservePrice: ZERO,
    reservedCash: ZERO,
    reservedQty: ZERO,
    nextBar: false,
    expireAt: undefined,
    trail: undefined,
    stopTicks: undefined,
    queueAhead: undefined,
    queueSeq: undefined,
    group: undefined,
  };
}

/** The price an order works at once live: its limit, or none (market-style). */
export function workingLimit(w: WorkingOrder): Decimal | undefined {
  const { type, limitPrice } = w.order;
  if (type === 'limit') return limitPrice;
  if ((type === 'stop_limit' || type === 'limit_if_touched') && w.fired) return limitPrice;
  return undefined;
}

/** A working order as it is saved: the order and the fields the indexes need to take it back. */
export interface WorkingSnapshot {
  readonly order: Order;
  readonly seq: number;
  readonly fillCount: number;
  readonly waiting: Waiting;
  readonly active: boolean;
  readonly fired: boolean;
  readonly displayLeft?: Decimal;
  readonly expireAt?: number;
  readonly auctionAt?: number;
  readonly reservePrice: Decimal;
  readonly reservedCash: Decimal;
  readonly reservedQty: Decimal;
  readonly nextBar: boolean;
  readonly group?: GroupLink;
}

export function snapshotOf(w: WorkingOrder): WorkingSnapshot {
  return {
    order: w.order,
    seq: w.seq,
    fillCount: w.fillCount,
    waiting: w.waiting,
    active: w.active,
    fired: w.fired,
    ...(w.displayLeft === undefined ? {} : { displayLeft: w.displayLeft }),
    ...(w.expireAt === undefined ? {} : { expireAt: w.expireAt }),
    ...(w.auctionAt === undefined ? {} : { auctionAt: w.auctionAt }),
    reservePrice: w.reservePrice,
    reservedCash: w.reservedCash,
    reservedQty: w.reservedQty,
    nextBar: w.nextBar,
    ...(w.group === undefined ? {} : { group: w.group }),
  };
}

/** Rebuilds a working order from its snapshot (trailing ticks and queue state are recomputed). */
export function workingFrom(snapshot: WorkingSnapshot, instrument: Instrument): WorkingOrder {
  const w = newWorking(snapshot.order, instrument, snapshot.seq);
  w.fillCount = snapshot.fillCount;
  w.active = snapshot.active;
  w.fired = snapshot.fired;
  if (snapshot.displayLeft !== undefined) w.displayLeft = snapshot.displayLeft;
  w.expireAt = snapshot.expireAt;
  if (snapshot.auctionAt !== undefined) w.auctionAt = snapshot.auctionAt;
  w.reservePrice = snapshot.reservePrice;
  w.reservedCash = snapshot.reservedCash;
  w.reservedQty = snapshot.reservedQty;
  w.nextBar = snapshot.nextBar;
  // A store may hand decimals back as text (jsonb); the link's quantity is read back exactly.
  if (snapshot.group !== undefined) w.group = { ...snapshot.group, quantity: dec(snapshot.group.quantity) };
  return w;
}
