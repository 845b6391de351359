/**
 * The REST API of CONTRACT.md ("HTTP surface"), mounted at /api/v1 behind the auth middleware. Each
 * route runs the same tool definition as MCP: the tool's input schema parses the path parameters,
 * query and JSON body merged into its arguments, its handler runs, and its structured result is the
 * body; a refusal is the contract's error body with an HTTP status from one table. GET /openapi.json
 * describes every route from the same zod schemas.
 */
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { type ErrorCode, TradingError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { CallerAgent, ToolDefinition, ToolDeps } from '../mcp/tool-kit.js';
import { TOOLS } from '../mcp/tools.js';
import { errorBody, errorSchema, parseToolInput } from '../mcp/wire.js';
import type { AppEnv } from './env.js';

/** The HTTP status of each error code; the type makes a new code take a decision here. */
export const HTTP_STATUS = {
  INVALID_ARGUMENT: 400,
  INVALID_ORDER: 400,
  // The caller withdrew the request (the connection is gone; nobody reads this answer).
  CANCELED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ORDER_NOT_OPEN: 409,
  ORDER_PENDING: 409,
  DUPLICATE_CLIENT_ORDER_ID: 409,
  CONFIRMATION_REQUIRED: 409,
  // Understood and refused: risk denials and venue rejections (ORDER-SEMANTICS.md §7).
  INSTRUMENT_NOT_FOUND: 422,
  SYMBOL_NOT_TRADABLE: 422,
  TRADING_HALTED: 422,
  PRICE_PRECISION: 422,
  QUANTITY_PRECISION: 422,
  MARKET_CLOSED: 422,
  STALE_QUOTE: 422,
  PRICE_BAND: 422,
  MIN_NOTIONAL: 422,
  REDUCE_ONLY: 422,
  WASH_TRADE: 422,
  PATTERN_DAY_TRADER: 422,
  ORDER_NOTIONAL_LIMIT: 422,
  DAILY_NOTIONAL_LIMIT: 422,
  POSITION_LIMIT: 422,
  MAX_OPEN_POSITIONS: 422,
  MAX_OPEN_ORDERS: 422,
  EXPOSURE_LIMIT: 422,
  DAILY_LOSS_LIMIT: 422,
  INSUFFICIENT_BUYING_POWER: 422,
  POST_ONLY_WOULD_TAKE: 422,
  STOP_IN_MARKET: 422,
  NO_MARKET: 422,
  QUANTITY_BELOW_FILLED: 422,
  NOT_FOUND_AT_VENUE: 422,
  VENUE_REJECTED: 422,
  // A denial too, but HTTP clients know to back off and retry a 429.
  RATE_LIMITED: 429,
  INTERNAL: 500,
  CONFIG_INVALID: 500,
  BROKER_ERROR: 502,
  BROKER_UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

type Method = 'get' | 'post' | 'patch' | 'delete';

/** One REST route: which tool it runs and where that tool's arguments come from. */
export interface RestRoute {
  readonly method: Method;
  /** OpenAPI form, relative to the mount point; `{name}` is a path parameter. */
  readonly path: string;
  readonly tool: string;
  /** Path parameter -> the tool argument it fills. */
  readonly params?: Readonly<Record<string, string>>;
  /** Where the other arguments come from (a DELETE documents its query; it takes a body too). */
  readonly from: 'query' | 'body' | 'query+body';
  /** Arguments this route does not document (the path names the order); sent anyway, the tool judges. */
  readonly hidden?: readonly string[];
  /** When not the tool's name (OpenAPI operation ids are unique; one tool serves two routes). */
  readonly operationId?: string;
  /** Refuses an answer that means "nothing there" on this route. */
  readonly expect?: (structured: unknown, args: Readonly<Record<string, unknown>>) => void;
}

const BY_ORDER_ID = { params: { id: 'orderId' }, hidden: ['clientOrderId', 'account'] } as const;

export const REST_ROUTES: readonly RestRoute[] = [
  { method: 'post', path: '/orders', tool: 'executeOrder', from: 'body' },
  { method: 'get', path: '/orders', tool: 'listOrders', from: 'query' },
  { method: 'delete', path: '/orders', tool: 'cancelAllOrders', from: 'query+body' },
  { method: 'get', path: '/orders/{id}', tool: 'getOrder', from: 'query', ...BY_ORDER_ID },
  { method: 'patch', path: '/orders/{id}', tool: 'modifyOrder', from: 'body', ...BY_ORDER_ID },
  { method: 'delete', path: '/orders/{id}', tool: 'cancelOrder', from: 'query', ...BY_ORDER_ID },
  { method: 'get', path: '/positions', tool: 'getPositions', from: 'query' },
  { method: 'delete', path: '/positions', tool: 'closeAllPositions', from: 'query+body' },
  {
    method: 'get',
    path: '/positions/{symbol}',
    tool: 'getPositions',
    operationId: 'getPositionsBySymbol',
    params: { symbol: 'symbol' },
    from: 'query',
    expect: somePosition,
  },
  {
    method: 'delete',
    path: '/positions/{symbol}',
    tool: 'closePosition',
    params: { symbol: 'symbol' },
    from: 'query+body',
  },
  { method: 'get', path: '/account', tool: 'getAccount', from: 'query' },
  {
    method: 'get',
    path: '/market/quote/{symbol}',
    tool: 'getQuote',
    params: { symbol: 'symbols' },
    from: 'query',
  },
  {
    method: 'get',
    path: '/market/bars/{symbol}',
    tool: 'getBars',
    params: { symbol: 'symbol' },
    from: 'query',
  },
];

export interface RestOptions {
  /** The tool table (default: TOOLS, the one MCP serves); a route whose tool is missing or unavailable answers 404. */
  readonly tools?: readonly ToolDefinition[];
  /** Where unexpected failures are logged, with their cause. */
  readonly logger?: Logger;
  /** The mount point, for the OpenAPI document's server URL (default /api/v1). */
  readonly basePath?: string;
}

/** The REST routes over the tools; the mount point's middleware sets `caller` and `requestId`. */
export function restApi(deps: ToolDeps, options: RestOptions = {}): Hono<AppEnv> {
  // A tool that does not exist on this core (e.g. simulateMarket without paper venues) has no route.
  const tools = (options.tools ?? TOOLS).filter((t) => t.available?.(deps) ?? true);
  const app = new Hono<AppEnv>();
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', (c) =>
    c.json((document ??= openApiDocument(tools, options.basePath ?? '/api/v1'))),
  );
  for (const route of REST_ROUTES) {
    app.on(route.method.toUpperCase(), honoPath(route.path), (c) =>
      answer(c, route, deps, tools, options.logger),
    );
  }
  app.all('*', (c) =>
    refuse(
      c,
      new TradingError('NOT_FOUND', `No route ${c.req.method} ${c.req.path}.`, {
        hint: 'openapi.json, beside these routes, lists every route and its arguments.',
      }),
    ),
  );
  return app;
}

const honoPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

async function answer(
  c: Context<AppEnv>,
  route: RestRoute,
  deps: ToolDeps,
  tools: readonly ToolDefinition[],
  logger: Logger | undefined,
): Promise<Response> {
  try {
    const tool = toolNamed(tools, route.tool);
    const caller = authorized(c, tool);
    const args = await argumentsOf(c, route, tool, deps);
    const parsed = parseToolInput(tool.input, args);
    const prior = route.tool === 'executeOrder' ? await priorOrderId(deps, args) : undefined;
    const call = { signal: c.req.raw.signal, progress: () => undefined };
    const result = await tool.run(parsed, caller, deps, call);
    route.expect?.(result.structured, args);
    return json(
      c,
      result.structured,
      route.tool === 'executeOrder' ? placedStatus(result.structured, prior) : 200,
    );
  } catch (error) {
    if (errorBody(error).code === 'INTERNAL') {
      logger?.error({ err: error, tool: route.tool, requestId: c.get('requestId') }, 'REST call failed');
    }
    return refuse(c, error);
  }
}

function refuse(c: Context<AppEnv>, error: unknown): Response {
  const body = errorBody(error);
  return json(c, errorSchema.parse({ error: body }), HTTP_STATUS[body.code]);
}

const json = (c: Context<AppEnv>, body: unknown, status: ContentfulStatusCode): Response =>
  c.body(JSON.stringify(body), status, { 'Content-Type': 'application/json; charset=UTF-8' });

function toolNamed(tools: readonly ToolDefinition[], name: string): ToolDefinition {
  const found = tools.find((t) => t.name === name);
  if (found !== undefined) return found;
  throw new TradingError('NOT_FOUND', `${name} is not available on this server.`, {
    hint: 'openapi.json, beside these routes, lists the routes this server answers.',
  });
}

function authorized(c: Context<AppEnv>, tool: ToolDefinition): CallerAgent {
  const caller = c.get('caller') as CallerAgent | undefined;
  if (caller === undefined) {
    throw new TradingError('UNAUTHORIZED', 'No authenticated caller.', {
      hint: 'Send Authorization: Bearer <your API key>.',
    });
  }
  if (caller.scopes.has(tool.scope) || caller.scopes.has('admin')) return caller;
  throw new TradingError('FORBIDDEN', `${tool.name} needs the ${tool.scope} scope.`, {
    hint: `This agent's scopes are ${[...caller.scopes].join(', ') || 'none'}; an agent card with the ${tool.scope} scope can call it.`,
    details: { tool: tool.name, scope: tool.scope },
  });
}

// ------------------------------------------------------------------ arguments

/** Query, then body, then path parameters: the path names the thing, nothing overrides it. */
async function argumentsOf(
  c: Context<AppEnv>,
  route: RestRoute,
  tool: ToolDefinition,
  deps: ToolDeps,
): Promise<Record<string, unknown>> {
  const properties = propertiesOf(inputSchema(tool));
  const query = route.from === 'body' ? {} : fromQuery(c.req.queries(), properties, deps);
  const body = route.from === 'query' ? {} : await fromBody(c);
  const path = Object.entries(route.params ?? {}).map(([param, field]): [string, unknown] => {
    const raw = c.req.param(param) ?? '';
    const value = SYMBOL_FIELDS.has(field) ? canonicalSymbol(raw, deps) : raw;
    return [field, typesOf(properties[field]).has('array') ? [value] : value];
  });
  return { ...query, ...body, ...Object.fromEntries(path) };
}

/**
 * Query strings as the tool's schema expects them: a clean integer, number or boolean literal
 * becomes one; anything else stays a string for the schema to refuse. Repeated keys fill arrays.
 */
function fromQuery(
  queries: Readonly<Record<string, string[]>>,
  properties: Readonly<Record<string, JsonSchema>>,
  deps: ToolDeps,
): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(queries)) {
    const schema = properties[key];
    const scalars = values.map((v) =>
      literal(SYMBOL_FIELDS.has(key) ? canonicalSymbol(v, deps) : v, itemsOf(schema)),
    );
    args[key] = typesOf(schema).has('array') || scalars.length !== 1 ? scalars : scalars[0];
  }
  return args;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function literal(value: string, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.has('string')) return value;
  if ((types.has('integer') || types.has('number')) && NUMBER.test(value)) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

const SYMBOL_FIELDS: ReadonlySet<string> = new Set(['symbol', 'symbols']);

/** "BTC-USD", "btcusd" and "BTC/USD" (sent as BTC%2FUSD) all name BTC/USD; an unknown symbol stays as sent. */
const canonicalSymbol = (symbol: string, deps: ToolDeps): string =>
  deps.instruments.find(symbol)?.symbol ?? symbol;

async function fromBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  const hint = 'Send one JSON object with Content-Type: application/json; decimals as strings like "187.42".';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TradingError('INVALID_ARGUMENT', 'The request body is not valid JSON.', { hint });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TradingError('INVALID_ARGUMENT', 'The request body must be a JSON object.', { hint });
  }
  return value as Record<string, unknown>;
}

/** The id of the order a clientOrderId already names: a POST that answers with it is a replay. */
async function priorOrderId(
  deps: ToolDeps,
  args: Readonly<Record<string, unknown>>,
): Promise<string | undefined> {
  const { clientOrderId, account } = args;
  if (typeof clientOrderId !== 'string') return undefined;
  const ref = typeof account === 'string' ? { clientOrderId, accountId: account } : { clientOrderId };
  // Only the status code depends on it: a failed look-up means "new" (201), never a failed order.
  return deps.service.findOrder(ref).then(
    (stored) => stored?.order.id,
    () => undefined,
  );
}

/** 201 for a new order; 200 when an idempotent replay returned the existing one. */
function placedStatus(structured: unknown, prior: string | undefined): 200 | 201 {
  const orderId = (structured as { orderId?: unknown }).orderId;
  return prior !== undefined && orderId === prior ? 200 : 201;
}

function somePosition(structured: unknown, args: Readonly<Record<string, unknown>>): void {
  const positions = (structured as { positions?: unknown[] }).positions ?? [];
  if (positions.length > 0) return;
  throw new TradingError('NOT_FOUND', `No position in ${String(args['symbol'])}.`, {
    hint: 'GET positions lists every position held.',
  });
}

// ------------------------------------------------------------------ JSON Schema

type JsonSchema = Record<string, unknown>;

const inputSchemas = new WeakMap<ToolDefinition, JsonSchema>();

function inputSchema(tool: ToolDefinition): JsonSchema {
  let schema = inputSchemas.get(tool);
  if (schema === undefined) inputSchemas.set(tool, (schema = jsonSchema(tool.input, 'input')));
  return schema;
}

/** The schema's JSON Schema without the `$schema` line (it sits inside an OpenAPI document). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function propertiesOf(schema: JsonSchema): Readonly<Record<string, JsonSchema>> {
  const properties = schema['properties'];
  return isSchema(properties) ? (properties as Record<string, JsonSchema>) : {};
}

function requiredOf(schema: JsonSchema): readonly string[] {
  const required = schema['required'];
  return Array.isArray(required) ? required.filter((r): r is string => typeof r === 'string') : [];
}

function itemsOf(schema: JsonSchema | undefined): JsonSchema | undefined {
  const items = schema?.['items'];
  return typesOf(schema).has('array') && isSchema(items) ? items : schema;
}

/** Every JSON type the schema admits, through anyOf and oneOf. */
function typesOf(schema: JsonSchema | undefined): Set<string> {
  if (schema === undefined) return new Set();
  const type = schema['type'];
  const own = typeof type === 'string' ? [type] : Array.isArray(type) ? type.map(String) : [];
  const alternatives = [schema['anyOf'], schema['oneOf']].flatMap((a): unknown[] =>
    Array.isArray(a) ? (a as unknown[]) : [],
  );
  return new Set([...own, ...alternatives.filter(isSchema).flatMap((a) => [...typesOf(a)])]);
}

// ------------------------------------------------------------------ OpenAPI

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** OpenAPI 3.1 for the routes whose tool exists, in REST_ROUTES order (deterministic). */
function openApiDocument(tools: readonly ToolDefinition[], basePath: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const results: Record<string, JsonSchema> = {};
  for (const route of REST_ROUTES) {
    const tool = tools.find((t) => t.name === route.tool);
    if (tool === undefined) continue;
    results[`${tool.name}Result`] ??= jsonSchema(tool.output, 'output');
    (paths[route.path] ??= {})[route.method] = operation(route, tool);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Agent trading server REST API',
      version: '1',
      description:
        'The MCP tools over HTTP: the same arguments, validation and error codes. Decimals are strings ("187.42"). Every route needs Authorization: Bearer <API key>; the key decides the scopes.',
    },
    servers: [{ url: basePath }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: "An agent's API key." },
      },
      schemas: { Error: jsonSchema(errorSchema, 'output'), ...results },
      responses: errorResponses(),
    },
  };
}

function operation(route: RestRoute, tool: ToolDefinition): Record<string, unknown> {
  const input = inputSchema(tool);
  const properties = propertiesOf(input);
  const params = Object.entries(route.params ?? {});
  const skip = new Set([...params.map(([, field]) => field), ...(route.hidden ?? [])]);
  const own = Object.keys(properties).filter((name) => !skip.has(name));
  const success = {
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${tool.name}Result` } } },
  };
  return {
    operationId: route.operationId ?? tool.name,
    'x-tool': tool.name,
    'x-scope': tool.scope,
    summary: tool.title,
    description: `${tool.description}\n\nThe MCP tool \`${tool.name}\`; needs the \`${tool.scope}\` scope (or \`admin\`).${route.from === 'query+body' ? ' The query arguments may come as a JSON body instead.' : ''}`,
    tags: [route.path.split('/')[1] ?? ''],
    parameters: [
      ...params.map(([name, field]) => pathParameter(name, itemsOf(properties[field]))),
      ...(route.from === 'body' ? [] : own.map((name) => queryParameter(name, properties[name], input))),
    ],
    ...(route.from === 'body' ? { requestBody: requestBody(input, own) } : {}),
    responses: {
      ...(route.tool === 'executeOrder'
        ? {
            201: { description: 'Placed.', ...success },
            200: { description: 'The existing order (same clientOrderId and request).', ...success },
          }
        : { 200: { description: 'Done.', ...success } }),
      ...Object.fromEntries(
        [...errorStatuses().keys()].map((status) => [
          status,
          { $ref: `#/components/responses/Error${status}` },
        ]),
      ),
    },
  };
}

function pathParameter(name: string, schema: JsonSchema | undefined): Record<string, unknown> {
  const symbol = name === 'symbol' ? ' Write "/" as %2F (BTC%2FUSD) or as "-" (BTC-USD).' : '';
  return {
    name,
    in: 'path',
    required: true,
    description: `${typeof schema?.['description'] === 'string' ? schema['description'] : name}${symbol}`,
    schema: schema ?? { type: 'string' },
  };
}

function queryParameter(
  name: string,
  schema: JsonSchema | undefined,
  input: JsonSchema,
): Record<string, unknown> {
  return {
    name,
    in: 'query',
    required: requiredOf(input).includes(name),
    ...(typeof schema?.['description'] === 'string' ? { description: schema['description'] } : {}),
    schema: schema ?? {},
  };
}

function requestBody(input: JsonSchema, fields: readonly string[]): Record<string, unknown> {
  const { properties, required: _all, ...rest } = input;
  const required = requiredOf(input).filter((r) => fields.includes(r));
  const schema = {
    ...rest,
    properties: Object.fromEntries(fields.map((f) => [f, propertiesOf({ properties })[f]])),
    ...(required.length === 0 ? {} : { required }),
  };
  return { required: true, content: { 'application/json': { schema } } };
}

/** Each error status with the codes it carries (from HTTP_STATUS), in ascending order. */
function errorStatuses(): ReadonlyMap<number, readonly string[]> {
  const codes = new Map<number, string[]>();
  for (const [code, status] of Object.entries(HTTP_STATUS))
    codes.set(status, [...(codes.get(status) ?? []), code]);
  return new Map([...codes].sort(([a], [b]) => a - b));
}

function errorResponses(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...errorStatuses()].map(([status, codes]) => [
      `Error${status}`,
      {
        description: `The error body; error.code is one of ${codes.join(', ')}.`,
        content: { 'application/json': { schema: ERROR_REF } },
      },
    ]),
  );
}
