/**
 * API keys never leave the client's own requests: a whole session over the real HTTP server
 * (orders over Streamable HTTP in both eras, over SSE and over REST, refusals, wrong, malformed and
 * revoked keys, a foreign origin, keys of three agents) runs with the core and the surface logging
 * at trace level into memory, and every log line, response body and response header is searched
 * for each key, its 43-character secret part and the Authorization header value. The test logger
 * redacts nothing, so the check does not rest on the production logger's redaction paths: no
 * secret may reach the logger at all.
 */
import type { Client, FetchLike } from '@modelcontextprotocol/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ToolAnswer, callTool, resourceUpdates } from '../../support/core.js';
import type { HttpAnswer, TestServer } from '../../support/http-server.js';
import { connectHttp, connectSse, request, startTestServer } from '../../support/http-server.js';

let server: TestServer;
let stopped = false;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = pino(
    { level: 'trace', base: { service: 'agent-trading-server' } },
    { write: (line: string) => void logLines.push(line) },
  );
  server = await startTestServer({ logger });
  server.feed.set('AAPL', { book: { bids: [['189.98', '5000']], asks: [['190.02', '5000']] } });
});

afterAll(async () => {
  if (!stopped) await server.stop();
});

/** What the server sent back: bodies (streams included, chunk by chunk) and headers. */
class Outputs {
  readonly texts: string[] = [];
  private readonly drains: Promise<void>[] = [];

  /** A fetch for the SDK transports that copies every response into this record. */
  readonly fetch: FetchLike = async (input, init) => {
    const response = await fetch(input, init);
    this.headers(response.headers);
    const copy = response.clone().body;
    if (copy !== null) this.drains.push(this.drain(copy));
    return response;
  };

  answer(answer: HttpAnswer): HttpAnswer {
    this.headers(answer.headers);
    this.texts.push(answer.text);
    return answer;
  }

  tool(answer: ToolAnswer): ToolAnswer {
    this.texts.push(answer.text, JSON.stringify(answer.structured));
    return answer;
  }

  /** Waits for every copied stream to end (the server closes them when it stops). */
  async settled(): Promise<void> {
    await Promise.all(this.drains);
  }

  private headers(headers: Headers): void {
    this.texts.push([...headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n'));
  }

  private async drain(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.texts.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // The connection went away with the server: what arrived before is recorded.
    }
  }
}

/** Each secret form of a key: the key, its secret part, and the header that carries it. */
function secretsOf(key: string): string[] {
  expect(key).toMatch(/^ats_[A-Za-z0-9_-]{43}$/);
  return [key, key.slice('ats_'.length), `Bearer ${key}`];
}

function leaks(texts: readonly string[], secrets: readonly string[]): string[] {
  return texts.flatMap((text) =>
    secrets.filter((s) => text.includes(s)).map((s) => `${s.slice(0, 10)}… in ${text.slice(0, 200)}`),
  );
}

interface Keys {
  readonly local: string;
  readonly execution: string;
  readonly analyst: string;
  /** Revoked during the session. */
  readonly revoked: { readonly id: string; readonly key: string };
  /** Sent but never valid: an unknown key, and the local key with its last character changed. */
  readonly wrong: string;
  readonly tampered: string;
}

const limit = (clientOrderId: string) => ({
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: '2',
  limitPrice: '180',
  timeInForce: 'gtc',
  clientOrderId,
  reason: 'secrets test',
});

/** Orders over Streamable HTTP in both eras, for two agents; returns the clients, still open. */
async function streamableHttp(out: Outputs, keys: Keys): Promise<Client[]> {
  const legacy = await connectHttp(server.url, keys.local, 'legacy', { fetch: out.fetch });
  const bought = out.tool(
    await callTool(legacy, 'executeOrder', { symbol: 'AAPL', side: 'buy', quantity: '1' }),
  );
  expect(bought.structured).toMatchObject({ status: 'filled', agentId: 'local' });
  out.tool(await callTool(legacy, 'listOrders', { status: 'all' }));
  out.tool(await callTool(legacy, 'getAccount'));
  const modern = await connectHttp(server.url, keys.execution, 'modern', { fetch: out.fetch });
  const placed = out.tool(await callTool(modern, 'executeOrder', limit('secrets-modern')));
  expect(placed.structured).toMatchObject({ status: 'new', agentId: 'execution' });
  out.tool(await callTool(modern, 'cancelOrder', { clientOrderId: 'secrets-modern' }));
  out.tool(await callTool(modern, 'listAgents'));
  return [legacy, modern];
}

/** An order over legacy SSE whose fill its subscription hears; returns the client and the order id. */
async function sseSession(out: Outputs, keys: Keys): Promise<{ client: Client; orderId: string }> {
  const client = await connectSse(server.url, keys.execution, { fetch: out.fetch });
  const updated = resourceUpdates(client);
  const resting = out.tool(await callTool(client, 'executeOrder', limit('secrets-sse')));
  const orderId = resting.structured['orderId'] as string;
  await client.subscribeResource({ uri: `trading://orders/${orderId}` });
  const outOfScope = out.tool(
    await callTool(client, 'simulateMarket', { symbol: 'AAPL', bid: '179', ask: '179.5' }),
  );
  expect(outOfScope.structured).toMatchObject({ error: { code: 'FORBIDDEN' } });
  server.feed.set('AAPL', { book: { bids: [['179.50', '5000']], asks: [['179.90', '5000']] } });
  await expect.poll(() => updated).toContain(`trading://orders/${orderId}`);
  out.tool(await callTool(client, 'closePosition', { symbol: 'AAPL', quantity: '2' }));
  return { client, orderId };
}

const rest = async (
  out: Outputs,
  path: string,
  key: string,
  init: { method?: string; body?: unknown } = {},
): Promise<number> => out.answer(await request(server.url, path, { key, ...init })).status;

/** REST: an order, a listing, bad input, malformed JSON, a refusal by scope, a cancel-all. */
async function restSession(out: Outputs, keys: Keys): Promise<void> {
  const post = (key: string, body: unknown) => rest(out, '/api/v1/orders', key, { method: 'POST', body });
  expect(await post(keys.local, limit('secrets-rest'))).toBe(201);
  expect(await rest(out, '/api/v1/orders?status=all', keys.local)).toBe(200);
  expect(await post(keys.local, { symbol: 'AAPL', side: 'hold' })).toBe(400);
  expect(await post(keys.local, '{"symbol":')).toBe(400);
  expect(await post(keys.analyst, limit('secrets-no'))).toBe(403);
  expect(await rest(out, '/api/v1/orders', keys.local, { method: 'DELETE' })).toBe(200);
}

/** A refused MCP call, wrong, tampered, badly sent and revoked keys, a foreign origin, malformed messages. */
async function refusals(out: Outputs, keys: Keys): Promise<Client> {
  const reader = await connectHttp(server.url, keys.analyst, 'legacy', { fetch: out.fetch });
  const refused = out.tool(await callTool(reader, 'executeOrder', limit('secrets-refused')));
  expect(refused.structured).toMatchObject({ error: { code: 'FORBIDDEN' } });

  for (const key of [keys.wrong, keys.tampered]) {
    expect(await rest(out, '/capabilities', key)).toBe(401);
    await expect(connectHttp(server.url, key, 'legacy', { fetch: out.fetch })).rejects.toThrow();
  }
  const badlySent = { Authorization: `Token ${keys.local}` };
  expect(out.answer(await request(server.url, '/capabilities', { headers: badlySent })).status).toBe(401);
  expect(await rest(out, '/capabilities', keys.revoked.key)).toBe(200);
  await server.keys.revoke(keys.revoked.id);
  expect(await rest(out, '/capabilities', keys.revoked.key)).toBe(401);
  await expect(connectSse(server.url, keys.revoked.key, { fetch: out.fetch })).rejects.toThrow();
  const foreign = { key: keys.local, headers: { Origin: 'https://evil.example' } };
  expect(out.answer(await request(server.url, '/api/v1/orders', foreign)).status).toBe(403);

  // Malformed MCP messages, which the transport refuses (and logs).
  const headers = { Accept: 'application/json, text/event-stream' };
  for (const body of ['{"jsonrpc":', { hello: 1 }]) {
    const answer = await request(server.url, '/mcp', { method: 'POST', key: keys.local, headers, body });
    expect(out.answer(answer).status).toBe(400);
  }
  return reader;
}

describe('API keys in logs and answers', () => {
  it('finds a planted key, so that finding none means something', () => {
    const key = `ats_${'k'.repeat(43)}`;
    expect(leaks(['{"msg":"x"}', `{"token":"${key.slice(4)}"}`], secretsOf(key))).toHaveLength(1);
  });

  it('never logs or answers any key, secret part or Authorization value during a whole session', async () => {
    const local = await server.createKey('local');
    const keys: Keys = {
      local,
      execution: await server.createKey('execution'),
      analyst: await server.createKey('analyst'),
      revoked: await server.keys.create('execution'),
      wrong: `ats_${'Z'.repeat(43)}`,
      tampered: `${local.slice(0, -1)}${local.endsWith('A') ? 'B' : 'A'}`,
    };
    const out = new Outputs();
    const clients = await streamableHttp(out, keys);
    const sse = await sseSession(out, keys);
    await restSession(out, keys);
    clients.push(sse.client, await refusals(out, keys));
    for (const client of clients) await client.close();
    stopped = true;
    await server.stop();
    await out.settled();

    // The record is real: it holds the answers, the SSE stream, and one log line per request.
    expect(out.texts.join('\n')).toContain(sse.orderId);
    expect(out.texts.join('\n')).toContain('notifications/resources/updated');
    const requests = logLines.map((l) => JSON.parse(l) as { path?: string; status?: number; agent?: string });
    for (const [path, agent] of [
      ['/mcp', 'local'],
      ['/mcp', 'execution'],
      ['/messages', 'execution'],
      ['/api/v1/orders', 'analyst'],
    ]) {
      expect(
        requests.some((r) => r.path === path && r.agent === agent),
        `${path} ${agent}`,
      ).toBe(true);
    }
    expect(requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(6);
    // With the status sent, also where the SSE transport writes the answer itself (202 Accepted).
    expect(new Set(requests.filter((r) => r.path === '/messages').map((r) => r.status))).toEqual(
      new Set([202]),
    );

    const secrets = [keys.local, keys.execution, keys.analyst, keys.revoked.key, keys.wrong, keys.tampered];
    const forms = secrets.flatMap(secretsOf);
    expect(leaks(logLines, forms)).toEqual([]);
    expect(leaks(out.texts, forms)).toEqual([]);
  });
});
