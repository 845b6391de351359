import { dec } from '../src/domain/decimal.js';
import { runChecks } from '../src/risk/run-checks.js';
import { NOW, type RiskInputOverrides, makeRiskInput } from '../src/risk/test-support.js';
import type { RiskInput, RiskLimits } from '../src/risk/types.js';
import { fmt, percentile, printTable } from './table.js';

const WARMUP = 20_000;
const ITERATIONS = 200_000;

/** Every limit set, loose enough that a 10-lot AAPL buy at 187.42 passes at each level. */
function limits(scale: number): RiskLimits {
  return {
    maxOrderNotional: dec(50_000 * scale),
    maxDailyNotional: dec(1_000_000 * scale),
    maxPositionQuantity: dec(5_000 * scale),
    maxPositionNotional: dec(500_000 * scale),
    maxPositionPctOfEquity: dec(25),
    maxOpenPositions: 20 * scale,
    maxOpenOrders: 100 * scale,
    maxGrossExposure: dec(2_000_000 * scale),
    maxAssetClassExposure: { us_equity: dec(1_500_000 * scale), crypto: dec(500_000 * scale) },
    maxSectorExposurePct: dec(40),
    dailyLossLimit: dec(20_000 * scale),
    maxIntradayDrawdownPct: dec(5),
    priceBandPct: dec(5),
    maxQuoteAgeMs: 2_000,
    maxOrdersPerSecond: 10 * scale,
    maxOrdersPerMinute: 200 * scale,
  };
}

function usage(scale: number) {
  return {
    limits: limits(scale),
    position: dec(120),
    sameSideLeaves: dec(30),
    openPositions: 7,
    holdsInstrument: true,
    openOrders: 12,
    grossExposure: dec('412345.67'),
    assetClassExposure: dec('312345.67'),
    sectorExposure: dec('98765.43'),
    equity: dec('1250000.00'),
    startOfDayEquity: dec('1248000.00'),
    dailyNotional: dec('45678.90'),
    ordersLastSecond: 2,
    ordersLastMinute: 40,
  };
}

const realistic: RiskInputOverrides = {
  order: { quantity: dec(10), limitPrice: dec('187.42') },
  reference: dec('187.40'),
  quote: { bid: dec('187.39'), ask: dec('187.41'), last: dec('187.40'), ts: NOW - 150 },
  account: {
    equity: dec('1250000.00'),
    buyingPower: dec('2500000.00'),
    reserved: dec('15000.00'),
    takerFeeBps: dec(1),
    position: dec(120),
    openBuyLeaves: dec(30),
    opposite: { bestLimit: dec('190.00'), limitOrders: 2 },
  },
  levels: { global: usage(10), account: usage(4), agent: usage(1) },
};

function measure(name: string, input: RiskInput, all: boolean, expectApproved: boolean): string[] {
  const options = { all };
  const check = runChecks(input, options);
  if (check.approved !== expectApproved)
    throw new Error(`${name}: unexpected decision ${check.code ?? 'approved'}`);
  for (let i = 0; i < WARMUP; i++) runChecks(input, options);
  globalThis.gc?.();
  const samples = new Float64Array(ITERATIONS);
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    runChecks(input, options);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Array.from(samples).sort((a, b) => a - b);
  return [
    name,
    String(check.checks.length),
    fmt(percentile(sorted, 50), 2),
    fmt(percentile(sorted, 99), 2),
    fmt(percentile(sorted, 99.9), 2),
    fmt(ITERATIONS / seconds, 0),
  ];
}

/** The full pre-trade check set on a realistic input: three levels, every limit set. */
export function runRiskBenchmarks(): void {
  const passing = makeRiskInput(realistic);
  const outOfBand = makeRiskInput({ ...realistic, order: { quantity: dec(10), limitPrice: dec(200) } });
  const rows = [
    measure('all pass', passing, false, true),
    measure('all pass, all: true', passing, true, true),
    measure('price band fails (#8)', outOfBand, false, false),
    measure('price band fails, all: true', outOfBand, true, false),
  ];
  printTable(
    `Risk checks: runChecks, ${fmt(ITERATIONS, 0)} iterations after ${fmt(WARMUP, 0)} warm-up (µs per call)`,
    ['case', 'checks', 'p50', 'p99', 'p99.9', 'ops/s (incl. timer)'],
    rows,
  );
}
