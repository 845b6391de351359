/**
 * How each kind of broker connection becomes a Broker: the Alpaca adapter and the ccxt adapter,
 * with their credentials revealed only here, into the client that signs with them.
 */
import { AlpacaBroker } from '../brokers/alpaca/alpaca-broker.js';
import { CcxtBroker } from '../brokers/ccxt/index.js';
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

function alpaca(c: ResolvedConnection, tuning: AdapterTuning): BuiltConnection {
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
  return { broker };
}

function ccxt(c: ResolvedConnection, tuning: AdapterTuning): BuiltConnection {
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
