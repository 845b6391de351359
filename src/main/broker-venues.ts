/**
 * The real broker connections a server trades through, beside its paper venues: the ones the
 * environment gives (ALPACA_*, CCXT_*) and the ones stored encrypted in the database. Each becomes
 * a Broker through its kind's factory; a live one only with its opt-in and behind its caps
 * (LiveCapsBroker, seeded with what was already sent today). A connection that cannot connect at
 * start does not stop the server: it is kept, reported down by its guard, and connected again in
 * the background.
 */
import { DateTime } from 'luxon';
import type { Broker, GroupSubmitRequest } from '../brokers/broker.js';
import { openVault } from '../brokers/credentials.js';
import type { Credentials } from '../brokers/credentials.js';
import { type ConnectionInfo, type LiveCaps, liveTradingAllowed } from '../brokers/credentials-live.js';
import { LiveCapsBroker } from '../brokers/live-caps.js';
import type { BrokerEndpoints, Config } from '../config.js';
import type { Instrument } from '../domain/instrument.js';
import type { OrderStore } from '../engine/ports.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import type { Logger } from '../logger.js';
import { ConnectionStore, storedOptIn } from '../store/connection-store.js';
import type { Store } from '../store/db.js';
import { sentNotionalSince } from '../store/live-usage.js';
import { openNativeGroups } from './native-groups.js';

/** A connection ready to build: who it is, its credentials, its caps when live. */
export interface ResolvedConnection extends ConnectionInfo {
  readonly credentials: Credentials;
  readonly liveCaps: LiveCaps | undefined;
  readonly endpoints?: BrokerEndpoints;
}

/** A connection's adapter, and what it trades when it lists instruments the registry lacks. */
export interface BuiltConnection {
  readonly broker: Broker;
  readonly instruments?: () => Promise<readonly Instrument[]>;
  /**
   * Before the adapter connects: hands it the native contingent groups still working at its venue
   * (read from the order store by account), for an adapter that keeps the links of our legs to its
   * venue's orders only in memory (Alpaca).
   */
  readonly restoreGroups?: (load: (accountId: string) => Promise<GroupSubmitRequest[]>) => Promise<void>;
}

export type BrokerFactory = (connection: ResolvedConnection) => BuiltConnection | Promise<BuiltConnection>;
export type BrokerFactories = Readonly<Record<ConnectionInfo['kind'], BrokerFactory>>;

export interface BrokerVenues {
  readonly brokers: readonly Broker[];
  close(): Promise<void>;
}

/** How long a connection may take to connect at start before the server goes on without it. */
const CONNECT_TIMEOUT_MS = 15_000;
const RECONNECT_MS = 30_000;

export async function openBrokerVenues(deps: {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly instruments: InstrumentRegistry;
  readonly factories: BrokerFactories;
  /** Where the native groups to restore are read from. */
  readonly orders: Pick<OrderStore, 'openOrders' | 'findById' | 'children'>;
  readonly now?: () => number;
}): Promise<BrokerVenues> {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const connections = [...deps.config.brokerConnections, ...(await storedConnections(deps))];
  const brokers: Broker[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  /** Connects, then adds the instruments the connection lists. */
  const connect = async (broker: Broker, built: BuiltConnection, id: string): Promise<void> => {
    try {
      await withTimeout(broker.connect(), CONNECT_TIMEOUT_MS);
      if (built.instruments !== undefined) {
        const added = deps.instruments.add(await built.instruments());
        logger.info({ connection: id, instrumentsAdded: added }, 'broker connection ready');
      } else logger.info({ connection: id }, 'broker connection ready');
    } catch (error) {
      logger.error(
        { connection: id, err: error, retryInMs: RECONNECT_MS },
        'broker connection failed; retrying in the background',
      );
      if (closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void connect(broker, built, id);
      }, RECONNECT_MS);
      timer.unref();
      timers.add(timer);
    }
  };

  const restore = async (built: BuiltConnection, venue: string, id: string): Promise<void> => {
    if (built.restoreGroups === undefined) return;
    try {
      await built.restoreGroups((accountId) => openNativeGroups(deps.orders, venue, accountId));
    } catch (error) {
      logger.error({ connection: id, err: error }, 'native contingent groups not restored');
    }
  };
  const close = async (): Promise<void> => {
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(brokers.map((b) => b.close().catch(() => undefined)));
  };
  try {
    for (const connection of connections) {
      // A factory refuses a connection it cannot build (an unknown ccxt exchange): the start stops.
      const built = await deps.factories[connection.kind](connection);
      const inner = built.broker;
      const broker =
        connection.liveCaps === undefined
          ? inner
          : new LiveCapsBroker(inner, connection.liveCaps, {
              connectionId: connection.id,
              now,
              sentToday: await sentNotionalSince(deps.store.db, inner.venue, startOfDay(now())),
            });
      brokers.push(broker);
      await restore(built, inner.venue, connection.id);
      await connect(broker, built, connection.id);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { brokers, close };
}

/**
 * Stored connections not overridden by the environment, decrypted with TRADING_CREDENTIALS_KEY.
 * A live one without its opt-in is left out, with the reason logged (never its credentials).
 */
async function storedConnections(deps: {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
}): Promise<ResolvedConnection[]> {
  const { config, logger } = deps;
  if (config.credentialsKey === undefined) return [];
  const store = new ConnectionStore(
    deps.store.db,
    openVault(config.credentialsKey, config.previousCredentialsKey),
  );
  const fromEnv = new Set(config.brokerConnections.map((c) => c.id));
  const out: ResolvedConnection[] = [];
  for (const summary of await store.list()) {
    if (fromEnv.has(summary.id)) continue;
    const decision = liveTradingAllowed(summary, storedOptIn(summary));
    if (!decision.allowed) {
      logger.warn({ connection: summary.id, reason: decision.reason }, 'broker connection not started');
      continue;
    }
    const stored = await store.load(summary.id);
    if (stored === undefined) continue;
    out.push({
      id: stored.id,
      kind: stored.kind,
      exchangeId: stored.exchangeId,
      mode: stored.mode,
      credentials: stored.credentials,
      liveCaps: decision.live ? decision.caps : undefined,
    });
  }
  return out;
}

/** The start of the New York trading date the live caps count by (live-caps.ts). */
function startOfDay(ms: number): number {
  return DateTime.fromMillis(ms, { zone: 'America/New_York' }).startOf('day').toMillis();
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
