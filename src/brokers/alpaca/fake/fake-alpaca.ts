import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type DecimalInput, dec } from '../../../domain/decimal.js';
import { InstrumentRegistry } from '../../../domain/instruments.js';
import { errorResponse, internal, notFound, unauthorized } from './alpaca-errors.js';
import { FakeExchange } from './exchange.js';
import { FakeClock, type FakeClockOptions } from './fake-clock.js';
import { Faults } from './faults.js';
import { loadTemplates } from './fixtures.js';
import { tradeUpdateJson } from './order-json.js';
import { FAKE_ACCOUNT, startPaperVenue } from './paper-venue.js';
import type { FakeContext } from './route-kit.js';
import { accountRoutes } from './routes-account.js';
import { type FakeStats, type QuoteInput, controlRoutes } from './routes-control.js';
import { marketRoutes } from './routes-market.js';
import { orderRoutes } from './routes-orders.js';
import { STREAM_PATH, TradeStream } from './trade-stream.js';

export type { FakeStats, QuoteInput } from './routes-control.js';
export { FAULT_ROUTES, type FaultKind, type FaultRoute, type FaultRule, Faults } from './faults.js';

export interface FakeAlpacaOptions {
  /** The key pair every request and the stream must present (APCA-API-KEY-ID / APCA-API-SECRET-KEY). */
  readonly keyId: string;
  readonly secretKey: string;
  /** Starting cash of the one margin account, USD; default 1,000,000. */
  readonly cash?: DecimalInput;
  readonly clock?: FakeClockOptions;
  /** Quotes to start with, by symbol. */
  readonly quotes?: Readonly<Record<string, QuoteInput>>;
  /** How often venue time catches up with real time between requests (expiries fire); default 250 ms. */
  readonly tickMs?: number;
  /** Enables `POST /_fake/crash` (the process mode passes a hard exit). */
  readonly onCrash?: () => void;
}

/** The in-process control API (the /_fake endpoints call the same). */
export interface FakeAlpacaControl {
  setQuote(symbol: string, quote: QuoteInput): void;
  /** Moves venue time `ms` ahead (expiries and other timers fire on the way). */
  advance(ms: number): void;
  /** Venue time, epoch ms. */
  now(): number;
  readonly faults: Faults;
  /** trade_updates messages sent so far, one per listening client reached. */
  eventsSent(): number;
  streamClients(): number;
  /** Closes every stream socket abruptly; returns how many there were. */
  dropStream(): number;
  stats(): FakeStats;
  close(): Promise<void>;
}

export interface Listening {
  readonly url: string;
  readonly streamUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface FakeAlpaca {
  /** The REST API (trading and market data paths) and /_fake control, as a fetch handler (for msw). */
  fetch(request: Request): Promise<Response>;
  /** Serves the trade_updates stream on `server`'s upgrades to /stream; returns a detach function. */
  attachStream(server: Server): () => void;
  /** Serves REST and the stream on one loopback port (0: any free one). */
  listen(options?: { readonly port?: number; readonly host?: string }): Promise<Listening>;
  readonly control: FakeAlpacaControl;
  close(): Promise<void>;
}

/**
 * A loopback fake of Alpaca's Trading API and `trade_updates` stream, state in memory, matching by
 * the paper exchange (see README.md in this folder). Bodies are built from Alpaca's recorded payloads.
 */
export async function createFakeAlpaca(options: FakeAlpacaOptions): Promise<FakeAlpaca> {
  const templates = await loadTemplates();
  const clock = new FakeClock(options.clock);
  const cash = dec(options.cash ?? 1_000_000);
  const broker = await startPaperVenue(clock, cash);
  const instruments = new InstrumentRegistry();
  const stream = new TradeStream({ templates, keyId: options.keyId, secretKey: options.secretKey });
  const faults = new Faults();
  const exchange: FakeExchange = new FakeExchange({
    broker,
    clock,
    instruments,
    accountId: FAKE_ACCOUNT,
    onUpdate: (update) => {
      stream.broadcast(tradeUpdateJson({ ledger: exchange.ledger, instruments }, templates, update));
    },
  });
  const ctx: FakeContext = {
    templates,
    exchange,
    broker,
    instruments,
    clock,
    faults,
    render: { ledger: exchange.ledger, instruments },
    accountId: FAKE_ACCOUNT,
    alpacaAccountId: randomUUID(),
    openingCash: cash.toFixed(),
    createdAt: clock.now(),
  };
  const setQuote = (symbol: string, quote: QuoteInput): void => {
    exchange.setQuote(instruments.get(symbol), {
      bid: dec(quote.bid),
      ask: dec(quote.ask),
      ...(quote.bidSize === undefined ? {} : { bidSize: dec(quote.bidSize) }),
      ...(quote.askSize === undefined ? {} : { askSize: dec(quote.askSize) }),
    });
  };
  const stats = (): FakeStats => ({
    eventsSent: stream.eventsSent,
    streamClients: stream.clientCount,
    requests: faults.requests,
    hanging: faults.hanging,
  });
  for (const [symbol, quote] of Object.entries(options.quotes ?? {})) setQuote(symbol, quote);

  const app = buildApp(ctx, options);
  controlRoutes(app, ctx, {
    setQuote,
    dropStream: () => stream.drop(),
    stats,
    ...(options.onCrash === undefined ? {} : { crash: options.onCrash }),
  });
  const ticker = setInterval(() => {
    clock.sync();
  }, options.tickMs ?? 250);
  ticker.unref();
  const servers = new Set<Listening>();

  const close = async (): Promise<void> => {
    clearInterval(ticker);
    faults.clear();
    // Sockets first: upgraded stream connections would otherwise keep the HTTP servers open.
    await stream.close();
    await Promise.all([...servers].map((s) => s.close()));
    await broker.close();
  };
  const fetch = async (request: Request): Promise<Response> => app.fetch(normalize(request));
  return {
    fetch,
    attachStream: (server) => stream.attach(server),
    listen: async (listenOptions = {}) => {
      const listening = await listenOn(
        fetch,
        stream,
        listenOptions.host ?? '127.0.0.1',
        listenOptions.port ?? 0,
      );
      const entry: Listening = {
        ...listening,
        close: async () => {
          servers.delete(entry);
          await listening.close();
        },
      };
      servers.add(entry);
      return entry;
    },
    control: {
      setQuote,
      advance: (ms) => {
        clock.advance(ms);
      },
      now: () => clock.now(),
      faults,
      eventsSent: () => stream.eventsSent,
      streamClients: () => stream.clientCount,
      dropStream: () => stream.drop(),
      stats,
      close,
    },
    close,
  };
}

/** Auth on every Alpaca path (not /_fake), the routes, and Alpaca-shaped 404s and 500s. */
function buildApp(ctx: FakeContext, options: FakeAlpacaOptions): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/_fake/')) return next();
    const keyId = c.req.header('APCA-API-KEY-ID');
    const secret = c.req.header('APCA-API-SECRET-KEY');
    if (keyId !== options.keyId || secret !== options.secretKey) return errorResponse(unauthorized());
    return next();
  });
  orderRoutes(app, ctx);
  accountRoutes(app, ctx);
  marketRoutes(app, ctx);
  app.notFound(() => errorResponse(notFound('endpoint not found')));
  app.onError(() => errorResponse(internal()));
  return app;
}

/** Some clients percent-encode the colon of `/v2/orders:by_client_order_id`. */
function normalize(request: Request): Request {
  const url = new URL(request.url);
  if (!/%3a/i.test(url.pathname)) return request;
  url.pathname = url.pathname.replace(/%3a/gi, ':');
  return new Request(url, request);
}

function listenOn(
  fetch: (request: Request) => Promise<Response>,
  stream: TradeStream,
  host: string,
  port: number,
): Promise<Omit<Listening, 'close'> & { close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, (info: AddressInfo) => {
      server.off('error', reject);
      const detach = stream.attach(server as Server);
      resolve({
        url: `http://${host}:${info.port}`,
        streamUrl: `ws://${host}:${info.port}${STREAM_PATH}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            detach();
            server.close(() => {
              done();
            });
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
