/**
 * The REST API driven through Hono's app.request against the real trading core (PGlite in memory,
 * the paper venues on a scripted market and a simulated clock), mounted as the HTTP server mounts
 * it: at /api/v1 behind a middleware that sets the caller. Every route answers the tool's result
 * with exact decimal strings; refusals carry the contract's error body, the status from one table,
 * and leave nothing behind; the OpenAPI document lists every route under its tool's name.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseDecimal } from '../../../src/domain/decimal.js';
import type { AppEnv } from '../../../src/http/env.js';
import { restApi } from '../../../src/http/rest.js';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { toolDeps } from '../../../src/mcp/deps.js';
import {
  type CallerAgent,
  READ,
  type Scope,
  type ToolDefinition,
  type ToolDeps,
  symbolField,
  tool,
} from '../../../src/mcp/tool-kit.js';
import { TOOLS } from '../../../src/mcp/tools.js';
import { startTestCore } from '../../support/core.js';

let app: TradingApp;
let deps: ToolDeps;

beforeAll(async () => {
  const { app: started, registry, feed } = await startTestCore();
  app = started;
  deps = toolDeps(app, registry);
  feed.set('AAPL', {
    book: {
      bids: [['189.98', '500']],
      asks: [
        ['190.02', '300'],
        ['190.05', '1000'],
      ],
    },
  });
  feed.set('MSFT', { book: { bids: [['409.9', '200']], asks: [['410.1', '200']] } });
  feed.set('BTC/USD', { book: { bids: [['95000', '0.5']], asks: [['95010', '2']] } });
  trader = api(agent(['read', 'trade']));
  reader = api(agent(['read'], 'rest-reader'));
});

afterAll(async () => {
  await app.stop();
});

/** The REST API as the HTTP server mounts it, with a caller set by a stand-in for the auth middleware. */
function api(caller: CallerAgent | undefined, tools?: readonly ToolDefinition[]): Hono<AppEnv> {
  const server = new Hono<AppEnv>();
  server.use(async (c, next) => {
    c.set('requestId', 'req-test');
    if (caller !== undefined) c.set('caller', caller);
    await next();
  });
  server.route('/api/v1', restApi(deps, tools === undefined ? {} : { tools }));
  return server;
}

const agent = (scopes: readonly Scope[], id = 'rest-trader'): CallerAgent => ({
  id,
  scopes: new Set(scopes),
});
let trader: Hono<AppEnv>;
let reader: Hono<AppEnv>;

type Structured = Record<string, unknown>;
interface Answer {
  readonly status: number;
  readonly body: Structured;
}

/** One request; `body` is sent as JSON unless it is already a string (sent as is). */
async function send(server: Hono<AppEnv>, method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit =
    body === undefined
      ? { method }
      : {
          method,
          headers: { 'Content-Type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        };
  const response = await server.request(`/api/v1${path}`, init);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: (await response.json()) as Structured };
}

const errorOf = (answer: Answer) =>
  answer.body['error'] as { code: string; message: string; hint?: string; details?: Structured };
const ordersOf = (answer: Answer, key = 'orders') => answer.body[key] as Structured[];

async function orderCount(): Promise<number> {
  return ordersOf(await send(trader, 'GET', '/orders?status=all&limit=200')).length;
}

/** DELETE of (part of) a position: 200, and the one closing order has these fields. */
async function expectOneClosingOrder(path: string, order: Structured, body?: unknown): Promise<void> {
  const closed = await send(trader, 'DELETE', path, body);
  expect(closed.status).toBe(200);
  expect(ordersOf(closed)).toEqual([expect.objectContaining(order)]);
}

async function openOrderIds(symbol: string): Promise<string[]> {
  const listed = await send(trader, 'GET', `/orders?status=open&symbol=${encodeURIComponent(symbol)}`);
  return ordersOf(listed).map((o) => String(o['orderId']));
}

const limitBuy = (clientOrderId: string, quantity: string, limitPrice: string, symbol = 'AAPL') => ({
  symbol,
  side: 'buy',
  type: 'limit',
  quantity,
  limitPrice,
  timeInForce: 'gtc',
  clientOrderId,
  reason: 'rest test',
});

describe('REST API at /api/v1', () => {
  it('answers quotes with exact decimals, crypto symbols URL-encoded or with a dash', async () => {
    const aapl = await send(trader, 'GET', '/market/quote/AAPL');
    expect(aapl.status).toBe(200);
    expect(ordersOf(aapl, 'quotes')).toEqual([
      expect.objectContaining({
        symbol: 'AAPL',
        venue: 'paper-equities',
        bid: '189.98',
        bidSize: '500',
        ask: '190.02',
        askSize: '300',
      }),
    ]);
    for (const path of ['/market/quote/BTC%2FUSD', '/market/quote/BTC-USD', '/market/quote/btcusd']) {
      const btc = await send(trader, 'GET', path);
      expect(btc.status, path).toBe(200);
      expect(ordersOf(btc, 'quotes')[0], path).toMatchObject({
        symbol: 'BTC/USD',
        venue: 'paper-crypto',
        bid: '95000',
        ask: '95010',
      });
    }
    const unknown = await send(trader, 'GET', '/market/quote/NOPE');
    expect(unknown.status).toBe(422);
    expect(errorOf(unknown).code).toBe('INSTRUMENT_NOT_FOUND');
  });

  it('places an order (201), replays it by clientOrderId (200, one order), and refuses a reuse (409)', async () => {
    const before = await orderCount();
    const request = limitBuy('rest-idem-1', '10', '189.50');
    const placed = await send(trader, 'POST', '/orders', request);
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      clientOrderId: 'rest-idem-1',
      agentId: 'rest-trader',
      reason: 'rest test',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: '10',
      limitPrice: '189.5',
      filledQuantity: '0',
      status: 'new',
      timeInForce: 'gtc',
      venue: 'paper-equities',
      account: 'eq-margin',
    });
    const again = await send(trader, 'POST', '/orders', request);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(placed.body);
    expect(await orderCount()).toBe(before + 1);

    const reused = await send(trader, 'POST', '/orders', { ...request, quantity: '11' });
    expect(reused.status).toBe(409);
    expect(errorOf(reused)).toMatchObject({
      code: 'DUPLICATE_CLIENT_ORDER_ID',
      details: { orderId: placed.body['orderId'] },
    });
    expect(errorOf(reused).hint).toBeTruthy();
    expect(await orderCount()).toBe(before + 1);
    expect((await send(trader, 'DELETE', `/orders/${String(placed.body['orderId'])}`)).status).toBe(200);
  });

  it('reads, modifies and cancels one order by id; a finished one is ORDER_NOT_OPEN, a missing one NOT_FOUND', async () => {
    const placed = await send(trader, 'POST', '/orders', limitBuy('rest-mod-1', '5', '189'));
    const path = `/orders/${String(placed.body['orderId'])}`;

    const read = await send(trader, 'GET', path);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      clientOrderId: 'rest-mod-1',
      status: 'new',
      limitPrice: '189',
      fills: [],
    });
    expect((read.body['events'] as { kind: string }[]).map((e) => e.kind)).toEqual(['ack']);

    const modified = await send(trader, 'PATCH', path, { limitPrice: '189.10', quantity: 6 });
    expect(modified.status).toBe(200);
    expect(modified.body).toMatchObject({
      orderId: placed.body['orderId'],
      limitPrice: '189.1',
      quantity: '6',
    });

    const nothing = await send(trader, 'PATCH', path, {});
    expect(nothing.status).toBe(400);
    expect(errorOf(nothing)).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'Nothing to change.' });
    for (const malformed of ['{"limitPrice":', '[1]', '"189"']) {
      const refused = await send(trader, 'PATCH', path, malformed);
      expect(refused.status, malformed).toBe(400);
      expect(errorOf(refused).code, malformed).toBe('INVALID_ARGUMENT');
      expect(errorOf(refused).hint, malformed).toContain('JSON');
    }

    const canceled = await send(trader, 'DELETE', path);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', quantity: '6', filledQuantity: '0' });
    for (const [method, body] of [
      ['DELETE', undefined],
      ['PATCH', { limitPrice: '189.2' }],
    ] as const) {
      const finished = await send(trader, method, path, body);
      expect(finished.status, method).toBe(409);
      expect(errorOf(finished), method).toMatchObject({
        code: 'ORDER_NOT_OPEN',
        details: { status: 'canceled' },
      });
    }

    const missing = await send(trader, 'GET', '/orders/ord_missing');
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(missing).hint).toBeTruthy();
  });

  it('lists orders with the query coerced to the schema (limit, cursor) and refuses a bad query', async () => {
    const first = await send(trader, 'GET', '/orders?status=all&symbol=AAPL&limit=1');
    expect(first.status).toBe(200);
    expect(ordersOf(first)).toHaveLength(1);
    expect(first.body['truncated']).toBe(true);
    const cursor = first.body['nextCursor'];
    expect(typeof cursor).toBe('string');
    const second = await send(
      trader,
      'GET',
      `/orders?status=all&limit=1&cursor=${encodeURIComponent(String(cursor))}`,
    );
    expect(second.status).toBe(200);
    expect(ordersOf(second)[0]?.['orderId']).not.toBe(ordersOf(first)[0]?.['orderId']);

    for (const [query, field] of [
      ['limit=abc', 'limit'],
      ['limit=0', 'limit'],
      ['limit=1.5', 'limit'],
      ['status=bogus', 'status'],
    ]) {
      const refused = await send(trader, 'GET', `/orders?${query}`);
      expect(refused.status, query).toBe(400);
      expect(errorOf(refused), query).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
    }
  });

  it('cancels the open orders of one symbol with DELETE /orders and leaves the others', async () => {
    const aapl = await send(trader, 'POST', '/orders', limitBuy('rest-keep-1', '1', '180'));
    for (const id of ['rest-msft-1', 'rest-msft-2']) {
      expect((await send(trader, 'POST', '/orders', limitBuy(id, '2', '400', 'MSFT'))).status).toBe(201);
    }
    expect(await openOrderIds('MSFT')).toHaveLength(2);

    const canceled = await send(trader, 'DELETE', '/orders?symbol=MSFT');
    expect(canceled.status).toBe(200);
    expect(
      ordersOf(canceled, 'canceled')
        .map((o) => [o['clientOrderId'], o['status'], o['quantity']])
        .sort(),
    ).toEqual([
      ['rest-msft-1', 'canceled', '2'],
      ['rest-msft-2', 'canceled', '2'],
    ]);
    expect(await openOrderIds('MSFT')).toEqual([]);
    expect(await openOrderIds('AAPL')).toEqual([aapl.body['orderId']]);
    expect((await send(trader, 'DELETE', `/orders/${String(aapl.body['orderId'])}`)).status).toBe(200);
  });

  it('fills a market order and follows the position through GET, partial closes and DELETE /positions', async () => {
    const filled = await send(trader, 'POST', '/orders', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: 400,
      clientOrderId: 'rest-fill-1',
      reason: 'two levels',
    });
    expect(filled.status).toBe(201);
    expect(filled.body).toMatchObject({
      status: 'filled',
      filledQuantity: '400',
      averageFillPrice: '190.0275', // (300 × 190.02 + 100 × 190.05) / 400
    });

    const all = await send(trader, 'GET', '/positions');
    expect(all.status).toBe(200);
    expect(ordersOf(all, 'positions').find((p) => p['symbol'] === 'AAPL')).toMatchObject({
      side: 'long',
      quantity: '400',
      averageEntryPrice: '190.0275',
    });
    const one = await send(trader, 'GET', '/positions/AAPL');
    expect(one.status).toBe(200);
    expect(ordersOf(one, 'positions')).toEqual([
      expect.objectContaining({ symbol: 'AAPL', quantity: '400', averageEntryPrice: '190.0275' }),
    ]);
    const none = await send(trader, 'GET', '/positions/NVDA');
    expect(none.status).toBe(404);
    expect(errorOf(none)).toMatchObject({ code: 'NOT_FOUND', message: 'No position in NVDA.' });

    await expectOneClosingOrder('/positions/AAPL?percentage=25', {
      side: 'sell',
      quantity: '100',
      status: 'filled',
      averageFillPrice: '189.98',
    });
    await expectOneClosingOrder(
      '/positions/AAPL',
      { side: 'sell', quantity: '50', reason: 'trim' },
      { quantity: '50', reason: 'trim' },
    );
    const left = await send(trader, 'GET', '/positions/AAPL');
    expect(ordersOf(left, 'positions')[0]).toMatchObject({
      quantity: '250',
      // 150 × (189.98 − 190.0275), less the taker fees at 0.5 bps of the buy (76011) and the sells (28497)
      realizedPnl: '-12.3504',
    });

    const badFlag = await send(trader, 'DELETE', '/positions?cancelOrders=yes');
    expect(badFlag.status).toBe(400);
    expect(errorOf(badFlag)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'cancelOrders' } });
    const rest = await send(trader, 'DELETE', '/positions?cancelOrders=true');
    expect(rest.status).toBe(200);
    expect(ordersOf(rest).map((o) => [o['symbol'], o['side'], o['quantity'], o['status']])).toEqual([
      ['AAPL', 'sell', '250', 'filled'],
    ]);
    // Flat now, and still there: its realized P&L (the last 250 at 189.98, less 2.37475 in fees).
    const flat = await send(trader, 'GET', '/positions/AAPL');
    expect(flat.status).toBe(200);
    expect(ordersOf(flat, 'positions')).toEqual([
      expect.objectContaining({ side: 'flat', quantity: '0', realizedPnl: '-26.60015' }),
    ]);
  });

  it('trades a crypto pair named in the URL, and the account follows to the exact cent fraction', async () => {
    const before = await send(trader, 'GET', '/account?account=crypto-cash');
    expect(before.status).toBe(200);
    expect(ordersOf(before, 'accounts')).toEqual([
      expect.objectContaining({ account: 'crypto-cash', venue: 'paper-crypto', cash: '100000' }),
    ]);

    const bought = await send(trader, 'POST', '/orders', {
      symbol: 'BTC/USD',
      side: 'buy',
      quantity: '0.0015',
      clientOrderId: 'rest-btc-1',
    });
    expect(bought.status).toBe(201);
    expect(bought.body).toMatchObject({ symbol: 'BTC/USD', status: 'filled', averageFillPrice: '95010' });
    const held = await send(trader, 'GET', '/positions/BTC%2FUSD');
    expect(held.status).toBe(200);
    expect(ordersOf(held, 'positions')[0]).toMatchObject({ symbol: 'BTC/USD', quantity: '0.0015' });
    const listed = await send(trader, 'GET', '/orders?status=all&symbol=BTC-USD');
    expect(ordersOf(listed).map((o) => o['clientOrderId'])).toEqual(['rest-btc-1']);

    await expectOneClosingOrder('/positions/BTC-USD', {
      symbol: 'BTC/USD',
      side: 'sell',
      quantity: '0.0015',
      averageFillPrice: '95000',
    });
    // 100000 − 0.0015 × 95010 × 1.001 + 0.0015 × 95000 × 0.999 (10 bps taker fee each way)
    const after = await send(trader, 'GET', '/account?account=crypto-cash');
    expect(ordersOf(after, 'accounts')[0]).toMatchObject({ cash: '99999.699985' });

    const totals = await send(trader, 'GET', '/account');
    expect(totals.body['tradingState']).toBe('active');
    expect(ordersOf(totals, 'accounts').map((a) => a['account'])).toEqual(['eq-margin', 'crypto-cash']);
    const missing = await send(trader, 'GET', '/account?account=nope');
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('NOT_FOUND');
  });

  it('refuses bad order input with 400 (or 422 for an unknown symbol) and stores nothing', async () => {
    const before = await orderCount();
    for (const [body, status, code] of [
      [{ symbol: 'AAPL', side: 'buy', quantity: 'ten' }, 400, 'INVALID_ARGUMENT'],
      [{ symbol: 'AAPL', side: 'hold', quantity: '1' }, 400, 'INVALID_ARGUMENT'],
      [{ symbol: 'AAPL', side: 'buy', quantity: '-1' }, 400, 'INVALID_ARGUMENT'],
      [{ symbol: 'AAPL', side: 'buy', quantity: '1', type: 'limit' }, 400, 'INVALID_ORDER'],
      ['{"symbol": "AAPL", ', 400, 'INVALID_ARGUMENT'],
      [{ symbol: 'NOPE', side: 'buy', quantity: '1' }, 422, 'INSTRUMENT_NOT_FOUND'],
    ] as const) {
      const refused = await send(trader, 'POST', '/orders', body);
      const what = JSON.stringify(body);
      expect(refused.status, what).toBe(status);
      expect(errorOf(refused).code, what).toBe(code);
      expect(errorOf(refused).hint, what).toBeTruthy();
    }
    const bad = await send(trader, 'POST', '/orders', { symbol: 'AAPL', side: 'buy', quantity: 'ten' });
    expect(errorOf(bad)).toMatchObject({ details: { field: 'quantity' } });
    expect(errorOf(bad).message).toContain('quantity');
    expect(await orderCount()).toBe(before);
  });

  it('refuses a caller without the scope (403 FORBIDDEN) and changes nothing; admin may', async () => {
    const before = await orderCount();
    const refused = await send(reader, 'POST', '/orders', limitBuy('rest-forbidden-1', '1', '180'));
    expect(refused.status).toBe(403);
    expect(errorOf(refused)).toMatchObject({
      code: 'FORBIDDEN',
      details: { tool: 'executeOrder', scope: 'trade' },
    });
    expect(errorOf(refused).hint).toContain('trade');
    expect(await orderCount()).toBe(before);

    const open = await send(trader, 'POST', '/orders', limitBuy('rest-scope-1', '1', '180'));
    const path = `/orders/${String(open.body['orderId'])}`;
    for (const [method, route, body] of [
      ['DELETE', path, undefined],
      ['PATCH', path, { limitPrice: '181' }],
      ['DELETE', '/orders', undefined],
      ['DELETE', '/positions', undefined],
      ['DELETE', '/positions/AAPL', undefined],
    ] as const) {
      const answer = await send(reader, method, route, body);
      expect(answer.status, `${method} ${route}`).toBe(403);
      expect(errorOf(answer).code, `${method} ${route}`).toBe('FORBIDDEN');
    }
    const unchanged = await send(reader, 'GET', path);
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toMatchObject({ status: 'new', limitPrice: '180' });

    const admin = api(agent(['admin'], 'rest-admin'));
    expect((await send(admin, 'DELETE', path)).body).toMatchObject({ status: 'canceled' });
    const anonymous = await send(api(undefined), 'GET', '/account');
    expect(anonymous.status).toBe(401);
    expect(errorOf(anonymous).code).toBe('UNAUTHORIZED');
  });

  it('asks for a confirmation above the caller’s threshold (409) and places the order with its token', async () => {
    const careful = api({
      ...agent(['read', 'trade'], 'rest-careful'),
      confirmAboveNotional: parseDecimal('1000')!,
    });
    const before = await orderCount();
    const request = limitBuy('rest-confirm-1', '10', '185');
    const asked = await send(careful, 'POST', '/orders', request);
    expect(asked.status).toBe(409);
    expect(errorOf(asked)).toMatchObject({
      code: 'CONFIRMATION_REQUIRED',
      details: { preview: { estimatedNotional: '1850', threshold: '1000' } },
    });
    expect(await orderCount()).toBe(before);
    const confirmToken = errorOf(asked).details?.['confirmToken'];
    const placed = await send(careful, 'POST', '/orders', { ...request, confirmToken });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ clientOrderId: 'rest-confirm-1', status: 'new', limitPrice: '185' });
    expect((await send(careful, 'DELETE', `/orders/${String(placed.body['orderId'])}`)).status).toBe(200);
  });

  it('answers an unexpected failure as INTERNAL (500) without its details, and an unknown route as 404', async () => {
    const broken = tool({
      name: 'getAccount',
      title: 'Broken',
      description: 'Fails.',
      scope: 'read',
      annotations: READ,
      input: z.object({}),
      output: z.object({}),
      run: () => Promise.reject(new Error('connect ECONNREFUSED postgres://admin:secret@db')),
    });
    const failing = await send(api(agent(['read']), [broken]), 'GET', '/account');
    expect(failing.status).toBe(500);
    expect(errorOf(failing).code).toBe('INTERNAL');
    expect(JSON.stringify(failing.body)).not.toMatch(/secret|ECONNREFUSED|postgres/);

    const unknown = await send(trader, 'GET', '/nowhere');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown)).toMatchObject({ code: 'NOT_FOUND', message: 'No route GET /api/v1/nowhere.' });
    const wrongMethod = await send(trader, 'PUT', '/orders');
    expect(wrongMethod.status).toBe(404);
  });

  it('runs getBars for GET /market/bars/:symbol once the tool table has it, with the query coerced', async () => {
    const withoutBars = TOOLS.filter((t) => t.name !== 'getBars');
    const absent = await send(api(agent(['read']), withoutBars), 'GET', '/market/bars/AAPL?timeframe=1Day');
    expect(absent.status).toBe(404);
    expect(errorOf(absent)).toMatchObject({
      code: 'NOT_FOUND',
      message: 'getBars is not available on this server.',
    });

    const withBars = api(agent(['read']), [...withoutBars, barsEcho]);
    const bars = await send(withBars, 'GET', '/market/bars/BTC%2FUSD?timeframe=1Min&limit=5');
    expect(bars.status).toBe(200);
    expect(bars.body).toEqual({ symbol: 'BTC/USD', timeframe: '1Min', limit: 5 });
    const bad = await send(withBars, 'GET', '/market/bars/AAPL?timeframe=1Min&limit=five');
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'limit' } });

    const unavailable = api(agent(['read']), [...withoutBars, { ...barsEcho, available: () => false }]);
    const gone = await send(unavailable, 'GET', '/market/bars/AAPL?timeframe=1Min');
    expect(gone.status).toBe(404);
  });

  it('runs the real getBars tool on the paper tape', async () => {
    const bars = await send(trader, 'GET', '/market/bars/BTC-USD?timeframe=1Min&limit=5');
    expect(bars.status).toBe(200);
    expect(bars.body).toMatchObject({ symbol: 'BTC/USD', timeframe: '1Min', truncated: false });
    // The clock has not moved: one bar, opened at the scripted book's mid.
    expect(ordersOf(bars, 'bars')).toEqual([
      expect.objectContaining({ t: '2026-03-04T15:00:00.000Z', o: '95005' }),
    ]);
    const bad = await send(trader, 'GET', '/market/bars/AAPL?timeframe=2Min');
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'timeframe' } });
  });
});

/** A stand-in for the getBars tool (its real one lands in MARKET_TOOLS): echoes what it was given. */
const barsEcho = tool({
  name: 'getBars',
  title: 'Bars (echo)',
  description: 'Echoes its arguments.',
  scope: 'read',
  annotations: READ,
  input: z.object({
    symbol: symbolField,
    timeframe: z.enum(['1Min', '5Min', '15Min', '1Hour', '1Day']),
    limit: z.number().int().min(1).max(1000).optional(),
  }),
  output: z.object({ symbol: z.string(), timeframe: z.string(), limit: z.number().optional() }),
  run: (args) => Promise.resolve({ structured: args, text: 'echo' }),
});

/** The routes of CONTRACT.md's REST surface, written out here rather than read from the code under test. */
const EXPECTED_ROUTES = [
  ['post', '/orders', 'executeOrder'],
  ['get', '/orders', 'listOrders'],
  ['delete', '/orders', 'cancelAllOrders'],
  ['get', '/orders/{id}', 'getOrder'],
  ['patch', '/orders/{id}', 'modifyOrder'],
  ['delete', '/orders/{id}', 'cancelOrder'],
  ['get', '/positions', 'getPositions'],
  ['delete', '/positions', 'closeAllPositions'],
  ['get', '/positions/{symbol}', 'getPositions'],
  ['delete', '/positions/{symbol}', 'closePosition'],
  ['get', '/account', 'getAccount'],
  ['get', '/market/quote/{symbol}', 'getQuote'],
  ['get', '/market/bars/{symbol}', 'getBars'],
] as const;

type Operation = Structured & {
  operationId: string;
  'x-tool': string;
  parameters: Structured[];
  requestBody?: { content: Record<string, { schema: Structured }> };
  responses: Record<string, Structured>;
};

describe('OpenAPI document at /api/v1/openapi.json', () => {
  const tools = TOOLS.some((t) => t.name === 'getBars') ? TOOLS : [...TOOLS, barsEcho];
  async function documentOf(server: Hono<AppEnv>): Promise<{ text: string; doc: Structured }> {
    const response = await server.request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    const text = await response.text();
    return { text, doc: JSON.parse(text) as Structured };
  }
  const operations = (doc: Structured) =>
    Object.entries(doc['paths'] as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method, path, op })),
    );

  it('lists every route once, with operationIds equal to the tool names, from the same schemas', async () => {
    const { doc, text } = await documentOf(api(undefined, tools));
    expect(doc['openapi']).toBe('3.1.0');
    expect(text).not.toContain('$schema');
    const listed = operations(doc);
    expect(listed.map(({ method, path, op }) => [method, path, op['x-tool']]).sort()).toEqual(
      EXPECTED_ROUTES.map((r) => [...r]).sort(),
    );
    const names = new Set(tools.map((t) => t.name));
    for (const { method, path, op } of listed) {
      expect(names.has(op['x-tool']), path).toBe(true);
      expect(op.operationId, path).toBe(
        method === 'get' && path === '/positions/{symbol}' ? 'getPositionsBySymbol' : op['x-tool'],
      );
    }
    expect(new Set(listed.map(({ op }) => op.operationId)).size).toBe(listed.length);

    const byRoute = (method: string, path: string) =>
      listed.find((o) => o.method === method && o.path === path)!.op;
    const post = byRoute('post', '/orders');
    const body = post.requestBody?.content['application/json']?.schema ?? {};
    expect(body['required']).toEqual(['symbol', 'side', 'quantity']);
    expect((body['properties'] as Record<string, Structured>)['quantity']?.['type']).toEqual([
      'string',
      'number',
    ]);
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '403', '409', '422']),
    );
    const patch = byRoute('patch', '/orders/{id}');
    const patchBody = patch.requestBody?.content['application/json']?.schema['properties'] as Structured;
    expect(Object.keys(patchBody)).not.toContain('orderId');
    expect(Object.keys(patchBody)).toContain('limitPrice');
    expect(patch.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    const limit = byRoute('get', '/orders').parameters.find((p) => p['name'] === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', maximum: 200 } });
    // getQuote takes symbols[]: the path names one, so the parameter is one symbol, not an array.
    expect(byRoute('get', '/market/quote/{symbol}').parameters).toMatchObject([
      { name: 'symbol', in: 'path', required: true, schema: { type: 'string', maxLength: 32 } },
    ]);

    const components = doc['components'] as Record<string, Record<string, Structured>>;
    expect(components['securitySchemes']?.['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc['security']).toEqual([{ bearerAuth: [] }]);
    expect(components['schemas']?.['Error']).toMatchObject({ required: ['error'] });
    expect(components['responses']?.['Error409']?.['description']).toContain('ORDER_NOT_OPEN');
    for (const ref of text.match(/"\$ref":"[^"]+"/g) ?? []) {
      const [, , section, name] = ref.slice(8, -1).split('/');
      expect(components[section!]?.[name!], ref).toBeDefined();
    }
  });

  it('is the same document every time, and describes getBars only when the tool exists', async () => {
    const first = await documentOf(api(undefined, tools));
    const second = await documentOf(api(agent(['read']), tools));
    expect(second.text).toBe(first.text);
    const real = await documentOf(api(undefined));
    const hasBars = TOOLS.some((t) => t.name === 'getBars');
    expect(operations(real.doc).some(({ op }) => op.operationId === 'getBars')).toBe(hasBars);
  });
});
