/**
 * The routing, algorithm and contingent-order rig: several paper venues (each its own book, set
 * with `book`), the real order service with the smart router, the algorithm runner and the
 * contingent manager, on a store with the production migrations and a simulated clock.
 */
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import type { Broker } from '../../../src/brokers/broker.js';
import { ConnectionGuard, connectionHealth } from '../../../src/brokers/connection-guard.js';
import type { VenueProfile } from '../../../src/brokers/paper/venue-profiles.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { type Decimal, dec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { AlgoRunner } from '../../../src/engine/algos.js';
import { TrailingEmulator } from '../../../src/engine/trailing-emulator.js';
import { ContingentManager } from '../../../src/engine/contingent-manager.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import { ExecutionDesk } from '../../../src/engine/execution-desk.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService, type SubmitInput } from '../../../src/engine/order-service.js';
import { SmartRouter } from '../../../src/engine/smart-router.js';
import { VenueStatsBook } from '../../../src/engine/venue-stats.js';
import type { PaperStateStore } from '../../../src/brokers/paper/paper-state.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { DrizzleRoutingLog } from '../../../src/store/routing-store.js';
import type { Store } from '../../../src/store/db.js';

/** Thursday 10:00 New York: the equity session is open. */
export const T0 = Date.UTC(2026, 2, 5, 15, 0);

export function venue(
  id: string,
  options: Record<string, unknown> = {},
  extra: Partial<Pick<VenueProfile, 'nativeContingent' | 'orderTypes'>> = {},
): VenueProfile {
  return {
    id,
    name: id,
    description: '',
    assetClasses: ['us_equity'],
    depthScale: dec(1),
    options: { maker_fee_bps: '0', taker_fee_bps: '0', ...options },
    symbolOptions: {},
    ...extra,
    accounts: [
      {
        id: `${id}-acct`,
        venue: id,
        mode: 'paper',
        type: 'margin',
        currency: 'USD',
        cash: { USD: dec(10_000_000) },
        marginMultiplier: dec(2),
        allowShort: true,
        patternDayTrader: false,
        dayTrades: [],
        tradingBlocked: false,
      },
    ],
  };
}

export interface Rig {
  readonly clock: SimulatedClock;
  readonly brokers: PaperBroker[];
  readonly orders: DrizzleOrderStore;
  readonly service: OrderService;
  readonly router: SmartRouter;
  readonly routingLog: DrizzleRoutingLog;
  readonly algos: AlgoRunner;
  readonly contingent: ContingentManager;
  readonly desk: ExecutionDesk;
  readonly trailing: TrailingEmulator;
  readonly bus: EventBus;
  /** Routing decisions that could not be recorded (a test asserts there are none). */
  readonly failures: unknown[];
  /** Sets a venue's book: [price, size] levels, best first. */
  book(venue: string, symbol: string, bids: [string, string][], asks: [string, string][]): void;
  /** Waits until venue events, algorithm steps and group updates have all been applied. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export interface RigOptions {
  readonly clock?: SimulatedClock;
  /** Durable paper venues (crash tests): their state in this store. */
  readonly state?: PaperStateStore;
  /** Keeps the same venue order ids across a restart (durable venues resume their own). */
  readonly instanceId?: string;
  /** Wraps each venue before the order flow sees it (fault injection, connection guards). */
  readonly wrap?: (broker: PaperBroker) => Broker;
}

export async function startRig(
  store: Store,
  profiles: readonly VenueProfile[],
  options: RigOptions = {},
): Promise<Rig> {
  const clock = options.clock ?? new SimulatedClock(T0);
  const instruments = new InstrumentRegistry();
  const brokers = profiles.map(
    (profile) =>
      new PaperBroker({
        profile,
        instruments,
        clock,
        ...(options.state === undefined ? {} : { state: options.state }),
        ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
      }),
  );
  for (const broker of brokers) await broker.connect();
  const venues: Broker[] = brokers.map((b) => options.wrap?.(b) ?? b);
  const bus = new EventBus();
  const orders = new DrizzleOrderStore(store);
  const stats = new VenueStatsBook({ clock });
  const router = new SmartRouter({
    brokers: venues,
    stats: (v) => stats.stats(v),
    health: (v) => {
      const venue = venues.find((b) => b.venue === v);
      return venue instanceof ConnectionGuard
        ? connectionHealth([venue], v)
        : { status: 'connected', circuitOpen: false };
    },
  });
  const failures: unknown[] = [];
  const routingLog = new DrizzleRoutingLog(store, (error) => failures.push(error));
  const service = new OrderService({
    store: orders,
    brokers: venues,
    instruments,
    clock,
    ids: new RandomIds(() => clock.now()),
    bus,
    router,
    routingLog,
  });
  service.start();
  const contingent = new ContingentManager({ service, store: orders, bus, instruments });
  contingent.start();
  const algos = new AlgoRunner({ service, store: orders, bus, clock, instruments });
  algos.start();
  const trailing = new TrailingEmulator({
    service,
    store: orders,
    brokers,
    bus,
    clock,
    instruments,
    pollMs: 1_000,
  });
  trailing.start();
  const desk = new ExecutionDesk({ service, algos, router, routingLog, instruments });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i += 1) {
      await Promise.all(brokers.map((b) => b.whenSaved()));
      await service.idle();
      await contingent.idle();
      await algos.idle();
      await trailing.idle();
    }
  };
  return {
    clock,
    brokers,
    orders,
    service,
    router,
    routingLog,
    algos,
    contingent,
    desk,
    trailing,
    bus,
    failures,
    book(venueId, symbol, bids, asks) {
      const broker = brokers.find((b) => b.venue === venueId);
      if (broker === undefined) throw new Error(`no venue ${venueId}`);
      const level = ([price, size]: [string, string]): { price: Decimal; size: Decimal } => ({
        price: dec(price),
        size: dec(size),
      });
      broker.simulate({
        kind: 'book',
        book: { symbol, ts: clock.now(), bids: bids.map(level), asks: asks.map(level) },
      });
    },
    settle,
    async stop() {
      await settle();
      algos.stop();
      contingent.stop();
      trailing.stop();
      service.stop();
      await routingLog.flush();
      for (const broker of brokers) await broker.close();
    },
  };
}

export const order = (input: Partial<SubmitInput> & Pick<SubmitInput, 'quantity'>): SubmitInput => ({
  symbol: 'AAPL',
  side: 'buy',
  type: 'market',
  timeInForce: 'day',
  agentId: 'agent-test',
  ...input,
});
