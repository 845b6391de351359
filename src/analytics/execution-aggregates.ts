/**
 * Execution quality over many orders: per venue, per symbol, in total (pure). The store sums the
 * same columns in SQL (src/store/analytics-store.ts) and finishes them here, so that both give the
 * same figures. How each figure is weighted:
 *
 * - `orders`: how many orders were measured.
 * - `fillRate`: the mean of the orders' fill rates, each order counting once (6 dp). Quantity
 *   weighting was considered: within one instrument it is the right measure, but across instruments
 *   a unit of BTC and a share of AAPL are not comparable and the cheapest unit would dominate.
 * - `avgSlippageBps`, `priceImprovementBps`: weighted by each order's filled notional (filled ×
 *   average price), over the orders that have the figure (4 dp). Within one instrument this is
 *   quantity weighting; across instruments it makes the figure the cost per unit of traded value,
 *   so a large order counts for what it cost.
 * - `implementationShortfall`: the sum over the orders (quote currency, exact).
 * - `avgLatencyMs`: the plain mean over the orders that have a latency (1 dp): each order is one
 *   round trip to the venue whatever its size.
 */
import { type Decimal, ZERO } from '../domain/decimal.js';
import { BPS_DP, type ExecutionMetrics, FRACTION_DP } from './execution-metrics.js';

export interface ExecutionAggregate {
  readonly orders: number;
  readonly fillRate?: Decimal;
  readonly avgSlippageBps?: Decimal;
  readonly priceImprovementBps?: Decimal;
  readonly implementationShortfall: Decimal;
  readonly avgLatencyMs?: Decimal;
}

export interface VenueAggregate extends ExecutionAggregate {
  readonly venue: string;
}

/** Per venue, and over all of them. */
export interface ExecutionAggregates {
  readonly venues: readonly VenueAggregate[];
  readonly totals: ExecutionAggregate;
}

/** The sums an aggregate is finished from (what the SQL returns). */
export interface AggregateSums {
  readonly orders: number;
  readonly fillRateSum: Decimal;
  readonly fillRateCount: number;
  readonly slippageWeighted: Decimal;
  readonly slippageWeight: Decimal;
  readonly improvementWeighted: Decimal;
  readonly improvementWeight: Decimal;
  readonly shortfall: Decimal;
  readonly latencySum: Decimal;
  readonly latencyCount: number;
}

export const NO_SUMS: AggregateSums = {
  orders: 0,
  fillRateSum: ZERO,
  fillRateCount: 0,
  slippageWeighted: ZERO,
  slippageWeight: ZERO,
  improvementWeighted: ZERO,
  improvementWeight: ZERO,
  shortfall: ZERO,
  latencySum: ZERO,
  latencyCount: 0,
};

type Row = Pick<
  ExecutionMetrics,
  'fillRate' | 'filledQty' | 'avgFillPrice' | 'slippageBps' | 'priceImprovementBps'
> &
  Partial<Pick<ExecutionMetrics, 'implementationShortfall' | 'latencyMs'>>;

/** Adds one order to the sums. */
export function addRow(sums: AggregateSums, row: Row): AggregateSums {
  const notional = row.avgFillPrice === undefined ? ZERO : row.filledQty.times(row.avgFillPrice);
  const slip = row.slippageBps;
  const improvement = row.priceImprovementBps;
  return {
    orders: sums.orders + 1,
    fillRateSum: sums.fillRateSum.plus(row.fillRate),
    fillRateCount: sums.fillRateCount + 1,
    slippageWeighted:
      slip === undefined ? sums.slippageWeighted : sums.slippageWeighted.plus(slip.times(notional)),
    slippageWeight: slip === undefined ? sums.slippageWeight : sums.slippageWeight.plus(notional),
    improvementWeighted:
      improvement === undefined
        ? sums.improvementWeighted
        : sums.improvementWeighted.plus(improvement.times(notional)),
    improvementWeight:
      improvement === undefined ? sums.improvementWeight : sums.improvementWeight.plus(notional),
    shortfall: sums.shortfall.plus(row.implementationShortfall ?? ZERO),
    latencySum: row.latencyMs === undefined ? sums.latencySum : sums.latencySum.plus(row.latencyMs),
    latencyCount: sums.latencyCount + (row.latencyMs === undefined ? 0 : 1),
  };
}

const ratio = (sum: Decimal, weight: Decimal | number, dp: number): Decimal | undefined =>
  (typeof weight === 'number' ? weight === 0 : weight.isZero())
    ? undefined
    : sum.div(weight).toDecimalPlaces(dp);

/** The figures from their sums (rounded as documented above). */
export function finishAggregate(sums: AggregateSums): ExecutionAggregate {
  const fillRate = ratio(sums.fillRateSum, sums.fillRateCount, FRACTION_DP);
  const slippage = ratio(sums.slippageWeighted, sums.slippageWeight, BPS_DP);
  const improvement = ratio(sums.improvementWeighted, sums.improvementWeight, BPS_DP);
  const latency = ratio(sums.latencySum, sums.latencyCount, 1);
  return {
    orders: sums.orders,
    ...(fillRate === undefined ? {} : { fillRate }),
    ...(slippage === undefined ? {} : { avgSlippageBps: slippage }),
    ...(improvement === undefined ? {} : { priceImprovementBps: improvement }),
    implementationShortfall: sums.shortfall,
    ...(latency === undefined ? {} : { avgLatencyMs: latency }),
  };
}

export function aggregate(rows: readonly Row[]): ExecutionAggregate {
  return finishAggregate(rows.reduce(addRow, NO_SUMS));
}

/** The rows' aggregates per key (venue, symbol, ...), sorted by key. */
export function aggregateBy<R extends Row>(
  rows: readonly R[],
  keyOf: (row: R) => string,
): { key: string; aggregate: ExecutionAggregate }[] {
  const groups = new Map<string, AggregateSums>();
  for (const row of rows) {
    const key = keyOf(row);
    groups.set(key, addRow(groups.get(key) ?? NO_SUMS, row));
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, sums]) => ({ key, aggregate: finishAggregate(sums) }));
}

export function aggregateByVenue(rows: readonly (Row & Pick<ExecutionMetrics, 'venue'>)[]): VenueAggregate[] {
  return aggregateBy(rows, (r) => r.venue).map(({ key, aggregate }) => ({ venue: key, ...aggregate }));
}
