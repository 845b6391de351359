import { and, asc, desc, eq, getTableColumns, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import type { Decimal } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import { TERMINAL_STATUSES } from '../domain/order.js';
import type { Order } from '../domain/order.js';
import { type Position, flatPosition } from '../domain/position.js';
import {
  AtCommit,
  type AuditRecord,
  type EventRecord,
  type OrderFilter,
  type OrderHistory,
  type OrderMeta,
  type OrderPage,
  type OrderStore,
  type RecordOutcome,
  type RecordedEvent,
  type StoredOrder,
} from '../engine/ports.js';
import type { Database, SqlQuery, Store } from './db.js';
import { POSITION_COLUMNS_SQL, columnNames, columnsOf, rawPosition } from './raw-rows.js';
import {
  fillToRow,
  orderToRow,
  payloadToEvent,
  positionToRow,
  rowToFill,
  rowToPosition,
  rowToStored,
} from './order-mapper.js';
import { appendAudit } from './audit-log.js';
import { GroupCommit } from './group-commit.js';
import { fills, orderEvents, orders, positions, reconcileCheckpoints } from './schema.js';

const TERMINAL = [...TERMINAL_STATUSES];
/**
 * Writes gathered before a batch starts early (see the constructor): large enough that a statement's
 * fixed cost stays small per order, small enough that a burst of hundreds is split across writers
 * (bench/oms.bench.ts measured 32 and 64 against waiting for the turn's end).
 */
const EARLY_START = 64;
const MAX_PAGE = 500;
/** Fill ids asked about per query (the parameter list stays well under the driver limits). */
const RECORDED_FILLS_PAGE = 1_000;

/** The order store on drizzle: PGlite or PostgreSQL, the same SQL. */
export class DrizzleOrderStore implements OrderStore {
  /** Concurrent submits' inserts, grouped into shared statements and commits. */
  private readonly orderWrites: GroupCommit<{ order: Order; meta: OrderMeta }, boolean>;
  /** Concurrent non-fill events, grouped likewise, one per order per batch. */
  private readonly eventWrites: GroupCommit<EventRecord, RecordOutcome>;

  private readonly db: Database;
  private readonly lookups: ReturnType<typeof prepareLookups>;

  /**
   * `writers`: batches written at once (default: what the store can carry). `startAt`: a batch is
   * started as soon as this many writes wait (GroupCommit), so that with several writers the
   * database works on the first part of a burst while this process prepares the rest (default:
   * EARLY_START where there is more than one writer; one writer gains nothing by it).
   */
  constructor(
    private readonly store: Store,
    options: { writers?: number; startAt?: number } = {},
  ) {
    this.db = store.db;
    this.lookups = prepareLookups(this.db);
    const maxInFlight = options.writers ?? store.writers;
    const startAt = options.startAt ?? (maxInFlight > 1 ? EARLY_START : undefined);
    const early = startAt === undefined ? {} : { startAt };
    this.orderWrites = new GroupCommit((items) => this.createMany(items), { maxInFlight, ...early });
    this.eventWrites = new GroupCommit((records) => this.recordMany(records), {
      maxInFlight,
      ...early,
      keyOf: (record) => record.orderId,
    });
  }

  async createOrder(order: Order, meta: OrderMeta): Promise<{ created: boolean; stored: StoredOrder }> {
    const created = await this.orderWrites.submit({ order, meta });
    if (created) return { created: true, stored: { order, meta, eventSeq: 0 } };
    const existing = await this.findByClientOrderId(order.accountId, order.clientOrderId);
    if (existing === undefined) throw new Error(`order ${order.clientOrderId} vanished after a conflict`);
    return { created: false, stored: existing };
  }

  /**
   * New orders, many in one statement: each inserted unless its (account, client order id) exists,
   * also earlier in the same batch. Answers, per order, whether it was inserted.
   */
  private createMany(items: readonly { order: Order; meta: OrderMeta }[]): Promise<boolean[]> {
    return insertOrders(this.store.query, items);
  }

  async findById(id: string): Promise<StoredOrder | undefined> {
    const [row] = await this.lookups.byId.execute({ id });
    return row === undefined ? undefined : rowToStored(row);
  }

  async findByClientOrderId(accountId: string, clientOrderId: string): Promise<StoredOrder | undefined> {
    const [row] = await this.lookups.byClientOrderId.execute({ accountId, clientOrderId });
    return row === undefined ? undefined : rowToStored(row);
  }

  async findManyByClientOrderId(
    accountId: string,
    clientOrderIds: readonly string[],
  ): Promise<ReadonlyMap<string, StoredOrder>> {
    if (clientOrderIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.accountId, accountId), inArray(orders.clientOrderId, [...clientOrderIds])));
    return new Map(rows.map((row) => [row.clientOrderId, rowToStored(row)]));
  }

  async recordEvent(record: EventRecord): Promise<RecordOutcome> {
    if (record.fill === undefined) return this.eventWrites.submit(record);
    return this.recordRun([record]);
  }

  async recordRun(records: readonly EventRecord[]): Promise<RecordOutcome> {
    const last = records.at(-1);
    const prior = records.slice(0, -1);
    const orderId = last?.orderId;
    if (last?.fill === undefined || prior.some((r) => r.fill !== undefined || r.orderId !== orderId))
      throw new Error("recordRun: one order's events, ending with its only fill");
    try {
      await this.recordOnce(prior, last, last.fill);
      return 'recorded';
    } catch (error) {
      if (error instanceof Duplicate || sqlState(error) === DUPLICATE_EVENT) return 'duplicate';
      throw error;
    }
  }

  /**
   * Events without a fill, many orders' in one statement (a data-modifying CTE, atomic without a
   * transaction): append each with its order's next sequence number and save the order after it.
   * A redelivered event id inserts nothing, so its order's update matches no row: a duplicate.
   * One event per order per batch (the batcher's key), so each order's next number is its own.
   */
  private recordMany(records: readonly EventRecord[]): Promise<RecordOutcome[]> {
    return recordEventsWith(this.store.query, records);
  }

  /**
   * A fill with its event, after the order's earlier events of the same run (`prior`), in one
   * transaction; a duplicate fill or event aborts it whole, so nothing is applied twice or half.
   * Between BEGIN and COMMIT: each prior event (RECORD_EVENTS), the position's row made if missing
   * (ENSURE_POSITION), the fill's insert with the position's and the order's row locks, then the
   * position's upsert with the fill event's append and the order's update. All but the last share
   * a round trip: the statements run in the order sent, each seeing the ones before. The last one
   * shares its round trip with COMMIT.
   *
   * The position row exists before it is locked: two fills opening one position in two
   * transactions found no row to lock, both worked from flat, and the second upsert overwrote
   * the first fill's quantity. Now the second waits on the first's row and reads it as committed.
   */
  private recordOnce(
    prior: readonly EventRecord[],
    record: EventRecord,
    { fill, applyToPosition }: NonNullable<EventRecord['fill']>,
  ): Promise<void> {
    return this.store.transaction(async (query) => {
      const placeholder = positionToRow(flatPosition(fill.accountId, fill.symbol));
      // Sent in this order, without waiting: the connection runs them in turn.
      const earlier = prior.map((r) => query(RECORD_EVENTS, [JSON.stringify(eventsInput([r]))]));
      const ensured = query(ENSURE_POSITION, [JSON.stringify(columnsOf(placeholder, POSITION_COLUMNS))]);
      const inserting = query(INSERT_FILL_AND_LOCK, [
        JSON.stringify(columnsOf(fillToRow(fill, record.orderId), FILL_COLUMNS)),
        fill.accountId,
        fill.symbol,
        record.orderId,
      ]);
      const [recordedEarlier, [row]] = await Promise.all([Promise.all(earlier), inserting, ensured]);
      // An earlier event of the run recorded before: the run is not new, and changes nothing.
      if (recordedEarlier.some((rows) => rows.length === 0)) throw new Duplicate();
      if (Number(row?.['inserted']) === 0) throw new Duplicate();
      if (Number(row?.['orders']) === 0) throw new Error(`no order ${record.orderId} to record a fill on`);
      const locked = row?.['position'];
      const before =
        typeof locked === 'string'
          ? rawPosition(JSON.parse(locked) as Record<string, unknown>)
          : flatPosition(fill.accountId, fill.symbol);
      const after = columnsOf(positionToRow(applyToPosition(before)), POSITION_COLUMNS);
      // The last statement, with COMMIT behind it in the same write. A redelivered event (its id
      // already recorded for this order) raises DUPLICATE_EVENT, and nothing is committed.
      const recording = query(UPSERT_POSITION_AND_RECORD, [
        JSON.stringify(eventsInput([record])),
        JSON.stringify(after),
      ]);
      return new AtCommit(recording.then(() => undefined));
    });
  }

  async listOrders(filter: OrderFilter): Promise<OrderPage> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), MAX_PAGE);
    const conditions = [];
    if (filter.status === 'open') conditions.push(notInArray(orders.status, TERMINAL));
    else if (filter.status === 'closed') conditions.push(inArray(orders.status, TERMINAL));
    else if (filter.status !== undefined && filter.status !== 'all')
      conditions.push(eq(orders.status, filter.status));
    if (filter.symbol !== undefined) conditions.push(eq(orders.symbol, filter.symbol));
    if (filter.accountId !== undefined) conditions.push(eq(orders.accountId, filter.accountId));
    const cursor = decodeCursor(filter.cursor);
    if (cursor !== undefined) {
      conditions.push(
        or(lt(orders.createdAt, cursor.at), and(eq(orders.createdAt, cursor.at), lt(orders.id, cursor.id))),
      );
    }
    const rows = await this.db
      .select()
      .from(orders)
      .where(and(...conditions))
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit).map(rowToStored);
    const last = page[page.length - 1];
    return rows.length > limit && last !== undefined
      ? { orders: page, nextCursor: encodeCursor(last.order.createdAt, last.order.id) }
      : { orders: page };
  }

  async openOrders(accountId?: string): Promise<StoredOrder[]> {
    const open = notInArray(orders.status, TERMINAL);
    const rows = await this.db
      .select()
      .from(orders)
      .where(accountId === undefined ? open : and(open, eq(orders.accountId, accountId)))
      .orderBy(asc(orders.createdAt));
    return rows.map(rowToStored);
  }

  async children(parentId: string): Promise<StoredOrder[]> {
    const rows = await this.db
      .select()
      .from(orders)
      .where(eq(orders.parentId, parentId))
      .orderBy(asc(orders.createdAt), asc(orders.id));
    return rows.map(rowToStored);
  }

  async saveParent(order: Order, algo: Readonly<Record<string, unknown>>): Promise<void> {
    await this.db
      .update(orders)
      .set({
        status: order.status,
        priorStatus: order.priorStatus ?? null,
        filledQty: order.filledQty.toFixed(),
        filledNotional: order.filledNotional.toFixed(),
        avgFillPrice: order.avgFillPrice?.toFixed() ?? null,
        rejectCode: order.reject?.code ?? null,
        rejectMessage: order.reject?.message ?? null,
        algo,
        updatedAt: new Date(order.updatedAt),
      })
      .where(eq(orders.id, order.id));
  }

  async events(orderId: string): Promise<RecordedEvent[]> {
    const rows = await this.db
      .select()
      .from(orderEvents)
      .where(eq(orderEvents.orderId, orderId))
      .orderBy(asc(orderEvents.seq));
    return rows.map((r) => ({ seq: r.seq, event: payloadToEvent(r.payload as Record<string, unknown>) }));
  }

  async histories(orderIds: readonly string[]): Promise<ReadonlyMap<string, OrderHistory>> {
    const out = new Map<string, OrderHistory>();
    for (let i = 0; i < orderIds.length; i += RECORDED_FILLS_PAGE) {
      const ids = [...new Set(orderIds.slice(i, i + RECORDED_FILLS_PAGE))];
      const [orderRows, fillRows, eventRows] = await Promise.all([
        this.db.select().from(orders).where(inArray(orders.id, ids)),
        this.db.select().from(fills).where(inArray(fills.orderId, ids)).orderBy(asc(fills.id)),
        this.db
          .select()
          .from(orderEvents)
          .where(inArray(orderEvents.orderId, ids))
          .orderBy(asc(orderEvents.orderId), asc(orderEvents.seq)),
      ]);
      const fillsOf = groupBy(fillRows, (r) => r.orderId ?? '');
      const eventsOf = groupBy(eventRows, (r) => r.orderId);
      for (const row of orderRows) {
        out.set(row.id, {
          stored: rowToStored(row),
          fills: (fillsOf.get(row.id) ?? []).map(rowToFill),
          events: (eventsOf.get(row.id) ?? []).map((r) =>
            payloadToEvent(r.payload as Record<string, unknown>),
          ),
        });
      }
    }
    return out;
  }

  async fills(orderId: string): Promise<ReturnType<typeof rowToFill>[]> {
    const rows = await this.db.select().from(fills).where(eq(fills.orderId, orderId)).orderBy(asc(fills.id));
    return rows.map(rowToFill);
  }

  async positions(accountId?: string, includeFlat = false): Promise<Position[]> {
    const nonFlat = includeFlat ? sql`true` : sql`${positions.quantity} <> 0`;
    const rows = await this.db
      .select()
      .from(positions)
      .where(accountId === undefined ? nonFlat : and(nonFlat, eq(positions.accountId, accountId)))
      .orderBy(asc(positions.accountId), asc(positions.symbol));
    return rows.map(rowToPosition);
  }

  async correctPosition(position: Position, audit: AuditRecord, expected: Decimal): Promise<boolean> {
    const row = positionToRow(position);
    return this.db.transaction(async (tx) => {
      const written = await tx
        .insert(positions)
        .values(row)
        .onConflictDoUpdate({
          target: [positions.accountId, positions.symbol],
          set: row,
          setWhere: eq(positions.quantity, expected.toFixed()),
        })
        .returning({ symbol: positions.symbol });
      if (written.length === 0) return false;
      await appendAudit(tx, { ...audit, at: new Date(audit.at) });
      return true;
    });
  }

  async recordedFills(
    venue: string,
    accountId: string,
    fillIds: readonly string[],
  ): Promise<ReadonlySet<string>> {
    const known = new Set<string>();
    for (let i = 0; i < fillIds.length; i += RECORDED_FILLS_PAGE) {
      const rows = await this.db
        .select({ fillId: fills.fillId })
        .from(fills)
        .where(
          and(
            eq(fills.venue, venue),
            eq(fills.accountId, accountId),
            inArray(fills.fillId, fillIds.slice(i, i + RECORDED_FILLS_PAGE)),
          ),
        );
      for (const row of rows) known.add(row.fillId);
    }
    return known;
  }

  async checkpoint(venue: string, accountId: string): Promise<number | undefined> {
    const [row] = await this.db
      .select()
      .from(reconcileCheckpoints)
      .where(and(eq(reconcileCheckpoints.venue, venue), eq(reconcileCheckpoints.accountId, accountId)));
    return row?.checkpoint.getTime();
  }

  async setCheckpoint(venue: string, accountId: string, at: number): Promise<void> {
    const value = { venue, accountId, checkpoint: new Date(at) };
    await this.db
      .insert(reconcileCheckpoints)
      .values(value)
      .onConflictDoUpdate({
        target: [reconcileCheckpoints.venue, reconcileCheckpoints.accountId],
        set: { checkpoint: value.checkpoint },
      });
  }

  async position(accountId: string, symbol: string): Promise<Position | undefined> {
    const [row] = await this.db
      .select()
      .from(positions)
      .where(and(eq(positions.accountId, accountId), eq(positions.symbol, symbol)));
    return row === undefined ? undefined : rowToPosition(row);
  }
}

/** The order columns an event can change: [property, SQL column]. */
const LIFECYCLE = (
  [
    'status',
    'priorStatus',
    'quantity',
    'limitPrice',
    'stopPrice',
    'triggerPrice',
    'trailPrice',
    'trailPercent',
    'currentStop',
    'timeInForce',
    'expireAt',
    'displayQty',
    'filledQty',
    'filledNotional',
    'avgFillPrice',
    'overfillQty',
    'venueOrderIds',
    'held',
    'emulated',
    'inferred',
    'external',
    'rejectCode',
    'rejectMessage',
    'updatedAt',
  ] as const
).map((key) => [key, getTableColumns(orders)[key].name] as const);

/** Inserts new orders given as a JSON array of rows (column names as keys). */
const CREATE_ORDERS = `
  insert into orders
  select * from jsonb_populate_recordset(null::orders, $1::jsonb)
  on conflict (account_id, client_order_id) do nothing
  returning id`;

/**
 * Records events given as a JSON array ($1) of { order_id, event_id, kind, payload, venue_time,
 * received_at, o: the order's columns after the event }, one per order: the common table
 * expressions, to follow a WITH, and the order update that follows them (RECORD_EVENTS_UPDATE).
 */
const RECORD_EVENTS_CTES = `
  input as (
    select x->>'order_id' as order_id, x->>'event_id' as event_id, x->>'kind' as kind,
           x->'payload' as payload, (x->>'venue_time')::timestamptz as venue_time,
           (x->>'received_at')::timestamptz as received_at,
           jsonb_populate_record(null::orders, x->'o') as o
    from jsonb_array_elements($1::jsonb) as x
  ),
  ev as (
    insert into order_events (order_id, seq, event_id, kind, payload, venue_time, received_at)
    select input.order_id, o.event_seq + 1, input.event_id, input.kind, input.payload,
           input.venue_time, input.received_at
    from input cross join lateral (select event_seq from orders where orders.id = input.order_id offset 0) o
    on conflict (order_id, event_id) do nothing
    returning order_id, seq
  )`;

/** The order update of RECORD_EVENTS: each order whose event was inserted, saved after it. */
const RECORD_EVENTS_UPDATE = `
  update orders set ${LIFECYCLE.map(([, column]) => `"${column}" = (input.o)."${column}"`).join(', ')},
         event_seq = ev.seq
  from ev join input on input.order_id = ev.order_id
  where orders.id = ev.order_id and orders.id = any(array(select order_id from ev))
  returning orders.id`;

const RECORD_EVENTS = `with ${RECORD_EVENTS_CTES} ${RECORD_EVENTS_UPDATE}`;

/**
 * A flat position row ($1, JSON) unless the account holds the symbol's row already; one being made
 * by another transaction is waited for. Its own statement, so that the lock that follows reads
 * with a snapshot taken after that wait.
 */
const ENSURE_POSITION = `
  insert into positions select * from jsonb_populate_record(null::positions, $1::jsonb)
  on conflict (account_id, symbol) do nothing`;

/**
 * A fill given as a JSON row ($1; column names as keys), inserted unless its venue fill id is
 * recorded, with the row locks of its position ($2, $3) and its order ($4): whether it was
 * inserted, the position as JSON text (numerics as text) or null, whether the order exists.
 */
const INSERT_FILL_AND_LOCK = `
  with inserted as (
    insert into fills (venue, account_id, fill_id, order_id, client_order_id, venue_order_id, symbol,
                       side, quantity, price, liquidity, fee, fee_currency, ts)
    select venue, account_id, fill_id, order_id, client_order_id, venue_order_id, symbol,
           side, quantity, price, liquidity, fee, fee_currency, ts
    from jsonb_populate_record(null::fills, $1::jsonb)
    on conflict (venue, account_id, fill_id) do nothing
    returning id
  ),
  locked_position as (
    select ${POSITION_COLUMNS_SQL} from positions where account_id = $2 and symbol = $3 for update
  ),
  locked_order as (select id from orders where id = $4 for update)
  select (select count(*) from inserted)::int as inserted,
         (select row_to_json(p)::text from locked_position p) as position,
         (select count(*) from locked_order)::int as orders`;

/**
 * A position given as a JSON row ($2), inserted or replacing the account's row for the symbol,
 * with one event recorded as RECORD_EVENTS records it ($1). COMMIT is sent right behind it, so an
 * event recorded already cannot be answered with no rows for the caller to roll back on: the
 * statement raises DUPLICATE_EVENT (drizzle/0009) instead, and the transaction rolls back.
 */
const UPSERT_POSITION_AND_RECORD = `
  with position as (
    insert into positions select * from jsonb_populate_record(null::positions, $2::jsonb)
    on conflict (account_id, symbol) do update set
      quantity = excluded.quantity, avg_entry_price = excluded.avg_entry_price,
      realized_pnl = excluded.realized_pnl, fees = excluded.fees,
      opened_at = excluded.opened_at, updated_at = excluded.updated_at
  ),
  ${RECORD_EVENTS_CTES},
  updated as (${RECORD_EVENTS_UPDATE})
  select id from updated
  union all
  select duplicate_event($1::jsonb->0->>'order_id') where not exists (select 1 from updated)`;

/** The SQLSTATE of drizzle/0009's duplicate_event(). */
const DUPLICATE_EVENT = 'OMDUP';

/** For rows whose meta columns are not written (events change lifecycle columns only). */
const NO_META: OrderMeta = { agentId: '', orderClass: 'simple', requestHash: '' };

const ORDER_COLUMNS = columnNames(orders);
const FILL_COLUMNS = columnNames(fills);
const POSITION_COLUMNS = columnNames(positions);

/**
 * Inserts new orders in one statement through `query` (the store's, or a transaction's): each
 * unless its (account, client order id) exists, also earlier in the same batch. Answers, per
 * order, whether it was inserted.
 */
export async function insertOrders(
  query: SqlQuery,
  items: readonly { order: Order; meta: OrderMeta }[],
): Promise<boolean[]> {
  const rows = items.map(({ order, meta }) => columnsOf(orderToRow(order, meta, 0), ORDER_COLUMNS));
  const result = await query(CREATE_ORDERS, [JSON.stringify(rows)]);
  const inserted = new Set(result.map((r) => r['id']));
  return items.map(({ order }) => inserted.has(order.id));
}

/**
 * Records events without fills (one per order) in one statement through `query` (the store's, or
 * a transaction's): each appended with its order's next sequence number and the order saved after
 * it; a redelivered event id is a duplicate and changes nothing.
 */
export async function recordEventsWith(
  query: SqlQuery,
  records: readonly EventRecord[],
): Promise<RecordOutcome[]> {
  const result = await query(RECORD_EVENTS, [JSON.stringify(eventsInput(records))]);
  const recorded = new Set(result.map((r) => r['id']));
  return records.map((r) => (recorded.has(r.orderId) ? 'recorded' : 'duplicate'));
}

/**
 * The lookups by key that submits make (one before every order that names a client order id),
 * built once: drizzle builds a query's SQL anew on every call otherwise, most of a millisecond of CPU.
 */
function prepareLookups(db: Database) {
  return {
    byId: db
      .select()
      .from(orders)
      .where(eq(orders.id, sql.placeholder('id')))
      .limit(1)
      .prepare('order_by_id'),
    byClientOrderId: db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.accountId, sql.placeholder('accountId')),
          eq(orders.clientOrderId, sql.placeholder('clientOrderId')),
        ),
      )
      .limit(1)
      .prepare('order_by_client_order_id'),
  };
}

/** The rows RECORD_EVENTS takes, for JSON.stringify (which writes the event's decimals as strings). */
function eventsInput(records: readonly EventRecord[]): Record<string, unknown>[] {
  return records.map((record) => {
    const event = record.event;
    return {
      order_id: record.orderId,
      event_id: event.eventId,
      kind: event.kind,
      payload: event,
      venue_time: new Date(event.venueTime).toISOString(),
      received_at: new Date(event.receivedAt).toISOString(),
      o: columnsOf(orderToRow(record.order, NO_META, 0), LIFECYCLE),
    };
  });
}

/** Aborts a transaction that would apply something twice. */
class Duplicate extends Error {}

/** The SQLSTATE of a database error (both drivers' errors carry it as `code`). */
function sqlState(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}:${id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString();
  const sep = text.indexOf(':');
  const ms = Number(text.slice(0, sep));
  if (sep < 1 || !Number.isSafeInteger(ms)) {
    throw new TradingError('INVALID_ARGUMENT', 'The cursor is not one this server issued.', {
      hint: 'Pass the nextCursor of the previous page unchanged, or omit cursor to start over.',
      details: { field: 'cursor' },
    });
  }
  return { at: new Date(ms), id: text.slice(sep + 1) };
}

function groupBy<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return groups;
}
