/**
 * The engine as a separate process for the crash test: a durable paper venue and the order service
 * on the store at DATABASE_URL. At start it reconciles; then (mode `run`) it submits orders until
 * it is killed, printing `ACK <clientOrderId>` for every order the engine acknowledged, or (mode
 * `check`) reconciles twice more, prints `DONE` and exits.
 */
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import { makeAccount } from '../../../src/brokers/paper/test-support.js';
import { dec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService } from '../../../src/engine/order-service.js';
import { Reconciler } from '../../../src/engine/reconciler.js';
import { SystemClock } from '../../../src/engine/system-clock.js';
import { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import { openStore } from '../../../src/store/db.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { DrizzlePaperStateStore } from '../../../src/store/paper-state-store.js';

export const CRASH_VENUE = 'crash-venue';
export const CRASH_ACCOUNT = 'crash-account';

const url = process.env['DATABASE_URL'];
if (url === undefined) throw new Error('DATABASE_URL is required');
const mode = process.argv[2] ?? 'run';

const store = await openStore(url);
const clock = new SystemClock();
const instruments = new InstrumentRegistry();
const feed = new ScriptedFeed({ clock });
const broker = new PaperBroker({
  profile: {
    id: CRASH_VENUE,
    name: CRASH_VENUE,
    description: '',
    assetClasses: ['crypto'],
    depthScale: dec(1),
    options: {},
    symbolOptions: {},
    accounts: [makeAccount({ id: CRASH_ACCOUNT, venue: CRASH_VENUE, cash: { USD: dec('100000000') } })],
  },
  instruments,
  clock,
  feed,
  state: new DrizzlePaperStateStore(store),
});
await broker.connect();
feed.set('BTC/USD', {
  book: {
    bids: [
      ['95000.00', '1000'],
      ['94999.00', '1000'],
    ],
    asks: [
      ['95000.50', '1000'],
      ['95001.00', '1000'],
    ],
  },
});
const orders = new DrizzleOrderStore(store);
const service = new OrderService({
  store: orders,
  brokers: [broker],
  instruments,
  clock,
  ids: new RandomIds(),
  bus: new EventBus(),
});
service.start();
const reconciler = new Reconciler({
  store: orders,
  service,
  brokers: [broker],
  instruments,
  clock,
  options: { inflightTimeoutMs: 0, inflightRetries: 1 },
});
await reconciler.reconcileAll();
await service.idle();

if (mode === 'check') {
  await reconciler.reconcileAll();
  await service.idle();
  await reconciler.reconcileAll();
  await service.idle();
  await broker.whenSaved();
  await store.close();
  process.stdout.write('DONE\n');
  process.exit(0);
}

process.stdout.write('READY\n');
for (let i = 0; ; i++) {
  const clientOrderId = `k${process.pid}x${i}`;
  const market = i % 3 !== 0;
  const stored = await service.submit({
    symbol: 'BTC/USD',
    side: i % 2 === 0 ? 'buy' : 'sell',
    type: market ? 'market' : 'limit',
    quantity: dec('0.01'),
    ...(market ? {} : { limitPrice: dec(i % 2 === 0 ? '94000.00' : '96000.00') }),
    timeInForce: 'gtc',
    clientOrderId,
    agentId: 'crash-test',
  });
  if (stored.order.status !== 'pending_new') process.stdout.write(`ACK ${clientOrderId}\n`);
}
