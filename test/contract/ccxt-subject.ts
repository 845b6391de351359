/**
 * The ccxt adapter as a contract subject: a CcxtBroker on ccxt's real `binance` class, its HTTP
 * served by msw from the fake Binance spot API (test/support/fake-binance), whose matching is the
 * paper exchange. The case's market is the fake's book; `settle` is one poll pass of the adapter,
 * which is how a spot REST venue's events arrive.
 */
import type { SetupServer } from 'msw/node';
import { CcxtBroker } from '../../src/brokers/ccxt/index.js';
import { FAKE_BINANCE_CREDENTIALS, FakeBinance } from '../support/fake-binance/index.js';
import type { ContractSubject, DeclaredCapabilities } from './contract-subject.js';

/** What Binance spot through ccxt 4.5.84 declares for the fixture's markets. */
export const BINANCE_SPOT_DECLARED: DeclaredCapabilities = {
  assetClasses: ['crypto'],
  orderTypes: ['market', 'limit', 'stop_limit'],
  timeInForce: ['gtc', 'ioc', 'fok'],
  fees: { makerBps: '10', takerBps: '10' },
};

export async function ccxtSubject(server: SetupServer): Promise<ContractSubject> {
  const fake = new FakeBinance({ cash: { USDT: '100000' } });
  server.use(...fake.handlers());
  const broker = new CcxtBroker({
    venue: 'ccxt-binance-paper',
    exchangeId: 'binance',
    mode: 'paper',
    sandbox: true,
    credentials: FAKE_BINANCE_CREDENTIALS,
    // The suite drives the polls (settle); the background loop stays out of its way.
    pollIntervalMs: 3_600_000,
    // No real-time pacing against a fake.
    enableRateLimit: false,
  });
  await broker.connect();
  return {
    broker,
    accountId: broker.accountId,
    symbol: 'BTC/USDT',
    declared: BINANCE_SPOT_DECLARED,
    market: {
      set(symbol, quote) {
        fake.setQuote(symbol, quote);
      },
      advance(ms) {
        fake.advance(ms);
      },
    },
    settle: () => broker.poll(),
    async close() {
      await broker.close();
      server.resetHandlers();
    },
  };
}
