import { and, asc, eq, gte, lt } from 'drizzle-orm';
import {
  type AggregateSums,
  type ExecutionAggregates,
  type VenueAggregate,
  NO_SUMS,
  finishAggregate,
} from '../analytics/execution-aggregates.js';
import type { ExecutionMetrics } from '../analytics/execution-metrics.js';
import { type Decimal, ZERO, dec } from '../domain/decimal.js';
import type { OrderStatus, OrderType, Side } from '../domain/order.js';
import type { AggregateFilter, AnalyticsPort, ExecutionRange } from '../engine/analytics-ports.js';
import type { Store } from './db.js';
import { columnNames, columnsOf } from './raw-rows.js';
import { executionMetrics } from './schema.js';

type Row = typeof executionMetrics.$inferSelect;

/** The columns a recording writes: all but computed_at, which the database stamps. */
const WRITTEN = columnNames(executionMetrics).filter(([key]) => key !== 'computedAt');
const WRITTEN_SQL = WRITTEN.map(([, column]) => column).join(', ');

/** Rows given as a JSON array (column names as keys); an order recorded again is replaced, computed now. */
const RECORD_METRICS = `
  insert into execution_metrics (${WRITTEN_SQL})
  select ${WRITTEN_SQL} from jsonb_populate_recordset(null::execution_metrics, $1::jsonb)
  on conflict (order_id) do update set
    ${WRITTEN.filter(([key]) => key !== 'orderId')
      .map(([, column]) => `${column} = excluded.${column}`)
      .join(', ')},
    computed_at = now()`;

/**
 * Execution metrics in the execution_metrics table: one row per order (recording again replaces
 * it), aggregated in SQL over exact numerics and finished by the same code as the pure aggregates.
 */
export class AnalyticsStore implements AnalyticsPort {
  constructor(private readonly store: Store) {}

  async record(metrics: ExecutionMetrics): Promise<void> {
    await this.recordAll([metrics]);
  }

  async recordAll(metrics: readonly ExecutionMetrics[]): Promise<void> {
    // One statement of fixed text over a JSON array (prepared once, as the order store's are;
    // drizzle built a multi-row insert anew for each batch, at several µs per value): a row per
    // order, the last one of an order repeated in the batch wins.
    const rows = [...new Map(metrics.map((m) => [m.orderId, columnsOf(toRow(m), WRITTEN)])).values()];
    if (rows.length === 0) return;
    await this.store.query(RECORD_METRICS, [JSON.stringify(rows)]);
  }

  async venueAggregates(filter: AggregateFilter = {}): Promise<ExecutionAggregates> {
    const rows = await this.store.query(AGGREGATES, [
      filter.since === undefined ? null : new Date(filter.since).toISOString(),
      filter.symbol ?? null,
      filter.venue ?? null,
    ]);
    let totals = finishAggregate(NO_SUMS);
    const venues: VenueAggregate[] = [];
    for (const row of rows) {
      const aggregate = finishAggregate(toSums(row));
      if (Number(row['total']) === 1) totals = aggregate;
      else venues.push({ venue: String(row['venue']), ...aggregate });
    }
    venues.sort((a, b) => (a.venue < b.venue ? -1 : a.venue > b.venue ? 1 : 0));
    return { venues, totals };
  }

  async executions(range: ExecutionRange): Promise<ExecutionMetrics[]> {
    const m = executionMetrics;
    const rows = await this.store.db
      .select()
      .from(m)
      .where(
        and(
          gte(m.completedAt, new Date(range.from)),
          lt(m.completedAt, new Date(range.to)),
          range.symbol === undefined ? undefined : eq(m.symbol, range.symbol),
          range.venue === undefined ? undefined : eq(m.venue, range.venue),
        ),
      )
      .orderBy(asc(m.completedAt), asc(m.orderId));
    return rows.map(fromRow);
  }
}

/**
 * The sums of src/analytics/execution-aggregates.ts per venue and, in the row where
 * grouping(venue) = 1, over all venues. Every figure is read as text: exact, and alike in both drivers.
 */
const AGGREGATES = `
  select venue, grouping(venue) as total, count(*)::int as orders,
    coalesce(sum(fill_rate), 0)::text as fill_rate_sum, count(fill_rate)::int as fill_rate_count,
    coalesce(sum(slippage_bps * filled_qty * avg_fill_price), 0)::text as slippage_weighted,
    coalesce(sum(filled_qty * avg_fill_price) filter (where slippage_bps is not null), 0)::text as slippage_weight,
    coalesce(sum(price_improvement_bps * filled_qty * avg_fill_price), 0)::text as improvement_weighted,
    coalesce(sum(filled_qty * avg_fill_price) filter (where price_improvement_bps is not null), 0)::text
      as improvement_weight,
    coalesce(sum(implementation_shortfall), 0)::text as shortfall,
    coalesce(sum(latency_ms), 0)::text as latency_sum, count(latency_ms)::int as latency_count
  from execution_metrics
  where ($1::timestamptz is null or completed_at >= $1::timestamptz)
    and ($2::text is null or symbol = $2::text)
    and ($3::text is null or venue = $3::text)
  group by grouping sets ((venue), ())`;

function toSums(row: Record<string, unknown>): AggregateSums {
  const d = (key: string): Decimal => {
    const value = row[key];
    return dec(typeof value === 'string' || typeof value === 'number' ? value : '0');
  };
  return {
    orders: Number(row['orders']),
    fillRateSum: d('fill_rate_sum'),
    fillRateCount: Number(row['fill_rate_count']),
    slippageWeighted: d('slippage_weighted'),
    slippageWeight: d('slippage_weight'),
    improvementWeighted: d('improvement_weighted'),
    improvementWeight: d('improvement_weight'),
    shortfall: d('shortfall'),
    latencySum: d('latency_sum'),
    latencyCount: Number(row['latency_count']),
  };
}

const str = (d: Decimal | undefined): string | null => (d === undefined ? null : d.toFixed());

function toRow(m: ExecutionMetrics): typeof executionMetrics.$inferInsert {
  return {
    orderId: m.orderId,
    venue: m.venue,
    accountId: m.accountId,
    agentId: m.agentId ?? null,
    symbol: m.symbol,
    side: m.side,
    type: m.type,
    quantity: m.quantity.toFixed(),
    filledQty: m.filledQty.toFixed(),
    avgFillPrice: str(m.avgFillPrice),
    fees: m.fees.toFixed(),
    arrivalPrice: str(m.arrivalPrice),
    slippageBps: str(m.slippageBps),
    implementationShortfall: str(m.implementationShortfall),
    priceImprovementBps: str(m.priceImprovementBps),
    fillRate: m.fillRate.toFixed(),
    latencyMs: m.latencyMs ?? null,
    fillLatencyMs: m.fillLatencyMs ?? null,
    status: m.status,
    completedAt: new Date(m.completedAt),
  };
}

/** A stored row back as metrics; columns 0005 added as nullable read as empty when a row predates them. */
function fromRow(r: Row): ExecutionMetrics {
  const opt = (v: string | null): Decimal | undefined => (v === null ? undefined : dec(v));
  const optional = <K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> =>
    value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>);
  return {
    orderId: r.orderId,
    venue: r.venue,
    accountId: r.accountId ?? '',
    ...optional('agentId', r.agentId),
    symbol: r.symbol ?? '',
    side: (r.side ?? 'buy') as Side,
    type: (r.type ?? 'market') as OrderType,
    status: (r.status ?? 'filled') as OrderStatus,
    quantity: opt(r.quantity) ?? ZERO,
    filledQty: opt(r.filledQty) ?? ZERO,
    ...optional('avgFillPrice', opt(r.avgFillPrice)),
    fees: opt(r.fees) ?? ZERO,
    ...optional('arrivalPrice', opt(r.arrivalPrice)),
    ...optional('slippageBps', opt(r.slippageBps)),
    ...optional('priceImprovementBps', opt(r.priceImprovementBps)),
    ...optional('implementationShortfall', opt(r.implementationShortfall)),
    fillRate: opt(r.fillRate) ?? ZERO,
    ...optional('latencyMs', r.latencyMs),
    ...optional('fillLatencyMs', r.fillLatencyMs),
    completedAt: (r.completedAt ?? r.computedAt).getTime(),
  };
}
