/**
 * Fuzzing the MCP tool surface (the requirement): 10,000 random tool calls, built from the
 * input schemas the server advertises in tools/list, through the SDK's own Client over the
 * in-memory transport against the real trading core. No call may crash (a rejected promise, an
 * INTERNAL error, an unhandled rejection or uncaught exception), every refused call is an isError
 * result with an UPPER_SNAKE code and a message, every accepted one carries structuredContent
 * (which the SDK client checks against the tool's outputSchema), and a refused call of a tool
 * that changes orders leaves the orders exactly as they were.
 *
 * The only protocol-level rejection allowed is the SDK's own refusal of a malformed call: here,
 * `arguments` that are not an object (null, an array, a string...). Any other ProtocolError fails.
 *
 * Reproduce a failure with FUZZ_SEED=<seed printed in the message>.
 */
import { Client, ProtocolError, type Tool } from '@modelcontextprotocol/client';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgentRegistry } from '../../../src/agents/registry.js';
import { SCOPES } from '../../../src/agents/card.js';
import { ORDER_STATUSES, isOpen } from '../../../src/domain/order.js';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { toolDeps } from '../../../src/mcp/deps.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import type { ScriptedMarket } from '../../../src/marketdata/feeds/index.js';
import { START, connectInMemory, startTestCore } from '../../support/core.js';
import {
  Deferred,
  type JsonSchema,
  type SchemaArbitraryOptions,
  isDecimalSchema,
  materialize,
  schemaArbitrary,
} from '../../support/json-schema-arbitrary.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_260_304);
const CALLS = 10_000;

/** Tools that place, change or cancel orders: a refusal from one of them must leave no trace. */
const ORDER_CHANGING = new Set([
  'executeOrder',
  'modifyOrder',
  'cancelOrder',
  'cancelAllOrders',
  'closePosition',
  'closeAllPositions',
]);

const BOOKS: Readonly<Record<string, ScriptedMarket>> = {
  AAPL: {
    book: {
      bids: [['189.98', '500']],
      asks: [
        ['190.02', '300'],
        ['190.05', '1000'],
      ],
    },
  },
  MSFT: { book: { bids: [['409.90', '200']], asks: [['410.10', '200']] } },
  SPY: { bid: '512.30', ask: '512.32', last: '512.31' },
  'BTC/USD': {
    book: {
      bids: [['64990.50', '2']],
      asks: [
        ['65010.00', '1.5'],
        ['65020.00', '3'],
      ],
    },
  },
  'ETH/USD': { bid: '3000.10', ask: '3000.60' },
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

let app: TradingApp;
let registry: AgentRegistry;

beforeAll(async () => {
  const core = await startTestCore();
  ({ app, registry } = core);
  for (const [symbol, market] of Object.entries(BOOKS)) core.feed.set(symbol, market);
});

afterAll(async () => {
  await app.stop();
});

async function connect(): Promise<Client> {
  const caller = { id: 'fuzzer', scopes: new Set(SCOPES) };
  const server = createMcpServer(toolDeps(app, registry), caller, { version: 'test' });
  return connectInMemory(server, new Client({ name: 'fuzz-test', version: '1.0.0' }));
}

// ------------------------------------------------------------------ what the run has seen

/** Strings seen in earlier results (order ids, cursors), picked by index when a call is made. */
class Seen {
  private readonly values: string[] = [];

  /** @param window how many of the most recent values a pick draws from (all by default). */
  constructor(private readonly window = Infinity) {}

  add(value: string): void {
    this.remove(value);
    this.values.push(value);
  }

  remove(value: string): void {
    const at = this.values.indexOf(value);
    if (at >= 0) this.values.splice(at, 1);
  }

  /** The n-th most recent value (modulo the window), or the fallback while none is known. */
  pick(n: number, fallback: string): string {
    const size = Math.min(this.values.length, this.window);
    if (size === 0) return fallback;
    return this.values[this.values.length - 1 - (n % size)] ?? fallback;
  }
}

const seen = {
  orderId: new Seen(),
  /** Ids of orders open when last seen, the latest first (some have finished since). */
  openOrderId: new Seen(6),
  clientOrderId: new Seen(),
  /** Cursors by the tool that gave them: a cursor is only good for its own tool. */
  cursors: new Map<string, Seen>(),
};
const cursorsOf = (tool: string): Seen => {
  let pool = seen.cursors.get(tool);
  if (pool === undefined) {
    pool = new Seen();
    seen.cursors.set(tool, pool);
  }
  return pool;
};
const OPEN: ReadonlySet<string> = new Set(ORDER_STATUSES.filter(isOpen));

/**
 * Records what later calls may reuse: the order, client order id and cursor of a result. Only a
 * result that is one order gives ids: orders of the same simulated millisecond are listed in the
 * order of their random ids, so pools filled from lists would differ from run to run (and the run
 * with them). Any order a complete result shows finished leaves the open pool.
 */
function harvest(tool: string, structured: unknown): void {
  if (!isObject(structured)) return;
  const { orderId, clientOrderId, status, nextCursor, truncated } = structured;
  if (typeof orderId === 'string') {
    seen.orderId.add(orderId);
    if (typeof status === 'string' && OPEN.has(status)) seen.openOrderId.add(orderId);
  }
  if (typeof clientOrderId === 'string') seen.clientOrderId.add(clientOrderId);
  if (typeof nextCursor === 'string') cursorsOf(tool).add(nextCursor);
  if (truncated !== true) forgetFinished(structured);
}

function forgetFinished(value: unknown, depth = 0): void {
  if (depth > 6 || typeof value !== 'object' || value === null) return;
  const { orderId, status } = value as { orderId?: unknown; status?: unknown };
  if (typeof orderId === 'string' && typeof status === 'string' && !OPEN.has(status))
    seen.openOrderId.remove(orderId);
  for (const inner of Object.values(value)) forgetFinished(inner, depth + 1);
}

const late = (pool: Seen, fallback: string) =>
  fc.nat().map((n) => new Deferred<string>(() => pool.pick(n, fallback)));

// ------------------------------------------------------------------ valid-looking values by field name

const SYMBOLS = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...Object.keys(BOOKS)) },
  { weight: 2, arbitrary: fc.constantFrom('NVDA', 'SOL/USD', 'EUR/USD', 'btcusd', 'aapl', 'IWM') },
  { weight: 1, arbitrary: fc.constantFrom('NOPE', 'BTC/EUR', 'AAPL ') },
);
const QUANTITIES = fc.constantFrom('1', '2', '5', '10', '0.5', '0.01', '0.001', '0.0001', '100', 3, 0.25);
const PRICES = fc.constantFrom(
  '189.5',
  '190',
  '190.02',
  '185',
  '195.55',
  '150',
  '410',
  '512.3',
  '65000',
  '64990.5',
  '66000',
  '3000.25',
  '190.001',
  190.1,
  65000,
);
const PERCENTS = fc.constantFrom('1', '5', '25', '50', '100', '0.5', 10);
/**
 * Times from a day before the start to Thursday 19:00 UTC: a simulateMarket `at` moves the clock
 * forward only, so the run spends most of its calls in Wednesday's or Thursday's session.
 */
const TIMES = fc
  .integer({ min: -24 * 3600, max: 28 * 3600 })
  .map((s) => new Date(Date.parse(START) + s * 1000).toISOString());
const TEXT = fc.oneof(fc.constantFrom('fuzz', 'rebalance', 'take profit'), fc.string({ maxLength: 40 }));

const ORDER_IDS = fc.oneof(
  { weight: 5, arbitrary: late(seen.openOrderId, 'ord_none') },
  { weight: 4, arbitrary: late(seen.orderId, 'ord_none') },
  { weight: 1, arbitrary: fc.constant('ord_missing') },
);

/**
 * Fields that take an exact decimal. The server accepts a JSON string or number for each; its
 * listing may advertise them as plain strings, so they are known by name too.
 */
const DECIMAL_NAME = /quantity|qty|price|percent|size|volume|notional|amount|\bbids?\b|\basks?\b|^last$/i;
function isDecimalField(name: string, schema: JsonSchema): boolean {
  if (isDecimalSchema(schema)) return true;
  const plainString = schema['type'] === 'string' && !('enum' in schema) && !('format' in schema);
  return plainString && !('pattern' in schema) && DECIMAL_NAME.test(name);
}

function decimalFor(name: string): fc.Arbitrary<unknown> {
  if (/\[1\]$|size|quantity|qty|notional|volume/i.test(name)) return QUANTITIES;
  if (/percent/i.test(name)) return PERCENTS;
  return PRICES;
}

function clientOrderIds(schema: JsonSchema): fc.Arbitrary<unknown> {
  const pattern = schema['pattern'];
  return fc.oneof(
    { weight: 4, arbitrary: late(seen.clientOrderId, 'cid-none') },
    { weight: 5, arbitrary: fc.nat().map((n) => `fz-${n}`) },
    ...(typeof pattern === 'string'
      ? [{ weight: 1, arbitrary: fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= 64) }]
      : []),
  );
}

/** What a plausible agent would send for a field of this name; undefined lets the schema decide. */
function known(name: string, schema: JsonSchema): fc.Arbitrary<unknown> | undefined {
  const base = name.replace(/(\[\d*\]|\{\})+$/, '');
  if (isDecimalField(name, schema)) return decimalFor(name);
  if (schema['type'] !== 'string' || Array.isArray(schema['enum'])) return undefined;
  switch (base) {
    case 'symbol':
    case 'symbols':
      return SYMBOLS;
    case 'orderId':
    case 'parentOrderId':
      return ORDER_IDS;
    case 'clientOrderId':
      return clientOrderIds(schema);
    case 'account':
    case 'accountId':
      return fc.constantFrom('eq-margin', 'crypto-cash', 'eq-margin', 'nope');
    case 'venue':
      return fc.constantFrom('paper-equities', 'paper-crypto', 'nope');
    case 'cursor':
      return fc.oneof(
        {
          weight: 4,
          arbitrary: fc.nat().map((n) => new Deferred((tool: string) => cursorsOf(tool).pick(n, 'bogus'))),
        },
        fc.constant('bogus'),
      );
    case 'agentId':
      return fc.constantFrom(...registry.list().map((c) => c.id), 'nobody');
    case 'reason':
    case 'description':
      return TEXT;
    case 'start':
    case 'end':
    case 'at':
    case 'since':
      return TIMES;
    default:
      return undefined;
  }
}

// ------------------------------------------------------------------ the calls

type Mode = 'tame' | 'mixed' | 'hostile' | 'not-an-object';
interface Plan {
  readonly tool: string;
  readonly mode: Mode;
  readonly args: unknown;
}

const FIELDS = { known, decimal: isDecimalField };
const MODES: Readonly<Record<Exclude<Mode, 'not-an-object'>, SchemaArbitraryOptions>> = {
  /** Required fields and about one optional one, all plausible: many of these are accepted. */
  tame: { ...FIELDS, hostility: 0, optionalRate: 0.5, optionalExpected: 1, missingRate: 0, extraRate: 0 },
  mixed: {
    ...FIELDS,
    hostility: 0.08,
    optionalRate: 0.4,
    optionalExpected: 2.5,
    missingRate: 0.05,
    extraRate: 0.1,
  },
  hostile: { ...FIELDS, hostility: 0.5, optionalRate: 0.5, missingRate: 0.3, extraRate: 0.3 },
};
/** `arguments` the protocol itself does not allow (the SDK may refuse them), and none at all. */
const NOT_AN_OBJECT = fc.constantFrom(null, [], [{ symbol: 'AAPL' }], 'AAPL', 42, true, undefined);

/**
 * Requests a plausible agent sends that a schema alone rarely produces (a resting limit order, a
 * change to an open order), laid over some tame calls so that modify and cancel find open orders.
 * Only fields the tool's schema declares are laid over.
 */
const OVERLAYS: Readonly<Record<string, fc.Arbitrary<Record<string, unknown>>>> = {
  executeOrder: fc.oneof(
    fc
      .constantFrom(
        { symbol: 'AAPL', side: 'buy', limitPrice: '150' },
        { symbol: 'AAPL', side: 'sell', limitPrice: '250.5' },
        { symbol: 'MSFT', side: 'buy', limitPrice: '300' },
        { symbol: 'SPY', side: 'sell', limitPrice: '600' },
        { symbol: 'BTC/USD', side: 'buy', limitPrice: '50000', quantity: '0.01' },
        { symbol: 'ETH/USD', side: 'buy', limitPrice: '2500', quantity: '0.5' },
      )
      .map((o) => ({ type: 'limit', timeInForce: 'gtc', ...o })),
    fc.constantFrom(
      { symbol: 'AAPL', side: 'buy', type: 'stop', stopPrice: '200' },
      { symbol: 'MSFT', side: 'sell', type: 'trailing_stop', trailPercent: '5', timeInForce: 'gtc' },
    ),
  ),
  modifyOrder: fc.record({
    orderId: late(seen.openOrderId, 'ord_none'),
    limitPrice: fc.constantFrom('151', '149.5', '301', '2501', '50001.5', '249'),
  }),
  cancelOrder: fc.record({ orderId: late(seen.openOrderId, 'ord_none') }),
};

function withOverlay(tool: Tool, args: unknown, overlay: Record<string, unknown> | null): unknown {
  const declared = (tool.inputSchema as JsonSchema)['properties'];
  if (overlay === null || !isObject(args) || !isObject(declared)) return args;
  const laid = Object.entries(overlay).filter(([key]) => key in declared);
  // The overlay names the order by orderId: a clientOrderId beside it would be refused for the pair.
  const { clientOrderId: _named, ...rest } = args;
  const base = 'orderId' in overlay ? rest : args;
  return { ...base, ...Object.fromEntries(laid) };
}

/**
 * The bulk tools are drawn less often: closeAllPositions places an order per position, and
 * cancelAllOrders would otherwise leave modifyOrder and cancelOrder no open order to work on.
 */
const WEIGHTS: Readonly<Record<string, number>> = { closeAllPositions: 2, cancelAllOrders: 3 };
const weightOf = (tool: string): number => WEIGHTS[tool] ?? 10;

function planFor(tool: Tool): fc.Arbitrary<Plan> {
  const schema = tool.inputSchema as JsonSchema;
  const as = (mode: Mode) => (args: unknown) => ({ tool: tool.name, mode, args });
  return fc.oneof(
    {
      weight: 45,
      arbitrary: fc
        .tuple(
          schemaArbitrary(schema, MODES.tame),
          fc.option(OVERLAYS[tool.name] ?? fc.constant(null), { freq: 2 }),
        )
        .map(([args, overlay]) => as('tame')(withOverlay(tool, args, overlay))),
    },
    { weight: 38, arbitrary: schemaArbitrary(schema, MODES.mixed).map(as('mixed')) },
    { weight: 15, arbitrary: schemaArbitrary(schema, MODES.hostile).map(as('hostile')) },
    { weight: 2, arbitrary: NOT_AN_OBJECT.map(as('not-an-object')) },
  );
}

// ------------------------------------------------------------------ checks

/**
 * A fingerprint of the orders: their count, the sum of their event sequence numbers (every change
 * to an order records an event and bumps it), the events and the fills. Every part only grows, so
 * a stale "before" can only make an unchanged store look changed, never hide a change; the value
 * is kept while nothing can have changed it (after a read-only call, or a refusal just checked).
 */
class OrdersFingerprint {
  private cached: string | undefined;

  async current(): Promise<string> {
    return this.cached ?? (await this.read());
  }

  async read(): Promise<string> {
    await app.service.idle();
    const rows = await app.store.query(
      `select (select count(*) from orders)::int as orders,
              (select coalesce(sum(event_seq), 0) from orders)::int as seqs,
              (select count(*) from order_events)::int as events,
              (select count(*) from fills)::int as fills`,
      [],
    );
    this.cached = JSON.stringify(rows[0]);
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}

interface Tally {
  calls: number;
  accepted: number;
  refused: number;
  protocol: number;
  /** Refusals without a hint (the contract wants one; not asserted). */
  unhinted: number;
  ms: number;
  readonly codes: Map<string, number>;
}

class Run {
  readonly tallies = new Map<string, Tally>();
  readonly failures: string[] = [];
  /** Refused modify/cancel calls of a finished order (ORDER_NOT_OPEN), each checked for no change. */
  finishedRefusals = 0;
  readonly orders = new OrdersFingerprint();

  constructor(
    readonly client: Client,
    /** Tools whose annotations say they change nothing. */
    readonly readOnly: ReadonlySet<string>,
  ) {}

  tally(tool: string): Tally {
    let t = this.tallies.get(tool);
    if (t === undefined) {
      t = { calls: 0, accepted: 0, refused: 0, protocol: 0, unhinted: 0, ms: 0, codes: new Map() };
      this.tallies.set(tool, t);
    }
    return t;
  }

  fail(index: number, plan: Plan, args: unknown, problem: string): void {
    const shown = args === undefined ? '(no arguments)' : JSON.stringify(args).slice(0, 400);
    this.failures.push(`#${index} ${plan.tool} (${plan.mode}) ${shown}: ${problem}`);
  }

  table(): string {
    const rows = [...this.tallies.entries()].map(([tool, t]) => {
      const codes = [...t.codes.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c}×${n}`)
        .join(' ');
      const cells = [t.calls, t.accepted, t.refused, t.protocol, t.unhinted].map((n, i) =>
        String(n).padStart(i === 0 ? 5 : 8),
      );
      return `${tool.padEnd(18)} ${cells.join(' ')} ${(t.ms / 1000).toFixed(1).padStart(6)}  ${codes}`;
    });
    return [`${'tool'.padEnd(18)} calls accepted  refused protocol  no hint   time  codes`, ...rows].join(
      '\n',
    );
  }
}

async function callOnce(run: Run, plan: Plan, index: number): Promise<void> {
  const args = materialize(plan.args, plan.tool);
  const t = run.tally(plan.tool);
  t.calls += 1;
  const changing = ORDER_CHANGING.has(plan.tool);
  const before = changing ? await run.orders.current() : '';
  let result: Awaited<ReturnType<Client['callTool']>>;
  try {
    result = await run.client.callTool({ name: plan.tool, arguments: args as Record<string, unknown> });
  } catch (error) {
    run.orders.invalidate();
    if (error instanceof ProtocolError && plan.mode === 'not-an-object' && args !== undefined)
      t.protocol += 1;
    else run.fail(index, plan, args, `the call threw ${String(error)}`);
    return;
  }
  harvest(plan.tool, result.structuredContent);
  if (result.isError !== true) {
    t.accepted += 1;
    if (!run.readOnly.has(plan.tool)) run.orders.invalidate();
    if (!isObject(result.structuredContent))
      run.fail(index, plan, args, 'accepted without structuredContent');
    return;
  }
  t.refused += 1;
  const code = checkRefusal(run, plan, args, result.structuredContent, index);
  t.codes.set(code, (t.codes.get(code) ?? 0) + 1);
  if (!changing) {
    if (!run.readOnly.has(plan.tool)) run.orders.invalidate();
    return;
  }
  const after = await run.orders.read();
  // A risk denial is recorded as a denied order (ORDER-SEMANTICS.md §7.1) and names it: exactly
  // one more order, nothing else changed. Any other refusal changes nothing.
  const expected = deniedOrderId(result.structuredContent) === undefined ? before : oneMoreOrder(before);
  if (after !== expected)
    run.fail(index, plan, args, `refused (${code}) but the orders changed: ${before} -> ${after}`);
  else if (code === 'ORDER_NOT_OPEN') run.finishedRefusals += 1;
}

/** The denied order's id a risk denial carries in its details. */
function deniedOrderId(structured: unknown): string | undefined {
  const error = isObject(structured) ? structured['error'] : undefined;
  const details = isObject(error) ? error['details'] : undefined;
  // A cancel or modify of an order denied earlier names it too, with ORDER_NOT_OPEN: not a new denial.
  if (isObject(error) && error['code'] === 'ORDER_NOT_OPEN') return undefined;
  const id = isObject(details) && details['status'] === 'denied' ? details['orderId'] : undefined;
  return typeof id === 'string' ? id : undefined;
}

/** The orders summary with one more order (a denial) and nothing else changed. */
function oneMoreOrder(summary: string): string {
  const parsed = JSON.parse(summary) as { orders: number };
  return JSON.stringify({ ...parsed, orders: parsed.orders + 1 });
}

/** A refusal is `{ error: { code: UPPER_SNAKE, message } }`, never INTERNAL; returns the code. */
function checkRefusal(run: Run, plan: Plan, args: unknown, structured: unknown, index: number): string {
  const error = isObject(structured) ? structured['error'] : undefined;
  const code = isObject(error) ? error['code'] : undefined;
  const message = isObject(error) ? error['message'] : undefined;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code))
    run.fail(index, plan, args, `refused without an UPPER_SNAKE code: ${JSON.stringify(structured)}`);
  if (typeof message !== 'string' || message.trim() === '')
    run.fail(index, plan, args, `refused without a message: ${JSON.stringify(structured)}`);
  if (code === 'INTERNAL') run.fail(index, plan, args, 'INTERNAL: the server failed on this input');
  if (!isObject(error) || typeof error['hint'] !== 'string') run.tally(plan.tool).unhinted += 1;
  return typeof code === 'string' ? code : '(none)';
}

/** Records every unhandled rejection and uncaught exception while `body` runs. */
async function watchingProcess(body: () => Promise<void>): Promise<unknown[]> {
  const caught: unknown[] = [];
  const onError = (error: unknown) => caught.push(error);
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onError);
    process.off('uncaughtException', onError);
  }
  return caught;
}

/** Runs the plans one after another, timing each tool; returns the wall and CPU seconds. */
async function runAll(run: Run, plans: readonly Plan[]): Promise<{ wall: string; cpu: string }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const [index, plan] of plans.entries()) {
    const t0 = performance.now();
    await callOnce(run, plan, index);
    run.tally(plan.tool).ms += performance.now() - t0;
  }
  const used = process.cpuUsage(cpu);
  return {
    wall: ((performance.now() - started) / 1000).toFixed(1),
    cpu: ((used.user + used.system) / 1e6).toFixed(1),
  };
}

it(`survives ${CALLS} random tool calls built from the advertised input schemas`, async () => {
  const client = await connect();
  const { tools } = await client.listTools();
  const plans = fc.sample(
    fc.oneof(...tools.map((tool) => ({ weight: weightOf(tool.name), arbitrary: planFor(tool) }))),
    { seed: SEED, numRuns: CALLS },
  );
  const readOnly = new Set(tools.filter((t) => t.annotations?.readOnlyHint === true).map((t) => t.name));
  const run = new Run(client, readOnly);
  let time = { wall: '', cpu: '' };
  const caught = await watchingProcess(async () => {
    time = await runAll(run, plans);
  });
  await client.close();

  const total = (pick: (t: Tally) => number) => [...run.tallies.values()].reduce((s, t) => s + pick(t), 0);
  const report = [
    `seed ${SEED}: ${CALLS} calls in ${time.wall} s (${time.cpu} s of CPU);`,
    `${total((t) => t.accepted)} accepted, ${total((t) => t.refused)} refused,`,
    `${run.finishedRefusals} refused modify/cancel of a finished order left it unchanged\n${run.table()}`,
  ].join(' ');
  console.info(report);
  const context = `FUZZ_SEED=${SEED}\n${report}`;
  expect(run.failures.slice(0, 20), `${run.failures.length} failure(s); ${context}`).toEqual([]);
  expect(caught.map(String), context).toEqual([]);
  expect(
    total((t) => t.calls),
    context,
  ).toBe(CALLS);
  expect(
    total((t) => t.accepted),
    context,
  ).toBeGreaterThan(500);
  expect(
    total((t) => t.refused),
    context,
  ).toBeGreaterThan(500);
  for (const tool of tools)
    expect(run.tally(tool.name).calls, `${tool.name}; ${context}`).toBeGreaterThan(50);
  // About 20 s of CPU on its own; the margin is for a CI machine busy with other suites.
}, 90_000);
