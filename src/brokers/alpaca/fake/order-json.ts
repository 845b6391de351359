import type { Decimal } from '../../../domain/decimal.js';
import type { InstrumentRegistry } from '../../../domain/instruments.js';
import type { Order, OrderStatus } from '../../../domain/order.js';
import { assetId } from './assets.js';
import type { JsonObject } from './fixtures.js';
import type { AlpacaOrderRecord, OrderLedger } from './order-ledger.js';
import type { TradeUpdate } from './trade-updates.js';

/** Alpaca's names for the paper venue's statuses (ORDER-SEMANTICS.md §1.4, read backwards). */
const STATUS: Readonly<Record<OrderStatus, string>> = {
  pending_new: 'pending_new',
  new: 'new',
  // Alpaca has no "triggered": a stop_limit whose stop fired is a working limit, still "new".
  triggered: 'new',
  partially_filled: 'partially_filled',
  pending_cancel: 'pending_cancel',
  pending_replace: 'pending_replace',
  filled: 'filled',
  canceled: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
  denied: 'rejected',
};

export function alpacaStatus(record: AlpacaOrderRecord, order: Order): string {
  if (record.frozen !== undefined) return 'replaced';
  if (order.held && order.status === 'new') return 'held';
  return STATUS[order.status];
}

export interface RenderContext {
  readonly ledger: OrderLedger;
  readonly instruments: InstrumentRegistry;
}

/**
 * An Alpaca Order from a template (the REST or the stream fixture) with every field that carries
 * state replaced. Decimals are strings (`toFixed`, never a float); absent prices are null, as Alpaca
 * sends them. `nested` rolls a contingent parent's legs up under `legs`.
 */
export function orderJson(
  context: RenderContext,
  template: JsonObject,
  record: AlpacaOrderRecord,
  nested: boolean,
): JsonObject {
  const order = context.ledger.orderOf(record);
  const instrument = context.instruments.find(order.symbol);
  const trailing = order.type === 'trailing_stop';
  const stop = trailing ? order.currentStop : order.stopPrice;
  return {
    ...template,
    id: record.id,
    client_order_id: record.clientOrderId,
    created_at: iso(record.submittedAt),
    updated_at: iso(record.replacedAt ?? order.updatedAt),
    submitted_at: iso(record.submittedAt),
    filled_at: isoOrNull(order.status === 'filled' ? record.filledAt : undefined),
    expired_at: isoOrNull(record.expiredAt),
    canceled_at: isoOrNull(record.canceledAt),
    failed_at: isoOrNull(record.failedAt),
    replaced_at: isoOrNull(record.replacedAt),
    replaced_by: record.replacedBy ?? null,
    replaces: record.replaces ?? null,
    asset_id: assetId(instrument?.symbol ?? order.symbol),
    symbol: order.symbol,
    asset_class: instrument?.assetClass ?? 'us_equity',
    notional: null,
    qty: order.quantity.toFixed(),
    filled_qty: order.filledQty.toFixed(),
    filled_avg_price: text(order.avgFillPrice),
    order_class: record.orderClass === 'simple' ? '' : record.orderClass,
    order_type: order.type,
    type: order.type,
    side: order.side,
    time_in_force: order.timeInForce,
    limit_price: text(order.limitPrice),
    stop_price: text(stop),
    status: alpacaStatus(record, order),
    extended_hours: order.extendedHours === true,
    legs: nested ? legsJson(context, template, record) : null,
    trail_percent: text(order.trailPercent),
    trail_price: text(order.trailPrice),
    hwm: trailing ? text(record.hwm) : null,
  };
}

/** A contingent parent's legs, each shown by its newest record; null for a simple order (Alpaca's way). */
function legsJson(
  context: RenderContext,
  template: JsonObject,
  record: AlpacaOrderRecord,
): JsonObject[] | null {
  if (record.legIds.length === 0) return null;
  const legs: JsonObject[] = [];
  for (const key of record.legIds) {
    const leg = context.ledger.head(key);
    if (leg !== undefined) legs.push(orderJson(context, template, leg, false));
  }
  return legs;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : iso(ms);
}

function text(value: Decimal | undefined): string | null {
  return value === undefined ? null : value.toFixed();
}

/**
 * A trade_updates message: the recorded fill message with this event's order (the stream's Order
 * template), time and, for fills, the execution (`execution_id`, `price`, `qty`, `position_qty`).
 */
export function tradeUpdateJson(
  context: RenderContext,
  templates: { readonly tradeUpdate: JsonObject; readonly streamOrder: JsonObject },
  update: TradeUpdate,
): JsonObject {
  const recorded = templates.tradeUpdate['data'];
  const data = typeof recorded === 'object' && recorded !== null ? (recorded as JsonObject) : {};
  const { execution_id: _e, price: _p, qty: _q, position_qty: _pq, ...base } = data;
  const execution = update.execution;
  return {
    ...templates.tradeUpdate,
    data: {
      ...base,
      event: update.event,
      order: orderJson(context, templates.streamOrder, update.record, true),
      timestamp: iso(update.at),
      ...(execution === undefined
        ? {}
        : {
            execution_id: execution.id,
            price: execution.price.toFixed(),
            qty: execution.qty.toFixed(),
            position_qty: execution.positionQty.toFixed(),
          }),
    },
  };
}
