/**
 * Test helpers for the Alpaca adapter: the recorded payloads of test/fixtures/alpaca, msw handlers
 * that serve them per endpoint, a real `ws` trade_updates server on 127.0.0.1, and a short polling
 * wait (no sleeps).
 */
import { readFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { http, HttpResponse, passthrough } from 'msw';
import { WebSocketServer, type WebSocket } from 'ws';
import { AlpacaBroker } from './alpaca-broker.js';
import type { AlpacaBrokerOptions } from './options.js';
import { dec } from '../../domain/decimal.js';
import type { SubmitRequest } from '../broker.js';

const FIXTURES = new URL('../../../test/fixtures/alpaca/', import.meta.url);

type Json = Record<string, unknown>;

function parseFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));
}

/** A recorded payload (an object), parsed fresh on every call: tests may change their copy. */
export function fixture(name: string): Json {
  return parseFixture(name) as Json;
}

/** A recorded payload that is an array. */
export function fixtureList(name: string): Json[] {
  return parseFixture(name) as Json[];
}

/** Alpaca's hosts as the adapter uses them by default (paper). */
export const TRADING = 'https://paper-api.alpaca.markets';
export const DATA = 'https://data.alpaca.markets';

/** Credentials that must never show up anywhere but in Alpaca's headers and auth frame. */
export const KEY_ID = 'PKTESTKEYID0123456789';
export const SECRET = 'sEcReT-abcdefghijklmnopqrstuvwxyz-0123456789';

export function makeBroker(overrides: Partial<AlpacaBrokerOptions> = {}): AlpacaBroker {
  return new AlpacaBroker({
    venue: 'alpaca-paper',
    mode: 'paper',
    keyId: KEY_ID,
    secret: SECRET,
    rateLimit: false,
    timeoutMs: 2000,
    ...overrides,
  });
}

/** An Alpaca error answer: the body as recorded, with its HTTP status. */
/** A gtc buy limit of 2 AAPL at 150 under our id `ours-1`, with any field changed. */
export function limitBuy(overrides: Partial<SubmitRequest> = {}): SubmitRequest {
  return {
    accountId: 'alpaca',
    clientOrderId: 'ours-1',
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: dec('2'),
    limitPrice: dec('150'),
    timeInForce: 'gtc',
    ...overrides,
  };
}

export function alpacaError(body: unknown, status: number): Response {
  return HttpResponse.json(body as Json, { status });
}

/**
 * One handler per endpoint the adapter calls, each serving its fixture as recorded. Individual
 * tests override single endpoints with `server.use(...)`.
 */
export function fixtureHandlers(): ReturnType<typeof http.get>[] {
  return [
    http.get(`${TRADING}/v2/account`, () => HttpResponse.json(fixture('get_v2_account.json'))),
    http.get(`${TRADING}/v2/positions`, () => HttpResponse.json(fixtureList('get_v2_positions.json'))),
    http.get(`${TRADING}/v2/orders`, () => HttpResponse.json(fixtureList('get_v2_orders.json'))),
    http.post(`${TRADING}/v2/orders`, () => HttpResponse.json(fixture('post_v2_orders.json'))),
    http.delete(`${TRADING}/v2/orders`, () =>
      HttpResponse.json(fixtureList('delete_v2_orders.207.json'), { status: 207 }),
    ),
    http.get(`${TRADING}/v2/orders\\:by_client_order_id`, () =>
      HttpResponse.json(fixture('get_v2_orders_by_client_order_id.json')),
    ),
    http.get(`${TRADING}/v2/orders/:id`, () => HttpResponse.json(fixture('get_v2_orders_id.json'))),
    http.patch(`${TRADING}/v2/orders/:id`, () => HttpResponse.json(fixture('patch_v2_orders_id.json'))),
    http.delete(`${TRADING}/v2/orders/:id`, () => new HttpResponse(null, { status: 204 })),
    http.get(`${TRADING}/v2/assets/:symbol`, ({ params }) =>
      String(params['symbol']).includes('BTC')
        ? HttpResponse.json(fixture('get_v2_assets_symbol.crypto.json'))
        : HttpResponse.json(fixture('get_v2_assets_symbol.json')),
    ),
    http.get(`${TRADING}/v2/clock`, () => HttpResponse.json(fixture('get_v2_clock.json'))),
    http.get(`${TRADING}/v2/calendar`, () => HttpResponse.json(fixtureList('get_v2_calendar.json'))),
    http.get(`${DATA}/v2/stocks/quotes/latest`, () =>
      HttpResponse.json(fixture('get_v2_stocks_quotes_latest.json')),
    ),
    http.get(`${DATA}/v2/stocks/trades/latest`, () =>
      HttpResponse.json(fixture('get_v2_stocks_trades_latest.json')),
    ),
    http.get(`${DATA}/v2/stocks/bars/latest`, () =>
      HttpResponse.json(fixture('get_v2_stocks_bars_latest.json')),
    ),
    http.get(`${DATA}/v2/stocks/snapshots`, () => HttpResponse.json(fixture('get_v2_stocks_snapshots.json'))),
    http.get(`${DATA}/v2/stocks/bars`, () => HttpResponse.json(fixture('get_v2_stocks_bars.json'))),
    http.get(`${DATA}/v1beta3/crypto/us/latest/quotes`, () =>
      HttpResponse.json(fixture('get_v1beta3_crypto_loc_latest_quotes.json')),
    ),
    http.get(`${DATA}/v1beta3/crypto/us/latest/trades`, () =>
      HttpResponse.json(fixture('get_v1beta3_crypto_loc_latest_trades.json')),
    ),
    http.get(`${DATA}/v1beta3/crypto/us/latest/bars`, () =>
      HttpResponse.json(fixture('get_v1beta3_crypto_loc_latest_bars.json')),
    ),
    http.get(`${DATA}/v1beta3/crypto/us/snapshots`, () =>
      HttpResponse.json(fixture('get_v1beta3_crypto_loc_snapshots.json')),
    ),
  ];
}

/** Lets the `ws` upgrade to a loopback stream server through msw (it sees the upgrade as HTTP). */
export const loopbackStream = http.get(/^http:\/\/127\.0\.0\.1:\d+\/stream$/, () => passthrough());

/**
 * One FILL account activity in the shape Alpaca documents for TradingActivities (no recorded
 * fixture exists for this endpoint): https://docs.alpaca.markets/reference/getaccountactivitiesbyactivitytype
 */
export function fillActivity(fields: {
  orderId: string;
  cumQty: string;
  qty: string;
  price: string;
  symbol: string;
  side: string;
  at: string;
  leavesQty?: string;
}): Json {
  const stamp = fields.at.replace(/[-:TZ.]/g, '').slice(0, 17);
  return {
    activity_type: 'FILL',
    cum_qty: fields.cumQty,
    id: `${stamp}::${fields.orderId.slice(0, 8)}-${fields.cumQty}`,
    leaves_qty: fields.leavesQty ?? '0',
    price: fields.price,
    qty: fields.qty,
    side: fields.side,
    symbol: fields.symbol,
    transaction_time: fields.at,
    order_id: fields.orderId,
    type: fields.leavesQty === undefined || fields.leavesQty === '0' ? 'fill' : 'partial_fill',
    order_status: fields.leavesQty === undefined || fields.leavesQty === '0' ? 'filled' : 'partially_filled',
  };
}

/** Polls a condition every few milliseconds; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type Frames = Record<string, Json>;

/**
 * A trade_updates server on 127.0.0.1 (port 0) speaking Alpaca's protocol from ws_trade_updates.json:
 * it records what clients send, answers authenticate with `authorized` (or `unauthorized` when
 * told to) and listen with `listening`, and pushes whatever the test sends.
 */
export class TradeUpdatesServer {
  readonly frames = fixture('ws_trade_updates.json') as Frames;
  readonly received: Json[] = [];
  readonly sockets = new Set<WebSocket>();
  authorize = true;
  connections = 0;
  private readonly wss: WebSocketServer;

  private constructor(wss: WebSocketServer) {
    this.wss = wss;
    wss.on('connection', (socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
      });
      socket.on('message', (data) => {
        const text = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Uint8Array);
        this.onMessage(socket, JSON.parse(text.toString('utf8')) as Json);
      });
    });
  }

  static async start(): Promise<TradeUpdatesServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => {
      wss.once('listening', () => {
        resolve();
      });
    });
    return new TradeUpdatesServer(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/stream`;
  }

  /** The actions clients sent, in order ("authenticate", "listen", ...). */
  actions(): string[] {
    return this.received.map((m) => String(m['action']));
  }

  private onMessage(socket: WebSocket, message: Json): void {
    this.received.push(message);
    if (message['action'] === 'authenticate') {
      const answer = this.authorize
        ? 'server_authorization_authorized'
        : 'server_authorization_unauthorized_authenticate';
      socket.send(JSON.stringify(this.frames[answer]));
    } else if (message['action'] === 'listen') {
      socket.send(JSON.stringify(this.frames['server_listening']));
    }
  }

  /** Sends a trade_updates frame (`data` as given) to every client. */
  push(data: unknown): void {
    const frame = JSON.stringify({ stream: 'trade_updates', data });
    for (const socket of this.sockets) socket.send(frame);
  }

  /** Drops every client connection, as a server restart or network cut would. */
  dropClients(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async close(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => {
      this.wss.close(() => {
        resolve();
      });
    });
  }
}
