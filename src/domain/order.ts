import type { Decimal } from './decimal.js';
import { ZERO } from './decimal.js';

export const SIDES = ['buy', 'sell'] as const;
export type Side = (typeof SIDES)[number];

export const ORDER_TYPES = [
  'market',
  'limit',
  'stop',
  'stop_limit',
  'trailing_stop',
  'market_if_touched',
  'limit_if_touched',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIME_IN_FORCE = ['day', 'gtc', 'gtd', 'ioc', 'fok', 'opg', 'cls'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

export const ORDER_STATUSES = [
  'pending_new',
  'new',
  'triggered',
  'partially_filled',
  'pending_cancel',
  'pending_replace',
  'filled',
  'canceled',
  'expired',
  'rejected',
  'denied',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'filled',
  'canceled',
  'expired',
  'rejected',
  'denied',
]);
export const IN_FLIGHT_STATUSES: ReadonlySet<OrderStatus> = new Set([
  'pending_new',
  'pending_cancel',
  'pending_replace',
]);

export type LiquiditySide = 'maker' | 'taker';

/** What an order asks for: everything a caller chooses, nothing the lifecycle decides. */
export interface OrderSpec {
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly timeInForce: TimeInForce;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  /** market_if_touched / limit_if_touched trigger. */
  readonly triggerPrice?: Decimal;
  readonly trailPrice?: Decimal;
  readonly trailPercent?: Decimal;
  readonly activationPrice?: Decimal;
  /** gtd expiry, epoch milliseconds. */
  readonly expireAt?: number;
  readonly extendedHours?: boolean;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  readonly displayQty?: Decimal;
}

export interface OrderReject {
  readonly code: string;
  readonly message: string;
}

/** An order as the engine and the venues know it. Immutable: every change makes a new object. */
export interface Order extends OrderSpec {
  readonly id: string;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly venue: string;
  readonly status: OrderStatus;
  /** Saved on entering pending_cancel/pending_replace (ORDER-SEMANTICS.md §1.2). */
  readonly priorStatus?: OrderStatus;
  readonly filledQty: Decimal;
  /** Σ quantity × price over counted fills, kept exact so that the average never drifts. */
  readonly filledNotional: Decimal;
  /** filledNotional / filledQty, once anything filled. */
  readonly avgFillPrice?: Decimal;
  /** Fill quantity beyond `quantity` (§1.3 note 7). */
  readonly overfillQty: Decimal;
  /** Every venue order id this order has had, newest last (a replace may change it). */
  readonly venueOrderIds: readonly string[];
  /** The current trailing stop, once computed (§2.3). */
  readonly currentStop?: Decimal;
  readonly held: boolean;
  readonly emulated: boolean;
  /** The status was inferred by reconciliation, not reported by the venue (§8.2). */
  readonly inferred: boolean;
  readonly external: boolean;
  readonly reject?: OrderReject;
  readonly parentId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export function isOpen(status: OrderStatus): boolean {
  return !TERMINAL_STATUSES.has(status);
}

export function leavesQty(order: Pick<Order, 'status' | 'quantity' | 'filledQty'>): Decimal {
  if (isTerminal(order.status)) return ZERO;
  const leaves = order.quantity.minus(order.filledQty);
  return leaves.isNegative() ? ZERO : leaves;
}

/** Types that wait for a trigger before they work. */
export function hasTrigger(type: OrderType): boolean {
  return type !== 'market' && type !== 'limit';
}

/** Only these enter `triggered` (§1.1); the other triggered types go from new straight to fills. */
export function usesTriggeredStatus(type: OrderType): boolean {
  return type === 'stop_limit' || type === 'limit_if_touched';
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The order parameters of anything that carries them (a request, an order, a venue's order), copied
 * field by field: a fixed object shape keeps later copies cheap, and nothing else leaks in.
 */
export function orderSpecOf(r: OrderSpec): OrderSpec {
  const spec: Mutable<OrderSpec> = {
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: r.quantity,
    timeInForce: r.timeInForce,
  };
  copyOptionalSpec(r, spec);
  return spec;
}

/** The spec's optional parameters that are set, copied onto `to`. */
function copyOptionalSpec(r: OrderSpec, to: Mutable<OrderSpec>): void {
  if (r.limitPrice !== undefined) to.limitPrice = r.limitPrice;
  if (r.stopPrice !== undefined) to.stopPrice = r.stopPrice;
  if (r.triggerPrice !== undefined) to.triggerPrice = r.triggerPrice;
  if (r.trailPrice !== undefined) to.trailPrice = r.trailPrice;
  if (r.trailPercent !== undefined) to.trailPercent = r.trailPercent;
  if (r.activationPrice !== undefined) to.activationPrice = r.activationPrice;
  if (r.expireAt !== undefined) to.expireAt = r.expireAt;
  if (r.extendedHours !== undefined) to.extendedHours = r.extendedHours;
  if (r.postOnly !== undefined) to.postOnly = r.postOnly;
  if (r.reduceOnly !== undefined) to.reduceOnly = r.reduceOnly;
  if (r.displayQty !== undefined) to.displayQty = r.displayQty;
}

/** What a new order holds besides its spec. */
export interface NewOrderFields {
  readonly id: string;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly venue: string;
  readonly venueOrderIds: readonly string[];
  readonly held: boolean;
  readonly createdAt: number;
  readonly parentId?: string;
}

/**
 * A new order, pending_new with nothing filled: one literal with every required field, the set
 * optional ones added after. Built field by field rather than by spreading the spec: that keeps one
 * hidden class per shape and the fields inside the object (see `extend` in objects.ts).
 */
export function createOrder(spec: OrderSpec, f: NewOrderFields): Order {
  const order: Mutable<Order> = {
    id: f.id,
    clientOrderId: f.clientOrderId,
    accountId: f.accountId,
    venue: f.venue,
    symbol: spec.symbol,
    side: spec.side,
    type: spec.type,
    quantity: spec.quantity,
    timeInForce: spec.timeInForce,
    status: 'pending_new',
    filledQty: ZERO,
    filledNotional: ZERO,
    overfillQty: ZERO,
    venueOrderIds: f.venueOrderIds,
    held: f.held,
    emulated: false,
    inferred: false,
    external: false,
    createdAt: f.createdAt,
    updatedAt: f.createdAt,
  };
  copyOptionalSpec(spec, order);
  if (f.parentId !== undefined) order.parentId = f.parentId;
  return order;
}
