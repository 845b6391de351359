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
import { createTestDatabase, type TestBackend } from '../test/support/databases.js';
import { fmt, percentile, printTable } from './table.js';

/** BTC/USD trades around the clock, so the bench runs at any hour on the system clock. */
const SYMBOL = 'BTC/USD';

async function setup(backend: TestBackend) {
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
  });
  await broker.connect();
  feed.set(SYMBOL, { book: { bids: [['95000.00', '1000']], asks: [['95000.50', '1000']] } });
  const service = new OrderService({
    store: new DrizzleOrderStore(store.db),
    brokers: [broker],
    instruments: new InstrumentRegistry(),
    clock,
    ids: new RandomIds(),
    bus: new EventBus(),
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

const resting = (i: number): SubmitInput => ({
  symbol: SYMBOL,
  side: i % 2 === 0 ? 'buy' : 'sell',
  type: 'limit',
  quantity: dec('0.001'),
  limitPrice: dec(i % 2 === 0 ? '90000.00' : '99000.00'),
  timeInForce: 'gtc',
  agentId: 'bench',
});

/** Closed loop: `concurrency` submitters for `seconds`; every order is acknowledged before it counts. */
async function throughput(service: OrderService, seconds: number, concurrency: number): Promise<number> {
  let done = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const stored = await service.submit(resting(i++));
        if (stored.order.status !== 'new') throw new Error(`not acknowledged: ${stored.order.status}`);
        done++;
      }
    }),
  );
  return done / seconds;
}

/** Open loop at `rate` per second for `count` orders: submit-to-ack latency in ms. */
async function latency(service: OrderService, rate: number, count: number): Promise<number[]> {
  const samples: number[] = [];
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    pending.push(service.submit(resting(i)).then(() => void samples.push(performance.now() - t)));
  }
  await Promise.all(pending);
  return samples.sort((a, b) => a - b);
}

export async function runOmsBenchmarks(): Promise<void> {
  const rows: string[][] = [];
  for (const backend of ['pglite', 'postgres'] as const) {
    const { service, close } = await setup(backend);
    await throughput(service, 1, 16); // warm up
    const rate = await throughput(service, 5, 32);
    const half = Math.max(1, Math.floor(rate / 2));
    const samples = await latency(service, half, Math.min(half * 5, 5_000));
    rows.push([
      backend === 'pglite' ? 'PGlite on disk' : 'PostgreSQL 15',
      fmt(rate, 0),
      fmt(half, 0),
      fmt(percentile(samples, 50), 2),
      fmt(percentile(samples, 99), 2),
    ]);
    await close();
  }
  printTable(
    'Order service end to end: submit → durable intent → paper venue → ack recorded (resting limit orders; targets ≥ 5,000/s PostgreSQL, ≥ 2,000/s PGlite, p99 ≤ 5 ms at half rate)',
    ['store', 'accepted orders/s', 'latency run at /s', 'p50 ms', 'p99 ms'],
    rows,
  );
}
