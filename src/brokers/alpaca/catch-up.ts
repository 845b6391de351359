/**
 * The events a stream gap may have swallowed, rebuilt from what Alpaca's REST API says after a
 * reconnect: orders changed since the gap began and FILL activities since then. Pure. Events come
 * in lifecycle order (every ack or rpl first, by submission; then the fills by time; then cancels,
 * expiries and rejections by time) and carry the ids the stream would have given them, so that the
 * caller's SeenEvents drops what the stream did deliver.
 */
import type { Fill, OrderEvent } from '../../domain/events.js';
import { revisionOf } from './client-ids.js';
import { changesOf, eventOf, releaseOf } from './mapping.js';
import { decimalOf, optionalTimeOf, timeOf } from './values.js';
import type { AlpacaOrder } from './wire.js';

/** An Alpaca order with our client order id resolved, and whether it is one of our exit legs. */
export interface ResolvedOrder {
  readonly order: AlpacaOrder;
  readonly clientOrderId: string;
  readonly leg: boolean;
}

/** Statuses after which a released exit was never working: no `upd` releasing it. */
const NEVER_WORKED = new Set(['held', 'pending_new', 'canceled', 'expired', 'rejected', 'replaced']);

function timeOrCreated(order: AlpacaOrder, value: string | null | undefined, field: string): number {
  return (
    optionalTimeOf(value, field) ??
    optionalTimeOf(order.updated_at, 'updated_at') ??
    timeOf(order.created_at, 'created_at')
  );
}

/** The ack (or, for a replacement, the rpl) and a leg's release: what opened the order. */
function openingEvents(resolved: ResolvedOrder, receivedAt: number): OrderEvent[] {
  const { order } = resolved;
  const ref = { clientOrderId: resolved.clientOrderId, receivedAt };
  const at = optionalTimeOf(order.submitted_at, 'submitted_at') ?? timeOf(order.created_at, 'created_at');
  if (order.status === 'pending_new' || order.status === 'rejected' || order.status === 'replaced') return [];
  if (revisionOf(order.client_order_id) > 0)
    return [eventOf(ref, order.id, at, { kind: 'rpl', changes: changesOf(order) })];
  const events = [eventOf(ref, order.id, at, { kind: 'ack' })];
  const worked = !NEVER_WORKED.has(order.status) || decimalOf(order.filled_qty, 'filled_qty').gt(0);
  if (resolved.leg && worked)
    events.push(eventOf(ref, order.id, at, { kind: 'upd', changes: releaseOf(order) }, 'release'));
  return events;
}

/** A cancel, expiry or rejection, once Alpaca reports the order ended that way. */
function closingEvent(resolved: ResolvedOrder, receivedAt: number): OrderEvent | undefined {
  const { order } = resolved;
  const ref = { clientOrderId: resolved.clientOrderId, receivedAt };
  switch (order.status) {
    case 'canceled':
      return eventOf(ref, order.id, timeOrCreated(order, order.canceled_at, 'canceled_at'), {
        kind: 'cxl',
        reason: 'canceled at Alpaca (found after a stream gap)',
      });
    case 'expired':
      return eventOf(ref, order.id, timeOrCreated(order, order.expired_at, 'expired_at'), { kind: 'exp' });
    case 'rejected': {
      const kind = revisionOf(order.client_order_id) > 0 ? 'rpl_rej' : 'rej';
      const message = `Alpaca rejected order ${order.id} (found after a stream gap).`;
      return eventOf(ref, order.id, timeOrCreated(order, order.failed_at, 'failed_at'), {
        kind,
        code: 'VENUE_REJECTED',
        message,
      });
    }
    default:
      return undefined;
  }
}

function fillEvent(fill: Fill, receivedAt: number): OrderEvent {
  const cumulative = fill.fillId.slice(fill.venueOrderId.length + 1);
  const ref = { clientOrderId: fill.clientOrderId, receivedAt };
  return eventOf(ref, fill.venueOrderId, fill.ts, { kind: 'fill', fill }, cumulative);
}

function submittedAt(resolved: ResolvedOrder): number {
  const { order } = resolved;
  return optionalTimeOf(order.submitted_at, 'submitted_at') ?? timeOf(order.created_at, 'created_at');
}

export function catchUpEvents(
  orders: readonly ResolvedOrder[],
  fills: readonly Fill[],
  receivedAt: number,
): OrderEvent[] {
  const byTime = [...orders].sort((a, b) => submittedAt(a) - submittedAt(b));
  const opening = byTime.flatMap((o) => openingEvents(o, receivedAt));
  const filled = [...fills].sort((a, b) => a.ts - b.ts).map((f) => fillEvent(f, receivedAt));
  const closing = byTime
    .flatMap((o) => closingEvent(o, receivedAt) ?? [])
    .sort((a, b) => a.venueTime - b.venueTime);
  return [...opening, ...filled, ...closing];
}
