import { asc, inArray } from 'drizzle-orm';
import { dec } from '../domain/decimal.js';
import type { DecisionRecord, RoutingLog } from '../engine/routing-log.js';
import type { SqlQuery, Store } from './db.js';
import { columnNames, columnsOf } from './raw-rows.js';
import { routingAllocations, routingDecisions } from './schema.js';

/** Routing decisions and their allocations (the router's audit trail), written in batches. */
export class DrizzleRoutingLog implements RoutingLog {
  private buffer: DecisionRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Queues a decision; decisions queued meanwhile are written together in one statement. */
  record(decision: DecisionRecord): void {
    this.buffer.push(decision);
    if (this.buffer.length === 1) this.flushing = this.flushing.then(() => this.write());
  }

  /** Resolves once every queued decision is written. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0) await (this.flushing = this.flushing.then(() => this.write()));
    await this.flushing;
  }

  private async write(): Promise<void> {
    const batch = this.buffer.splice(0);
    if (batch.length === 0) return;
    try {
      await recordDecisionsWith(this.store.query, batch);
    } catch (error) {
      this.onError(error);
    }
  }

  /** The decisions recorded for orders, with their allocations (oldest first). */
  async decisions(orderIds: readonly string[]): Promise<StoredDecision[]> {
    if (orderIds.length === 0) return [];
    await this.flush();
    const rows = await this.store.db
      .select()
      .from(routingDecisions)
      .where(inArray(routingDecisions.orderId, [...orderIds]))
      .orderBy(asc(routingDecisions.createdAt));
    const allocations =
      rows.length === 0
        ? []
        : await this.store.db
            .select()
            .from(routingAllocations)
            .where(
              inArray(
                routingAllocations.decisionId,
                rows.map((r) => r.id),
              ),
            )
            .orderBy(asc(routingAllocations.id));
    const out = rows.map((row) => ({
      id: row.id,
      orderId: row.orderId,
      objective: row.objective,
      split: row.split,
      scores: row.scores as unknown[],
      allocations: allocations
        .filter((a) => a.decisionId === row.id)
        .map((a) => ({
          venue: a.venue,
          accountId: a.accountId,
          quantity: dec(a.quantity),
          ...(a.expectedPrice === null ? {} : { expectedPrice: dec(a.expectedPrice) }),
        })),
    }));
    return out;
  }
}

export interface StoredDecision {
  readonly id: string;
  readonly orderId: string;
  readonly objective: string;
  readonly split: boolean;
  readonly scores: unknown[];
  readonly allocations: {
    venue: string;
    accountId: string;
    quantity: ReturnType<typeof dec>;
    expectedPrice?: ReturnType<typeof dec>;
  }[];
}

const DECISION_COLUMNS = columnNames(routingDecisions);
const ALLOCATION_COLUMNS = columnNames(routingAllocations);

/**
 * Decisions ($1) and their allocations ($2), each a JSON array of rows keyed by column name, for
 * the orders that exist as the statement sees them (every caller records an order's decision once
 * the order is written; inside an admission, one whose client order id was taken was not, and its
 * decision is not kept). The allocations' ids come from the table's sequence; their foreign keys
 * are checked at the end of the statement, once the decisions are in.
 *
 * Each order is looked up by its key, in a lateral subquery the planner keeps apart (`offset 0`).
 * Written as a semi-join (`where exists`), the generic plan the hot pool keeps, made while orders
 * was nearly empty, hashed the whole table on every run: 8.6 ms at 17,000 orders, under the risk
 * lock, so that at 200 orders/s the server pipeline's p50 went from 3 ms to 11 ms
 * (bench/oms.bench.ts).
 */
export const RECORD_DECISIONS = `
  with decisions as (
    insert into routing_decisions
    select d.* from jsonb_populate_recordset(null::routing_decisions, $1::jsonb) d
    cross join lateral (select 1 from orders o where o.id = d.order_id offset 0) as placed
    returning id
  )
  insert into routing_allocations (decision_id, venue, account_id, quantity, expected_price, fees, score)
  select decision_id, venue, account_id, quantity, expected_price, fees, score
  from jsonb_populate_recordset(null::routing_allocations, $2::jsonb)
  where decision_id in (select id from decisions)`;

/**
 * The parameters of RECORD_DECISIONS for decisions: their rows and their
 * allocations' rows, each a JSON array keyed by column name. One statement over two JSON arrays:
 * building a multi-row insert costs more CPU per row than the router's decision itself, and a
 * data-modifying CTE is atomic without a transaction.
 */
function decisionParams(batch: readonly DecisionRecord[]): [string, string] {
  const decisions = batch.map((d) =>
    columnsOf(
      {
        id: d.id,
        orderId: d.orderId,
        objective: d.plan.objective,
        scores: d.plan.scores.map((s) => ({
          venue: s.venue,
          accountId: s.accountId,
          eligible: s.eligible,
          ...(s.reason === undefined ? {} : { reason: s.reason }),
          price: s.price,
          cost: s.cost,
          liquidity: s.liquidity,
          latency: s.latency,
          reliability: s.reliability,
          total: s.total,
          ...(s.expectedPrice === undefined ? {} : { expectedPrice: s.expectedPrice.toFixed() }),
          fillableQuantity: s.fillableQuantity.toFixed(),
        })),
        symbol: d.symbol,
        side: d.plan.side,
        quantity: d.quantity.toFixed(),
        split: d.plan.split,
        expectedAveragePrice: d.plan.expectedAveragePrice?.toFixed() ?? null,
        estimatedCost: d.plan.estimatedCost.toFixed(),
        marketImpactBps: d.plan.marketImpactBps.toFixed(),
        createdAt: new Date(d.at),
      } satisfies typeof routingDecisions.$inferInsert,
      DECISION_COLUMNS,
    ),
  );
  const allocations = batch.flatMap((d) =>
    d.plan.allocations.map((a) =>
      columnsOf(
        {
          decisionId: d.id,
          venue: a.venue,
          accountId: a.accountId,
          quantity: a.quantity.toFixed(),
          expectedPrice: a.expectedPrice?.toFixed() ?? null,
          fees: a.fees.toFixed(),
          score: String(Math.round(a.score * 1e6) / 1e6),
        } satisfies typeof routingAllocations.$inferInsert,
        ALLOCATION_COLUMNS,
      ),
    ),
  );
  return [JSON.stringify(decisions), JSON.stringify(allocations)];
}

/**
 * Records decisions through `query` (the store's, or a transaction's): those of orders that
 * exist (RECORD_DECISIONS).
 */
export async function recordDecisionsWith(query: SqlQuery, batch: readonly DecisionRecord[]): Promise<void> {
  if (batch.length === 0) return;
  await query(RECORD_DECISIONS, decisionParams(batch));
}
