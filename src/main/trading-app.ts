import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import { EventBus } from '../engine/event-bus.js';
import { RandomIds } from '../engine/ids.js';
import { OrderService } from '../engine/order-service.js';
import { type ReconcileReport, Reconciler } from '../engine/reconciler.js';
import { RiskControls } from '../engine/risk-controls.js';
import { RiskEngine } from '../engine/risk-engine.js';
import { SignalDesk } from '../engine/signals.js';
import { TrailingEmulator } from '../engine/trailing-emulator.js';
import { AlgoRunner } from '../engine/algos.js';
import { ContingentManager } from '../engine/contingent-manager.js';
import { ExecutionDesk } from '../engine/execution-desk.js';
import { ExecutionRecorder } from '../engine/execution-recorder.js';
import { markOf } from '../engine/mark.js';
import { SmartRouter } from '../engine/smart-router.js';
import {
  ConnectionGuard,
  type ConnectionGuardOptions,
  connectionHealth,
} from '../brokers/connection-guard.js';
import { SEED_LOOKBACK_MS, VenueStatsBook } from '../engine/venue-stats.js';
import { AnalyticsStore } from '../store/analytics-store.js';
import { DrizzleRoutingLog } from '../store/routing-store.js';
import type { RiskLimits } from '../risk/types.js';
import { DrizzleRiskStore } from '../store/risk-store.js';
import type { Logger } from '../logger.js';
import { AuditAnchorFile } from '../store/audit-anchor.js';
import { type Store, openStore } from '../store/db.js';
import { DrizzleOrderStore } from '../store/order-store.js';
import { DrizzlePaperStateStore } from '../store/paper-state-store.js';
import { type PaperExchange, buildPaperExchange } from './paper-exchange.js';
import type { Broker } from '../brokers/broker.js';
import { BROKER_FACTORIES } from './broker-factories.js';
import { type BrokerFactories, openBrokerVenues } from './broker-venues.js';

/** Every few seconds, each venue's orders, fills and positions are reconciled (ORDER-SEMANTICS.md §8). */
export const RECONCILE_INTERVAL_MS = 5_000;
/** How often the audit chain is verified and its head recorded outside the database. */
export const AUDIT_ANCHOR_INTERVAL_MS = 60_000;

/** The trading core, wired: the store, the durable paper venues, the order service, reconciliation. */
export interface TradingApp {
  readonly config: Config;
  readonly store: Store;
  readonly orders: DrizzleOrderStore;
  readonly exchange: PaperExchange;
  /** Every venue: the paper venues, then the real broker connections. */
  readonly venues: readonly Broker[];
  readonly service: OrderService;
  readonly risk: RiskEngine;
  readonly riskControls: RiskControls;
  readonly riskStore: DrizzleRiskStore;
  readonly signals: SignalDesk;
  readonly reconciler: Reconciler;
  readonly bus: EventBus;
  readonly router: SmartRouter;
  /** The venues as the order flow calls them: each behind its circuit breaker, with its health. */
  readonly connections: readonly ConnectionGuard[];
  readonly routingLog: DrizzleRoutingLog;
  readonly venueStats: VenueStatsBook;
  readonly analytics: AnalyticsStore;
  readonly recorder: ExecutionRecorder;
  readonly algos: AlgoRunner;
  readonly contingent: ContingentManager;
  readonly desk: ExecutionDesk;
  /** The last reconciliation pass's reports (empty before the first). */
  lastReconciliation(): readonly ReconcileReport[];
  stop(): Promise<void>;
}

/**
 * Opens the store (applying migrations), resumes the paper venues from it, starts the order
 * service and reconciles every venue before returning, then every RECONCILE_INTERVAL_MS on the
 * trading clock. The audit chain's head is verified and anchored in a file beside the data.
 */
export async function startTradingApp(
  config: Config,
  logger: Logger,
  options: TradingAppOptions = {},
): Promise<TradingApp> {
  const store = await openStore(config.databaseUrl);
  // What a start that fails half-way has opened (venues, broker connections), closed in reverse.
  const opened: (() => Promise<void>)[] = [];
  try {
    return await start(config, logger, store, options, opened);
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    await store.close();
    throw error;
  }
}

export interface TradingAppOptions {
  /** How each kind of real broker connection is built (default: the Alpaca and ccxt adapters). */
  readonly brokerFactories?: BrokerFactories;
  /** Circuit breaker and retry settings of every connection (default: the guard's own). */
  readonly connectionGuard?: Pick<
    ConnectionGuardOptions,
    'breakAfter' | 'halfOpenAfterMs' | 'attempts' | 'retryDelayMs'
  >;
  /** Each agent's limits from its card: the agent level's defaults in the risk engine. */
  readonly agentLimits?: (agentId: string) => RiskLimits;
}

async function start(
  config: Config,
  logger: Logger,
  store: Store,
  options: TradingAppOptions,
  opened: (() => Promise<void>)[],
): Promise<TradingApp> {
  const exchange = await buildPaperExchange(config, undefined, new DrizzlePaperStateStore(store));
  await exchange.start();
  opened.push(() => exchange.stop());
  const orders = new DrizzleOrderStore(store);
  const real = await openBrokerVenues({
    config,
    store,
    logger,
    instruments: exchange.instruments,
    factories: options.brokerFactories ?? BROKER_FACTORIES,
    orders,
  });
  opened.push(() => real.close());
  const venues: readonly Broker[] = [...exchange.venues, ...real.brokers];
  const bus = new EventBus();
  const analytics = new AnalyticsStore(store);
  const venueStats = new VenueStatsBook({ clock: exchange.clock });
  // Every venue call of the order flow goes through its connection's circuit breaker, which also
  // feeds each call's outcome and time to the statistics the router scores.
  let onRecovered: (venue: string) => void = () => undefined;
  const connections = venues.map(
    (venue) =>
      new ConnectionGuard(venue, {
        ...options.connectionGuard,
        // A real broker's account report is a rate-limited request: reused for a second.
        ...(venue.kind === 'paper' ? {} : { accountsTtlMs: 1_000 }),
        onRecovered: (id) => {
          onRecovered(id);
        },
        onCall: (id, call) => {
          venueStats.recordCall(id, call);
        },
      }),
  );
  const riskStore = new DrizzleRiskStore(store);
  const risk = new RiskEngine({
    store: riskStore,
    brokers: connections,
    instruments: exchange.instruments,
    clock: exchange.clock,
    bus,
    ...(options.agentLimits === undefined ? {} : { agentLimits: options.agentLimits }),
  });
  await risk.start();
  venueStats.seed(
    (await analytics.venueAggregates({ since: exchange.clock.now() - SEED_LOOKBACK_MS })).venues,
  );
  const router = new SmartRouter({
    brokers: connections,
    stats: (venue) => venueStats.stats(venue),
    health: (venue) => connectionHealth(connections, venue),
  });
  const routingLog = new DrizzleRoutingLog(store, (error) => {
    logger.error({ err: error }, 'routing decisions not recorded');
  });
  const service = new OrderService({
    risk,
    router,
    routingLog,
    store: orders,
    brokers: connections,
    instruments: exchange.instruments,
    clock: exchange.clock,
    ids: new RandomIds(() => exchange.clock.now()),
    bus,
    onAnomaly: (message, details) => {
      logger.warn(details, message);
    },
  });
  service.start();
  const recorder = new ExecutionRecorder({
    bus,
    orders,
    analytics,
    clock: exchange.clock,
    mark: (symbol) => markOf(venues, symbol),
    onRecorded: (metrics) => {
      venueStats.recordExecution(metrics);
    },
    onError: (error, orderId) => {
      logger.warn({ err: error, orderId }, 'execution metrics not recorded');
    },
  });
  recorder.start();
  const onEngineError = (what: string) => (error: unknown, details: Record<string, unknown>) => {
    logger.error({ err: error, ...details }, what);
  };
  const contingent = new ContingentManager({
    service,
    store: orders,
    bus,
    instruments: exchange.instruments,
    onError: onEngineError('contingent group update failed'),
  });
  contingent.start();
  const algos = new AlgoRunner({
    service,
    store: orders,
    bus,
    clock: exchange.clock,
    instruments: exchange.instruments,
    nativeIceberg: (venue) => venues.some((v) => v.venue === venue && v.capabilities.displayQuantity),
    onError: onEngineError('algorithm step failed'),
  });
  algos.start();
  const trailing = new TrailingEmulator({
    service,
    store: orders,
    brokers: venues,
    bus,
    clock: exchange.clock,
    instruments: exchange.instruments,
    onError: onEngineError('trailing stop emulation failed'),
  });
  trailing.start();
  const desk = new ExecutionDesk({ service, algos, router, routingLog, instruments: exchange.instruments });
  const riskControls = new RiskControls({
    engine: risk,
    service,
    store: riskStore,
    brokers: connections,
    clock: exchange.clock,
    bus,
  });
  const monitor = (): void => {
    riskControls.tick().catch((error: unknown) => {
      logger.error({ err: error }, 'risk monitor pass failed');
    });
  };
  const reconciler = new Reconciler({
    store: orders,
    service,
    brokers: connections,
    instruments: exchange.instruments,
    clock: exchange.clock,
  });
  // A venue that comes back has its open orders, fills and positions reconciled at once.
  onRecovered = (venue) => {
    const broker = connections.find((c) => c.venue === venue);
    if (broker === undefined) return;
    void broker
      .accounts()
      .then((accounts) => Promise.all(accounts.map((a) => reconciler.reconcileAccount(broker, a.accountId))))
      .catch((error: unknown) => {
        logger.error({ err: error, venue }, 'reconciliation after recovery failed');
      });
  };
  let last: readonly ReconcileReport[] = [];
  let first: (() => void) | undefined;
  const reconciled = new Promise<void>((resolve) => {
    first = resolve;
  });
  const stopReconciling = reconciler.runEvery(RECONCILE_INTERVAL_MS, {
    onReport: (reports) => {
      last = reports;
      monitor();
      for (const report of reports) {
        if (report.failed !== undefined) logger.warn(report, 'reconciliation failed');
        else if (changed(report)) logger.info(report, 'reconciliation applied changes');
      }
      first?.();
    },
    onError: (error) => {
      logger.error({ err: error }, 'reconciliation pass failed');
      first?.();
    },
  });
  await reconciled;
  // After the first reconciliation: groups and algorithms resume from what the venues reported.
  await contingent.restore();
  await algos.restore();
  await trailing.restore();

  const anchor = anchorFile(store);
  /** Verifies and anchors the chain; a failure is logged, never fatal (trading goes on). */
  const advanceAnchor = async (): Promise<void> => {
    if (anchor === undefined) return;
    try {
      const verdict = await anchor.advance(store.db);
      if (!verdict.ok) logger.error({ audit: verdict }, 'the audit log fails verification');
    } catch (error) {
      logger.error({ err: error }, 'audit anchor update failed');
    }
  };
  await advanceAnchor();
  const anchorTimer = setInterval(() => {
    void advanceAnchor();
  }, AUDIT_ANCHOR_INTERVAL_MS);
  anchorTimer.unref();

  return {
    config,
    store,
    orders,
    exchange,
    venues,
    service,
    risk,
    riskControls,
    riskStore,
    signals: new SignalDesk({
      service,
      risk,
      store: riskStore,
      instruments: exchange.instruments,
      clock: exchange.clock,
    }),
    reconciler,
    bus,
    router,
    connections,
    routingLog,
    venueStats,
    analytics,
    recorder,
    algos,
    contingent,
    desk,
    lastReconciliation: () => last,
    async stop() {
      clearInterval(anchorTimer);
      await stopReconciling();
      algos.stop();
      contingent.stop();
      trailing.stop();
      service.stop();
      await service.idle();
      await risk.idle();
      await routingLog.flush();
      recorder.stop();
      await recorder.idle();
      await Promise.all(exchange.venues.map((v) => v.whenSaved()));
      await exchange.stop();
      await real.close();
      await advanceAnchor();
      await store.close();
    },
  };
}

function changed(report: ReconcileReport): boolean {
  return (
    report.fillsApplied + report.ordersAligned + report.ordersImported + report.ordersInferred > 0 ||
    report.positionsCorrected > 0
  );
}

/**
 * The anchor file for a persistent store, named after its location so that another database never
 * meets this one's head: beside the PGlite data folder, or under .data/ in the working directory
 * for PostgreSQL. None for an in-memory store, which starts empty every time.
 */
function anchorFile(store: Store): AuditAnchorFile | undefined {
  if (store.kind === 'pglite-memory') return undefined;
  const id = createHash('sha256').update(store.location).digest('hex').slice(0, 16);
  const folder = store.kind === 'pglite-disk' ? dirname(store.location) : resolve(process.cwd(), '.data');
  return new AuditAnchorFile(join(folder, 'audit-anchor', `${id}.json`));
}
