/**
 * Alpaca orders, executions and trade updates into the domain's VenueOrder, Fill and OrderEvent
 * (ORDER-SEMANTICS.md §1.4, §6.1). Pure: the caller resolves which of our client order ids an
 * Alpaca order stands for (revisions and contingent legs, see client-ids.ts and order-ids.ts).
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Fill, OrderChanges, OrderEvent } from '../../domain/events.js';
import type { LiquiditySide, OrderStatus, OrderType, TimeInForce } from '../../domain/order.js';
import type { VenueOrder } from '../broker.js';
import { revisionOf } from './client-ids.js';
import {
  decimalOf,
  optionalDecimalOf,
  optionalTimeOf,
  ourSymbol,
  quoteCurrencyOf,
  sideOf,
  timeOf,
} from './values.js';
import type { AlpacaFillActivity, AlpacaOrder, AlpacaTradeUpdate } from './wire.js';

/** Where a mapped value belongs: the venue, the account and our client order id for the Alpaca order. */
export interface OrderRef {
  readonly venue: string;
  readonly accountId: string;
  readonly clientOrderId: string;
}

const ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
const TIME_IN_FORCE: readonly TimeInForce[] = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'];

export function orderTypeOf(order: Pick<AlpacaOrder, 'type' | 'order_type'>): OrderType {
  const type = ORDER_TYPES.find((t) => t === (order.type || order.order_type));
  if (type === undefined) throw new Error(`Alpaca sent an unknown order type: ${order.type}.`);
  return type;
}

export function timeInForceOf(value: string): TimeInForce {
  const tif = TIME_IN_FORCE.find((t) => t === value);
  if (tif === undefined) throw new Error(`Alpaca sent an unknown time in force: ${value}.`);
  return tif;
}

/**
 * Alpaca's order status as ours (§1.4). `pending_cancel`, `pending_replace` and `replaced` keep the
 * working status: the pending request is the engine's to track, and a replaced order lives on in
 * its successor (getOrder follows `replaced_by`). `done_for_day`, `stopped` and `suspended` change
 * nothing either; `calculated` is filled once the whole quantity is. Unknown statuses also keep the
 * working status rather than failing a reconciliation pass.
 */
export function orderStatusOf(order: Pick<AlpacaOrder, 'status' | 'qty' | 'filled_qty'>): OrderStatus {
  const filled = decimalOf(order.filled_qty, 'filled_qty');
  const working: OrderStatus = filled.gt(0) ? 'partially_filled' : 'new';
  switch (order.status) {
    case 'pending_new':
      return 'pending_new';
    case 'new':
    case 'accepted':
    case 'accepted_for_bidding':
    case 'held':
      return 'new';
    case 'partially_filled':
    case 'filled':
    case 'canceled':
    case 'expired':
    case 'rejected':
      return order.status;
    case 'calculated': {
      const quantity = optionalDecimalOf(order.qty, 'qty');
      return quantity !== undefined && filled.gte(quantity) ? 'filled' : working;
    }
    default:
      return working;
  }
}

/**
 * The stop a trailing stop works at now. Alpaca reports it as `stop_price` once it has a high-water
 * mark; otherwise it is derived from `hwm` and the trail (sell: below the mark, buy: above).
 */
export function currentStopOf(order: AlpacaOrder): Decimal | undefined {
  const stop = optionalDecimalOf(order.stop_price, 'stop_price');
  if (stop !== undefined) return stop;
  const hwm = optionalDecimalOf(order.hwm, 'hwm');
  if (hwm === undefined) return undefined;
  const trailPrice = optionalDecimalOf(order.trail_price, 'trail_price');
  const trailPercent = optionalDecimalOf(order.trail_percent, 'trail_percent');
  const offset = trailPrice ?? (trailPercent === undefined ? undefined : hwm.times(trailPercent).div(100));
  if (offset === undefined) return undefined;
  return sideOf(order.side) === 'sell' ? hwm.minus(offset) : hwm.plus(offset);
}

/**
 * One Alpaca order as the venue's view of our order. A notional order (none of ours: external ones
 * only) has no `qty`; its quantity is what filled so far.
 */
export function toVenueOrder(order: AlpacaOrder, ref: OrderRef): VenueOrder {
  const type = orderTypeOf(order);
  const filledQty = decimalOf(order.filled_qty, 'filled_qty');
  const createdAt = timeOf(order.created_at, 'created_at');
  const mapped: { -readonly [K in keyof VenueOrder]: VenueOrder[K] } = {
    venue: ref.venue,
    accountId: ref.accountId,
    clientOrderId: ref.clientOrderId,
    venueOrderId: order.id,
    symbol: ourSymbol(order.symbol, order.asset_class),
    side: sideOf(order.side),
    type,
    quantity: optionalDecimalOf(order.qty, 'qty') ?? filledQty,
    timeInForce: timeInForceOf(order.time_in_force),
    status: orderStatusOf(order),
    filledQty,
    createdAt,
    updatedAt: optionalTimeOf(order.updated_at, 'updated_at') ?? createdAt,
  };
  Object.assign(mapped, priceFields(order, type));
  const avg = optionalDecimalOf(order.filled_avg_price, 'filled_avg_price');
  if (avg !== undefined && filledQty.gt(0)) mapped.avgFillPrice = avg;
  if (order.extended_hours === true) mapped.extendedHours = true;
  if (order.status === 'held') mapped.held = true;
  return mapped;
}

/** The price parameters of an order; a trailing stop's stop_price is its current stop, not a parameter. */
function priceFields(order: AlpacaOrder, type: OrderType): Partial<VenueOrder> {
  const fields: { -readonly [K in keyof VenueOrder]?: VenueOrder[K] } = {};
  const limit = optionalDecimalOf(order.limit_price, 'limit_price');
  if (limit !== undefined) fields.limitPrice = limit;
  if (type === 'trailing_stop') {
    const trailPrice = optionalDecimalOf(order.trail_price, 'trail_price');
    const trailPercent = optionalDecimalOf(order.trail_percent, 'trail_percent');
    const currentStop = currentStopOf(order);
    if (trailPrice !== undefined) fields.trailPrice = trailPrice;
    if (trailPercent !== undefined) fields.trailPercent = trailPercent;
    if (currentStop !== undefined) fields.currentStop = currentStop;
  } else {
    const stop = optionalDecimalOf(order.stop_price, 'stop_price');
    if (stop !== undefined) fields.stopPrice = stop;
  }
  return fields;
}

/** The replaceable parameters an order has now (§5): what a confirmed replace reports as its changes. */
export function changesOf(order: AlpacaOrder): OrderChanges {
  const spec = toVenueOrder(order, { venue: '', accountId: '', clientOrderId: '' });
  const changes: { -readonly [K in keyof OrderChanges]: OrderChanges[K] } = {
    quantity: spec.quantity,
    timeInForce: spec.timeInForce,
  };
  if (spec.limitPrice !== undefined) changes.limitPrice = spec.limitPrice;
  if (spec.stopPrice !== undefined) changes.stopPrice = spec.stopPrice;
  if (spec.trailPrice !== undefined) changes.trailPrice = spec.trailPrice;
  if (spec.trailPercent !== undefined) changes.trailPercent = spec.trailPercent;
  return changes;
}

/**
 * One id per execution that the stream and the activities endpoint agree on (§6.1): the Alpaca
 * order id and the order's cumulative filled quantity after the fill (`order.filled_qty` on the
 * stream, `cum_qty` in activities), normalised so that "1.0" and "1" match.
 */
export function fillIdOf(alpacaOrderId: string, cumulativeQty: Decimal): string {
  return `${alpacaOrderId}:${cumulativeQty.toFixed()}`;
}

/** A limit filled this long after submission rested on the book first. */
export const RESTED_AFTER_MS = 1000;

/**
 * Alpaca does not say which side of the trade an execution was. Market and triggered orders take;
 * a limit order is counted a maker when it filled at least RESTED_AFTER_MS after it was submitted
 * (it rested), a taker when it filled on arrival. Fees are zero either way (see fillOf).
 */
export function liquidityOf(type: OrderType, submittedAt: number | undefined, fillTs: number): LiquiditySide {
  const rested = submittedAt !== undefined && fillTs - submittedAt >= RESTED_AFTER_MS;
  return type === 'limit' && rested ? 'maker' : 'taker';
}

interface Execution {
  readonly alpacaOrderId: string;
  readonly symbol: string;
  readonly side: string;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly cumulativeQty: Decimal;
  readonly ts: number;
  readonly liquidity: LiquiditySide;
}

/**
 * A Fill. Equities trade commission-free at Alpaca. Crypto fills are charged a fee, but neither the
 * trade update nor the FILL activity carries it (it is booked separately, in the asset received),
 * so it is recorded as 0 here and the venue declares maker/taker 0 bps.
 */
function fillOf(execution: Execution, ref: OrderRef): Fill {
  return {
    fillId: fillIdOf(execution.alpacaOrderId, execution.cumulativeQty),
    clientOrderId: ref.clientOrderId,
    venueOrderId: execution.alpacaOrderId,
    venue: ref.venue,
    accountId: ref.accountId,
    symbol: execution.symbol,
    side: sideOf(execution.side),
    quantity: execution.quantity,
    price: execution.price,
    liquidity: execution.liquidity,
    fee: ZERO,
    feeCurrency: quoteCurrencyOf(execution.symbol),
    ts: execution.ts,
  };
}

/** The fill a `fill` or `partial_fill` trade update reports. */
export function fillOfTradeUpdate(update: AlpacaTradeUpdate, ref: OrderRef): Fill {
  const { order } = update;
  const ts = timeOf(update.timestamp ?? order.filled_at ?? order.created_at, 'timestamp');
  const quantity = update.qty ?? undefined;
  const price = update.price ?? undefined;
  if (quantity === undefined || price === undefined)
    throw new Error('Alpaca sent a fill without qty or price.');
  return fillOf(
    {
      alpacaOrderId: order.id,
      symbol: ourSymbol(order.symbol, order.asset_class),
      side: order.side,
      quantity: decimalOf(quantity, 'qty'),
      price: decimalOf(price, 'price'),
      cumulativeQty: decimalOf(order.filled_qty, 'filled_qty'),
      ts,
      liquidity: liquidityOf(orderTypeOf(order), optionalTimeOf(order.submitted_at, 'submitted_at'), ts),
    },
    ref,
  );
}

/** What the fill activities need from the order they belong to (looked up by `order_id`). */
export interface ActivityOrder {
  readonly type: OrderType;
  readonly submittedAt?: number;
  readonly assetClass?: string | null;
}

/** The fill a FILL account activity reports; the same fill id as on the stream. */
export function fillOfActivity(activity: AlpacaFillActivity, order: ActivityOrder, ref: OrderRef): Fill {
  const ts = timeOf(activity.transaction_time, 'transaction_time');
  return fillOf(
    {
      alpacaOrderId: activity.order_id,
      symbol: ourSymbol(
        activity.symbol,
        order.assetClass ?? (activity.symbol.includes('/') ? 'crypto' : null),
      ),
      side: activity.side,
      quantity: decimalOf(activity.qty, 'qty'),
      price: decimalOf(activity.price, 'price'),
      cumulativeQty: decimalOf(activity.cum_qty, 'cum_qty'),
      ts,
      liquidity: liquidityOf(order.type, order.submittedAt, ts),
    },
    ref,
  );
}

/** What a trade update needs beyond its payload. */
export interface UpdateContext extends OrderRef {
  readonly receivedAt: number;
  /** The Alpaca order is an exit leg of one of our groups: its `new` after `held` releases it. */
  readonly leg: boolean;
  /** The changes of the replace we sent and that is still pending, when we know them. */
  readonly pendingChanges?: OrderChanges;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event's own fields, without the envelope every event shares. */
export type EventBody = DistributiveOmit<
  OrderEvent,
  'eventId' | 'clientOrderId' | 'venueOrderId' | 'venueTime' | 'receivedAt'
>;

/** Builds events with deterministic ids, so that a fact seen twice (stream and catch-up) has one id. */
export function eventOf(
  ref: { readonly clientOrderId: string; readonly receivedAt: number },
  venueOrderId: string,
  venueTime: number,
  body: EventBody,
  discriminator = '',
): OrderEvent {
  const suffix = discriminator === '' ? '' : `:${discriminator}`;
  return {
    ...body,
    eventId: `${venueOrderId}:${body.kind}${suffix}`,
    clientOrderId: ref.clientOrderId,
    venueOrderId,
    venueTime,
    receivedAt: ref.receivedAt,
  };
}

/**
 * A trade update as our events (§1.3, §1.4). `new` is an ack, except for a replacement order (its
 * `new` confirms the replace: rpl, never a second ack) and for an exit leg leaving `held` (ack, then
 * an `upd` releasing it with its quantity). `pending_new`, `done_for_day`, `calculated`, `stopped`
 * and `suspended` report nothing: the order's state does not change (§1.4 says they are logged).
 * A rejected replacement is the replace being refused (rpl_rej), not the order.
 */
export function eventsOfTradeUpdate(update: AlpacaTradeUpdate, ctx: UpdateContext): OrderEvent[] {
  const { order } = update;
  const at = timeOf(update.timestamp ?? order.updated_at ?? order.created_at, 'timestamp');
  const replacement = revisionOf(order.client_order_id) > 0;
  const make = (body: EventBody, discriminator = ''): OrderEvent =>
    eventOf(ctx, order.id, at, body, discriminator);
  const message = `Alpaca ${update.event.replaceAll('_', ' ')}: order ${order.id} is ${order.status}.`;
  switch (update.event) {
    case 'new':
      if (replacement) return [make({ kind: 'rpl', changes: changesOf(order) })];
      if (ctx.leg && order.status !== 'held')
        return [make({ kind: 'ack' }), make({ kind: 'upd', changes: releaseOf(order) }, 'release')];
      return [make({ kind: 'ack' })];
    case 'fill':
    case 'partial_fill': {
      const fill = fillOfTradeUpdate(update, ctx);
      return [make({ kind: 'fill', fill }, decimalOf(order.filled_qty, 'filled_qty').toFixed())];
    }
    case 'canceled':
      return [make({ kind: 'cxl', reason: 'canceled at Alpaca' })];
    case 'expired':
      return [make({ kind: 'exp' })];
    case 'replaced': {
      const successor = order.replaced_by ?? order.id;
      return [eventOf(ctx, successor, at, { kind: 'rpl', changes: ctx.pendingChanges ?? {} })];
    }
    case 'rejected':
      return [make({ kind: replacement ? 'rpl_rej' : 'rej', code: 'VENUE_REJECTED', message })];
    case 'order_replace_rejected':
      return [make({ kind: 'rpl_rej', code: 'VENUE_REJECTED', message }, String(at))];
    case 'order_cancel_rejected': {
      const code = orderStatusOf(order) === 'filled' ? 'ORDER_NOT_OPEN' : 'VENUE_REJECTED';
      return [make({ kind: 'cxl_rej', code, message }, String(at))];
    }
    case 'pending_cancel':
      return [make({ kind: 'cxl_req', origin: 'venue' }, String(at))];
    case 'pending_replace':
      return [make({ kind: 'rpl_req', origin: 'venue', changes: ctx.pendingChanges ?? {} }, String(at))];
    default:
      return [];
  }
}

/** The `upd` that releases a held exit leg: it now works, for its quantity (§4). */
export function releaseOf(order: AlpacaOrder): OrderChanges {
  const quantity = optionalDecimalOf(order.qty, 'qty');
  return quantity === undefined ? { held: false } : { held: false, quantity };
}
