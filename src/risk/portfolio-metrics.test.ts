import { describe, expect, it } from 'vitest';
import { type Decimal, ONE, dec } from '../domain/decimal.js';
import {
  type EquitySnapshot,
  historicalVar,
  intradayDrawdown,
  maxDrawdown,
  periodReturns,
  portfolioMetrics,
  sharpeRatio,
  tailIndex,
} from './portfolio-metrics.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/** Snapshots one day apart from equities. */
function series(equities: readonly string[]): EquitySnapshot[] {
  return equities.map((equity, i) => ({ at: T0 + i * DAY, equity: dec(equity) }));
}

/** Snapshots from a start equity and period returns, multiplied out exactly. */
function fromReturns(start: string, returns: readonly string[]): EquitySnapshot[] {
  const equities = [dec(start)];
  for (const r of returns) equities.push(equities[equities.length - 1]!.times(ONE.plus(r)));
  return series(equities.map((e) => e.toFixed()));
}

const text = (value: Decimal | undefined): string | undefined => value?.toFixed();

/**
 * 21 snapshots, 20 returns. Each step multiplies by a power-of-2-and-5 ratio (1.024, 0.9765625, 1.25,
 * 0.8, 1.048576, 0.8192, 0.78125), so every equity and every return is an exact short decimal.
 * Sorted: −0.21875, −0.2, −0.2, −0.1808, −0.0234375 ×5, 0.024 ×7, 0.048576, 0.25 ×3.
 * Σ = 0.0498385, mean = 0.002491925.
 * Equity peaks at 131072 (day 3), bottoms at 68719.476736 (day 16), ends at 87960.93022208.
 */
const RETURNS_20 = [
  '0.024', '0.024', '0.25', '-0.0234375', '-0.2', '0.024', '0.048576', '-0.0234375', '-0.1808', '-0.0234375',
  '0.25', '0.024', '0.024', '-0.2', '-0.0234375', '-0.21875', '0.024', '0.024', '0.25', '-0.0234375',
]; // prettier-ignore
const SERIES_21 = fromReturns('100000', RETURNS_20);

describe('periodReturns', () => {
  it('gives back the exact returns of the 21-point series', () => {
    expect(periodReturns(SERIES_21).map((r) => r.toFixed())).toEqual(RETURNS_20);
  });

  it('skips a return from an equity at or below zero', () => {
    expect(periodReturns(series(['100', '0', '50', '60'])).map((r) => r.toFixed())).toEqual(['-1', '0.2']);
  });
});

describe('historical VaR and expected shortfall', () => {
  it('takes the nearest rank: ⌈(1 − c) × n⌉, 0-based', () => {
    expect(tailIndex(20, dec('0.95'))).toBe(0); // 1st smallest
    expect(tailIndex(20, dec('0.99'))).toBe(0);
    expect(tailIndex(21, dec('0.95'))).toBe(1); // ⌈1.05⌉ = 2nd smallest
    expect(tailIndex(100, dec('0.95'))).toBe(4); // 5th smallest: 5% of returns at or below it
    expect(tailIndex(100, dec('0.99'))).toBe(0);
    expect(tailIndex(1, dec('0.95'))).toBe(0);
  });

  it('on 20 returns both levels take the worst return, −0.21875, at the latest equity 87960.93022208', () => {
    const metrics = portfolioMetrics(SERIES_21);
    for (const tail of [metrics.var95, metrics.var99]) {
      expect(text(tail?.valueAtRisk)).toBe('0.21875');
      expect(text(tail?.valueAtRiskAmount)).toBe('19241.45348608');
      expect(text(tail?.expectedShortfall)).toBe('0.21875');
      expect(tail?.tailObservations).toBe(1);
    }
  });

  it('on 100 returns: VaR95 is the 5th worst, ES95 the mean of the 5 worst', () => {
    // 50 dips of 0.1% … 5% from 100000, each recovered: the worst five are −5%, −4.9%, … −4.6%.
    const dips = Array.from({ length: 50 }, (_, i) => [
      dec(100_000)
        .minus(dec(100).times(i + 1))
        .toFixed(),
      '100000',
    ]);
    const metrics = portfolioMetrics(series(['100000', ...dips.flat()]));
    expect(metrics.observations).toBe(100);
    expect(text(metrics.var95?.valueAtRisk)).toBe('0.046');
    expect(text(metrics.var95?.valueAtRiskAmount)).toBe('4600');
    expect(text(metrics.var95?.expectedShortfall)).toBe('0.048');
    expect(text(metrics.var95?.expectedShortfallAmount)).toBe('4800');
    expect(metrics.var95?.tailObservations).toBe(5);
    expect(text(metrics.var99?.valueAtRisk)).toBe('0.05');
    expect(text(metrics.var99?.expectedShortfall)).toBe('0.05');
  });

  it('averages every return tied with the VaR return', () => {
    const returns = ['-0.1', '-0.02', '-0.02', '0.01'].map(dec);
    const tail = historicalVar(returns, dec('0.5'), dec(1000)); // ⌈0.5 × 4⌉ = 2nd smallest: −0.02
    expect(text(tail?.valueAtRisk)).toBe('0.02');
    expect(tail?.expectedShortfall.toSignificantDigits(10).toFixed()).toBe('0.04666666667'); // 0.14 / 3
    expect(tail?.tailObservations).toBe(3);
  });

  it('is zero when every return is a gain', () => {
    const metrics = portfolioMetrics(series(['100', '101', '103', '110']));
    expect(text(metrics.var95?.valueAtRisk)).toBe('0');
    expect(text(metrics.var95?.expectedShortfall)).toBe('0');
    expect(text(metrics.var99?.valueAtRiskAmount)).toBe('0');
  });
});

describe('drawdowns', () => {
  it('finds the deepest fall of the 21-point series: 131072 on day 3 to 68719.476736 on day 16', () => {
    const drawdown = portfolioMetrics(SERIES_21).maxDrawdown;
    expect(text(drawdown?.fraction)).toBe('0.475712');
    expect(text(drawdown?.amount)).toBe('62352.523264');
    expect(text(drawdown?.peak)).toBe('131072');
    expect(drawdown?.peakAt).toBe(T0 + 3 * DAY);
    expect(text(drawdown?.trough)).toBe('68719.476736');
    expect(drawdown?.troughAt).toBe(T0 + 16 * DAY);
  });

  it('measures the current drawdown from the all-time peak to the latest', () => {
    const drawdown = portfolioMetrics(SERIES_21).currentDrawdown;
    expect(text(drawdown?.fraction)).toBe('0.32891136');
    expect(text(drawdown?.amount)).toBe('43111.06977792');
    expect(drawdown?.peakAt).toBe(T0 + 3 * DAY);
    expect(drawdown?.troughAt).toBe(T0 + 20 * DAY);
  });

  it('ranks drawdowns by fraction, not amount', () => {
    // 100 → 50 is −50% (amount 50); 1000 → 800 is −20% (amount 200).
    const drawdown = maxDrawdown(series(['100', '50', '1000', '800']));
    expect(text(drawdown?.fraction)).toBe('0.5');
    expect(text(drawdown?.amount)).toBe('50');
  });

  it('is zero, at the first snapshot, for a series that never falls', () => {
    const drawdown = maxDrawdown(series(['100', '100', '120']));
    expect(text(drawdown?.fraction)).toBe('0');
    expect(drawdown?.peakAt).toBe(T0);
    expect(drawdown?.troughAt).toBe(T0);
  });
});

describe('intradayDrawdown', () => {
  it('falls 21.875% from the peak since day 10 (112589.9906842624 on day 13) to the latest', () => {
    expect(text(intradayDrawdown(SERIES_21, T0 + 10 * DAY))).toBe('21.875');
  });

  it('ignores an earlier, higher peak', () => {
    expect(text(intradayDrawdown(series(['200', '100', '110', '99']), T0 + DAY))).toBe('10');
  });

  it('is zero at a new high and undefined without snapshots since then', () => {
    expect(text(intradayDrawdown(series(['100', '90', '120']), T0))).toBe('0');
    expect(intradayDrawdown(series(['100', '90']), T0 + 5 * DAY)).toBeUndefined();
  });
});

describe('Sharpe ratio', () => {
  it('is 2 for returns 0, 0.01, 0.02 at 4 periods a year (mean 0.01, deviation 0.01, √4)', () => {
    const metrics = portfolioMetrics(series(['1000', '1000', '1010', '1030.2']), { periodsPerYear: 4 });
    expect(text(metrics.meanReturn)).toBe('0.01');
    expect(text(metrics.standardDeviation)).toBe('0.01');
    expect(text(metrics.sharpeRatio)).toBe('2');
  });

  it('annualises with √252 by default', () => {
    const sharpe = portfolioMetrics(series(['1000', '1000', '1010', '1030.2'])).sharpeRatio;
    expect(sharpe?.toSignificantDigits(30).toFixed()).toBe('15.8745078663875435430096945218');
  });

  it('matches a hand computation on the 21-point series', () => {
    // mean 0.002491925; sample variance Σ(r − mean)² / 19 = 0.0187923272896388157894736842…
    const metrics = portfolioMetrics(SERIES_21);
    expect(text(metrics.meanReturn)).toBe('0.002491925');
    expect(metrics.standardDeviation?.toSignificantDigits(20).toFixed()).toBe('0.13708510965688000568');
    expect(metrics.sharpeRatio?.toSignificantDigits(20).toFixed()).toBe('0.2885658633090092485');
  });

  it('subtracts the risk-free rate per period: 5.04% / 252 = 0.0002', () => {
    const sharpe = sharpeRatio(periodReturns(SERIES_21), { riskFreeRate: dec('0.0504') });
    expect(sharpe?.toSignificantDigits(20).toFixed()).toBe('0.26540578719845140679');
  });

  it('is undefined with one return or no variation', () => {
    expect(sharpeRatio([dec('0.01')])).toBeUndefined();
    expect(sharpeRatio([dec('0.01'), dec('0.01')])).toBeUndefined();
  });

  it('refuses a non-positive periodsPerYear', () => {
    expect(() => sharpeRatio([dec('0.01'), dec('0.02')], { periodsPerYear: 0 })).toThrow(RangeError);
  });
});

describe('edge cases', () => {
  it('reports nothing but zero observations for no snapshots', () => {
    expect(portfolioMetrics([])).toEqual({ observations: 0 });
  });

  it('with one snapshot: its equity and a zero drawdown, no return-based metric', () => {
    const metrics = portfolioMetrics(series(['5000']));
    expect(metrics.observations).toBe(0);
    expect(text(metrics.latestEquity)).toBe('5000');
    expect(text(metrics.maxDrawdown?.fraction)).toBe('0');
    expect(metrics.var95).toBeUndefined();
    expect(metrics.meanReturn).toBeUndefined();
    expect(metrics.sharpeRatio).toBeUndefined();
    expect('var95' in metrics).toBe(false);
  });

  it('on a flat series: zero VaR, zero drawdown, no Sharpe', () => {
    const metrics = portfolioMetrics(series(['100', '100', '100', '100']));
    expect(metrics.observations).toBe(3);
    expect(text(metrics.var99?.valueAtRisk)).toBe('0');
    expect(text(metrics.var99?.expectedShortfall)).toBe('0');
    expect(text(metrics.maxDrawdown?.fraction)).toBe('0');
    expect(text(metrics.standardDeviation)).toBe('0');
    expect(metrics.sharpeRatio).toBeUndefined();
  });

  it('throws on snapshots out of time order (a bug upstream)', () => {
    const [a, b] = series(['100', '101']);
    expect(() => portfolioMetrics([b!, a!])).toThrow(RangeError);
  });
});
