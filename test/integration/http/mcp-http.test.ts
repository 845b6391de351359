/**
 * MCP over the real HTTP server, through the SDK's own clients: every tool the all-scopes `local`
 * agent sees is called over Streamable HTTP at /mcp in both protocol eras (2025-era initialize
 * and 2026-07-28 pinned), each answer matching the tool's output schema with decimals as strings;
 * the legacy HTTP+SSE transport (/sse + /messages) lists, places and cancels with the bearer key
 * on every request, keeps a session to the agent that opened it, and notifies a subscriber when its
 * order fills; a modern client's subscriptions/listen stream on /mcp hears the same.
 */
import type { Client, FetchLike } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../../src/mcp/tools.js';
import { type Structured, type ToolAnswer, callTool, resourceUpdates } from '../../support/core.js';
import type { Era, TestServer } from '../../support/http-server.js';
import { connectHttp, connectSse, request, startTestServer } from '../../support/http-server.js';

let server: TestServer;
let localKey: string;
let analystKey: string;

const book = (bid: string, ask: string) => ({
  book: { bids: [[bid, '5000']] as [string, string][], asks: [[ask, '5000']] as [string, string][] },
});

beforeAll(async () => {
  server = await startTestServer();
  localKey = await server.createKey('local');
  analystKey = await server.createKey('analyst');
  server.feed.set('AAPL', book('189.98', '190.02'));
  for (const symbol of ['MSFT', 'NVDA']) server.feed.set(symbol, book('409.90', '410.10'));
  for (const symbol of ['TSLA', 'AMZN', 'META']) server.feed.set(symbol, book('199.90', '200.10'));
  // The simulated clock stands still, so every order of this file falls in one second: lift the
  // local agent's rate limit (20 per second by default; the risk suites test it).
  await server.app.risk.setLimits('agent', 'local', { maxOrdersPerSecond: 1_000 }, 'mcp-http test');
});

afterAll(async () => {
  await server.stop();
});

/** Wire fields that hold exact decimals: wherever they appear, they are decimal strings. */
const DECIMAL_FIELDS = new Set([
  'quantity',
  'filledQuantity',
  'averageFillPrice',
  'limitPrice',
  'stopPrice',
  'price',
  'bid',
  'ask',
  'bidSize',
  'askSize',
  'last',
  'equity',
  'cash',
  'buyingPower',
  'averageEntryPrice',
  'currentPrice',
  'marketValue',
  'unrealizedPnl',
  'realizedPnl',
  'o',
  'h',
  'l',
  'c',
  'v',
]);
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Every decimal field anywhere in the value, as [path, value]. */
function decimalFields(value: unknown, path = '$'): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => decimalFields(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]): [string, unknown][] => [
    ...(DECIMAL_FIELDS.has(k) && (typeof v !== 'object' || v === null)
      ? [[`${path}.${k}`, v] as [string, unknown]]
      : []),
    ...decimalFields(v, `${path}.${k}`),
  ]);
}

/** Calls a tool that must succeed; its result must match the tool's output schema, decimals as strings. */
async function ok(
  client: Client,
  called: Set<string>,
  name: string,
  args: Structured = {},
): Promise<ToolAnswer> {
  const answer = await callTool(client, name, args);
  expect(answer.isError, `${name}: ${answer.text}`).toBe(false);
  expect(answer.text.trim(), name).not.toBe('');
  const definition = TOOLS.find((t) => t.name === name);
  const parsed = definition?.output.safeParse(answer.structured);
  expect(parsed?.success, `${name} output: ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
  for (const [path, value] of decimalFields(answer.structured)) {
    expect(
      typeof value === 'string' && DECIMAL.test(value),
      `${name} ${path} = ${JSON.stringify(value)}`,
    ).toBe(true);
  }
  called.add(name);
  return answer;
}

const ordersOf = (answer: ToolAnswer, key = 'orders') => answer.structured[key] as Structured[];

/** Every tool of the table, driven in an order that gives each one something to act on. */
async function driveEveryTool(client: Client, era: Era): Promise<Set<string>> {
  const called = new Set<string>();
  const sim = era === 'legacy' ? 'MSFT' : 'NVDA';
  const id = (name: string) => `${era}-${name}`;

  const status = await ok(client, called, 'getMarketStatus', { symbol: 'AAPL' });
  expect(status.structured).toMatchObject({ assetClass: 'us_equity', isOpen: true });
  const quote = await ok(client, called, 'getQuote', { symbols: ['AAPL'] });
  expect(ordersOf(quote, 'quotes')[0]).toMatchObject({ symbol: 'AAPL', bid: '189.98', ask: '190.02' });
  const venues = await ok(client, called, 'listVenues');
  expect(ordersOf(venues, 'venues').map((v) => v['venue'])).toEqual(
    server.app.exchange.venues.map((v) => v.venue),
  );
  const agents = await ok(client, called, 'listAgents');
  expect(ordersOf(agents, 'agents').map((a) => a['agentId'])).toEqual(
    server.registry.list().map((c) => c.id),
  );
  const account = await ok(client, called, 'getAccount');
  expect(account.structured['tradingState']).toBe('active');
  expect(ordersOf(account, 'accounts').length).toBeGreaterThan(0);

  // A resting limit: modified, read, listed, canceled.
  const resting = await ok(client, called, 'executeOrder', {
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: '5',
    limitPrice: '185',
    timeInForce: 'gtc',
    clientOrderId: id('rest'),
    reason: 'http test',
  });
  expect(resting.structured).toMatchObject({
    clientOrderId: id('rest'),
    agentId: 'local',
    reason: 'http test',
    quantity: '5',
    limitPrice: '185',
    filledQuantity: '0',
    status: 'new',
  });
  const orderId = resting.structured['orderId'] as string;
  const modified = await ok(client, called, 'modifyOrder', {
    clientOrderId: id('rest'),
    limitPrice: '185.5',
  });
  expect(modified.structured).toMatchObject({ orderId, limitPrice: '185.5' });
  const detail = await ok(client, called, 'getOrder', { orderId });
  expect((detail.structured['events'] as unknown[]).length).toBeGreaterThan(0);
  expect(detail.structured['fills']).toEqual([]);
  const open = await ok(client, called, 'listOrders', { status: 'open', symbol: 'AAPL' });
  expect(ordersOf(open).map((o) => o['orderId'])).toContain(orderId);
  const canceled = await ok(client, called, 'cancelOrder', { orderId });
  expect(canceled.structured).toMatchObject({ orderId, status: 'canceled' });

  for (const n of [1, 2]) {
    await ok(client, called, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: '1',
      limitPrice: String(180 + n),
      timeInForce: 'gtc',
      clientOrderId: id(`bulk-${n}`),
    });
  }
  const all = await ok(client, called, 'cancelAllOrders', { symbol: 'AAPL' });
  expect(ordersOf(all, 'canceled').map((o) => [o['clientOrderId'], o['status']])).toEqual(
    expect.arrayContaining([
      [id('bulk-1'), 'canceled'],
      [id('bulk-2'), 'canceled'],
    ]),
  );

  // A market order fills at the ask; the position follows and is trimmed.
  const bought = await ok(client, called, 'executeOrder', {
    symbol: 'AAPL',
    side: 'buy',
    quantity: 10,
    clientOrderId: id('market'),
  });
  expect(bought.structured).toMatchObject({
    status: 'filled',
    filledQuantity: '10',
    averageFillPrice: '190.02',
  });
  const positions = await ok(client, called, 'getPositions', { symbol: 'AAPL' });
  expect(ordersOf(positions, 'positions')[0]).toMatchObject({
    symbol: 'AAPL',
    side: 'long',
    quantity: '10',
    averageEntryPrice: '190.02',
  });
  const trimmed = await ok(client, called, 'closePosition', { symbol: 'AAPL', percentage: '50' });
  expect(ordersOf(trimmed)[0]).toMatchObject({ side: 'sell', quantity: '5', status: 'filled' });

  // A simulated market fills a resting limit, and its volume shows in the bars.
  const limit = await ok(client, called, 'executeOrder', {
    symbol: sim,
    side: 'buy',
    type: 'limit',
    quantity: '2',
    limitPrice: '400',
    timeInForce: 'gtc',
    clientOrderId: id('sim'),
  });
  const simulated = await ok(client, called, 'simulateMarket', {
    symbol: sim,
    bid: '399.50',
    ask: '399.90',
    bidSize: '100',
    askSize: '100',
    volume: '1500',
  });
  expect(simulated.structured['replaced']).toBe(true);
  expect(ordersOf(simulated, 'venues')).toEqual([expect.objectContaining({ bid: '399.5', ask: '399.9' })]);
  expect(ordersOf(simulated)).toEqual([
    expect.objectContaining({ orderId: limit.structured['orderId'], status: 'filled', filledQuantity: '2' }),
  ]);
  const bars = await ok(client, called, 'getBars', { symbol: sim, timeframe: '1Min' });
  const last = ordersOf(bars, 'bars').at(-1);
  expect(last).toMatchObject({ c: expect.any(String) as unknown, l: expect.any(String) as unknown });
  expect(Number(last?.['v'])).toBeGreaterThanOrEqual(1500);

  const closed = await ok(client, called, 'closeAllPositions', {});
  expect(ordersOf(closed).map((o) => [o['symbol'], o['status']])).toEqual(
    expect.arrayContaining([
      ['AAPL', 'filled'],
      [sim, 'filled'],
    ]),
  );
  const flat = await ok(client, called, 'getPositions', {});
  expect(ordersOf(flat, 'positions').filter((p) => p['quantity'] !== '0')).toEqual([]);

  // Routing and analytics: a plan without an order, and the venues' execution figures so far.
  const analyzed = await ok(client, called, 'analyzeOrder', {
    symbol: 'AAPL',
    side: 'buy',
    quantity: '2',
    routing: { objective: 'best_price', allowSplit: true },
  });
  expect((analyzed.structured as { allocations: unknown[] }).allocations.length).toBeGreaterThan(0);
  const analytics = await ok(client, called, 'getExecutionAnalytics', {});
  expect(analytics.structured).toHaveProperty('venues');

  // The risk tools: a check, the limits, a signal, the kill switch and back.
  const checked = await ok(client, called, 'performRiskCheck', {
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: '1',
    limitPrice: '185',
    timeInForce: 'gtc',
  });
  expect(checked.structured).toMatchObject({ approved: true, tradingState: 'active' });
  await ok(client, called, 'setRiskLimits', {
    level: 'agent',
    scopeId: 'local',
    limits: { maxOrderNotional: '1000000' },
    reason: 'http test',
  });
  const limits = await ok(client, called, 'getRiskLimits', {});
  expect(limits.structured).toMatchObject({ limits: { agent: { maxOrderNotional: '1000000' } } });
  const signal = await ok(client, called, 'submitSignal', {
    signalId: id('signal'),
    modelId: 'http-test',
    symbol: 'AAPL',
    action: 'BUY',
    confidence: '0.6',
    entryPrice: '185',
    stopLoss: '180',
    takeProfit: '195',
    quantity: '1',
  });
  expect(signal.structured).toMatchObject({
    status: 'accepted',
    order: { limitPrice: '185', quantity: '1' },
  });
  const stopped = await ok(client, called, 'emergencyStop', { reason: 'http test' });
  expect(stopped.structured['tradingState']).toBe('halted');
  expect(ordersOf(stopped, 'canceled').map((o) => o['clientOrderId'])).toContain(
    (signal.structured['order'] as Structured)['clientOrderId'],
  );
  const resumed = await ok(client, called, 'resumeTrading', { state: 'active', reason: 'http test' });
  expect(resumed.structured).toEqual({ tradingState: 'active' });
  return called;
}

/** Runs a test's body with the client, then closes the client whatever happened. */
async function withClient(
  connecting: Promise<Client>,
  body: (client: Client) => Promise<void>,
): Promise<void> {
  const client = await connecting;
  try {
    await body(client);
  } finally {
    await client.close();
  }
}

describe.each(['legacy', 'modern'] as const)('Streamable HTTP at /mcp, %s era', (era) => {
  it('serves every tool of the local agent, each with a result that matches its output schema', () =>
    withClient(connectHttp(server.url, localKey, era), async (client) => {
      expect(client.getProtocolEra()).toBe(era);
      if (era === 'modern') expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(TOOLS.map((t) => t.name));
      const called = await driveEveryTool(client, era);
      expect(names.filter((name) => !called.has(name))).toEqual([]);
    }));
});

/** A fetch that records each request's method, path and Authorization header. */
function recordingFetch(): { fetch: FetchLike; seen: { method: string; url: URL; auth: string | null }[] } {
  const seen: { method: string; url: URL; auth: string | null }[] = [];
  const recording: FetchLike = (input, init) => {
    const url = new URL(input);
    seen.push({ method: init?.method ?? 'GET', url, auth: new Headers(init?.headers).get('authorization') });
    return fetch(input, init);
  };
  return { fetch: recording, seen };
}

/** A limit buy at 195, good till canceled, that rests until the market falls through it; its resource URI. */
async function restingBuy(
  client: Client,
  symbol: string,
  quantity: string,
  clientOrderId: string,
): Promise<{ placed: ToolAnswer; uri: string }> {
  const placed = await callTool(client, 'executeOrder', {
    symbol,
    side: 'buy',
    type: 'limit',
    quantity,
    limitPrice: '195',
    timeInForce: 'gtc',
    clientOrderId,
  });
  return { placed, uri: `trading://orders/${placed.structured['orderId'] as string}` };
}

describe('legacy HTTP+SSE at /sse and /messages', () => {
  it('lists tools, places and cancels an order, with the bearer key on the stream and on every message', () => {
    const { fetch: recording, seen } = recordingFetch();
    return withClient(connectSse(server.url, localKey, { fetch: recording }), async (client) => {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(TOOLS.map((t) => t.name));
      const placed = await callTool(client, 'executeOrder', {
        symbol: 'TSLA',
        side: 'buy',
        type: 'limit',
        quantity: '3',
        limitPrice: '190',
        timeInForce: 'gtc',
        clientOrderId: 'sse-place',
      });
      expect(placed).toMatchObject({
        isError: false,
        structured: { status: 'new', quantity: '3', limitPrice: '190', agentId: 'local' },
      });
      const canceled = await callTool(client, 'cancelOrder', { clientOrderId: 'sse-place' });
      expect(canceled.structured).toMatchObject({
        orderId: placed.structured['orderId'],
        status: 'canceled',
      });

      const stream = seen.filter((r) => r.method === 'GET' && r.url.pathname === '/sse');
      const messages = seen.filter((r) => r.method === 'POST' && r.url.pathname === '/messages');
      expect(stream).toHaveLength(1);
      expect(messages.length).toBeGreaterThanOrEqual(4); // initialize, initialized, tools/list, 2 calls
      for (const r of [...stream, ...messages]) expect(r.auth).toBe(`Bearer ${localKey}`);

      // The session is the local agent's: another agent's key may not post to it; no key, no entry.
      const endpoint = messages[0]?.url;
      expect(endpoint?.searchParams.get('sessionId')).toBeTruthy();
      const path = `${endpoint?.pathname ?? ''}${endpoint?.search ?? ''}`;
      const ping = { jsonrpc: '2.0', id: 99, method: 'ping' };
      const foreign = await request(server.url, path, { method: 'POST', key: analystKey, body: ping });
      expect(foreign.status).toBe(403);
      expect(foreign.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
      const anonymous = await request(server.url, path, { method: 'POST', body: ping });
      expect(anonymous.status).toBe(401);
      const unknown = await request(server.url, '/messages?sessionId=nope', {
        method: 'POST',
        key: localKey,
        body: ping,
      });
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });
  });

  it('notifies a resources/subscribe subscriber when its order fills, and not for what it did not subscribe to', () =>
    withClient(connectSse(server.url, localKey), async (client) => {
      const updated = resourceUpdates(client);
      const { placed, uri } = await restingBuy(client, 'AMZN', '4', 'sse-subscribed');
      expect(placed.structured['status']).toBe('new');
      await client.subscribeResource({ uri });
      expect(updated).toEqual([]);

      // The market falls through the limit: the order fills.
      server.feed.set('AMZN', book('194.80', '194.90'));
      await expect.poll(() => updated).toContain(uri);
      expect(updated.every((u) => u === uri)).toBe(true);
      const read = await client.readResource({ uri });
      const order = JSON.parse((read.contents[0] as { text: string }).text) as Structured;
      // A resting limit fills at its own price when the market moves through it.
      expect(order).toMatchObject({ status: 'filled', filledQuantity: '4', averageFillPrice: '195' });
      const closed = await callTool(client, 'closePosition', { symbol: 'AMZN' });
      expect(closed.isError).toBe(false);
    }));
});

describe('resource notifications on /mcp, 2026-07-28 era', () => {
  it('delivers notifications/resources/updated on a subscriptions/listen stream when the order fills', () =>
    withClient(connectHttp(server.url, localKey, 'modern'), async (client) => {
      const updated = resourceUpdates(client);
      const { uri } = await restingBuy(client, 'META', '2', 'listen-subscribed');
      const subscription = await client.listen({ resourceSubscriptions: [uri] });
      try {
        server.feed.set('META', book('194.80', '194.90'));
        await expect.poll(() => updated).toContain(uri);
      } finally {
        await subscription.close();
      }
      const closed = await callTool(client, 'closePosition', { symbol: 'META' });
      expect(closed.isError).toBe(false);
    }));
});

describe('resource subscriptions on /mcp, 2025 era', () => {
  it('refuses resources/subscribe with a pointer to /sse or the 2026-07-28 era (a stateless request keeps no subscription)', () =>
    withClient(connectHttp(server.url, localKey, 'legacy'), async (client) => {
      await expect(client.subscribeResource({ uri: 'trading://positions' })).rejects.toThrow(/\/sse/);
    }));
});

describe('request bodies at /mcp', () => {
  const post = (body: string | ReadableStream<Uint8Array>) => {
    const init: RequestInit & { duplex?: 'half' } = {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${localKey}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body,
      // A stream body is sent chunked, without Content-Length.
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    };
    return fetch(`${server.url}/mcp`, init);
  };
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error?: { code?: number; message?: string } }).error;
  const LIMIT = 4 * 1024 * 1024;

  it('answers a body that is not JSON with a JSON-RPC parse error, and an empty one likewise', async () => {
    const broken = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(broken.status).toBe(400);
    expect(await errorOf(broken)).toMatchObject({ code: -32700 });
    const empty = await post('');
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toMatchObject({ code: -32700 });
  });

  it('refuses a body over 4 MiB with 413, whether its length is declared or it comes chunked', async () => {
    const big = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"${'x'.repeat(LIMIT)}"}}`;
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect((await errorOf(declared))?.message).toMatch(/Payload Too Large/);
    // Chunked, just over the limit and far over it: the server stops reading part-way and
    // answers 413 (the SDK reads what was read, and finds it over the limit).
    const chunked = (padding: number) => {
      const bytes = new TextEncoder().encode(
        `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"${'x'.repeat(padding)}"}}`,
      );
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 64 * 1024)
            controller.enqueue(bytes.slice(at, at + 64 * 1024));
          controller.close();
        },
      });
    };
    for (const padding of [LIMIT, 3 * LIMIT]) {
      const streamed = await post(chunked(padding));
      expect(streamed.status).toBe(413);
      expect((await errorOf(streamed))?.message).toMatch(/Payload Too Large/);
    }
  });

  it('serves a JSON body sent chunked, as one with its length declared', async () => {
    const bytes = new TextEncoder().encode(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'chunked', version: '1' },
        },
      }),
    );
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 16) controller.enqueue(bytes.slice(at, at + 16));
        controller.close();
      },
    });
    const response = await post(chunked);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/"id":7/);
  });
});
