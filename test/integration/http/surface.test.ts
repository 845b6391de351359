/**
 * The HTTP surface of CONTRACT.md on a real listening server over the real core: who may call what
 * (bearer keys, 401 with WWW-Authenticate, scopes, Origin, revocation without a restart), and the
 * endpoints beside MCP and REST: /health (503 when the database is down), /capabilities,
 * /.well-known/agent-card.json, /agents, /metrics (counters that move with orders), request ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../../src/mcp/tools.js';
import { type Structured, callTool } from '../../support/core.js';
import type { HttpAnswer, TestServer } from '../../support/http-server.js';
import { connectHttp, connectSse, request, startTestServer } from '../../support/http-server.js';

const ALLOWED = 'https://console.example.com';

let server: TestServer;
let localKey: string;
let analystKey: string;
/** Set once a test closed the store on purpose: stopping then may fail. */
let storeClosed = false;

beforeAll(async () => {
  server = await startTestServer({ allowedOrigins: [ALLOWED] });
  localKey = await server.createKey('local');
  analystKey = await server.createKey('analyst');
  server.feed.set('AAPL', { book: { bids: [['189.98', '5000']], asks: [['190.02', '5000']] } });
  server.feed.set('JPM', { book: { bids: [['249.90', '5000']], asks: [['250.10', '5000']] } });
});

afterAll(async () => {
  try {
    await server.stop();
  } catch (error) {
    if (!storeClosed) throw error;
  }
});

const orderCount = async (): Promise<number> =>
  (await server.app.service.listOrders({ status: 'all', limit: 200 })).orders.length;

const errorOf = (answer: HttpAnswer) => (answer.json as { error: { code: string; hint?: string } }).error;

/** An MCP initialize as a 2025-era client sends it (the first POST of a session). */
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'raw', version: '1' },
  },
};
const MCP_HEADERS = { Accept: 'application/json, text/event-stream' };

/** Every route that needs a key, as a request that would succeed with one. */
const PROTECTED: readonly {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}[] = [
  { method: 'POST', path: '/mcp', body: INITIALIZE, headers: MCP_HEADERS },
  { method: 'GET', path: '/sse', headers: { Accept: 'text/event-stream' } },
  { method: 'POST', path: '/messages?sessionId=x', body: { jsonrpc: '2.0', id: 1, method: 'ping' } },
  { method: 'GET', path: '/api/v1/orders' },
  { method: 'POST', path: '/api/v1/orders', body: { symbol: 'AAPL', side: 'buy', quantity: '1' } },
  { method: 'GET', path: '/capabilities' },
  { method: 'GET', path: '/.well-known/agent-card.json' },
  { method: 'GET', path: '/agents' },
  { method: 'GET', path: '/metrics' },
];

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate: Bearer to every protected route called without a key', async () => {
    const before = await orderCount();
    for (const route of PROTECTED) {
      const answer = await request(server.url, route.path, route);
      const what = `${route.method} ${route.path}`;
      expect(answer.status, what).toBe(401);
      expect(answer.headers.get('www-authenticate'), what).toMatch(/^Bearer realm="[^"]+"$/);
      expect(errorOf(answer), what).toMatchObject({
        code: 'UNAUTHORIZED',
        hint: expect.any(String) as unknown,
      });
    }
    expect(await orderCount()).toBe(before);
  });

  it('answers 401 error="invalid_token" to an unknown, malformed or foreign-format key', async () => {
    const unknown = `ats_${'A'.repeat(43)}`;
    for (const key of [unknown, 'not-a-key', `${localKey}x`, localKey.slice(0, -1)]) {
      for (const route of PROTECTED) {
        const answer = await request(server.url, route.path, { ...route, key });
        const what = `${route.method} ${route.path} with ${key.slice(0, 8)}…`;
        expect(answer.status, what).toBe(401);
        expect(answer.headers.get('www-authenticate'), what).toMatch(/^Bearer .*error="invalid_token"/);
      }
    }
    const basic = await request(server.url, '/capabilities', {
      headers: { Authorization: 'Basic Zm9vOmJhcg==' },
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('needs no key for /health', async () => {
    const health = await request(server.url, '/health');
    expect(health.status).toBe(200);
  });

  it('accepts the key case-insensitively as "bearer" and with the key of any agent', async () => {
    const lower = await request(server.url, '/capabilities', {
      headers: { Authorization: `bearer ${analystKey}` },
    });
    expect(lower.status).toBe(200);
    expect((lower.json as Structured)['caller']).toMatchObject({ agentId: 'analyst' });
  });
});

describe('scopes', () => {
  it('shows the read-only analyst no executeOrder, and answers a direct call FORBIDDEN without placing anything', async () => {
    const client = await connectHttp(server.url, analystKey, 'legacy');
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(TOOLS.filter((t) => t.scope === 'read').map((t) => t.name));
      expect(names).not.toContain('executeOrder');
      const before = await orderCount();
      const refused = await callTool(client, 'executeOrder', { symbol: 'AAPL', side: 'buy', quantity: '1' });
      expect(refused.isError).toBe(true);
      expect(refused.structured).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(await orderCount()).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('refuses the analyst a REST order with 403 FORBIDDEN, and places nothing', async () => {
    const before = await orderCount();
    const refused = await request(server.url, '/api/v1/orders', {
      method: 'POST',
      key: analystKey,
      body: { symbol: 'AAPL', side: 'buy', quantity: '1' },
    });
    expect(refused.status).toBe(403);
    expect(errorOf(refused).code).toBe('FORBIDDEN');
    expect(await orderCount()).toBe(before);
  });
});

describe('Origin', () => {
  it('refuses a foreign Origin with 403 even with a valid key, and places nothing', async () => {
    const before = await orderCount();
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null']) {
      for (const route of PROTECTED) {
        const answer = await request(server.url, route.path, {
          ...route,
          key: localKey,
          headers: { ...route.headers, Origin: origin },
        });
        expect(answer.status, `${route.method} ${route.path} from ${origin}`).toBe(403);
        expect(errorOf(answer).code).toBe('FORBIDDEN');
      }
    }
    const health = await request(server.url, '/health', { headers: { Origin: 'https://evil.example' } });
    expect(health.status).toBe(403);
    expect(await orderCount()).toBe(before);
  });

  it('accepts loopback origins on any port and the configured ones', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080', ALLOWED]) {
      const answer = await request(server.url, '/capabilities', {
        key: localKey,
        headers: { Origin: origin },
      });
      expect(answer.status, origin).toBe(200);
      const mcp = await request(server.url, '/mcp', {
        method: 'POST',
        key: localKey,
        body: INITIALIZE,
        headers: { ...MCP_HEADERS, Origin: origin },
      });
      expect(mcp.status, origin).toBe(200);
    }
  });
});

describe('revocation', () => {
  it('stops a revoked key on the very next request, over REST, Streamable HTTP and SSE, without a restart', async () => {
    const created = await server.keys.create('execution');
    const http = await connectHttp(server.url, created.key, 'legacy');
    const sse = await connectSse(server.url, created.key);
    try {
      expect((await request(server.url, '/api/v1/account', { key: created.key })).status).toBe(200);
      expect((await callTool(http, 'getAccount')).isError).toBe(false);
      expect((await callTool(sse, 'getAccount')).isError).toBe(false);

      await server.keys.revoke(created.id);

      const rest = await request(server.url, '/api/v1/account', { key: created.key });
      expect(rest.status).toBe(401);
      expect(rest.headers.get('www-authenticate')).toContain('error="invalid_token"');
      await expect(callTool(http, 'getAccount')).rejects.toThrow();
      await expect(callTool(sse, 'getAccount')).rejects.toThrow();
      // Other keys go on working.
      expect((await request(server.url, '/api/v1/account', { key: localKey })).status).toBe(200);
    } finally {
      await http.close();
      await sse.close();
    }
  });
});

describe('request ids', () => {
  it('echoes a given X-Request-Id and generates one otherwise, on answers and refusals alike', async () => {
    const given = await request(server.url, '/health', { headers: { 'X-Request-Id': 'trace-42.a:b_c' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42.a:b_c');
    const generated = await request(server.url, '/capabilities', { key: localKey });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const other = await request(server.url, '/capabilities', { key: localKey });
    expect(other.headers.get('x-request-id')).not.toBe(generated.headers.get('x-request-id'));
    const refused = await request(server.url, '/metrics', { headers: { 'X-Request-Id': 'refused-1' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('refused-1');
    // A value that could forge a log line or header is replaced, not echoed.
    const unsafe = await request(server.url, '/health', { headers: { 'X-Request-Id': 'a b"c' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('documents', () => {
  it('/capabilities lists the tools of the caller only', async () => {
    const local = await request(server.url, '/capabilities', { key: localKey });
    const analyst = await request(server.url, '/capabilities', { key: analystKey });
    const toolNames = (a: HttpAnswer) =>
      ((a.json as Structured)['tools'] as Structured[]).map((t) => t['name']);
    expect(toolNames(local)).toEqual(TOOLS.map((t) => t.name));
    expect(toolNames(analyst)).toEqual(TOOLS.filter((t) => t.scope === 'read').map((t) => t.name));
    expect(analyst.json).toMatchObject({
      caller: { agentId: 'analyst', scopes: ['read'] },
      endpoints: { mcp: '/mcp', sse: '/sse', rest: '/api/v1', health: '/health', metrics: '/metrics' },
      auth: { type: 'bearer' },
    });
    expect(((analyst.json as Structured)['venues'] as Structured[]).map((v) => v['venue'])).toEqual(
      server.app.exchange.venues.map((v) => v.venue),
    );
  });

  it('/.well-known/agent-card.json names this server, its MCP endpoints, bearer auth and every tool', async () => {
    const card = await request(server.url, '/.well-known/agent-card.json', { key: analystKey });
    expect(card.status).toBe(200);
    expect(card.json).toMatchObject({
      url: `${server.url}/mcp`,
      protocols: { mcp: { streamableHttp: `${server.url}/mcp`, sse: `${server.url}/sse` } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    });
    const skills = (card.json as Structured)['skills'] as Structured[];
    expect(skills.map((s) => s['id'])).toEqual(TOOLS.map((t) => t.name));
    for (const skill of skills) expect(skill['description'], String(skill['id'])).toBeTruthy();
  });

  it('/agents lists the registry; /agents/:id shows one and answers 404 for an unknown id', async () => {
    const all = await request(server.url, '/agents', { key: analystKey });
    expect(((all.json as Structured)['agents'] as Structured[]).map((a) => a['agentId'])).toEqual(
      server.registry.list().map((c) => c.id),
    );
    const one = await request(server.url, '/agents/execution', { key: analystKey });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({
      agentId: 'execution',
      scopes: ['read', 'trade'],
      capabilities: expect.arrayContaining([{ name: 'ORDER_EXECUTION', proficiency: 'ADVANCED' }]) as unknown,
      health: { status: expect.any(String) as unknown },
    });
    const missing = await request(server.url, '/agents/nobody', { key: analystKey });
    expect(missing.status).toBe(404);
    expect(errorOf(missing)).toMatchObject({ code: 'NOT_FOUND', hint: expect.any(String) as unknown });
  });

  it('answers an unknown route 404 with the error body', async () => {
    const missing = await request(server.url, '/nothing-here', { key: localKey });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('NOT_FOUND');
  });
});

/** Sample lines of a Prometheus text body keyed as `name{labels as written}`. */
function samples(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) out.set(match[1], Number(match[2]));
  }
  return out;
}

describe('/metrics', () => {
  async function scrape(): Promise<Map<string, number>> {
    const answer = await request(server.url, '/metrics', { key: analystKey });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    return samples(answer.text);
  }

  it('exposes the order counters, latency, positions, buying power, P&L and venue health, and counts an order', async () => {
    const before = await scrape();
    for (const name of [
      'trading_orders_total{status="filled"}',
      'trading_orders_total{status="submitted"}',
      'trading_order_latency_ms_count',
      'trading_positions_count',
      'trading_daily_pnl',
      'trading_venue_up{venue="paper-equities"}',
      'trading_venue_up{venue="paper-crypto"}',
      'trading_buying_power{account="eq-margin",venue="paper-equities"}',
    ]) {
      expect(before.get(name), name).toBeDefined();
    }
    expect(before.get('trading_venue_up{venue="paper-equities"}')).toBe(1);

    const placed = await request(server.url, '/api/v1/orders', {
      method: 'POST',
      key: localKey,
      body: { symbol: 'JPM', side: 'buy', quantity: '4', clientOrderId: 'metrics-1' },
    });
    expect(placed.status).toBe(201);
    expect(placed.json).toMatchObject({ status: 'filled', averageFillPrice: '250.1' });

    const after = await scrape();
    const delta = (name: string) => (after.get(name) ?? NaN) - (before.get(name) ?? NaN);
    expect(delta('trading_orders_total{status="submitted"}')).toBe(1);
    expect(delta('trading_orders_total{status="filled"}')).toBe(1);
    expect(delta('trading_order_latency_ms_count')).toBe(1);
    expect(delta('trading_positions_count')).toBe(1);
    expect(delta('trading_buying_power{account="eq-margin",venue="paper-equities"}')).toBeLessThan(0);
  });
});

describe('/health', () => {
  it('is healthy with every check up, and counts the open positions', async () => {
    const health = await request(server.url, '/health');
    expect(health.status).toBe(200);
    const report = health.json as Structured;
    expect(report).toMatchObject({
      status: 'healthy',
      checks: {
        database: { status: 'up' },
        eventBus: { status: 'up' },
        reconciliation: { status: 'up', failed: [] },
      },
      pendingOrders: expect.any(Number) as unknown,
      openPositions: expect.any(Number) as unknown,
    });
    const venues = (report['checks'] as { venues: Record<string, { status: string }> }).venues;
    expect(Object.keys(venues)).toEqual(server.app.exchange.venues.map((v) => v.venue));
    for (const [venue, check] of Object.entries(venues)) expect(check.status, venue).toBe('up');
  });

  // Last in this file: the store stays closed.
  it('answers 503 unhealthy when the database is down', async () => {
    storeClosed = true;
    await server.app.store.close();
    const health = await request(server.url, '/health');
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({
      status: 'unhealthy',
      checks: { database: { status: 'down', error: expect.any(String) as unknown } },
    });
  });
});
