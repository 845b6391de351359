import { type Decimal, dec } from '../domain/decimal.js';
import type { Fill, OrderEvent } from '../domain/events.js';
import type { Order, OrderStatus, OrderType, Side, TimeInForce } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { OrderMeta, OrderRole, StoredOrder } from '../engine/ports.js';
import { reviveDecimals } from './json-decimals.js';
import type { fills, orders, positions } from './schema.js';

type OrderRow = typeof orders.$inferSelect;
type OrderInsert = typeof orders.$inferInsert;
type FillRow = typeof fills.$inferSelect;
type PositionRow = typeof positions.$inferSelect;

const str = (d: Decimal | undefined): string | null => (d === undefined ? null : d.toFixed());
const num = (s: string | null): Decimal | undefined => (s === null ? undefined : dec(s));
const date = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms));

export function orderToRow(order: Order, meta: OrderMeta, eventSeq: number): OrderInsert {
  return {
    id: order.id,
    clientOrderId: order.clientOrderId,
    accountId: order.accountId,
    venue: order.venue,
    agentId: meta.agentId,
    reason: meta.reason ?? null,
    parentId: order.parentId ?? null,
    orderClass: meta.orderClass,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity: order.quantity.toFixed(),
    limitPrice: str(order.limitPrice),
    stopPrice: str(order.stopPrice),
    triggerPrice: str(order.triggerPrice),
    trailPrice: str(order.trailPrice),
    trailPercent: str(order.trailPercent),
    activationPrice: str(order.activationPrice),
    currentStop: str(order.currentStop),
    timeInForce: order.timeInForce,
    expireAt: date(order.expireAt),
    extendedHours: order.extendedHours === true,
    postOnly: order.postOnly === true,
    reduceOnly: order.reduceOnly === true,
    displayQty: str(order.displayQty),
    status: order.status,
    priorStatus: order.priorStatus ?? null,
    filledQty: order.filledQty.toFixed(),
    filledNotional: order.filledNotional.toFixed(),
    avgFillPrice: str(order.avgFillPrice),
    overfillQty: order.overfillQty.toFixed(),
    venueOrderIds: [...order.venueOrderIds],
    held: order.held,
    emulated: order.emulated,
    inferred: order.inferred,
    external: order.external,
    rejectCode: order.reject?.code ?? null,
    rejectMessage: order.reject?.message ?? null,
    requestHash: meta.requestHash,
    riskPrice: str(meta.riskPrice),
    role: meta.role ?? null,
    algo: meta.algo ?? null,
    arrivalBid: str(meta.arrival?.bid),
    arrivalAsk: str(meta.arrival?.ask),
    eventSeq,
    createdAt: new Date(order.createdAt),
    updatedAt: new Date(order.updatedAt),
  };
}

/** Builds the domain order from a row; optional fields are absent, never undefined-valued. */
export function rowToStored(row: OrderRow): StoredOrder {
  const optional: Record<string, unknown> = {
    limitPrice: num(row.limitPrice),
    stopPrice: num(row.stopPrice),
    triggerPrice: num(row.triggerPrice),
    trailPrice: num(row.trailPrice),
    trailPercent: num(row.trailPercent),
    activationPrice: num(row.activationPrice),
    currentStop: num(row.currentStop),
    expireAt: row.expireAt?.getTime(),
    displayQty: num(row.displayQty),
    avgFillPrice: num(row.avgFillPrice),
    priorStatus: row.priorStatus ?? undefined,
    parentId: row.parentId ?? undefined,
    extendedHours: row.extendedHours ? true : undefined,
    postOnly: row.postOnly ? true : undefined,
    reduceOnly: row.reduceOnly ? true : undefined,
    reject: row.rejectCode === null ? undefined : { code: row.rejectCode, message: row.rejectMessage ?? '' },
  };
  const order = {
    id: row.id,
    clientOrderId: row.clientOrderId,
    accountId: row.accountId,
    venue: row.venue,
    symbol: row.symbol,
    side: row.side as Side,
    type: row.type as OrderType,
    quantity: dec(row.quantity),
    timeInForce: row.timeInForce as TimeInForce,
    status: row.status as OrderStatus,
    filledQty: dec(row.filledQty),
    filledNotional: dec(row.filledNotional),
    overfillQty: dec(row.overfillQty),
    venueOrderIds: row.venueOrderIds,
    held: row.held,
    emulated: row.emulated,
    inferred: row.inferred,
    external: row.external,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  } as Order;
  const meta: OrderMeta = {
    agentId: row.agentId,
    orderClass: row.orderClass as OrderMeta['orderClass'],
    requestHash: row.requestHash,
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.riskPrice === null ? {} : { riskPrice: dec(row.riskPrice) }),
    ...(row.role === null ? {} : { role: row.role as OrderRole }),
    ...(row.algo === null ? {} : { algo: row.algo as Record<string, unknown> }),
    ...(row.arrivalBid === null && row.arrivalAsk === null
      ? {}
      : {
          arrival: {
            ...(row.arrivalBid === null ? {} : { bid: dec(row.arrivalBid) }),
            ...(row.arrivalAsk === null ? {} : { ask: dec(row.arrivalAsk) }),
          },
        }),
  };
  return { order, meta, eventSeq: row.eventSeq };
}

export function fillToRow(fill: Fill, orderId: string | null): typeof fills.$inferInsert {
  return {
    venue: fill.venue,
    accountId: fill.accountId,
    fillId: fill.fillId,
    orderId,
    clientOrderId: fill.clientOrderId,
    venueOrderId: fill.venueOrderId,
    symbol: fill.symbol,
    side: fill.side,
    quantity: fill.quantity.toFixed(),
    price: fill.price.toFixed(),
    liquidity: fill.liquidity,
    fee: fill.fee.toFixed(),
    feeCurrency: fill.feeCurrency,
    ts: new Date(fill.ts),
  };
}

export function rowToFill(row: FillRow): Fill {
  return {
    fillId: row.fillId,
    clientOrderId: row.clientOrderId,
    venueOrderId: row.venueOrderId,
    venue: row.venue,
    accountId: row.accountId,
    symbol: row.symbol,
    side: row.side as Side,
    quantity: dec(row.quantity),
    price: dec(row.price),
    liquidity: row.liquidity as Fill['liquidity'],
    fee: dec(row.fee),
    feeCurrency: row.feeCurrency,
    ts: row.ts.getTime(),
  };
}

export function positionToRow(p: Position): typeof positions.$inferInsert {
  return {
    accountId: p.accountId,
    symbol: p.symbol,
    quantity: p.quantity.toFixed(),
    avgEntryPrice: p.avgEntryPrice.toFixed(),
    realizedPnl: p.realizedPnl.toFixed(),
    fees: p.fees.toFixed(),
    openedAt: date(p.openedAt),
    updatedAt: new Date(p.updatedAt),
  };
}

export function rowToPosition(row: PositionRow): Position {
  return {
    accountId: row.accountId,
    symbol: row.symbol,
    quantity: dec(row.quantity),
    avgEntryPrice: dec(row.avgEntryPrice),
    realizedPnl: dec(row.realizedPnl),
    fees: dec(row.fees),
    ...(row.openedAt === null ? {} : { openedAt: row.openedAt.getTime() }),
    updatedAt: row.updatedAt.getTime(),
  };
}

/** Reads a stored event back, decimals revived. */
export function payloadToEvent(payload: Record<string, unknown>): OrderEvent {
  return reviveDecimals(payload) as OrderEvent;
}
