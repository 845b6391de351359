/**
 * Portfolio risk metrics from equity snapshots: historical value at risk and expected shortfall,
 * drawdowns, and the Sharpe ratio.
 *
 * Historical (not parametric) VaR because trading returns have fat tails a normal fit hides, and
 * because an agent can check it by hand: it is one of the returns it saw. Everything is Decimal, so
 * the same snapshots always give the same digits; only counts and periodsPerYear are numbers.
 */
import { Decimal, ONE, ZERO, maxDec, sumDec } from '../domain/decimal.js';

export interface EquitySnapshot {
  /** Epoch ms. */
  readonly at: number;
  readonly equity: Decimal;
}

export interface MetricsOptions {
  /** Snapshots per year, to annualise the Sharpe ratio: 252 for daily bars of a stock market. */
  readonly periodsPerYear?: number;
  /** Annual risk-free rate as a fraction (0.05 = 5%); default 0. */
  readonly riskFreeRate?: Decimal;
}

/** Loss at one confidence level; fractions of equity (0.05 = 5%) and amounts at the latest equity. */
export interface TailRisk {
  readonly confidence: Decimal;
  readonly valueAtRisk: Decimal;
  readonly valueAtRiskAmount: Decimal;
  /** The mean loss of the returns at or below the VaR return; never less than the VaR. */
  readonly expectedShortfall: Decimal;
  readonly expectedShortfallAmount: Decimal;
  /** How many returns the expected shortfall averages. */
  readonly tailObservations: number;
}

/** A fall from a peak, as a fraction of the peak (0.1 = 10%) and as an amount. */
export interface Drawdown {
  readonly fraction: Decimal;
  readonly amount: Decimal;
  readonly peak: Decimal;
  readonly peakAt: number;
  readonly trough: Decimal;
  readonly troughAt: number;
}

export interface PortfolioMetrics {
  /** Number of period returns: every metric below is built from these (or the snapshots). */
  readonly observations: number;
  readonly latestEquity?: Decimal;
  readonly meanReturn?: Decimal;
  /** Sample standard deviation of the period returns (n − 1). */
  readonly standardDeviation?: Decimal;
  readonly var95?: TailRisk;
  readonly var99?: TailRisk;
  /** The deepest peak-to-trough fall, by fraction of the peak. */
  readonly maxDrawdown?: Drawdown;
  /** From the highest equity so far to the latest. */
  readonly currentDrawdown?: Drawdown;
  /** Annualised; undefined with fewer than 2 returns or no variation. */
  readonly sharpeRatio?: Decimal;
}

export const DEFAULT_PERIODS_PER_YEAR = 252;
const CONFIDENCE_95 = new Decimal('0.95');
const CONFIDENCE_99 = new Decimal('0.99');

/** All the metrics at once; each is undefined when the snapshots are too few for it. */
export function portfolioMetrics(
  snapshots: readonly EquitySnapshot[],
  options: MetricsOptions = {},
): PortfolioMetrics {
  assertAscending(snapshots);
  const returns = periodReturns(snapshots);
  const latest = snapshots.at(-1);
  if (latest === undefined) return { observations: 0 };
  return {
    observations: returns.length,
    latestEquity: latest.equity,
    ...optionalFields({
      meanReturn: returns.length > 0 ? mean(returns) : undefined,
      standardDeviation: sampleStandardDeviation(returns),
      var95: historicalVar(returns, CONFIDENCE_95, latest.equity),
      var99: historicalVar(returns, CONFIDENCE_99, latest.equity),
      maxDrawdown: maxDrawdown(snapshots),
      currentDrawdown: currentDrawdown(snapshots),
      sharpeRatio: sharpeRatio(returns, options),
    }),
  };
}

/**
 * Simple period returns r_i = e_i / e_(i−1) − 1. A return from an equity ≤ 0 means nothing (a
 * blown-up or unfunded account), so it is left out rather than divided by zero.
 */
export function periodReturns(snapshots: readonly EquitySnapshot[]): Decimal[] {
  const returns: Decimal[] = [];
  for (let i = 1; i < snapshots.length; i++) {
    const previous = snapshots[i - 1]?.equity;
    const current = snapshots[i]?.equity;
    if (previous === undefined || current === undefined || previous.lte(0)) continue;
    returns.push(current.div(previous).minus(ONE));
  }
  return returns;
}

/**
 * Historical VaR at `confidence`: sort the returns ascending and take the k-th smallest, with
 * k = ⌈(1 − c) × n⌉ (1-based; the nearest-rank quantile, the inverse of the empirical distribution,
 * so at least (1 − c) of the returns are at or below it). VaR = max(0, −r_k): a gain is no loss.
 * Expected shortfall averages every return at or below r_k (ties included) and negates it.
 */
export function historicalVar(
  returns: readonly Decimal[],
  confidence: Decimal,
  latestEquity: Decimal,
): TailRisk | undefined {
  if (returns.length === 0) return undefined;
  const sorted = [...returns].sort((a, b) => a.comparedTo(b));
  const quantile = sorted[tailIndex(sorted.length, confidence)] ?? ZERO;
  const tail = sorted.filter((r) => r.lte(quantile));
  const valueAtRisk = maxDec(ZERO, quantile.neg());
  const expectedShortfall = maxDec(ZERO, mean(tail).neg());
  const base = maxDec(ZERO, latestEquity);
  return {
    confidence,
    valueAtRisk,
    valueAtRiskAmount: valueAtRisk.times(base),
    expectedShortfall,
    expectedShortfallAmount: expectedShortfall.times(base),
    tailObservations: tail.length,
  };
}

/** 0-based index of the nearest-rank lower-tail quantile: ⌈(1 − c) × n⌉ − 1, at least 0. */
export function tailIndex(count: number, confidence: Decimal): number {
  return Math.max(0, ONE.minus(confidence).times(count).ceil().toNumber() - 1);
}

/**
 * The deepest fall from a running peak to a later equity, measured as a fraction of that peak (so a
 * 10% fall at 50000 outranks a 5% fall at 200000). A series that never falls has a zero drawdown at
 * its first snapshot. Peaks ≤ 0 are passed over: a fraction of them means nothing.
 */
export function maxDrawdown(snapshots: readonly EquitySnapshot[]): Drawdown | undefined {
  let peak = snapshots[0];
  if (peak === undefined) return undefined;
  let deepest = drawdownBetween(peak, peak);
  for (const snapshot of snapshots) {
    if (snapshot.equity.gt(peak.equity)) peak = snapshot;
    const drawdown = drawdownBetween(peak, snapshot);
    if (drawdown.fraction.gt(deepest.fraction)) deepest = drawdown;
  }
  return deepest;
}

/** From the highest equity so far (the earliest, on a tie) to the latest snapshot. */
export function currentDrawdown(snapshots: readonly EquitySnapshot[]): Drawdown | undefined {
  const latest = snapshots.at(-1);
  const peak = highest(snapshots);
  return latest === undefined || peak === undefined ? undefined : drawdownBetween(peak, latest);
}

/**
 * The fall from the highest equity at or after `sinceMs` to the latest, in percent (2.5 = 2.5%): what
 * the intraday drawdown monitor compares with maxIntradayDrawdownPct. Undefined without a snapshot
 * since then or with a peak ≤ 0. The caller includes the start-of-day equity as a snapshot at
 * `sinceMs` when the day's peak should count it.
 */
export function intradayDrawdown(snapshots: readonly EquitySnapshot[], sinceMs: number): Decimal | undefined {
  const today = snapshots.filter((snapshot) => snapshot.at >= sinceMs);
  const latest = today.at(-1);
  const peak = highest(today);
  if (latest === undefined || peak === undefined || peak.equity.lte(0)) return undefined;
  return peak.equity.minus(latest.equity).div(peak.equity).times(100);
}

/**
 * Annualised Sharpe ratio: mean excess return / sample standard deviation × √periodsPerYear, with
 * the annual risk-free rate spread evenly over the periods (rate / periodsPerYear, not compounded:
 * the difference is far below the noise of a Sharpe estimate).
 */
export function sharpeRatio(returns: readonly Decimal[], options: MetricsOptions = {}): Decimal | undefined {
  const periods = periodsPerYearOf(options);
  const riskFreePerPeriod = (options.riskFreeRate ?? ZERO).div(periods);
  const excess = returns.map((r) => r.minus(riskFreePerPeriod));
  const deviation = sampleStandardDeviation(excess);
  if (deviation === undefined || deviation.isZero()) return undefined;
  return mean(excess).div(deviation).times(new Decimal(periods).sqrt());
}

/** √(Σ (r − mean)² / (n − 1)); undefined with fewer than 2 values. */
export function sampleStandardDeviation(values: readonly Decimal[]): Decimal | undefined {
  if (values.length < 2) return undefined;
  const average = mean(values);
  const squares = sumDec(values.map((v) => v.minus(average).pow(2)));
  return squares.div(values.length - 1).sqrt();
}

function mean(values: readonly Decimal[]): Decimal {
  return sumDec(values).div(values.length);
}

function highest(snapshots: readonly EquitySnapshot[]): EquitySnapshot | undefined {
  let peak = snapshots[0];
  for (const snapshot of snapshots)
    if (peak === undefined || snapshot.equity.gt(peak.equity)) peak = snapshot;
  return peak;
}

function drawdownBetween(peak: EquitySnapshot, trough: EquitySnapshot): Drawdown {
  const amount = peak.equity.minus(trough.equity);
  const fraction = peak.equity.gt(0) ? amount.div(peak.equity) : ZERO;
  return {
    fraction,
    amount,
    peak: peak.equity,
    peakAt: peak.at,
    trough: trough.equity,
    troughAt: trough.at,
  };
}

function periodsPerYearOf(options: MetricsOptions): number {
  const periods = options.periodsPerYear ?? DEFAULT_PERIODS_PER_YEAR;
  if (!Number.isFinite(periods) || periods <= 0) {
    throw new RangeError(`periodsPerYear must be a positive number, got ${periods}`);
  }
  return periods;
}

/** Snapshots out of order are a bug upstream: every metric here would silently be wrong. */
function assertAscending(snapshots: readonly EquitySnapshot[]): void {
  for (let i = 1; i < snapshots.length; i++) {
    const previous = snapshots[i - 1];
    const current = snapshots[i];
    if (previous !== undefined && current !== undefined && current.at < previous.at) {
      throw new RangeError(
        `equity snapshots must be in ascending time: ${current.at} follows ${previous.at}`,
      );
    }
  }
}

/** Drops undefined fields (exactOptionalPropertyTypes: an optional field is absent, not undefined). */
function optionalFields<T extends Record<string, unknown>>(
  fields: T,
): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}
