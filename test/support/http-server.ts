/**
 * The real HTTP server for integration tests: the trading core of test/support/core.ts, the
 * bundled agent cards synced into the store, and createHttpSurface listening on 127.0.0.1 on a free
 * port. Plus the clients that talk to it as agents do: the SDK's Streamable HTTP (either protocol
 * era) and legacy SSE transports, and plain fetch.
 */
import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { FetchLike } from '@modelcontextprotocol/client';
import { ApiKeyStore } from '../../src/agents/api-keys.js';
import { type HttpSurface, createHttpSurface } from '../../src/http/app.js';
import { listen } from '../../src/http/serve.js';
import { type Logger, createLogger } from '../../src/logger.js';
import { type TestCore, startTestCore } from './core.js';

export interface TestServer extends TestCore {
  readonly keys: ApiKeyStore;
  readonly surface: HttpSurface;
  /** http://127.0.0.1:<port> */
  readonly url: string;
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
  const core = await startTestCore({ logger });
  const { app, registry } = core;
  try {
    const keys = new ApiKeyStore(app.store);
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
      ...core,
      keys,
      surface,
      url: listening.url,
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
