import type { ExecutionAggregates } from '../analytics/execution-aggregates.js';
import type { ExecutionMetrics } from '../analytics/execution-metrics.js';

/** Which executions to aggregate: completed since a time, of a symbol, at a venue. */
export interface AggregateFilter {
  /** Epoch ms, inclusive. */
  readonly since?: number;
  readonly symbol?: string;
  readonly venue?: string;
}

/** Executions completed in [from, to) (epoch ms), optionally of one symbol or venue. */
export interface ExecutionRange {
  readonly from: number;
  readonly to: number;
  readonly symbol?: string;
  readonly venue?: string;
}

/**
 * The execution analytics port (STYLE.md: the engine owns its ports; src/store/analytics-store.ts
 * implements it): one row of metrics per order, aggregated per venue.
 */
export interface AnalyticsPort {
  /** Saves one order's metrics; recording the same order again replaces its row. */
  record(metrics: ExecutionMetrics): Promise<void>;
  /** Saves several orders' metrics in one write, as `record` would one by one. */
  recordAll(metrics: readonly ExecutionMetrics[]): Promise<void>;
  /** Aggregates per venue and in total (src/analytics/execution-aggregates.ts says how). */
  venueAggregates(filter?: AggregateFilter): Promise<ExecutionAggregates>;
  /** The executions of a period, oldest first (the best-execution report). */
  executions(range: ExecutionRange): Promise<ExecutionMetrics[]>;
}
