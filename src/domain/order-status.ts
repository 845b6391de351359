import { ZERO } from './decimal.js';
import { ORDER_EVENT_KINDS, type OrderChanges, type OrderEvent, type OrderEventKind } from './events.js';
import { IN_FLIGHT_STATUSES, type Order, type OrderStatus, usesTriggeredStatus } from './order.js';
import { extend } from './objects.js';

/**
 * One cell of the transition table (ORDER-SEMANTICS.md §1.3):
 * - a status: move there;
 * - `F`: partially_filled if leaves > 0, else filled;
 * - `P`: stay pending, update prior_status (ack → new, trig → triggered, partial fill → partially_filled);
 * - `PF`: a fill while pending: `P`, or `filled` when it completes the order;
 * - `=`: status unchanged, carried quantities/parameters applied, duplicates harmless;
 * - `prior`: restore prior_status (for `rpl`, after applying the new parameters, note 5);
 * - `R`: the request is refused locally and never sent (ORDER_NOT_OPEN or ORDER_PENDING);
 * - `x`: invalid, logged as an anomaly and dropped;
 * - `late`, `over`, `x8`: fills on terminal orders (notes 6, 7, 8).
 */
export type Cell = OrderStatus | 'F' | 'P' | 'PF' | '=' | 'prior' | 'R' | 'x' | 'late' | 'over' | 'x8';

type Row = Readonly<Record<OrderEventKind, Cell>>;

/** One row of the table: its cells in the order of ORDER_EVENT_KINDS (the doc's column order). */
const row = (cells: readonly Cell[]): Row =>
  Object.fromEntries(ORDER_EVENT_KINDS.map((kind, i) => [kind, cells[i]])) as Row;

/** The transition table, row by row exactly as ORDER-SEMANTICS.md §1.3 prints it. */
// prettier-ignore
export const TRANSITIONS: Readonly<Record<OrderStatus, Row>> = {
  //                     ack    rej          trig         fill  cxl_req           cxl         cxl_rej  rpl_req            rpl      rpl_rej  exp        upd
  pending_new:      row(['new', 'rejected',  'triggered', 'F',    'pending_cancel', 'canceled', 'x',     'R',               'x',     'x',     'expired', '=']),
  new:              row(['=',   'rejected',  'triggered', 'F',    'pending_cancel', 'canceled', '=',     'pending_replace', 'x',     '=',     'expired', '=']),
  triggered:        row(['=',   'rejected',  '=',         'F',    'pending_cancel', 'canceled', '=',     'pending_replace', 'x',     '=',     'expired', '=']),
  partially_filled: row(['=',   'x',         '=',         'F',    'pending_cancel', 'canceled', '=',     'pending_replace', 'x',     '=',     'expired', '=']),
  pending_cancel:   row(['P',   'rejected',  'P',         'PF',   '=',              'canceled', 'prior', 'R',               '=',     '=',     'expired', '=']),
  pending_replace:  row(['P',   'rejected',  'P',         'PF',   'pending_cancel', 'canceled', '=',     '=',               'prior', 'prior', 'expired', '=']),
  canceled:         row(['x',   'x',         'x',         'late', 'R',              '=',        '=',     'R',               'x',     '=',     '=',       'x']),
  expired:          row(['x',   'x',         'x',         'late', 'R',              '=',        '=',     'R',               'x',     '=',     '=',       'x']),
  filled:           row(['x',   'x',         'x',         'over', 'R',              'x',        '=',     'R',               'x',     '=',     'x',       'x']),
  rejected:         row(['x',   '=',         'x',         'x8',   'R',              'x',        'x',     'R',               'x',     'x',     'x',       'x']),
  denied:           row(['x',   '=',         'x',         'x8',   'R',              'x',        'x',     'R',               'x',     'x',     'x',       'x']),
};

export type ApplyResult =
  /** The event was applied. `anomaly` is set for applied-but-suspicious events (late fill, overfill). */
  | {
      readonly outcome: 'applied';
      readonly order: Order;
      readonly anomaly?: string;
      readonly positionOnly?: boolean;
    }
  /** A local request refused before sending. */
  | { readonly outcome: 'refused'; readonly order: Order; readonly code: 'ORDER_NOT_OPEN' | 'ORDER_PENDING' }
  /** ✗: logged as an anomaly and dropped; the order is unchanged. */
  | { readonly outcome: 'invalid'; readonly order: Order; readonly anomaly: string };

/** Applies one event to an order through the transition table. Pure: returns a new order. */
export function applyEvent(order: Order, event: OrderEvent): ApplyResult {
  const cell = TRANSITIONS[order.status][event.kind];
  const at = Math.max(order.updatedAt, event.receivedAt);
  switch (cell) {
    case 'x':
      return invalid(order, event);
    case 'R':
      return refused(order);
    case 'late':
    case 'over':
    case 'x8':
      return applyTerminalFill(order, event, cell, at);
    case 'F':
    case 'PF':
      return applyOpenFill(order, event, at);
    case 'P':
      return applied(
        extend(order, { priorStatus: advancePrior(order, event), ...venueIdOf(order, event), updatedAt: at }),
      );
    case 'prior':
      return applyPrior(order, event, at);
    case '=':
      return applySame(order, event, at);
    default:
      return applyMove(order, event, cell, at);
  }
}

function applied(order: Order, anomaly?: string, positionOnly?: boolean): ApplyResult {
  return {
    outcome: 'applied',
    order,
    ...(anomaly === undefined ? {} : { anomaly }),
    ...(positionOnly === true ? { positionOnly } : {}),
  };
}

function invalid(order: Order, event: OrderEvent): ApplyResult {
  return { outcome: 'invalid', order, anomaly: `event ${event.kind} is invalid in status ${order.status}` };
}

function refused(order: Order): ApplyResult {
  const pending = IN_FLIGHT_STATUSES.has(order.status);
  return { outcome: 'refused', order, code: pending ? 'ORDER_PENDING' : 'ORDER_NOT_OPEN' };
}

function venueIdOf(order: Order, event: OrderEvent): Partial<Pick<Order, 'venueOrderIds'>> {
  const id = event.venueOrderId;
  if (id === undefined || order.venueOrderIds.includes(id)) return {};
  return { venueOrderIds: [...order.venueOrderIds, id] };
}

/** `P`: while a request is pending, acks, triggers and partial fills move the saved status on. */
function advancePrior(order: Order, event: OrderEvent): OrderStatus {
  const prior = order.priorStatus ?? 'new';
  if (event.kind === 'ack') return prior === 'pending_new' ? 'new' : prior;
  if (event.kind === 'trig') {
    if (prior === 'pending_new') return usesTriggeredStatus(order.type) ? 'triggered' : 'new';
    if (prior === 'new' && usesTriggeredStatus(order.type)) return 'triggered';
    return prior;
  }
  return prior;
}

/** A direct move to a named status (ack → new, cxl_req → pending_cancel, ...). */
function applyMove(order: Order, event: OrderEvent, to: OrderStatus, at: number): ApplyResult {
  if (event.kind === 'trig' && !usesTriggeredStatus(order.type)) {
    // Note 1: for other types `trig` is only logged; from pending_new it counts as `ack`.
    return order.status === 'pending_new'
      ? applied({ ...order, status: 'new', ...venueIdOf(order, event), updatedAt: at })
      : applied({ ...order, updatedAt: at });
  }
  const base = { ...order, ...venueIdOf(order, event), updatedAt: at };
  if (to === 'pending_cancel' || to === 'pending_replace') {
    // Entering pending saves the current status; a repeated pending event never overwrites it (§1.2).
    const keep = order.status === 'pending_cancel' || order.status === 'pending_replace';
    return applied(
      extend(base, { status: to, priorStatus: keep ? (order.priorStatus ?? order.status) : order.status }),
    );
  }
  const next: Order = { ...withoutPrior(base), status: to, inferred: inferredOf(event) };
  if (event.kind === 'rej')
    return applied(extend(next, { reject: { code: event.code, message: event.message } }));
  return applied(next);
}

function inferredOf(event: OrderEvent): boolean {
  return (event.kind === 'rej' || event.kind === 'cxl') && event.inferred === true;
}

function withoutPrior(order: Order): Order {
  if (order.priorStatus === undefined) return order;
  const { priorStatus: _dropped, ...rest } = order;
  return rest;
}

/** `=`: unchanged status; quantities and parameters carried by the event apply. */
function applySame(order: Order, event: OrderEvent, at: number): ApplyResult {
  if (event.kind === 'rpl_req' && event.origin === 'local' && order.status === 'pending_replace') {
    return refused(order); // note 4: a second replace is refused
  }
  const changes = event.kind === 'upd' || event.kind === 'rpl' ? event.changes : undefined;
  const updated = changes === undefined ? order : applyOrderChanges(order, changes);
  return applied({ ...updated, ...venueIdOf(order, event), updatedAt: at });
}

/** `prior`: a refused cancel/replace restores prior_status; a confirmed replace applies first (note 5). */
function applyPrior(order: Order, event: OrderEvent, at: number): ApplyResult {
  const prior = order.priorStatus ?? 'new';
  const restored: Order = {
    ...withoutPrior(order),
    status: prior,
    ...venueIdOf(order, event),
    updatedAt: at,
  };
  if (event.kind !== 'rpl') return applied(restored);
  const replaced = applyOrderChanges(restored, event.changes);
  if (replaced.quantity.lessThanOrEqualTo(replaced.filledQty)) {
    return applied({ ...replaced, quantity: replaced.filledQty, status: 'filled' });
  }
  return applied(replaced);
}

/**
 * The order a replace or update produces: defined fields replace the old ones; a trailing offset of
 * the other kind replaces the old offset; a time in force other than gtd drops the gtd expiry.
 */
export function applyOrderChanges(order: Order, changes: OrderChanges): Order {
  const next: Record<string, unknown> = { ...order };
  for (const [key, value] of Object.entries(changes) as [string, unknown][]) {
    if (value !== undefined) next[key] = value;
  }
  if (changes.trailPercent !== undefined) delete next['trailPrice'];
  if (changes.trailPrice !== undefined) delete next['trailPercent'];
  if (changes.timeInForce !== undefined && changes.timeInForce !== 'gtd') delete next['expireAt'];
  return next as unknown as Order;
}

function fillOf(event: OrderEvent): { quantity: Order['filledQty']; price: Order['filledQty'] } {
  if (event.kind !== 'fill') throw new Error(`fill cell reached by ${event.kind}`);
  return event.fill;
}

/** Adds a fill to filled quantity and average price; quantity beyond the order's is overfill. */
function addFill(order: Order, event: OrderEvent): { order: Order; over: boolean } {
  const fill = fillOf(event);
  const room = order.quantity.minus(order.filledQty);
  const counted = fill.quantity.lessThanOrEqualTo(room) ? fill.quantity : room.isNegative() ? ZERO : room;
  const excess = fill.quantity.minus(counted);
  const filledQty = order.filledQty.plus(counted);
  const filledNotional = order.filledNotional.plus(fill.price.times(counted));
  return {
    order: extend(order, {
      filledQty,
      filledNotional,
      ...(filledQty.isZero() ? {} : { avgFillPrice: filledNotional.div(filledQty) }),
      overfillQty: order.overfillQty.plus(excess),
      ...venueIdOf(order, event),
    }),
    over: excess.greaterThan(ZERO),
  };
}

function applyOpenFill(order: Order, event: OrderEvent, at: number): ApplyResult {
  const { order: filled, over } = addFill(order, event);
  const complete = filled.filledQty.greaterThanOrEqualTo(filled.quantity);
  const anomaly = over ? `overfill of ${filled.overfillQty.toFixed()} on ${order.clientOrderId}` : undefined;
  if (order.status === 'pending_cancel' || order.status === 'pending_replace') {
    if (complete) return applied({ ...withoutPrior(filled), status: 'filled', updatedAt: at }, anomaly);
    return applied(extend(filled, { priorStatus: 'partially_filled' as const, updatedAt: at }), anomaly);
  }
  return applied({ ...filled, status: complete ? 'filled' : 'partially_filled', updatedAt: at }, anomaly);
}

function applyTerminalFill(
  order: Order,
  event: OrderEvent,
  cell: 'late' | 'over' | 'x8',
  at: number,
): ApplyResult {
  if (cell === 'x8') {
    // Note 8: reconciliation reopens an inferred rejection; otherwise the fill only moves the position.
    if (order.inferred) {
      const { reject: _cleared, ...reopened } = order;
      return applyOpenFill({ ...reopened, status: 'new', inferred: false }, event, at);
    }
    return applied(order, `fill on ${order.status} order ${order.clientOrderId}`, true);
  }
  const { order: filled, over } = addFill(order, event);
  const complete = filled.filledQty.greaterThanOrEqualTo(filled.quantity);
  if (cell === 'over') {
    return applied(
      { ...filled, updatedAt: at },
      `overfill of ${filled.overfillQty.toFixed()} on ${order.clientOrderId}`,
    );
  }
  // Note 6: a late fill is applied; the status stays unless filled_qty reaches quantity (→ filled).
  const status = complete ? 'filled' : order.status;
  const anomaly = over
    ? `late fill with overfill of ${filled.overfillQty.toFixed()} on ${order.status} order ${order.clientOrderId}`
    : `late fill on ${order.status} order ${order.clientOrderId}`;
  return applied({ ...filled, status, updatedAt: at }, anomaly);
}

/** Whether a local cancel may be sent now (§1.1): otherwise the refusal code. */
export function cancelRefusal(order: Order): 'ORDER_NOT_OPEN' | undefined {
  return TRANSITIONS[order.status].cxl_req === 'R' ? 'ORDER_NOT_OPEN' : undefined;
}

/** Whether a local replace may be sent now (§1.1, §5): otherwise the refusal code. */
export function replaceRefusal(order: Order): 'ORDER_NOT_OPEN' | 'ORDER_PENDING' | undefined {
  if (order.status === 'new' || order.status === 'triggered' || order.status === 'partially_filled')
    return undefined;
  return IN_FLIGHT_STATUSES.has(order.status) ? 'ORDER_PENDING' : 'ORDER_NOT_OPEN';
}
