/**
 * The HTTP surface of CONTRACT.md on Hono: /health, /capabilities, /.well-known/agent-card.json,
 * /agents, /metrics, the REST API under /api/v1, Streamable HTTP MCP at /mcp (both protocol
 * eras) and the legacy HTTP+SSE transport at /sse + /messages. Every request gets an id, a
 * foreign Origin is refused (403), and everything but /health needs a bearer API key (401 with
 * WWW-Authenticate otherwise); the key's agent decides which tools exist for the caller.
 */
import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import {
  type AuthInfo,
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  createMcpHandler,
  isJsonContentType,
} from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { ApiKeyStore } from '../agents/api-keys.js';
import type { AgentCard } from '../agents/card.js';
import type { AgentRegistry } from '../agents/registry.js';
import { type ErrorCode } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { TradingApp } from '../main/trading-app.js';
import { callerOf } from '../mcp/caller.js';
import { toolDeps } from '../mcp/deps.js';
import { ResourceChanges, resourcesFor } from '../mcp/resources.js';
import { SERVER_NAME, createMcpServer } from '../mcp/server.js';
import type { CallerAgent, ToolDeps } from '../mcp/tool-kit.js';
import { toolsFor } from '../mcp/tools.js';
import type { AppEnv } from './env.js';
import { type HealthReport, probeHealth } from './health.js';
import { TradingMetrics } from './metrics.js';
import { restApi } from './rest.js';

type Env = AppEnv & { Bindings: HttpBindings };

export interface HttpSurfaceOptions {
  readonly app: TradingApp;
  readonly registry: AgentRegistry;
  readonly keys: ApiKeyStore;
  readonly logger: Logger;
  readonly version: string;
  /**
   * Origins allowed besides the loopback ones (http://localhost:*, http://127.0.0.1:*, [::1]):
   * full origins such as "https://console.example.com".
   */
  readonly allowedOrigins?: readonly string[];
}

export interface HttpSurface {
  readonly hono: Hono<Env>;
  /** The tools' dependencies the surface runs on (one set per process: confirm tokens live here). */
  readonly deps: ToolDeps;
  /** Closes open MCP streams and stops listening to the core. */
  close(): Promise<void>;
}

const REALM = SERVER_NAME;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function createHttpSurface(options: HttpSurfaceOptions): HttpSurface {
  const { app, registry, keys, logger, version } = options;
  const deps = toolDeps(app, registry);
  const changes = new ResourceChanges(app.bus);
  const metrics = new TradingMetrics({
    bus: app.bus,
    service: app.service,
    venues: app.venues,
    risk: { engine: app.risk, controls: app.riskControls },
  });
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const hono = new Hono<Env>();

  hono.use(async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    logger.info(
      {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: sentStatus(c) ?? c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        // Unset on /health and on requests refused before authentication.
        agent: (c.var.caller as CallerAgent | undefined)?.id,
      },
      'http request',
    );
  });

  hono.use(async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !originAllowed(origin, allowedOrigins)) {
      return failure(c, 403, 'FORBIDDEN', `Origin ${truncate(origin)} is not allowed.`, {
        hint: 'Call from a loopback origin, or add this origin to HTTP_ALLOWED_ORIGINS.',
      });
    }
    await next();
    return undefined;
  });

  hono.get('/health', async (c) => {
    const report: HealthReport = await probeHealth(app);
    return c.json(report, report.status === 'unhealthy' ? 503 : 200);
  });

  const auth: MiddlewareHandler<Env> = async (c, next) => {
    const header = c.req.header('authorization');
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (token === undefined) {
      return unauthorized(c, header === undefined ? undefined : 'invalid_request', 'No bearer API key.');
    }
    const verified = await keys.verify(token);
    const card = verified === undefined ? undefined : registry.get(verified.agentId);
    if (card === undefined) return unauthorized(c, 'invalid_token', 'The API key is unknown or revoked.');
    c.set('caller', callerOf(card));
    await next();
    return undefined;
  };

  hono.get('/capabilities', auth, (c) => c.json(capabilities(c.var.caller)));
  hono.get('/.well-known/agent-card.json', auth, (c) => c.json(agentCard(new URL(c.req.url).origin)));
  hono.get('/agents', auth, (c) => c.json({ agents: registry.list().map(agentView) }));
  hono.get('/agents/:id', auth, (c) => {
    const card = registry.get(c.req.param('id'));
    if (card === undefined) {
      return failure(c, 404, 'NOT_FOUND', `No agent ${truncate(c.req.param('id'))}.`, {
        hint: 'GET /agents lists them.',
      });
    }
    return c.json(agentView(card));
  });
  hono.get('/metrics', auth, async (c) => {
    const { contentType, body } = await metrics.render();
    return c.body(body, 200, { 'Content-Type': contentType });
  });
  hono.use('/api/v1/*', auth);
  hono.route('/api/v1', restApi(deps));

  // Streamable HTTP: a fresh server per request for the caller the key names, both eras.
  const mcp = createMcpHandler(
    ({ authInfo, era }) => createMcpServer(deps, callerFromAuth(authInfo), { version, logger, era }),
    {
      legacy: 'stateless',
      onerror: (error) => {
        logger.warn({ err: error }, 'mcp http error');
      },
    },
  );
  const offChanges = changes.onChange((uris) => {
    for (const uri of uris) mcp.notify.resourceUpdated(uri);
  });
  hono.all('/mcp', auth, async (c) => {
    const { request, parsedBody } = await mcpRequest(c);
    const authInfo = authOf(c.var.caller);
    return mcp.fetch(request, parsedBody === undefined ? { authInfo } : { authInfo, parsedBody });
  });

  // Legacy HTTP+SSE: one server per SSE stream, pinned to the agent that opened it. The SDK marks
  // the transport deprecated; it is served on purpose for the agent frameworks that speak only it.
  /* eslint-disable @typescript-eslint/no-deprecated */
  const sessions = new Map<string, { transport: SSEServerTransport; agentId: string }>();
  hono.get('/sse', auth, async (c) => {
    const caller = c.var.caller;
    const transport = new SSEServerTransport('/messages', c.env.outgoing);
    sessions.set(transport.sessionId, { transport, agentId: caller.id });
    transport.onclose = () => sessions.delete(transport.sessionId);
    const server = createMcpServer(deps, caller, { version, logger, changes, era: 'legacy' });
    await server.connect(transport);
    return RESPONSE_ALREADY_SENT;
  });
  hono.post('/messages', auth, async (c) => {
    const session = sessions.get(c.req.query('sessionId') ?? '');
    if (session === undefined) {
      return failure(c, 404, 'NOT_FOUND', 'No such SSE session.', {
        hint: 'Open GET /sse first and post to the endpoint it announces.',
      });
    }
    if (session.agentId !== c.var.caller.id) {
      return failure(c, 403, 'FORBIDDEN', 'This SSE session belongs to another agent.', {
        hint: 'Open your own session with GET /sse.',
      });
    }
    await session.transport.handlePostMessage(c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });
  /* eslint-enable @typescript-eslint/no-deprecated */

  hono.notFound((c) =>
    failure(c, 404, 'NOT_FOUND', `No route ${c.req.method} ${truncate(c.req.path)}.`, {
      hint: 'GET /capabilities lists the endpoints.',
    }),
  );
  hono.onError((error, c) => {
    logger.error({ err: error, requestId: c.var.requestId }, 'http handler failed');
    return failure(c, 500, 'INTERNAL', 'The server failed to handle this request.', {
      hint: `Try again; if it persists, report request id ${c.var.requestId}.`,
    });
  });

  function capabilities(caller: CallerAgent) {
    return {
      server: { name: SERVER_NAME, version },
      protocol: { mcp: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'] },
      endpoints: {
        mcp: '/mcp',
        sse: '/sse',
        messages: '/messages',
        rest: '/api/v1',
        openapi: '/api/v1/openapi.json',
        health: '/health',
        metrics: '/metrics',
        agents: '/agents',
      },
      auth: { type: 'bearer', header: 'Authorization: Bearer <api key>' },
      caller: { agentId: caller.id, scopes: [...caller.scopes] },
      tools: toolsFor(caller, deps).map((t) => ({ name: t.name, title: t.title, scope: t.scope })),
      resources: resourcesFor(caller).map((r) => r.uri),
      venues: app.venues.map((v) => ({
        venue: v.venue,
        mode: v.mode,
        assetClasses: [...v.capabilities.assetClasses],
        orderTypes: [...v.capabilities.orderTypes],
      })),
      agents: registry.list().map((a) => a.id),
    };
  }

  function agentCard(origin: string) {
    return {
      name: SERVER_NAME,
      description:
        'A trading execution server for AI agents: orders, positions and accounts across brokers, with a paper exchange, risk checks and an audit trail.',
      version,
      url: `${origin}/mcp`,
      protocols: { mcp: { streamableHttp: `${origin}/mcp`, sse: `${origin}/sse` } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      security: [{ bearer: [] }],
      defaultInputModes: ['application/json'],
      defaultOutputModes: ['application/json'],
      skills: toolsFor({ id: 'card', scopes: new Set(['admin']) }, deps).map((t) => ({
        id: t.name,
        name: t.title,
        description: t.description,
        tags: [t.scope],
      })),
      agents: registry.list().map((a) => ({ id: a.id, name: a.name })),
    };
  }

  return {
    hono,
    deps,
    async close() {
      offChanges();
      changes.stop();
      metrics.stop();
      for (const { transport } of sessions.values()) await transport.close();
      await mcp.close();
    },
  };
}

/** The caller the auth middleware verified, carried to the MCP factory as the SDK's AuthInfo. */
function authOf(caller: CallerAgent): AuthInfo {
  return { token: 'verified', clientId: caller.id, scopes: [...caller.scopes], extra: { caller } };
}

function callerFromAuth(authInfo: AuthInfo | undefined): CallerAgent {
  const caller = authInfo?.extra?.['caller'] as CallerAgent | undefined;
  // The route is behind the auth middleware: an instance without a caller is a wiring bug.
  if (caller === undefined) throw new Error('MCP request without a verified caller');
  return caller;
}

function agentView(card: AgentCard) {
  return {
    agentId: card.id,
    name: card.name,
    description: card.description,
    capabilities: card.capabilities,
    scopes: card.scopes,
    limits: card.limits,
    confirmAboveNotional: card.confirmAboveNotional,
    health: { status: 'ready' },
  };
}

/** Loopback origins on any port, and the configured ones exactly. */
function originAllowed(origin: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(origin)) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * A POST to /mcp for the SDK, with its JSON body read once, straight from Node's request, and
 * handed over parsed. Given no parsed body, the SDK reads it from a clone of the request (a
 * web-streams tee) to classify the call: in a profile of small calls over HTTP, a tenth of the
 * server's CPU. What is not a JSON body within the SDK's size limit (too large, unreadable, not
 * JSON, empty) goes to the SDK as a request carrying what was read, and it answers as before.
 */
async function mcpRequest(c: Context<Env>): Promise<{ request: Request; parsedBody?: unknown }> {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  const declared = Number(c.req.header('content-length') ?? 0);
  if (
    c.req.method !== 'POST' ||
    incoming === undefined ||
    !isJsonContentType(c.req.header('content-type') ?? null) ||
    declared > DEFAULT_MAX_REQUEST_BODY_SIZE
  )
    return { request: c.req.raw };
  const read = await readBody(incoming, DEFAULT_MAX_REQUEST_BODY_SIZE);
  if (read === undefined)
    return { request: new Request(c.req.url, { method: 'POST', headers: c.req.raw.headers, body: null }) };
  const { bytes, over } = read;
  if (!over) {
    try {
      const parsedBody: unknown = bytes.length === 0 ? undefined : JSON.parse(bytes.toString('utf8'));
      if (parsedBody !== undefined) return { request: c.req.raw, parsedBody };
    } catch {
      // Not JSON: the SDK answers it.
    }
  }
  return { request: new Request(c.req.url, { method: 'POST', headers: c.req.raw.headers, body: bytes }) };
}

/**
 * A request's body, up to `limit` bytes: `over` once more has arrived, and the rest is then let
 * flow by unread (the connection stays usable for the answer and the next request). Undefined if
 * the request failed or closed before its end (the client went away).
 */
function readBody(
  incoming: HttpBindings['incoming'],
  limit: number,
): Promise<{ bytes: Buffer; over: boolean } | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (result: { bytes: Buffer; over: boolean } | undefined): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received > limit) settle({ bytes: Buffer.concat(chunks), over: true });
    };
    const onEnd = (): void => {
      settle({ bytes: Buffer.concat(chunks), over: false });
    };
    const onError = (): void => {
      settle(undefined);
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onError);
  });
}

/**
 * The status a handler wrote to Node's response itself (the SSE transport answers /messages with
 * 202 and opens /sse that way): Hono's c.res is then a placeholder whose status says 200.
 */
function sentStatus(c: Context<Env>): number | undefined {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  return outgoing?.headersSent === true ? outgoing.statusCode : undefined;
}

function unauthorized(c: Context<Env>, error: string | undefined, message: string): Response {
  c.header('WWW-Authenticate', `Bearer realm="${REALM}"${error === undefined ? '' : `, error="${error}"`}`);
  return failure(c, 401, 'UNAUTHORIZED', message, {
    hint: 'Send Authorization: Bearer <api key>; create a key with `npm start -- keys create <agentId>`.',
  });
}

function failure(
  c: Context<Env>,
  status: 401 | 403 | 404 | 500,
  code: ErrorCode,
  message: string,
  extra: { hint: string },
): Response {
  return c.json({ error: { code, message, hint: extra.hint } }, status);
}

const truncate = (s: string): string => (s.length > 80 ? `${s.slice(0, 80)}…` : s);
