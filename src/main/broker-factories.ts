/**
 * How each kind of broker connection becomes a Broker: the Alpaca adapter and the ccxt adapter,
 * with their credentials revealed only here, into the client that signs with them. Each adapter is
 * loaded when a connection needs it: ccxt alone takes seconds to load, which a server trading only
 * on its paper venues should not pay at every start.
 */
import type { BrokerFactories, BuiltConnection, ResolvedConnection } from './broker-venues.js';

/** Per-connection tuning a test or an operator may give; production uses the adapters' defaults. */
export interface AdapterTuning {
  /** A request's deadline before its outcome is called unknown. */
  readonly timeoutMs?: number;
  /** ccxt's poll interval. */
  readonly pollIntervalMs?: number;
}

export function brokerFactories(tuning: AdapterTuning = {}): BrokerFactories {
  return {
    alpaca: (c) => alpaca(c, tuning),
    ccxt: (c) => ccxt(c, tuning),
  };
}

export const BROKER_FACTORIES: BrokerFactories = brokerFactories();

async function alpaca(c: ResolvedConnection, tuning: AdapterTuning): Promise<BuiltConnection> {
  const { AlpacaBroker } = await import('../brokers/alpaca/alpaca-broker.js');
  const endpoints = c.endpoints ?? {};
  const broker = new AlpacaBroker({
    venue: c.id,
    accountId: c.id,
    mode: c.mode,
    keyId: c.credentials.apiKey.reveal(),
    secret: c.credentials.apiSecret.reveal(),
    ...(endpoints.baseUrl === undefined ? {} : { baseUrl: endpoints.baseUrl }),
    ...(endpoints.streamUrl === undefined ? {} : { streamUrl: endpoints.streamUrl }),
    ...(endpoints.dataUrl === undefined ? {} : { dataUrl: endpoints.dataUrl }),
    ...(tuning.timeoutMs === undefined ? {} : { timeoutMs: tuning.timeoutMs }),
  });
  // The bundled instruments define the symbols; Alpaca trades them without a symbol list.
  return {
    broker,
    // Alpaca takes no client order ids for exit legs: after a restart the links come from our store.
    restoreGroups: async (load) => {
      for (const group of await load(broker.accountId)) await broker.restoreGroup(group);
    },
  };
}

async function ccxt(c: ResolvedConnection, tuning: AdapterTuning): Promise<BuiltConnection> {
  const { CcxtBroker } = await import('../brokers/ccxt/index.js');
  const exchangeId = c.exchangeId ?? 'binance';
  const broker = new CcxtBroker({
    venue: c.id,
    exchangeId,
    accountId: c.id,
    mode: c.mode,
    sandbox: c.mode === 'paper',
    credentials: {
      apiKey: c.credentials.apiKey,
      secret: c.credentials.apiSecret,
      ...(c.credentials.passphrase === undefined ? {} : { password: c.credentials.passphrase }),
    },
    ...(tuning.pollIntervalMs === undefined ? {} : { pollIntervalMs: tuning.pollIntervalMs }),
    ...(tuning.timeoutMs === undefined ? {} : { timeoutMs: tuning.timeoutMs }),
  });
  return { broker, instruments: () => Promise.resolve(broker.instruments().all()) };
}
