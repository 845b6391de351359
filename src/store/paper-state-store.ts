import { asc, eq } from 'drizzle-orm';
import type { PaperSnapshot, PaperStateStore } from '../brokers/paper/paper-state.js';
import type { Account } from '../domain/account.js';
import type { Fill } from '../domain/events.js';
import type { Position } from '../domain/position.js';
import type { EngineCounters } from '../brokers/paper/matching-engine.js';
import type { WorkingSnapshot } from '../brokers/paper/working-order.js';
import type { Database } from './db.js';
import { reviveDecimals } from './json-decimals.js';
import { paperAccounts, paperFills, paperOrders, paperPositions, paperVenues } from './schema.js';

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

/** The paper venues' state in the same database as the engine's (PGlite or PostgreSQL). */
export class DrizzlePaperStateStore implements PaperStateStore {
  constructor(private readonly db: Database) {}

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

  save(venue: string, batch: PaperSnapshot): Promise<void> {
    return this.db.transaction(async (tx) => {
      const head = { venue, instanceId: batch.instanceId, counters: batch.counters, updatedAt: new Date() };
      await tx.insert(paperVenues).values(head).onConflictDoUpdate({ target: paperVenues.venue, set: head });
      for (const o of batch.orders) {
        const row = {
          venue,
          accountId: o.order.accountId,
          clientOrderId: o.order.clientOrderId,
          status: o.order.status,
          snapshot: json(o),
        };
        await tx
          .insert(paperOrders)
          .values(row)
          .onConflictDoUpdate({
            target: [paperOrders.venue, paperOrders.accountId, paperOrders.clientOrderId],
            set: { status: row.status, snapshot: row.snapshot },
          });
      }
      for (const a of batch.accounts) {
        await tx
          .insert(paperAccounts)
          .values({ venue, accountId: a.id, snapshot: json(a) })
          .onConflictDoUpdate({
            target: [paperAccounts.venue, paperAccounts.accountId],
            set: { snapshot: json(a) },
          });
      }
      for (const p of batch.positions) {
        await tx
          .insert(paperPositions)
          .values({ venue, accountId: p.accountId, symbol: p.symbol, snapshot: json(p) })
          .onConflictDoUpdate({
            target: [paperPositions.venue, paperPositions.accountId, paperPositions.symbol],
            set: { snapshot: json(p) },
          });
      }
      if (batch.fills.length > 0) {
        await tx
          .insert(paperFills)
          .values(batch.fills.map((f) => ({ venue, fillId: f.fillId, snapshot: json(f) })))
          .onConflictDoNothing();
      }
    });
  }
}
