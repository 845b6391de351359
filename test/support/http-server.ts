/**
 * The real HTTP server for integration tests: the trading core on PGlite in memory, the paper
 * venues of test/fixtures/venues-instant.json on the scripted feed and a simulated clock, the
 * bundled agent cards synced into the store, and createHttpSurface listening on 127.0.0.1 on a free
 * port. Plus the clients that talk to it as agents do: the SDK's Streamable HTTP (either protocol
 * era) and legacy SSE transports, and plain fetch.
 */
import { fileURLToPath } from 'node:url';
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { FetchLike } from '@modelcontextprotocol/client';
import { ApiKeyStore } from '../../src/agents/api-keys.js';
import { type AgentRegistry, bundledAgentsFolder, loadAgentCards } from '../../src/agents/registry.js';
import { loadConfig } from '../../src/config.js';
import { type HttpSurface, createHttpSurface } from '../../src/http/app.js';
import { listen } from '../../src/http/serve.js';
import { type Logger, createLogger } from '../../src/logger.js';
import { type TradingApp, startTradingApp } from '../../src/main/trading-app.js';
import { ScriptedFeed } from '../../src/marketdata/feeds/index.js';

/** A Wednesday at 15:00 UTC: US equities are in their regular session. */
export const START = '2026-03-04T15:00:00Z';

export interface TestServer {
  readonly app: TradingApp;
  readonly registry: AgentRegistry;
  readonly keys: ApiKeyStore;
  readonly surface: HttpSurface;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly feed: ScriptedFeed;
  /** A new API key for the agent (as `keys create` makes one). */
  createKey(agentId: string): Promise<string>;
  /** Closes the server (and its open streams), then stops the core. */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** The logger of the core and of the surface (default: silent). */
  readonly logger?: Logger;
  readonly allowedOrigins?: readonly string[];
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const logger = options.logger ?? createLogger('silent');
  const config = loadConfig({
    DATABASE_URL: 'pglite://memory',
    PAPER_FEED: 'scripted',
    TRADING_CLOCK: 'simulated',
    TRADING_CLOCK_START: START,
    PAPER_VENUES_FILE: fileURLToPath(new URL('../fixtures/venues-instant.json', import.meta.url)),
    LOG_LEVEL: logger.level,
  });
  const app = await startTradingApp(config, logger);
  try {
    const feed = app.exchange.feed;
    if (!(feed instanceof ScriptedFeed)) throw new Error('PAPER_FEED=scripted gives a ScriptedFeed');
    const registry = await loadAgentCards(await bundledAgentsFolder());
    const keys = new ApiKeyStore(app.store.db);
    await keys.syncAgents(registry.list());
    const surface = createHttpSurface({
      app,
      registry,
      keys,
      logger,
      version: 'test',
      ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
    });
    const listening = await listen(surface, '127.0.0.1', 0);
    return {
      app,
      registry,
      keys,
      surface,
      url: listening.url,
      feed,
      createKey: async (agentId) => (await keys.create(agentId)).key,
      stop: async () => {
        await listening.close();
        await app.stop();
      },
    };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

export type Era = 'legacy' | 'modern';

export interface ClientOptions {
  /** Every request and response of the transport goes through it (default: the global fetch). */
  readonly fetch?: FetchLike;
}

/** An SDK Client over Streamable HTTP at /mcp with the bearer key; 2025-era or pinned to 2026-07-28. */
export async function connectHttp(
  url: string,
  key: string,
  era: Era,
  options: ClientOptions = {},
): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const client = new Client(
    { name: 'http-test', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(transport);
  return client;
}

/** An SDK Client over the legacy HTTP+SSE transport (GET /sse, POST /messages) with the bearer key. */
export async function connectSse(url: string, key: string, options: ClientOptions = {}): Promise<Client> {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the legacy transport is what is under test
  const transport = new SSEClientTransport(new URL(`${url}/sse`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const client = new Client({ name: 'sse-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

export type Structured = Record<string, unknown>;

export interface ToolAnswer {
  readonly isError: boolean;
  readonly structured: Structured;
  readonly text: string;
}

/** One tools/call, its result flattened. */
export async function callTool(client: Client, name: string, args: Structured = {}): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as readonly { type: string; text?: string }[];
  return {
    isError: result.isError === true,
    structured: result.structuredContent as Structured,
    text: content.map((c) => c.text ?? '').join('\n'),
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

/** One plain HTTP request; `key` becomes the bearer token, `body` is sent as JSON (a string as is). */
export async function request(
  url: string,
  path: string,
  init: { method?: string; key?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers['Authorization'] = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined
      ? {}
      : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
