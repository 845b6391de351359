import { MatchingEngine } from '../src/brokers/paper/matching-engine.js';
import { resolvePaperOptions } from '../src/brokers/paper/options.js';
import { PaperBroker } from '../src/brokers/paper/paper-broker.js';
import { PaperLedger } from '../src/brokers/paper/paper-ledger.js';
import { capabilitiesFor, makeAccount } from '../src/brokers/paper/test-support.js';
import type { Account } from '../src/domain/account.js';
import { SimulatedClock } from '../src/domain/clock.js';
import { type Decimal, dec } from '../src/domain/decimal.js';
import { InstrumentRegistry } from '../src/domain/instruments.js';
import { roundToTick } from '../src/domain/instrument.js';
import type { OrderType, Side } from '../src/domain/order.js';
import { RandomWalkFeed } from '../src/marketdata/feeds/index.js';
import type { BookSnapshot } from '../src/marketdata/types.js';
import { fmt, percentile, printTable } from './table.js';

const SYMBOL = 'BTC/USD';
const instruments = new InstrumentRegistry();
const instrument = instruments.get(SYMBOL);
const T0 = Date.UTC(2026, 2, 5, 15, 0);

const account = (): Account =>
  makeAccount({ id: 'bench', venue: 'bench', cash: { USD: dec('1000000000000') }, marginMultiplier: dec(4) });
const capabilities = capabilitiesFor(['crypto']);

function newEngine(): { engine: MatchingEngine; events: { count: number } } {
  const events = { count: 0 };
  const engine = new MatchingEngine({
    venue: 'bench',
    instruments,
    capabilities,
    optionsFor: (i) => resolvePaperOptions(i.assetClass),
    ledger: new PaperLedger([account()]),
    emit: () => {
      events.count++;
    },
  });
  return { engine, events };
}

/** A deterministic pseudo-random sequence (not for money: it only picks order shapes). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Mix {
  readonly name: string;
  readonly trailingShare: number;
  /** How far from the mid orders rest, in percent: [min, max). */
  readonly away: readonly [number, number];
}

/**
 * Rests `n` orders away from the market (the mix says how far): limits on their own side, stops on
 * the far side, touches, and per the mix trailing stops with offsets in the same range.
 */
function seedOrders(engine: MatchingEngine, n: number, mid: Decimal, mix: Mix, seed: number): void {
  const rand = lcg(seed);
  const [lo, hi] = mix.away;
  const pct = (): Decimal => dec(lo + Math.floor(rand() * (hi - lo) * 100) / 100);
  const away = (side: Side, sign: 1 | -1): Decimal =>
    roundToTick(
      instrument,
      mid.times(dec(100).plus(pct().times(sign))).div(100),
      side === 'buy' ? 'down' : 'up',
    );
  for (let i = 0; i < n; i++) {
    const side: Side = rand() < 0.5 ? 'buy' : 'sell';
    const roll = rand();
    const base = {
      accountId: 'bench',
      clientOrderId: `o${i}`,
      symbol: SYMBOL,
      side,
      quantity: dec('0.001'),
      timeInForce: 'gtc' as const,
    };
    let type: OrderType;
    if (roll < mix.trailingShare) type = 'trailing_stop';
    else if (roll < mix.trailingShare + 0.2) type = 'stop';
    else if (roll < mix.trailingShare + 0.3) type = 'market_if_touched';
    else type = 'limit';
    const below = side === 'buy' ? -1 : 1; // limits and touches rest on their own side
    const receipt =
      type === 'limit'
        ? engine.submit({ ...base, type, limitPrice: away(side, below) }, T0)
        : type === 'market_if_touched'
          ? engine.submit({ ...base, type, triggerPrice: away(side, below) }, T0)
          : type === 'stop'
            ? engine.submit({ ...base, type, stopPrice: away(side, side === 'buy' ? 1 : -1) }, T0)
            : engine.submit({ ...base, type, trailPercent: pct() }, T0);
    if (receipt.status !== 'accepted') throw new Error(`bench order refused: ${receipt.message}`);
  }
}

function books(count: number, seed: number): BookSnapshot[] {
  const clock = new SimulatedClock(T0);
  const feed = new RandomWalkFeed({ clock, instruments: [instrument], seed });
  const out: BookSnapshot[] = [];
  for (let i = 0; i < count; i++) {
    const [update] = feed.step(T0 + 1 + i);
    if (update?.kind === 'book') out.push(update.book);
  }
  return out;
}

export function bookUpdates(resting: number, mix: Mix, count = 60_000): string[] {
  const { engine, events } = newEngine();
  const updates = books(count, 7);
  const first = updates[0];
  if (first === undefined) throw new Error('no books');
  engine.onBook(first);
  const mid = first.bids[0]!.price.plus(first.asks[0]!.price).div(2);
  seedOrders(engine, resting, mid, mix, 11);
  events.count = 0;
  const warm = Math.min(5_000, Math.floor(count / 10));
  for (let i = 1; i < warm; i++) engine.onBook(updates[i]!);
  const start = process.hrtime.bigint();
  for (let i = warm; i < updates.length; i++) engine.onBook(updates[i]!);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const n = updates.length - warm;
  return [
    fmt(resting, 0),
    mix.name,
    fmt(n, 0),
    fmt(n / seconds, 0),
    fmt((seconds / n) * 1e6, 2),
    fmt(events.count, 0),
    fmt(engine.restingCount(), 0),
  ];
}

async function submitLatency(): Promise<string[][]> {
  const clock = new SimulatedClock(T0);
  const feed = new RandomWalkFeed({ clock, instruments: [instrument], seed: 3 });
  const broker = new PaperBroker({
    profile: {
      id: 'bench',
      name: 'bench',
      description: '',
      assetClasses: ['crypto'],
      depthScale: dec(1),
      options: {},
      symbolOptions: {},
      accounts: [account()],
    },
    instruments,
    clock,
    feed,
  });
  await broker.connect();
  const rows: string[][] = [];
  const book = broker.book(SYMBOL)!;
  const bid = book.bids[0]!.price;
  const ask = book.asks[0]!.price;
  const cases: { name: string; make: (i: number) => Parameters<PaperBroker['submit']>[0] }[] = [
    {
      name: 'limit, rests',
      make: (i) => ({
        accountId: 'bench',
        clientOrderId: `r${i}`,
        symbol: SYMBOL,
        side: 'buy',
        type: 'limit',
        quantity: dec('0.001'),
        limitPrice: bid.minus(100),
        timeInForce: 'gtc',
      }),
    },
    {
      name: 'market, fills',
      make: (i) => ({
        accountId: 'bench',
        clientOrderId: `m${i}`,
        symbol: SYMBOL,
        side: i % 2 === 0 ? 'buy' : 'sell',
        type: 'market',
        quantity: dec('0.001'),
        timeInForce: 'ioc',
      }),
    },
    {
      name: 'stop, waits',
      make: (i) => ({
        accountId: 'bench',
        clientOrderId: `s${i}`,
        symbol: SYMBOL,
        side: 'buy',
        type: 'stop',
        quantity: dec('0.001'),
        stopPrice: ask.plus(100),
        timeInForce: 'gtc',
      }),
    },
  ];
  for (const c of cases) {
    const samples: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const t = process.hrtime.bigint();
      const receipt = await broker.submit(c.make(i));
      samples.push(Number(process.hrtime.bigint() - t) / 1e3);
      if (receipt.status !== 'accepted') throw new Error(`bench submit refused: ${receipt.message}`);
      if (i % 1000 === 999) feed.step(clock.now()); // the market moves now and then
    }
    const measured = samples.slice(2_000).sort((a, b) => a - b);
    rows.push([
      c.name,
      fmt(measured.length, 0),
      fmt(percentile(measured, 50), 1),
      fmt(percentile(measured, 99), 1),
      fmt(percentile(measured, 99.9), 1),
    ]);
  }
  return rows;
}

function memory(resting: number): string[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return [fmt(resting, 0), 'run with node --expose-gc', '', ''];
  const { engine } = newEngine();
  const first = books(1, 5)[0]!;
  engine.onBook(first);
  gc();
  const before = process.memoryUsage().heapUsed;
  const mid = first.bids[0]!.price.plus(first.asks[0]!.price).div(2);
  seedOrders(engine, resting, mid, { name: 'limits', trailingShare: 0, away: [2, 8] }, 13);
  gc();
  const after = process.memoryUsage().heapUsed;
  const mb = (after - before) / 2 ** 20;
  return [fmt(resting, 0), fmt(engine.restingCount(), 0), fmt(mb, 1), fmt((after - before) / resting, 0)];
}

export async function runPaperExchangeBenchmarks(): Promise<void> {
  const quiet = (trailingShare: number): Mix => ({
    name: `beyond reach (20-30% away)${trailingShare > 0 ? `, ${trailingShare * 100}% trailing stops` : ''}`,
    trailingShare,
    away: [20, 30],
  });
  const near: Mix = { name: 'near (2-8% away): the walk reaches them', trailingShare: 0, away: [2, 8] };
  const trailing: Mix = { name: 'near, 10% trailing stops ratcheting', trailingShare: 0.1, away: [2, 8] };
  printTable(
    'Paper exchange: market updates per second (BTC/USD L2, 10 levels a side, random walk; target ≥ 200,000 with 10,000 resting)',
    ['resting', 'orders', 'updates', 'updates/s', 'µs/update', 'events', 'still working'],
    [
      bookUpdates(10_000, quiet(0), 60_000),
      bookUpdates(100_000, quiet(0), 60_000),
      bookUpdates(10_000, quiet(0.1), 60_000),
      bookUpdates(10_000, near, 30_000),
      bookUpdates(10_000, trailing, 10_000),
    ],
  );
  printTable(
    'Paper exchange: submit to acknowledgement in process, PaperBroker.submit awaited (µs; target p99 ≤ 1,000)',
    ['order', 'samples', 'p50', 'p99', 'p99.9'],
    await submitLatency(),
  );
  printTable(
    'Paper exchange: memory for resting orders (heap growth after GC; target ≤ 300 MB for 100,000)',
    ['orders', 'resting', 'heap MB', 'bytes/order'],
    [memory(100_000)],
  );
}
