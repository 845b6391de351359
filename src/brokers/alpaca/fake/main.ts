/**
 * The fake Alpaca broker as its own process, for fault tests (crash, timeouts, dropped stream) and
 * for trying the Alpaca path offline:
 *
 *   node --import tsx src/brokers/alpaca/fake/main.ts --port 0 --key-id K --secret S [--cash 1000000]
 *        [--quote AAPL=189.99/190.01[/100/100]]...
 *
 * Each flag also reads from the environment: FAKE_ALPACA_PORT, FAKE_ALPACA_HOST, FAKE_ALPACA_KEY_ID,
 * FAKE_ALPACA_SECRET_KEY, FAKE_ALPACA_CASH (a flag wins). It serves REST and the stream on one
 * loopback port and prints one JSON line on stdout when ready:
 * `{"ready":true,"url":"http://127.0.0.1:PORT","streamUrl":"ws://127.0.0.1:PORT/stream"}`. It never
 * prints the secret. SIGTERM or SIGINT close it cleanly; `POST /_fake/crash` kills it with SIGKILL.
 */
import { parseArgs } from 'node:util';
import { type FakeAlpaca, createFakeAlpaca } from './fake-alpaca.js';
import type { QuoteInput } from './routes-control.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'key-id': { type: 'string' },
    secret: { type: 'string' },
    cash: { type: 'string' },
    quote: { type: 'string', multiple: true },
  },
  strict: true,
});

const env = process.env;
const keyId = values['key-id'] ?? env['FAKE_ALPACA_KEY_ID'];
const secretKey = values.secret ?? env['FAKE_ALPACA_SECRET_KEY'];
if (keyId === undefined || keyId === '' || secretKey === undefined || secretKey === '') {
  fail('--key-id and --secret (or FAKE_ALPACA_KEY_ID and FAKE_ALPACA_SECRET_KEY) are required.');
}
const port = Number(values.port ?? env['FAKE_ALPACA_PORT'] ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail('--port must be an integer from 0 to 65535.');
const host = values.host ?? env['FAKE_ALPACA_HOST'] ?? '127.0.0.1';
const cash = values.cash ?? env['FAKE_ALPACA_CASH'];

// Handlers first: a SIGTERM that arrives right after the ready line must find them in place.
const started: { fake?: FakeAlpaca } = {};
let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  (started.fake?.close() ?? Promise.resolve()).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`fake Alpaca: close failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const fake = await createFakeAlpaca({
  keyId,
  secretKey,
  ...(cash === undefined ? {} : { cash }),
  quotes: Object.fromEntries((values.quote ?? []).map(parseQuote)),
  // A crash is abrupt on purpose: no close, no flush, sockets reset, like a killed broker.
  onCrash: () => process.kill(process.pid, 'SIGKILL'),
});
started.fake = fake;
const listening = await fake.listen({ host, port });
process.stdout.write(
  `${JSON.stringify({ ready: true, url: listening.url, streamUrl: listening.streamUrl })}\n`,
);

/** `SYMBOL=BID/ASK` or `SYMBOL=BID/ASK/BIDSIZE/ASKSIZE`. */
function parseQuote(text: string): [string, QuoteInput] {
  const match = /^([^=]+)=([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?$/.exec(text);
  if (match === null)
    return fail(`--quote ${text}: expected SYMBOL=BID/ASK or SYMBOL=BID/ASK/BIDSIZE/ASKSIZE.`);
  const [, symbol = '', bid = '', ask = '', bidSize, askSize] = match;
  return [
    symbol,
    {
      bid,
      ask,
      ...(bidSize === undefined ? {} : { bidSize }),
      ...(askSize === undefined ? {} : { askSize }),
    },
  ];
}

function fail(message: string): never {
  process.stderr.write(`fake Alpaca: ${message}\n`);
  process.exit(2);
}
