/**
 * Writes the bundled synthetic 1-minute bars (data/bars/*.csv) from a fixed seed:
 *
 *   npx tsx scripts/generate-bars.ts
 *
 * Each minute is a random walk of whole ticks sampled SUBSTEPS times (open, high, low and close come
 * from that path); each symbol draws from its own stream of the seed, so the output is the same on
 * every run and adding a symbol leaves the others' files unchanged.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from '../src/domain/decimal.js';
import type { Instrument } from '../src/domain/instrument.js';
import { InstrumentRegistry } from '../src/domain/instruments.js';
import { formatBarsCsv, symbolFileName } from '../src/marketdata/feeds/bars-csv.js';
import { type Rng, streamFor } from '../src/marketdata/feeds/seeded-rng.js';
import type { Bar } from '../src/marketdata/types.js';

const SEED = 20_260_305;
const DAYS = ['2026-03-05', '2026-03-06'];
const SUBSTEPS = 6;
const MINUTE_MS = 60_000;

interface SymbolSpec {
  readonly symbol: string;
  readonly start: string;
  /** Session in minutes after 00:00 UTC, end excluded. */
  readonly session: readonly [number, number];
  /** Standard deviation of one minute's move, in bp (about daily vol / sqrt(minutes per day)). */
  readonly minuteVolBps: number;
  /** Standard deviation of the overnight gap, in bp (0 for a market that never closes). */
  readonly gapVolBps: number;
  /** Typical volume per minute, in units of volumeStep, before the intraday U-shape. */
  readonly volumeUnits: readonly [number, number];
  readonly volumeStep: string;
}

// US regular session on 5-6 March 2026 (before US daylight saving time): 09:30-16:00 ET = 14:30-21:00 UTC.
const US_SESSION: readonly [number, number] = [14 * 60 + 30, 21 * 60];

const SPECS: readonly SymbolSpec[] = [
  {
    symbol: 'AAPL',
    start: '230',
    session: US_SESSION,
    minuteVolBps: 7.5,
    gapVolBps: 80,
    volumeUnits: [15_000, 90_000],
    volumeStep: '1',
  },
  {
    symbol: 'SPY',
    start: '580',
    session: US_SESSION,
    minuteVolBps: 5,
    gapVolBps: 50,
    volumeUnits: [40_000, 250_000],
    volumeStep: '1',
  },
  {
    symbol: 'BTC/USD',
    start: '95000',
    session: [0, 24 * 60],
    minuteVolBps: 8,
    gapVolBps: 0,
    volumeUnits: [500, 40_000],
    volumeStep: '0.001',
  },
];

function generate(spec: SymbolSpec, instrument: Instrument): Bar[] {
  const rng = streamFor(SEED, spec.symbol);
  let ticks = new Decimal(spec.start).div(instrument.tickSize).toNumber();
  const bars: Bar[] = [];
  for (const day of DAYS) {
    ticks = walk(rng, ticks, spec.gapVolBps);
    const midnight = Date.parse(`${day}T00:00:00Z`);
    for (let minute = spec.session[0]; minute < spec.session[1]; minute++) {
      const bar = minuteBar(rng, spec, instrument, ticks, midnight + minute * MINUTE_MS);
      bars.push(bar.bar);
      ticks = bar.closeTicks;
    }
  }
  return bars;
}

function minuteBar(
  rng: Rng,
  spec: SymbolSpec,
  instrument: Instrument,
  openTicks: number,
  ts: number,
): { bar: Bar; closeTicks: number } {
  let [high, low, close] = [openTicks, openTicks, openTicks];
  for (let i = 0; i < SUBSTEPS; i++) {
    close = walk(rng, close, spec.minuteVolBps / Math.sqrt(SUBSTEPS));
    high = Math.max(high, close);
    low = Math.min(low, close);
  }
  const price = (t: number): Decimal => instrument.tickSize.times(t);
  const volume = new Decimal(spec.volumeStep).times(volumeUnits(rng, spec, ts));
  const bar = {
    symbol: spec.symbol,
    ts,
    open: price(openTicks),
    high: price(high),
    low: price(low),
    close: price(close),
    volume,
  };
  return { bar, closeTicks: close };
}

/** One move of whole ticks with a standard deviation of about volBps (uniform on [-k, k]: sd ~ k/sqrt(3)). */
function walk(rng: Rng, ticks: number, volBps: number): number {
  const reach = Math.round(((ticks * volBps) / 10_000) * Math.sqrt(3));
  if (reach < 1) return ticks;
  const move = rng.int(-reach, reach);
  return ticks + move >= 1 ? ticks + move : ticks - move;
}

/** Busier near the open and close of a session (the intraday U), flat for a 24-hour market. */
function volumeUnits(rng: Rng, spec: SymbolSpec, ts: number): number {
  const [low, high] = spec.volumeUnits;
  const [open, close] = spec.session;
  const minute = Math.floor((ts % (24 * 60 * MINUTE_MS)) / MINUTE_MS);
  const position = close - open >= 24 * 60 ? 0 : (2 * (minute - open)) / (close - open - 1) - 1;
  const shape = 1 + 2 * position * position;
  return Math.max(1, Math.round(rng.int(low, high) * shape));
}

async function main(): Promise<void> {
  const registry = new InstrumentRegistry();
  const directory = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'bars');
  await mkdir(directory, { recursive: true });
  for (const spec of SPECS) {
    const path = join(directory, symbolFileName(spec.symbol));
    const bars = generate(spec, registry.get(spec.symbol));
    await writeFile(path, formatBarsCsv(bars));
    console.log(`${spec.symbol}: ${bars.length} bars, ${(await stat(path)).size} bytes -> ${path}`);
  }
}

await main();
