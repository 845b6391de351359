/**
 * The Alpaca adapter as a contract subject: an AlpacaBroker on the real SDK, its REST calls to
 * Alpaca's own hosts answered by msw from the fake Alpaca broker (src/brokers/alpaca/fake: every
 * body built from the recorded payloads in test/fixtures/alpaca, matching by the paper exchange),
 * its trade_updates stream on a real loopback WebSocket served by the same fake. `settle` waits
 * until the adapter has heard every stream message the fake sent.
 */
import type { SetupServer } from 'msw/node';
import { http } from 'msw';
import { AlpacaBroker } from '../../src/brokers/alpaca/alpaca-broker.js';
import { type FakeAlpaca, createFakeAlpaca } from '../../src/brokers/alpaca/fake/fake-alpaca.js';
import type { ContractSubject, DeclaredCapabilities } from './contract-subject.js';

const KEY_ID = 'PKCONTRACTTEST';
const SECRET = 'contract-secret-not-real';

/** What Alpaca declares: equities and crypto, its five order types, six TIFs, commission-free. */
export const ALPACA_DECLARED: DeclaredCapabilities = {
  assetClasses: ['us_equity', 'crypto'],
  orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
  timeInForce: ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'],
  fees: { makerBps: '0', takerBps: '0' },
};

export async function alpacaSubject(server: SetupServer): Promise<ContractSubject> {
  const fake: FakeAlpaca = await createFakeAlpaca({ keyId: KEY_ID, secretKey: SECRET });
  server.use(
    http.all('https://paper-api.alpaca.markets/*', ({ request }) => fake.fetch(request)),
    http.all('https://data.alpaca.markets/*', ({ request }) => fake.fetch(request)),
  );
  // msw cannot intercept WebSockets: the stream is served on a real loopback socket.
  const listening = await fake.listen();
  const broker = new AlpacaBroker({
    venue: 'alpaca-paper',
    mode: 'paper',
    keyId: KEY_ID,
    secret: SECRET,
    streamUrl: listening.streamUrl,
    rateLimit: false,
  });
  await broker.connect();
  const settle = async (): Promise<void> => {
    await broker.caughtUp();
    // The fake sends as the paper venue reports; give its pending work a turn, then wait for the
    // stream to have delivered everything sent so far.
    for (let i = 0; i < 500; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (broker.streamStats().events >= fake.control.eventsSent()) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (broker.streamStats().events >= fake.control.eventsSent()) return;
      }
    }
    throw new Error(
      `the stream delivered ${broker.streamStats().events} of ${fake.control.eventsSent()} messages`,
    );
  };
  return {
    broker,
    accountId: 'alpaca',
    symbol: 'AAPL',
    declared: ALPACA_DECLARED,
    market: {
      set(symbol, quote) {
        fake.control.setQuote(symbol, quote);
      },
      advance(ms) {
        fake.control.advance(ms);
      },
    },
    settle,
    async close() {
      await broker.close();
      await listening.close();
      await fake.close();
      server.resetHandlers();
    },
  };
}
