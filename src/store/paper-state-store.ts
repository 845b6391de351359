import { asc, eq } from 'drizzle-orm';
import type { PaperSnapshot, PaperStateStore } from '../brokers/paper/paper-state.js';
import type { Account } from '../domain/account.js';
import type { Fill } from '../domain/events.js';
import type { Position } from '../domain/position.js';
import type { EngineCounters } from '../brokers/paper/matching-engine.js';
import type { WorkingSnapshot } from '../brokers/paper/working-order.js';
import type { Database, Store } from './db.js';
import { reviveDecimals } from './json-decimals.js';
import { paperAccounts, paperFills, paperOrders, paperPositions, paperVenues } from './schema.js';

/** The paper venues' state in the same database as the engine's (PGlite or PostgreSQL). */
export class DrizzlePaperStateStore implements PaperStateStore {
  private readonly db: Database;

  constructor(private readonly store: Store) {
    this.db = store.db;
  }

  async load(venue: string): Promise<PaperSnapshot | undefined> {
    const [head] = await this.db.select().from(paperVenues).where(eq(paperVenues.venue, venue));
    if (head === undefined) return undefined;
    const [orders, accounts, positions, fills] = await Promise.all([
      this.db.select().from(paperOrders).where(eq(paperOrders.venue, venue)),
      this.db.select().from(paperAccounts).where(eq(paperAccounts.venue, venue)),
      this.db.select().from(paperPositions).where(eq(paperPositions.venue, venue)),
      this.db.select().from(paperFills).where(eq(paperFills.venue, venue)).orderBy(asc(paperFills.id)),
    ]);
    return {
      instanceId: head.instanceId,
      counters: head.counters as EngineCounters,
      orders: orders.map((r) => reviveDecimals(r.snapshot) as WorkingSnapshot).sort((a, b) => a.seq - b.seq),
      accounts: accounts.map((r) => reviveDecimals(r.snapshot) as Account),
      positions: positions.map((r) => reviveDecimals(r.snapshot) as Position),
      fills: fills.map((r) => reviveDecimals(r.snapshot) as Fill),
    };
  }

  /**
   * One statement (atomic on its own): the head, then every order, account and position upserted
   * and every fill added once, each table from one JSON array. A venue's group commit hands it
   * everything changed since the last save, so its cost grows with the batch, not per command.
   */
  async save(venue: string, batch: PaperSnapshot): Promise<void> {
    await this.store.query(SAVE, [
      venue,
      batch.instanceId,
      JSON.stringify(batch.counters),
      JSON.stringify(batch.orders),
      JSON.stringify(batch.accounts),
      JSON.stringify(batch.positions),
      JSON.stringify(batch.fills),
    ]);
  }
}

const SAVE = `
  with head as (
    insert into paper_venues (venue, instance_id, counters, updated_at)
    values ($1, $2, $3::jsonb, now())
    on conflict (venue) do update
      set instance_id = excluded.instance_id, counters = excluded.counters, updated_at = excluded.updated_at
  ),
  saved_orders as (
    insert into paper_orders (venue, account_id, client_order_id, status, snapshot)
    select $1, x->'order'->>'accountId', x->'order'->>'clientOrderId', x->'order'->>'status', x
    from jsonb_array_elements($4::jsonb) as x
    on conflict (venue, account_id, client_order_id) do update
      set status = excluded.status, snapshot = excluded.snapshot
  ),
  saved_accounts as (
    insert into paper_accounts (venue, account_id, snapshot)
    select $1, x->>'id', x from jsonb_array_elements($5::jsonb) as x
    on conflict (venue, account_id) do update set snapshot = excluded.snapshot
  ),
  saved_positions as (
    insert into paper_positions (venue, account_id, symbol, snapshot)
    select $1, x->>'accountId', x->>'symbol', x from jsonb_array_elements($6::jsonb) as x
    on conflict (venue, account_id, symbol) do update set snapshot = excluded.snapshot
  )
  insert into paper_fills (venue, fill_id, snapshot)
  select $1, f.x->>'fillId', f.x
  from jsonb_array_elements($7::jsonb) with ordinality as f(x, n)
  order by f.n
  on conflict (venue, fill_id) do nothing`;
