/**
 * A factory for analytics tests: one order's metrics, decimals given as strings. Pure values only;
 * not imported by production code.
 */
import { type Decimal, dec } from '../domain/decimal.js';
import { T0 } from '../domain/test-support.js';
import type { ExecutionMetrics } from './execution-metrics.js';

type DecimalField =
  | 'quantity'
  | 'filledQty'
  | 'avgFillPrice'
  | 'fees'
  | 'arrivalPrice'
  | 'slippageBps'
  | 'priceImprovementBps'
  | 'implementationShortfall'
  | 'fillRate';

/** Metrics with decimals as strings; `null` leaves an optional figure out. */
export type MetricsRowInput = Partial<Omit<ExecutionMetrics, DecimalField>> &
  Partial<Record<DecimalField, string | null>>;

/** A filled 10-lot buy at 100 on venue-a, AAPL; override anything. */
export function metricsRow(input: MetricsRowInput = {}): ExecutionMetrics {
  const {
    quantity,
    filledQty,
    avgFillPrice,
    fees,
    fillRate,
    arrivalPrice: _a,
    slippageBps: _s,
    priceImprovementBps: _p,
    implementationShortfall: _i,
    ...rest
  } = input;
  const optional = (key: DecimalField): Partial<Record<DecimalField, Decimal>> => {
    const value = input[key];
    return value === undefined || value === null ? {} : { [key]: dec(value) };
  };
  return {
    orderId: 'o1',
    venue: 'venue-a',
    accountId: 'acc-1',
    agentId: 'agent-1',
    symbol: 'AAPL',
    side: 'buy',
    type: 'market',
    status: 'filled',
    completedAt: T0,
    ...rest,
    quantity: dec(quantity ?? '10'),
    filledQty: dec(filledQty ?? '10'),
    ...(avgFillPrice === null ? {} : { avgFillPrice: dec(avgFillPrice ?? '100') }),
    fees: dec(fees ?? '0'),
    fillRate: dec(fillRate ?? '1'),
    ...optional('arrivalPrice'),
    ...optional('slippageBps'),
    ...optional('priceImprovementBps'),
    ...optional('implementationShortfall'),
  };
}
