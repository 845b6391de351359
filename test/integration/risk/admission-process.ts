/**
 * The risk engine's admission path as the concurrency test builds it (concurrency.test.ts), and the
 * child process that runs it in its own engine for the two-process half.
 *
 * `startEngine` builds one paper venue with one cash account (buying power = cash), a fresh AAPL
 * quote on a simulated clock, a RiskEngine on DrizzleRiskStore and an OrderService using it. The
 * venue keeps its state in memory: the orders rest below the bid and never fill, so its cash (and
 * buying power) stays the starting cash in every process that builds it.
 *
 * Run as a child (`node --import tsx admission-process.ts`) it stays up for many repetitions and
 * talks to the parent over the IPC channel:
 *   parent → child `prepare` {url, venue, orders}: open the store at url, build the engine;
 *   child → parent `ready`;
 *   parent → child `go`: submit every order at once (Promise.all through service.submit);
 *   child → parent `done` {accepted, denied, ms} once the venue's acks are applied and the store closed;
 *   child → parent `failed` {error} on any error. The child exits when the parent disconnects.
 */
import { fileURLToPath } from 'node:url';
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import { makeAccount } from '../../../src/brokers/paper/test-support.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService } from '../../../src/engine/order-service.js';
import type { StoredOrder } from '../../../src/engine/ports.js';
import { RiskEngine } from '../../../src/engine/risk-engine.js';
import { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import { type Store, openStore } from '../../../src/store/db.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { DrizzleRiskStore } from '../../../src/store/risk-store.js';

export const SYMBOL = 'AAPL';
export const BID = '99.99';
export const ASK = '100.01';

/** The venue every engine of a repetition builds alike. */
export interface VenueSetup {
  readonly venue: string;
  readonly accountId: string;
  /** Starting USD cash of the cash account: its buying power. */
  readonly cash: string;
  readonly takerFeeBps: string;
  /** The simulated clock's time (epoch ms): the equity session must be open. */
  readonly now: number;
}

/** One buy limit order of the plan. */
export interface PlannedOrder {
  readonly clientOrderId: string;
  readonly agentId: string;
  readonly quantity: string;
  readonly limitPrice: string;
}

export interface Engine {
  readonly service: OrderService;
  readonly risk: RiskEngine;
  readonly broker: PaperBroker;
  stop(): void;
}

/** Builds the venue, the risk engine and the order service on `store`. */
export async function startEngine(store: Store, setup: VenueSetup): Promise<Engine> {
  const clock = new SimulatedClock(setup.now);
  const instruments = new InstrumentRegistry();
  const feed = new ScriptedFeed({ clock });
  const broker = new PaperBroker({
    profile: {
      id: setup.venue,
      name: setup.venue,
      description: '',
      assetClasses: ['us_equity'],
      depthScale: dec(1),
      options: { taker_fee_bps: setup.takerFeeBps, maker_fee_bps: '0' },
      symbolOptions: {},
      accounts: [
        makeAccount({
          id: setup.accountId,
          venue: setup.venue,
          type: 'cash',
          cash: { USD: dec(setup.cash) },
          marginMultiplier: dec(1),
          allowShort: false,
        }),
      ],
    },
    instruments,
    clock,
    feed,
  });
  await broker.connect();
  feed.set(SYMBOL, {
    book: {
      bids: [[BID, '1000']],
      asks: [[ASK, '1000']],
    },
  });
  const bus = new EventBus();
  const risk = new RiskEngine({
    store: new DrizzleRiskStore(store),
    brokers: [broker],
    instruments,
    clock,
    bus,
  });
  await risk.start();
  const service = new OrderService({
    risk,
    store: new DrizzleOrderStore(store),
    brokers: [broker],
    instruments,
    clock,
    ids: new RandomIds(() => clock.now()),
    bus,
  });
  service.start();
  return {
    service,
    risk,
    broker,
    stop: () => {
      service.stop();
    },
  };
}

/** Submits every planned order at once; resolves when all are recorded and the venue's acks applied. */
export async function submitAll(
  engine: Engine,
  setup: VenueSetup,
  orders: readonly PlannedOrder[],
): Promise<StoredOrder[]> {
  const results = await Promise.all(
    orders.map((o) =>
      engine.service.submit({
        symbol: SYMBOL,
        side: 'buy',
        type: 'limit',
        quantity: dec(o.quantity),
        limitPrice: dec(o.limitPrice),
        timeInForce: 'day',
        clientOrderId: o.clientOrderId,
        accountId: setup.accountId,
        venue: setup.venue,
        agentId: o.agentId,
        reason: 'risk concurrency test',
      }),
    ),
  );
  await engine.service.idle();
  return results;
}

// ------------------------------------------------------------------ the child process

export type ParentMessage =
  | {
      readonly type: 'prepare';
      readonly url: string;
      readonly venue: VenueSetup;
      readonly orders: PlannedOrder[];
    }
  | { readonly type: 'go' };

export type ChildMessage =
  | { readonly type: 'started' }
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly accepted: number; readonly denied: number; readonly ms: number }
  | { readonly type: 'failed'; readonly error: string };

function tell(message: ChildMessage): void {
  process.send?.(message);
}

async function child(): Promise<void> {
  let prepared: { store: Store; engine: Engine; venue: VenueSetup; orders: PlannedOrder[] } | undefined;

  const prepare = async (url: string, venue: VenueSetup, orders: PlannedOrder[]): Promise<void> => {
    const store = await openStore(url);
    prepared = { store, engine: await startEngine(store, venue), venue, orders };
    tell({ type: 'ready' });
  };

  const go = async (): Promise<void> => {
    if (prepared === undefined) throw new Error('go before prepare');
    const { store, engine, venue, orders } = prepared;
    prepared = undefined;
    const started = performance.now();
    try {
      const results = await submitAll(engine, venue, orders);
      const ms = performance.now() - started;
      const denied = results.filter((r) => r.order.status === 'denied').length;
      engine.stop();
      await store.close();
      tell({ type: 'done', accepted: results.length - denied, denied, ms });
    } catch (error) {
      engine.stop();
      await store.close();
      throw error;
    }
  };

  const fail = (error: unknown): void => {
    tell({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  };

  process.on('message', (message: ParentMessage) => {
    if (message.type === 'prepare') prepare(message.url, message.venue, message.orders).catch(fail);
    else go().catch(fail);
  });
  process.on('disconnect', () => process.exit(0));
  tell({ type: 'started' });
  return Promise.resolve();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await child();
