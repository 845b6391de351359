import type { Decimal } from '../domain/decimal.js';
import type { EventMark, Fill, OrderEvent } from '../domain/events.js';
import type { Order, OrderStatus } from '../domain/order.js';
import type { Position } from '../domain/position.js';

/** Who placed an order and why: every order records its agent and the agent's reason. */
export interface OrderMeta {
  readonly agentId: string;
  readonly reason?: string;
  readonly orderClass: 'simple' | 'bracket' | 'oco' | 'oto';
  /** Hash of the request's parameters: one client order id is one request. */
  readonly requestHash: string;
  /** The order price the risk engine admitted it at (§7.1); what its open leaves reserve. */
  readonly riskPrice?: Decimal;
  /** The order's part in a group (parent, child, or a contingent leg); absent for a plain order. */
  readonly role?: OrderRole;
  /** A parent's algorithm and progress (JSON, decimals as strings). */
  readonly algo?: Readonly<Record<string, unknown>>;
  /** The consolidated best bid and ask when the order was decided: the arrival price (analytics). */
  readonly arrival?: { readonly bid?: Decimal; readonly ask?: Decimal };
}

/**
 * `parent`: an algorithm or split order that never goes to a venue and aggregates its children;
 * `child`: one of its orders; the rest are contingent legs (ORDER-SEMANTICS.md §4).
 */
export type OrderRole =
  'parent' | 'child' | 'entry' | 'take_profit' | 'stop_loss' | 'primary' | 'secondary' | 'member';

export interface StoredOrder {
  readonly order: Order;
  readonly meta: OrderMeta;
  /** The last applied event's sequence number. */
  readonly eventSeq: number;
}

/** An order as stored, with its fills and its events in the order they were recorded. */
export interface OrderHistory {
  readonly stored: StoredOrder;
  readonly fills: readonly Fill[];
  /** Its events in order, as much as the execution metrics read of them. */
  readonly events: readonly EventMark[];
}

export interface RecordedEvent {
  readonly seq: number;
  readonly event: OrderEvent;
}

export interface OrderFilter {
  readonly status?: 'open' | 'closed' | 'all' | OrderStatus;
  readonly symbol?: string;
  readonly accountId?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface OrderPage {
  readonly orders: StoredOrder[];
  readonly nextCursor?: string;
}

/** What applying one venue event changes, saved in one transaction. */
export interface EventRecord {
  readonly orderId: string;
  /** The order after the event. */
  readonly order: Order;
  readonly event: OrderEvent;
  /** A fill the event carries: inserted once per (venue, account, fill id), with the position change. */
  readonly fill?: { readonly fill: Fill; readonly applyToPosition: (before: Position) => Position };
}

export type RecordOutcome = 'recorded' | 'duplicate';

/**
 * A transaction's result that its last statement gives. Returned by the function a transaction
 * runs, it lets the store send COMMIT right behind that statement instead of after its answer:
 * one round trip fewer while the transaction holds its locks. The transaction then resolves to
 * `result` once committed; a last statement that failed made the commit a rollback, and the
 * transaction rejects with its error.
 */
export class AtCommit<T> {
  constructor(readonly result: Promise<T>) {
    // Read once the commit is answered: a failure before then is not an unhandled rejection.
    result.catch(() => undefined);
  }
}

/** What a transaction's function returns: its result, or the result its last statement will give. */
export type TransactionResult<T> = T | AtCommit<T>;

/** What reconciliation compares of an order with the venue's view; the rest is read when they differ. */
export type OrderGlance = Pick<
  Order,
  | 'id'
  | 'clientOrderId'
  | 'venue'
  | 'status'
  | 'inferred'
  | 'filledQty'
  | 'updatedAt'
  | 'emulated'
  | 'external'
  | 'venueOrderIds'
>;

/** The order store port (STYLE.md: the engine owns its ports; src/store implements them). */
export interface OrderStore {
  /** Inserts a new order unless its (account, client order id) exists; then returns the existing one. */
  createOrder(
    order: Order,
    meta: OrderMeta,
    firstEvent?: OrderEvent,
  ): Promise<{ created: boolean; stored: StoredOrder }>;
  findById(id: string): Promise<StoredOrder | undefined>;
  findByClientOrderId(accountId: string, clientOrderId: string): Promise<StoredOrder | undefined>;
  /**
   * The account's open orders and its orders with these client order ids, by client order id, as
   * much of each as reconciliation compares with a venue's view (one read, however many).
   */
  glances(accountId: string, clientOrderIds: readonly string[]): Promise<ReadonlyMap<string, OrderGlance>>;
  /** Appends the event and saves the order; a fill seen before makes the whole record a duplicate. */
  recordEvent(record: EventRecord): Promise<RecordOutcome>;
  /**
   * Records one order's events that a venue reported together, ending with a fill (a market
   * order's acknowledgement and its fill), in one transaction: all of them, or, when any was
   * recorded before, none ('duplicate').
   */
  recordRun(records: readonly EventRecord[]): Promise<RecordOutcome>;
  listOrders(filter: OrderFilter): Promise<OrderPage>;
  openOrders(accountId?: string): Promise<StoredOrder[]>;
  /** The orders whose parent_id is this order (an algorithm's children, a group's later legs), oldest first. */
  children(parentId: string): Promise<StoredOrder[]>;
  /**
   * Saves a parent order's aggregate state (status, quantities, average price) and its algorithm's
   * progress. Parents never go to a venue: no event, no fill, no position change.
   */
  saveParent(order: Order, algo: Readonly<Record<string, unknown>>): Promise<void>;
  events(orderId: string): Promise<RecordedEvent[]>;
  fills(orderId: string): Promise<Fill[]>;
  /** Orders with their fills and events (in order), by id; an id the store does not hold is absent. */
  histories(orderIds: readonly string[]): Promise<ReadonlyMap<string, OrderHistory>>;
  /** Non-flat positions, or every row (closed ones keep their realized P&L) with `includeFlat`. */
  positions(accountId?: string, includeFlat?: boolean): Promise<Position[]>;
  position(accountId: string, symbol: string): Promise<Position | undefined>;
  /**
   * Replaces a position with the venue's and records why in the audit log, in one transaction, if
   * its quantity is still `expected` (a fill applied meanwhile leaves it, and the audit log, as
   * they are); true when it was replaced.
   */
  correctPosition(position: Position, audit: AuditRecord, expected: Decimal): Promise<boolean>;
  /** Which of these fill ids of a venue account are already recorded (applied). */
  recordedFills(venue: string, accountId: string, fillIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Where reconciliation of a venue account last got to (epoch ms). */
  checkpoint(venue: string, accountId: string): Promise<number | undefined>;
  setCheckpoint(venue: string, accountId: string, at: number): Promise<void>;
}

export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly at: number;
}
