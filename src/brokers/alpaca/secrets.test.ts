import { inspect } from 'node:util';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { AlpacaBroker } from './alpaca-broker.js';
import {
  KEY_ID,
  SECRET,
  TRADING,
  TradeUpdatesServer,
  alpacaError,
  fixtureHandlers,
  loopbackStream,
  makeBroker,
  until,
} from './test-support.js';

const server = setupServer(loopbackStream, ...fixtureHandlers());
const sentKeys: (string | null)[] = [];

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    sentKeys.push(request.headers.get('APCA-API-SECRET-KEY'));
  });
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

function expectNoCredentials(text: string): void {
  expect(text).not.toContain(KEY_ID);
  expect(text).not.toContain(SECRET);
}

async function failure(call: Promise<unknown>): Promise<Error> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return error;
}

/** Everything a log line, an error report or a debugger could print of a failure. */
function printed(error: Error): string {
  return [
    error.message,
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
  ].join('\n');
}

describe('credentials', () => {
  it('are nowhere in the JSON or the inspection of the broker, even after calls', async () => {
    const broker: AlpacaBroker = makeBroker();
    await broker.accounts();
    await broker.marketData.quote('AAPL');
    expect(sentKeys).toContain(SECRET);
    for (const text of [
      JSON.stringify(broker),
      inspect(broker, { depth: 20, showHidden: true }),
      inspect(broker.marketData, { depth: 20, showHidden: true }),
      JSON.stringify(broker.marketData),
      JSON.stringify(broker.capabilities),
    ])
      expectNoCredentials(text);
    expect(JSON.parse(JSON.stringify(broker))).toEqual({
      venue: 'alpaca-paper',
      kind: 'alpaca',
      mode: 'paper',
      accountId: 'alpaca',
    });
  });

  it('are nowhere in the errors of refused, failed and timed-out calls', async () => {
    const request = {
      accountId: 'alpaca',
      clientOrderId: 'ours-1',
      symbol: 'AAPL',
      side: 'buy' as const,
      type: 'market' as const,
      quantity: dec(1),
      timeInForce: 'day' as const,
    };
    const answers = [
      () => alpacaError({ code: 40110000, message: 'request is not authorized' }, 401),
      // Even if a venue echoed a credential back, it is scrubbed.
      () => alpacaError({ code: 40310000, message: `key ${KEY_ID} is not allowed (${SECRET})` }, 403),
      () => HttpResponse.error(),
      () => HttpResponse.text('<html>gateway</html>', { status: 502 }),
    ];
    for (const answer of answers) {
      server.use(http.post(`${TRADING}/v2/orders`, answer));
      expectNoCredentials(printed(await failure(makeBroker().submit(request))));
    }
    server.use(
      http.get(`${TRADING}/v2/account`, () => alpacaError({ code: 40110000, message: 'unauthorized.' }, 401)),
    );
    const refused = await failure(makeBroker().accounts());
    expect(refused).toMatchObject({ code: 'UNAUTHORIZED' });
    expectNoCredentials(printed(refused));
  });

  it('are nowhere in stream errors or the messages handed to onError', async () => {
    const ws = await TradeUpdatesServer.start();
    const messages: string[] = [];
    try {
      ws.authorize = false;
      const refused = makeBroker({ streamUrl: ws.url, onError: (m) => messages.push(m) });
      expectNoCredentials(printed(await failure(refused.connect())));
      await refused.close();

      ws.authorize = true;
      const broker = makeBroker({ streamUrl: ws.url, onError: (m) => messages.push(m) });
      await broker.connect();
      ws.push({ event: 'fill', order: { secret: SECRET } });
      await until(() => broker.streamStats().events === 1, 'the malformed update');
      await broker.close();
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) expectNoCredentials(message);
      expect(ws.received[0]).toMatchObject({
        action: 'authenticate',
        data: { key_id: KEY_ID, secret_key: SECRET },
      });
    } finally {
      await ws.close();
    }
  });
});
