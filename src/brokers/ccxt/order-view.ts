/**
 * A ccxt order read once into our terms: types, time in force, exact quantities and prices, and
 * the venue's status mapped by ORDER-SEMANTICS.md §1.4 (ccxt `open` → `new` or `partially_filled`
 * by filled quantity, `closed` → `filled`, the rest by name).
 */
import type { Order as CcxtOrder } from 'ccxt';
import { type Decimal, ZERO } from '../../domain/decimal.js';
import {
  type OrderStatus,
  type OrderType,
  type Side,
  type TimeInForce,
  usesTriggeredStatus,
} from '../../domain/order.js';
import { type RawOrder, rawOf, rawOrderSchema } from './raw.js';
import { optionalDecimal, positiveOrUndefined, preferRaw, requiredDecimal, timeOf } from './values.js';

/** ccxt's unified statuses, plus what an exchange may add. */
export type CcxtStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

export interface OrderView {
  readonly venueOrderId: string;
  /** The id the venue stores; ours when we sent the order. */
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly quantity: Decimal;
  readonly filledQty: Decimal;
  /** Σ quantity × price of the fills, when the venue reports it. */
  readonly filledNotional: Decimal | undefined;
  readonly limitPrice: Decimal | undefined;
  /** The trigger level: our `stopPrice` for stops, `triggerPrice` for the touched types. */
  readonly stopPrice: Decimal | undefined;
  readonly venueStatus: CcxtStatus;
  /** The exchange's own status word (Binance `EXPIRED_IN_MATCH`), when known. */
  readonly rawStatus: string | undefined;
  /** False while a conditional order waits for its trigger; undefined when the venue does not say. */
  readonly working: boolean | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Binance spot's order types (and ccxt's lower-case echoes) in our terms. */
const RAW_TYPES: Readonly<Record<string, OrderType>> = {
  MARKET: 'market',
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit',
  STOP_LOSS: 'stop',
  STOP_LOSS_LIMIT: 'stop_limit',
  TAKE_PROFIT: 'market_if_touched',
  TAKE_PROFIT_LIMIT: 'limit_if_touched',
};

const TIME_IN_FORCE: Readonly<Record<string, TimeInForce>> = {
  GTC: 'gtc',
  IOC: 'ioc',
  FOK: 'fok',
  GTD: 'gtd',
  DAY: 'day',
  PO: 'gtc',
};

const STATUSES: ReadonlySet<string> = new Set(['open', 'closed', 'canceled', 'expired', 'rejected']);

export function viewOf(order: CcxtOrder, now: number): OrderView {
  const raw = rawOf(rawOrderSchema, order.info);
  const type = typeOf(order, raw);
  const postOnly = order.postOnly === true || raw?.type === 'LIMIT_MAKER' || order.timeInForce === 'PO';
  const createdAt = timeOf(order.timestamp, now);
  return {
    venueOrderId: idOf(order, raw),
    clientOrderId: raw?.clientOrderId ?? order.clientOrderId ?? undefined,
    symbol: requiredText(order.symbol, 'order symbol'),
    side: sideOf(order.side),
    type,
    timeInForce: TIME_IN_FORCE[(raw?.timeInForce ?? order.timeInForce ?? 'GTC').toUpperCase()] ?? 'gtc',
    postOnly,
    quantity: requiredDecimal(raw?.origQty ?? order.amount, 'order amount'),
    filledQty: preferRaw(raw?.executedQty, order.filled, 'order filled') ?? ZERO,
    filledNotional: preferRaw(raw?.cummulativeQuoteQty, order.cost, 'order cost'),
    limitPrice: type === 'limit' || type.endsWith('_limit') ? priceOf(raw?.price, order.price) : undefined,
    stopPrice: positiveOrUndefined(preferRaw(raw?.stopPrice, order.triggerPrice, 'order stop price')),
    venueStatus: statusOf(order.status),
    rawStatus: raw?.status,
    working: raw?.isWorking,
    createdAt,
    updatedAt: timeOf(order.lastUpdateTimestamp ?? order.lastTradeTimestamp, createdAt),
  };
}

/** The order's status in our terms (ORDER-SEMANTICS.md §1.1, §1.4). */
export function orderStatusOf(view: OrderView): OrderStatus {
  switch (view.venueStatus) {
    case 'open':
      if (view.filledQty.gt(0)) return 'partially_filled';
      return usesTriggeredStatus(view.type) && view.working === true ? 'triggered' : 'new';
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'canceled';
    case 'rejected':
      return 'rejected';
    case 'expired':
      return endedByVenueCancel(view) ? 'canceled' : 'expired';
  }
}

/**
 * Whether an `expired` order was in fact canceled by the venue (§1.1 `canceled`: "by the venue
 * (ioc/fok rest ...)"): Binance reports the unfilled rest of ioc, fok and market orders as EXPIRED,
 * and an order stopped by self-trade prevention as EXPIRED_IN_MATCH. Only a time in force that ran
 * out is an expiry.
 */
export function endedByVenueCancel(view: OrderView): boolean {
  if (view.rawStatus === 'EXPIRED_IN_MATCH') return true;
  return view.type === 'market' || view.timeInForce === 'ioc' || view.timeInForce === 'fok';
}

/** A stop-style order whose trigger has fired: the venue says it is working, or it has fills. */
export function hasTriggered(view: OrderView): boolean {
  if (view.type === 'market' || view.type === 'limit') return false;
  return view.working === true || view.filledQty.gt(0);
}

function typeOf(order: CcxtOrder, raw: RawOrder | undefined): OrderType {
  const known = raw === undefined ? undefined : RAW_TYPES[raw.type];
  if (known !== undefined) return known;
  const market = order.type === 'market';
  if (order.triggerPrice !== undefined) return market ? 'stop' : 'stop_limit';
  return market ? 'market' : 'limit';
}

function priceOf(raw: string | undefined, unified: number | undefined): Decimal | undefined {
  return positiveOrUndefined(optionalDecimal(raw ?? unified, 'order price'));
}

function idOf(order: CcxtOrder, raw: RawOrder | undefined): string {
  return raw?.orderId ?? requiredText(order.id, 'order id');
}

function statusOf(status: string | undefined): CcxtStatus {
  if (status !== undefined && STATUSES.has(status)) return status as CcxtStatus;
  // ccxt leaves an exchange's unknown status word as is; an order still reported is working.
  return 'open';
}

function sideOf(side: string | undefined): Side {
  if (side === 'buy' || side === 'sell') return side;
  throw new Error(`The venue sent an order without a side: ${String(side)}.`);
}

function requiredText(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw new Error(`The venue sent no ${field}.`);
  return value;
}
