import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaperBroker } from '../src/brokers/paper/paper-broker.js';
import { makeAccount } from '../src/brokers/paper/test-support.js';
import { SystemClock } from '../src/engine/system-clock.js';
import { dec } from '../src/domain/decimal.js';
import { InstrumentRegistry } from '../src/domain/instruments.js';
import { EventBus } from '../src/engine/event-bus.js';
import { RandomIds } from '../src/engine/ids.js';
import { OrderService, type SubmitInput } from '../src/engine/order-service.js';
import { ScriptedFeed } from '../src/marketdata/feeds/index.js';
import { DrizzleOrderStore } from '../src/store/order-store.js';
import { RiskEngine } from '../src/engine/risk-engine.js';
import { SmartRouter } from '../src/engine/smart-router.js';
import { DEFAULT_VENUE_STATS } from '../src/engine/venue-stats.js';
import { DrizzleRoutingLog } from '../src/store/routing-store.js';
import { DrizzleRiskStore } from '../src/store/risk-store.js';
import { DrizzlePaperStateStore } from '../src/store/paper-state-store.js';
import { createTestDatabase, type TestBackend } from '../test/support/databases.js';
import { CpuMeter, ownCpuMs, postgresCpuMs } from './cpu.js';
import { fmt, percentile, printTable } from './table.js';

/** BTC/USD trades around the clock, so the bench runs at any hour on the system clock. */
const SYMBOL = 'BTC/USD';

interface Pipeline {
  /** The paper venue keeps its state in the store, as the server's default venue does. */
  readonly durableVenue: boolean;
  /** The risk engine, the smart router and its decision log (the server's pipeline). */
  readonly risk: boolean;
  /** Orders that fill at once (marketable IOC limits), not orders that rest. */
  readonly fills?: boolean;
}

export async function setup(backend: TestBackend, pipeline: Pipeline) {
  const withRisk = pipeline.risk;
  const folder = backend === 'pglite' ? await mkdtemp(join(tmpdir(), 'oms-bench-')) : undefined;
  const database = await createTestDatabase(backend, folder);
  const store = await database.open();
  const clock = new SystemClock();
  const feed = new ScriptedFeed({ clock });
  const account = makeAccount({ id: 'bench', venue: 'paper-bench', cash: { USD: dec('1000000000000') } });
  const broker = new PaperBroker({
    profile: {
      id: 'paper-bench',
      name: 'bench',
      description: '',
      assetClasses: ['crypto'],
      depthScale: dec(1),
      options: {},
      symbolOptions: {},
      accounts: [account],
    },
    instruments: new InstrumentRegistry(),
    clock,
    feed,
    ...(pipeline.durableVenue ? { state: new DrizzlePaperStateStore(store) } : {}),
  });
  await broker.connect();
  feed.set(SYMBOL, { book: { bids: [['95000.00', '1000']], asks: [['95000.50', '1000']] } });
  const bus = new EventBus();
  const risk = withRisk
    ? new RiskEngine({
        store: new DrizzleRiskStore(store),
        brokers: [broker],
        instruments: new InstrumentRegistry(),
        clock,
        bus,
      })
    : undefined;
  if (risk !== undefined) {
    await risk.start();
    // The scripted book never moves: no stale-quote refusals, and no rate limit on the one bench agent.
    await risk.setLimits(
      'global',
      '*',
      { maxQuoteAgeMs: 86_400_000, maxOrdersPerSecond: 1_000_000, maxOrdersPerMinute: 100_000_000 },
      'bench',
    );
  }
  const service = new OrderService({
    store: new DrizzleOrderStore(store),
    brokers: [broker],
    instruments: new InstrumentRegistry(),
    clock,
    ids: new RandomIds(),
    bus,
    // The production pipeline: the risk engine, the smart router and its decision log.
    ...(risk === undefined
      ? {}
      : {
          risk,
          router: new SmartRouter({ brokers: [broker], stats: () => DEFAULT_VENUE_STATS }),
          routingLog: new DrizzleRoutingLog(store),
        }),
  });
  service.start();
  return {
    service,
    close: async () => {
      await service.idle();
      await store.close();
      await database.drop();
      if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Submitters at once in the throughput runs: 64, and 256 for the ceiling (bigger batches, fewer
 * statements per order); the latency runs use half the larger of the two rates.
 */
const CONCURRENCY = [64, 256] as const;

export const resting = (i: number): SubmitInput => ({
  symbol: SYMBOL,
  side: i % 2 === 0 ? 'buy' : 'sell',
  type: 'limit',
  quantity: dec('0.001'),
  limitPrice: dec(i % 2 === 0 ? '90000.00' : '99000.00'),
  timeInForce: 'gtc',
  agentId: 'bench',
});

/**
 * An order that crosses the scripted book and fills at once in full: a buy above the ask, IOC so
 * that nothing rests. Buys only: the server's risk engine refuses a sell that could meet the
 * account's own buy still open (a wash trade), and concurrent submitters always have some open.
 */
export const marketable = (i: number): SubmitInput => ({
  ...resting(i),
  side: 'buy',
  limitPrice: dec('99000.00'),
  timeInForce: 'ioc',
});

type OrderMaker = (i: number) => SubmitInput;

/** The statuses an order of each kind is acknowledged with: resting, or filled by the time submit answers. */
function acknowledged(make: OrderMaker, status: string): boolean {
  return make === resting ? status === 'new' : status === 'new' || status === 'filled';
}

/** Closed loop: `concurrency` submitters for `seconds`; every order is acknowledged before it counts. */
export async function throughput(
  service: OrderService,
  seconds: number,
  concurrency: number,
  make: OrderMaker = resting,
): Promise<{ rate: number; count: number }> {
  let done = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const stored = await service.submit(make(i++));
        if (!acknowledged(make, stored.order.status))
          throw new Error(`not acknowledged: ${stored.order.status}`);
        done++;
      }
    }),
  );
  return { rate: done / seconds, count: done };
}

/** Open loop at `rate` per second for `count` orders: submit-to-ack latency in ms. */
export async function latency(
  service: OrderService,
  rate: number,
  count: number,
  make: OrderMaker = resting,
): Promise<number[]> {
  const samples: number[] = [];
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    pending.push(service.submit(make(i)).then(() => void samples.push(performance.now() - t)));
  }
  await Promise.all(pending);
  return samples.sort((a, b) => a - b);
}

/** Open-loop latency at `rate`: submit-to-ack p50/p99 and the event loop's own p99 delay, in ms. */
async function latencyRow(service: OrderService, rate: number, make: OrderMaker): Promise<string[]> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const samples = await latency(service, rate, Math.min(rate * 5, 5_000), make);
  loop.disable();
  return [
    fmt(rate, 0),
    fmt(percentile(samples, 50), 2),
    fmt(percentile(samples, 99), 2),
    fmt(loop.percentile(99) / 1e6, 1),
  ];
}

/** The sustained-rate targets, orders/s. */
const TARGET_RATE = { pglite: 2_000, postgres: 5_000 } as const;

/** `only`: 'pglite' or 'postgres' to run one store. */
export async function runOmsBenchmarks(only?: string): Promise<void> {
  const rows: string[][] = [];
  const pipelines: readonly (Pipeline & { label: string })[] = [
    { durableVenue: false, risk: false, label: 'in-memory paper venue' },
    { durableVenue: true, risk: false, label: 'durable paper venue' },
    { durableVenue: true, risk: true, label: 'durable paper venue, risk engine + router (the server)' },
    { durableVenue: true, risk: false, fills: true, label: 'durable paper venue, orders that fill' },
    { durableVenue: true, risk: true, fills: true, label: 'the server, orders that fill' },
  ];
  const runs = (['pglite', 'postgres'] as const)
    .filter((b) => only === undefined || b === only)
    .flatMap((b) => pipelines.map((p) => [b, p] as const));
  for (const [backend, pipeline] of runs) {
    const { service, close } = await setup(backend, pipeline);
    const make = pipeline.fills === true ? marketable : resting;
    await throughput(service, 1, 16, make); // warm up
    const rates: number[] = [];
    let perOrder = '';
    let databasePerOrder = '';
    for (const concurrency of CONCURRENCY) {
      const meter = new CpuMeter([ownCpuMs, backend === 'postgres' ? postgresCpuMs : () => undefined]);
      const { rate, count } = await throughput(service, 5, concurrency, make);
      rates.push(rate);
      if (concurrency === CONCURRENCY[0]) {
        [perOrder = '', databasePerOrder = ''] = meter
          .used(count)
          .map((ms) => (ms === undefined ? '' : fmt(ms * 1000, 0)));
      }
    }
    const name = `${backend === 'pglite' ? 'PGlite on disk' : 'PostgreSQL 15'}, ${pipeline.label}`;
    const best = Math.max(...rates);
    rows.push([
      name,
      ...rates.map((r) => fmt(r, 0)),
      perOrder,
      databasePerOrder,
      ...(await latencyRow(service, Math.max(1, Math.floor(best / 2)), make)),
    ]);
    // Half the target as well: the rate the target's latency point names, whatever the best was.
    rows.push([name, '', '', '', '', ...(await latencyRow(service, TARGET_RATE[backend] / 2, make))]);
    rows.push([name, '', '', '', '', ...(await latencyRow(service, 200, make))]);
    await close();
  }
  printTable(
    'Order service end to end: submit → durable intent → paper venue → ack recorded (resting limit orders; orders that fill: their fill recorded too, marketable IOC limits; targets ≥ 5,000/s PostgreSQL, ≥ 2,000/s PGlite, p99 ≤ 5 ms at half rate); latency at half the best rate, at half the target rate, and at 200/s',
    [
      'store, pipeline',
      ...CONCURRENCY.map((c) => `orders/s, ${c} submitters`),
      `CPU µs/order (this process, ${CONCURRENCY[0]})`,
      `PostgreSQL CPU µs/order (${CONCURRENCY[0]})`,
      'latency run at /s',
      'p50 ms',
      'p99 ms',
      'event-loop p99 ms',
    ],
    rows,
  );
}
