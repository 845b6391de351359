import { and, asc, desc, eq, getTableColumns, inArray, lt, notInArray, or, sql } from 'drizzle-orm';
import { type Decimal, dec } from '../domain/decimal.js';
import type { EventMark } from '../domain/events.js';
import { TradingError } from '../domain/errors.js';
import { TERMINAL_STATUSES } from '../domain/order.js';
import type { Order } from '../domain/order.js';
import { type Position, flatPosition } from '../domain/position.js';
import {
  AtCommit,
  type AuditRecord,
  type EventRecord,
  type OrderFilter,
  type OrderGlance,
  type OrderHistory,
  type OrderMeta,
  type OrderPage,
  type OrderStore,
  type RecordOutcome,
  type RecordedEvent,
  type StoredOrder,
} from '../engine/ports.js';
import type { Database, SqlQuery, Store } from './db.js';
import {
  OPEN_STATUSES_SQL,
  POSITION_COLUMNS_SQL,
  columnNames,
  columnsOf,
  rawPosition,
  text,
  toMs,
} from './raw-rows.js';
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
  /** Concurrent fills (each with its order's events before it), grouped likewise, one per order per batch. */
  private readonly fillWrites: GroupCommit<FillRun, RecordOutcome | Failed>;

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
    this.fillWrites = new GroupCommit((runs) => this.recordRuns(runs), {
      maxInFlight,
      ...early,
      keyOf: (run) => run.last.orderId,
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

  async glances(
    accountId: string,
    clientOrderIds: readonly string[],
  ): Promise<ReadonlyMap<string, OrderGlance>> {
    const rows = await this.store.query(GLANCES, [accountId, JSON.stringify(clientOrderIds)]);
    return new Map(
      rows.map((r) => {
        const glance: OrderGlance = {
          id: text(r['id']),
          clientOrderId: text(r['client_order_id']),
          venue: text(r['venue']),
          status: text(r['status']) as OrderGlance['status'],
          inferred: r['inferred'] === true,
          filledQty: dec(text(r['filled_qty'])),
          updatedAt: toMs(r['updated_at']),
          emulated: r['emulated'] === true,
          external: r['external'] === true,
          venueOrderIds: JSON.parse(text(r['venue_order_ids'])) as string[],
        };
        return [glance.clientOrderId, glance];
      }),
    );
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
    const outcome = await this.fillWrites.submit({ prior, last, fill: last.fill });
    if (outcome instanceof Failed) throw outcome.error;
    return outcome;
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
   * Fill runs of several orders, committed together when none of them was recorded before: one
   * transaction and one hold of each position's row lock for the lot, where each fill alone held
   * it for a transaction of its own (fills of one position queued behind each other's commits).
   * When the database refuses the lot (a fill or event recorded before, a fill whose order is
   * missing, a row it rejects: nothing was committed), each run is recorded on its own, as it
   * would have been alone, and fails or is a duplicate on its own. An error the database did not
   * answer (the connection lost, the commit's fate unknown) is every run's, as a single run's
   * would be.
   */
  private async recordRuns(runs: readonly FillRun[]): Promise<(RecordOutcome | Failed)[]> {
    try {
      await this.recordTogether(runs);
      return runs.map(() => 'recorded');
    } catch (error) {
      if (runs.length === 1) {
        if (isDuplicate(error)) return ['duplicate'];
        throw error;
      }
      if (!refusedWhole(error)) throw error;
    }
    const outcomes: (RecordOutcome | Failed)[] = [];
    for (const run of runs) {
      try {
        outcomes.push(...(await this.recordRuns([run])));
      } catch (error) {
        outcomes.push(new Failed(error));
      }
    }
    return outcomes;
  }

  /**
   * Fill runs (one per order) in one transaction; a duplicate fill or event among them aborts it
   * whole, so nothing is applied twice or half. Between BEGIN and COMMIT: the earlier events of
   * the runs (RECORD_EVENTS, one statement per step back from the fills), the positions' rows made
   * if missing (ENSURE_POSITIONS), the fills' insert with the positions' and the orders' row locks,
   * then the positions' upsert with the fill events' append and the orders' update. All but the
   * last share a round trip: the statements run in the order sent, each seeing the ones before.
   * The last one shares its round trip with COMMIT. Each fill is applied to its position as the
   * runs before it in the batch left it.
   *
   * The position rows exist before they are locked: two fills opening one position in two
   * transactions found no row to lock, both worked from flat, and the second upsert overwrote
   * the first fill's quantity. Now the second waits on the first's row and reads it as committed.
   * Rows are made and locked in key order, so that two batches holding the same positions take
   * them in the same order and neither waits on the other while holding what it waits for.
   */
  private recordTogether(runs: readonly FillRun[]): Promise<void> {
    return this.store.transaction(async (query) => {
      // Sent in this order, without waiting: the connection runs them in turn.
      const steps = Math.max(...runs.map((run) => run.prior.length));
      const earlier = Array.from({ length: steps }, (_, step) => {
        const records = runs.flatMap((run) => run.prior.slice(step, step + 1));
        return query(RECORD_EVENTS, [JSON.stringify(eventsInput(records))]).then(
          (rows) => rows.length === records.length,
        );
      });
      const keys = [...new Map(runs.map(({ fill: { fill } }) => [positionKey(fill), fill])).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, fill]) => ({ account_id: fill.accountId, symbol: fill.symbol }));
      const placeholders = keys.map((k) =>
        columnsOf(positionToRow(flatPosition(k.account_id, k.symbol)), POSITION_COLUMNS),
      );
      const ensured = query(ENSURE_POSITIONS, [JSON.stringify(placeholders)]);
      const orderIds = runs.map((run) => run.last.orderId).sort();
      const inserting = query(INSERT_FILLS_AND_LOCK, [
        JSON.stringify(
          runs.map(({ last, fill: { fill } }) => columnsOf(fillToRow(fill, last.orderId), FILL_COLUMNS)),
        ),
        JSON.stringify(keys),
        JSON.stringify(orderIds),
      ]);
      const [recordedEarlier, [row]] = await Promise.all([Promise.all(earlier), inserting, ensured]);
      // An earlier event of a run recorded before: the run is not new, and changes nothing.
      if (recordedEarlier.some((all) => !all)) throw new Duplicate();
      if (Number(row?.['inserted']) !== runs.length) throw new Duplicate();
      // The fills' foreign key refuses a fill whose order is missing before this could.
      if (Number(row?.['orders']) !== runs.length) throw new Error('an order to record a fill on is missing');
      const held = new Map<string, Position>();
      const locked = row?.['positions'];
      for (const raw of typeof locked === 'string' ? (JSON.parse(locked) as Record<string, unknown>[]) : []) {
        const position = rawPosition(raw);
        held.set(positionKey(position), position);
      }
      for (const { fill } of runs) {
        const key = positionKey(fill.fill);
        held.set(
          key,
          fill.applyToPosition(held.get(key) ?? flatPosition(fill.fill.accountId, fill.fill.symbol)),
        );
      }
      // The last statement, with COMMIT behind it in the same write. A redelivered event (its id
      // already recorded for its order) raises DUPLICATE_EVENT, and nothing is committed.
      const recording = query(UPSERT_POSITIONS_AND_RECORD, [
        JSON.stringify(eventsInput(runs.map((run) => run.last))),
        JSON.stringify([...held.values()].map((p) => columnsOf(positionToRow(p), POSITION_COLUMNS))),
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
        // Each event's kind, arrival and a request's origin: not its payload, revived for nothing.
        this.db
          .select({
            orderId: orderEvents.orderId,
            kind: orderEvents.kind,
            receivedAt: orderEvents.receivedAt,
            origin: sql<string | null>`${orderEvents.payload}->>'origin'`,
          })
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
          events: (eventsOf.get(row.id) ?? []).map((r) => ({
            kind: r.kind as EventMark['kind'],
            receivedAt: r.receivedAt.getTime(),
            ...(r.origin === 'local' || r.origin === 'venue' ? { origin: r.origin } : {}),
          })),
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

/**
 * An account's ($1) open orders and its orders with these client order ids ($2, a JSON array),
 * each found by an index whatever plan the statement keeps: the open ones by the open-orders
 * index, the others by their key. An order in both parts comes twice (the caller keys by client
 * order id, which keeps one).
 */
const GLANCE_COLUMNS = `o.id, o.client_order_id, o.venue, o.status, o.inferred,
  o.filled_qty::text as filled_qty, o.updated_at, o.emulated, o.external,
  o.venue_order_ids::text as venue_order_ids`;

const GLANCES = `
  select ${GLANCE_COLUMNS} from orders o
  where o.account_id = $1 and o.status in ${OPEN_STATUSES_SQL}
  union all
  select ${GLANCE_COLUMNS} from jsonb_array_elements_text($2::jsonb) as k(client_order_id)
  cross join lateral (
    select * from orders where orders.account_id = $1 and orders.client_order_id = k.client_order_id offset 0
  ) o`;

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
 * Flat position rows ($1, a JSON array in key order, inserted in its order) for the keys the
 * account holds no row for yet; one being made by another transaction is waited for. Its own
 * statement, so that the locks that follow read with a snapshot taken after that wait.
 */
const ENSURE_POSITIONS = `
  insert into positions select * from jsonb_populate_recordset(null::positions, $1::jsonb)
  on conflict (account_id, symbol) do nothing`;

/**
 * Fills given as a JSON array of rows ($1; column names as keys), each inserted unless its venue
 * fill id is recorded, with the row locks of their positions ($2, [{ account_id, symbol }] in key
 * order) and their orders ($3, ids in order), locked in the order given: how many fills were
 * inserted, the positions as a JSON array (numerics as text), how many orders exist. Each
 * position and order is looked up by its key alone (a lateral subquery per key, which its row
 * lock keeps apart), whatever plan the statement keeps.
 */
const INSERT_FILLS_AND_LOCK = `
  with inserted as (
    insert into fills (venue, account_id, fill_id, order_id, client_order_id, venue_order_id, symbol,
                       side, quantity, price, liquidity, fee, fee_currency, ts)
    select venue, account_id, fill_id, order_id, client_order_id, venue_order_id, symbol,
           side, quantity, price, liquidity, fee, fee_currency, ts
    from jsonb_populate_recordset(null::fills, $1::jsonb)
    on conflict (venue, account_id, fill_id) do nothing
    returning id
  ),
  locked_positions as (
    select p.* from jsonb_to_recordset($2::jsonb) as k(account_id text, symbol text)
    cross join lateral (
      select ${POSITION_COLUMNS_SQL} from positions
      where positions.account_id = k.account_id and positions.symbol = k.symbol for update
    ) p
  ),
  locked_orders as (
    select o.id from jsonb_array_elements_text($3::jsonb) as k(id)
    cross join lateral (select id from orders where orders.id = k.id for update) o
  )
  select (select count(*) from inserted)::int as inserted,
         (select coalesce(json_agg(p), '[]')::text from locked_positions p) as positions,
         (select count(*) from locked_orders)::int as orders`;

/**
 * Positions given as a JSON array of rows ($2), each inserted or replacing the account's row for
 * the symbol, with one event per order recorded as RECORD_EVENTS records them ($1). COMMIT is
 * sent right behind it, so an event recorded already cannot be answered with fewer rows for the
 * caller to roll back on: the statement raises DUPLICATE_EVENT (drizzle/0009) instead, and the
 * transaction rolls back.
 */
const UPSERT_POSITIONS_AND_RECORD = `
  with position as (
    insert into positions select * from jsonb_populate_recordset(null::positions, $2::jsonb)
    on conflict (account_id, symbol) do update set
      quantity = excluded.quantity, avg_entry_price = excluded.avg_entry_price,
      realized_pnl = excluded.realized_pnl, fees = excluded.fees,
      opened_at = excluded.opened_at, updated_at = excluded.updated_at
  ),
  ${RECORD_EVENTS_CTES},
  updated as (${RECORD_EVENTS_UPDATE})
  select id from updated
  union all
  select duplicate_event(input.order_id) from input
  where not exists (select 1 from updated where updated.id = input.order_id)`;

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

/** A fill with its order's events before it (a run), as the fill batcher holds it. */
interface FillRun {
  readonly prior: readonly EventRecord[];
  readonly last: EventRecord;
  readonly fill: NonNullable<EventRecord['fill']>;
}

/** Aborts a transaction that would apply something twice. */
class Duplicate extends Error {}

/** A run's own failure, among a batch's outcomes. */
class Failed {
  constructor(readonly error: unknown) {}
}

function isDuplicate(error: unknown): boolean {
  return error instanceof Duplicate || sqlState(error) === DUPLICATE_EVENT;
}

/**
 * Whether a failed transaction is known to have committed nothing: it aborted itself, or the
 * database answered with an error (both drivers' errors from the server carry a severity; a
 * session-ending FATAL does not count). A connection lost leaves the commit's fate unknown.
 */
function refusedWhole(error: unknown): boolean {
  if (error instanceof Duplicate) return true;
  return (
    typeof error === 'object' && error !== null && (error as { severity?: unknown }).severity === 'ERROR'
  );
}

function positionKey({ accountId, symbol }: { accountId: string; symbol: string }): string {
  return `${accountId}\u0000${symbol}`;
}

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
