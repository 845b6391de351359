/**
 * MCP as an agent sees it: the real server as a child process (`src/main.ts` through tsx, so the
 * current source; `dist/main.js` as well for the cold start when it exists) driven by the SDK's own
 * Client. Tables: executeOrder round trips over stdio and Streamable HTTP (with the same core and
 * MCP server in this process over the in-memory transport as the baseline), cold start to the first
 * tools/list over stdio, and the size of tools/list per agent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once, setMaxListeners } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stream } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  Client,
  type FetchLike,
  InMemoryTransport,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { bundledAgentsFolder, loadAgentCards } from '../src/agents/registry.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startTradingApp } from '../src/main/trading-app.js';
import { callerOf } from '../src/mcp/caller.js';
import { toolDeps } from '../src/mcp/deps.js';
import { createMcpServer } from '../src/mcp/server.js';
import { createTestDatabase } from '../test/support/databases.js';
import { CpuMeter, ownCpuMs, postgresCpuMs, processCpuMs } from './cpu.js';
import { fmt, percentile, printTable } from './table.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Variables the server reads: cleared so that the caller's environment cannot change the results. */
const OWN_VARIABLES = /^(TRADING_|PAPER_|LOG_LEVEL$|DATABASE_URL$|AGENTS_DIR$|HTTP_)/;
/** Zero venue latency: the round trip is our stack, not the paper venue's simulated delay. */
const INSTANT_VENUES = 'test/fixtures/venues-instant.json';
/** BTC/USD trades around the clock, so the bench runs at any hour on the system clock. */
const SYMBOL = 'BTC/USD';
const WARM_UP = Number(process.env['WARM_UP'] ?? 200);
const CALLS = Number(process.env['CALLS'] ?? 2_000);
const COLD_RUNS = Number(process.env['COLD_RUNS'] ?? 10);
/** The stores the round trips run on: `disk,postgres` by default (STORES=postgres for one). */
const STORES = (process.env['STORES'] ?? 'disk,postgres').split(',');

type Runner = 'tsx' | 'dist';
type StoreKind = 'memory' | 'disk';
/** The round trips' stores: the default (PGlite in a folder), and this machine's PostgreSQL. */
type RoundTripStore = 'disk' | 'postgres';
type Era = 'legacy' | 'modern';

const ENTRY: Record<Runner, readonly string[]> = {
  tsx: ['--import', 'tsx', 'src/main.ts'],
  dist: ['dist/main.js'],
};

interface DataStore {
  readonly kind: StoreKind | 'postgres';
  readonly url: string;
  remove(): Promise<void>;
}

/** pglite://memory, or a fresh on-disk PGlite folder removed afterwards. */
async function dataStore(kind: StoreKind): Promise<DataStore> {
  if (kind === 'memory') return { kind, url: 'pglite://memory', remove: () => Promise.resolve() };
  const folder = await mkdtemp(join(tmpdir(), 'mcp-bench-'));
  return { kind, url: `pglite://${folder}`, remove: () => rm(folder, { recursive: true, force: true }) };
}

function serverEnv(store: DataStore, extra: Record<string, string> = {}): Record<string, string> {
  const base = Object.entries(process.env).filter(
    (e): e is [string, string] => e[1] !== undefined && !OWN_VARIABLES.test(e[0]),
  );
  return {
    ...Object.fromEntries(base),
    DATABASE_URL: store.url,
    PAPER_FEED: 'random',
    TRADING_CLOCK: 'system',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Keeps the last few KB a child wrote, for the error message if it fails. */
function tail(stream: Stream | null | undefined): () => string {
  let kept = '';
  stream?.on('data', (chunk: Buffer) => {
    kept = (kept + chunk.toString()).slice(-4_000);
  });
  return () => kept;
}

/** Spawns `main --stdio` and connects an SDK Client to it (connect() is when the process starts). */
async function connectStdio(runner: Runner, env: Record<string, string>): Promise<Client> {
  return (await spawnStdio(runner, env)).client;
}

/** connectStdio, with the server process's id. */
async function spawnStdio(
  runner: Runner,
  env: Record<string, string>,
): Promise<{ client: Client; pid: number | undefined }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...ENTRY[runner], '--stdio'],
    cwd: ROOT,
    env,
    stderr: 'pipe',
  });
  const stderr = tail(transport.stderr);
  const client = new Client({ name: 'mcp-bench', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`the stdio server did not start: ${stderr()}`, { cause: error });
  }
  return { client, pid: transport.pid ?? undefined };
}

interface HttpServer {
  readonly url: string;
  readonly pid: number | undefined;
  /** The key the first start created for the local agent; empty when it created none. */
  readonly localKey: string;
  stop(): Promise<void>;
}

/**
 * The banner's MCP Inspector line: the URL, and the key when the first start created one for the
 * local agent (`Bearer <key>`), else a placeholder.
 */
const GUIDE = /--cli (http:\/\/\S+)\/mcp --method tools\/list --header "Authorization: Bearer ([^"]*)"/;

/** `main` serving HTTP on a free loopback port, as a child process; resolves once it printed its guide. */
async function startHttpServer(runner: Runner, env: Record<string, string>): Promise<HttpServer> {
  const child = spawn(process.execPath, ENTRY[runner], {
    cwd: ROOT,
    env: { ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = tail(child.stderr);
  const exited = once(child, 'exit');
  let stdout = '';
  const guide = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = GUIDE.exec(stdout);
      if (match !== null) resolve(match);
    });
    void exited.then(() => {
      reject(new Error(`the HTTP server exited before serving: ${stderr()}`));
    });
  });
  const key = guide[2] ?? '';
  return {
    url: guide[1] ?? '',
    pid: child.pid,
    localKey: key.startsWith('<') ? '' : key,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
}

/** `main keys create <agentId>` on the store: the key it prints. */
async function createKey(runner: Runner, env: Record<string, string>, agentId: string): Promise<string> {
  const child = spawn(process.execPath, [...ENTRY[runner], 'keys', 'create', agentId], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  const [code] = (await once(child, 'exit')) as [number | null];
  const key = /^ {2}(\S+)$/m.exec(stdout())?.[1];
  if (code !== 0 || key === undefined) throw new Error(`keys create ${agentId} failed: ${stderr()}`);
  return key;
}

/**
 * The SDK's HTTP client passes one AbortSignal to every fetch, and Node's fetch drops its listener
 * on that signal only when the request is garbage-collected: past 1,500 calls Node warns of a leak
 * on every call. The client is unchanged; only the warning's limit is lifted.
 */
const fetchWithoutListenerLimit: FetchLike = (url, init) => {
  if (init?.signal) setMaxListeners(0, init.signal);
  return fetch(url, init);
};

async function connectHttp(url: string, key: string, era: Era): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
    fetch: fetchWithoutListenerLimit,
  });
  const client = new Client(
    { name: 'mcp-bench', version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  await client.connect(transport);
  return client;
}

/** A small market order, buys and sells alternating so that the cash account stays flat. */
const marketOrder = (i: number) => ({
  symbol: SYMBOL,
  side: i % 2 === 0 ? 'buy' : 'sell',
  type: 'market',
  quantity: '0.001',
  timeInForce: 'gtc',
});

async function placeOrder(client: Client, i: number): Promise<void> {
  const result = await client.callTool({ name: 'executeOrder', arguments: marketOrder(i) });
  if (result.isError === true) {
    throw new Error(`executeOrder refused: ${JSON.stringify(result.structuredContent)}`);
  }
}

/**
 * The default rate limits (20 orders a second per agent) would refuse a sequential client within
 * its first second: lifted for this agent through setRiskLimits, as a risk admin would. Every other
 * check still runs on every order.
 */
async function liftRateLimits(client: Client): Promise<void> {
  const result = await client.callTool({
    name: 'setRiskLimits',
    arguments: {
      level: 'agent',
      scopeId: 'local',
      limits: { maxOrdersPerSecond: 1_000_000, maxOrdersPerMinute: 60_000_000 },
      reason: 'MCP round-trip benchmark: sequential orders as fast as the stack answers',
    },
  });
  if (result.isError === true) {
    throw new Error(`setRiskLimits refused: ${JSON.stringify(result.structuredContent)}`);
  }
}

/**
 * Lets the event loop turn between calls, outside the timed part. Over the in-memory transport to an
 * in-process PGlite a call resolves through promise jobs alone, so back-to-back calls would starve
 * the timers (the random feed's steps: its quotes would go stale and the risk engine refuse them).
 * A real client's calls arrive as I/O, between which the loop turns anyway.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whose CPU a round-trip run meters: the server process, the client (this process), PostgreSQL. */
interface Metered {
  /** The server's process id; undefined: the server runs in this process, with the client. */
  readonly serverPid: number | undefined;
  readonly store: DataStore;
}

interface RoundTrips {
  /** Each round trip in ms, ascending. */
  readonly samples: number[];
  /** CPU per call in ms: the server, the client, PostgreSQL ('' where it does not apply). */
  readonly cpu: string[];
}

/** Sequential executeOrder calls after a warm-up: the round trips, and the CPU they cost. */
async function roundTrips(client: Client, metered: Metered): Promise<RoundTrips> {
  await liftRateLimits(client);
  for (let i = 0; i < WARM_UP; i++) {
    await placeOrder(client, i);
    await nextTurn();
  }
  const { serverPid, store } = metered;
  const meter = new CpuMeter([
    serverPid === undefined ? ownCpuMs : () => processCpuMs(serverPid),
    serverPid === undefined ? () => undefined : ownCpuMs,
    store.kind === 'postgres' ? postgresCpuMs : () => undefined,
  ]);
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await placeOrder(client, i);
    samples.push(performance.now() - started);
    await nextTurn();
  }
  return { samples: samples.sort((a, b) => a - b), cpu: meter.perCall(CALLS) };
}

const STORE_LABEL: Record<DataStore['kind'], string> = {
  memory: 'PGlite in memory',
  disk: 'PGlite, fresh folder',
  postgres: 'PostgreSQL 15, fresh database',
};

function latencyRow(transport: string, store: DataStore, { samples, cpu }: RoundTrips): string[] {
  const at = (p: number): string => fmt(percentile(samples, p), 2);
  return [
    transport,
    STORE_LABEL[store.kind],
    String(samples.length),
    at(50),
    at(90),
    at(99),
    fmt(samples.at(-1) ?? NaN, 2),
    ...cpu,
  ];
}

/** The baseline: the same core and MCP server in this process, over the SDK's in-memory transport. */
async function inProcessRoundTrips(store: DataStore): Promise<string[]> {
  const logger = createLogger('warn');
  const app = await startTradingApp(
    loadConfig(serverEnv(store, { PAPER_VENUES_FILE: INSTANT_VENUES })),
    logger,
  );
  const registry = await loadAgentCards(await bundledAgentsFolder());
  const local = registry.get('local');
  if (local === undefined) throw new Error('no bundled agent card "local"');
  const server = createMcpServer(toolDeps(app, registry), callerOf(local), { version: 'bench', logger });
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'mcp-bench', version: '1.0.0' });
  await client.connect(clientSide);
  try {
    return latencyRow(
      'in this process (in-memory transport): the baseline',
      store,
      await roundTrips(client, { serverPid: undefined, store }),
    );
  } finally {
    await client.close();
    await app.stop();
  }
}

async function stdioRoundTrips(store: DataStore): Promise<string[]> {
  const { client, pid } = await spawnStdio('tsx', serverEnv(store, { PAPER_VENUES_FILE: INSTANT_VENUES }));
  try {
    return latencyRow('stdio (child process)', store, await roundTrips(client, { serverPid: pid, store }));
  } finally {
    await client.close();
  }
}

interface HttpRun {
  readonly rows: string[][];
  /** tools/list result sizes in bytes, by agent. */
  readonly sizes: string[][];
}

/** Both protocol eras against one HTTP child; then tools/list for the local agent and the analyst. */
async function httpRoundTrips(store: DataStore): Promise<HttpRun> {
  const env = serverEnv(store, { PAPER_VENUES_FILE: INSTANT_VENUES });
  // Made before the server starts, on its store: on embedded PGlite the server then creates the
  // local agent's key and prints it; on PostgreSQL it creates none, so the CLI makes that one too.
  const analystKey = await createKey('tsx', env, 'analyst');
  const createdKey = store.kind === 'postgres' ? await createKey('tsx', env, 'local') : undefined;
  const server = await startHttpServer('tsx', env);
  const localKey = createdKey ?? server.localKey;
  try {
    const rows: string[][] = [];
    for (const era of ['legacy', 'modern'] as const) {
      const client = await connectHttp(server.url, localKey, era);
      const label = `Streamable HTTP (child process), ${era === 'legacy' ? '2025-11-25 era, stateless' : '2026-07-28 era'}`;
      rows.push(latencyRow(label, store, await roundTrips(client, { serverPid: server.pid, store })));
      await client.close();
    }
    const sizes = [
      await listSize(server.url, localKey, 'local'),
      await listSize(server.url, analystKey, 'analyst'),
    ];
    return { rows, sizes };
  } finally {
    await server.stop();
  }
}

/** The tools/list result as JSON, in bytes, for the agent the key belongs to. */
async function listSize(url: string, key: string, agentId: string): Promise<string[]> {
  const client = await connectHttp(url, key, 'legacy');
  try {
    const result = await client.listTools();
    const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
    return [agentId, String(result.tools.length), bytes.toLocaleString('en-US'), fmt(bytes / 1024, 1)];
  } finally {
    await client.close();
  }
}

interface ColdStart {
  /** Spawn to the tools/list response, ms. */
  readonly list: number;
  /** Spawn to the first tool call that needs the trading core (listOrders), ms. */
  readonly call: number;
}

/** Spawns the stdio server on a new store and times its first answers (the real default venues). */
async function coldStart(runner: Runner, kind: StoreKind): Promise<ColdStart> {
  const store = await dataStore(kind);
  const started = performance.now();
  const client = await connectStdio(runner, serverEnv(store));
  try {
    await client.listTools();
    const list = performance.now() - started;
    await client.callTool({ name: 'listOrders', arguments: {} });
    return { list, call: performance.now() - started };
  } finally {
    await client.close();
    await store.remove();
  }
}

async function coldStartRow(runner: Runner, kind: StoreKind, label: string): Promise<string[]> {
  const runs: ColdStart[] = [];
  for (let i = 0; i < COLD_RUNS; i++) runs.push(await coldStart(runner, kind));
  const list = runs.map((r) => r.list).sort((a, b) => a - b);
  const call = runs.map((r) => r.call).sort((a, b) => a - b);
  const store = kind === 'memory' ? 'pglite://memory' : 'pglite://<fresh folder>';
  const ms = (n: number | undefined): string => fmt(n ?? NaN, 0);
  return [
    label,
    store,
    String(runs.length),
    ms(percentile(list, 50)),
    ms(list.at(-1)),
    ms(percentile(call, 50)),
    ms(call.at(-1)),
  ];
}

/** The runners to time the cold start with: tsx always, dist/main.js when built (with its build time). */
async function runners(): Promise<{ runner: Runner; label: string }[]> {
  const found: { runner: Runner; label: string }[] = [
    { runner: 'tsx', label: 'node --import tsx src/main.ts' },
  ];
  try {
    const built = await stat(join(ROOT, 'dist/main.js'));
    found.push({
      runner: 'dist',
      label: `node dist/main.js (built ${built.mtime.toISOString().slice(0, 16)}Z)`,
    });
  } catch {
    // Not built: only tsx is timed.
  }
  return found;
}

/**
 * Each server gets its own fresh store, never shared: the default (PGlite in a folder), or a new
 * database on this machine's PostgreSQL (TEST_POSTGRES_ADMIN_URL, as the tests find it), dropped
 * afterwards.
 */
async function withStore<T>(kind: RoundTripStore, run: (store: DataStore) => Promise<T>): Promise<T> {
  let store: DataStore;
  if (kind === 'disk') {
    store = await dataStore('disk');
  } else {
    const database = await createTestDatabase('postgres');
    store = { kind, url: database.url, remove: () => database.drop() };
  }
  try {
    return await run(store);
  } finally {
    await store.remove();
  }
}

async function runRoundTrips(): Promise<void> {
  const rows: string[][] = [];
  let sizes: string[][] = [];
  for (const kind of (['disk', 'postgres'] as const).filter((k) => STORES.includes(k))) {
    rows.push(await withStore(kind, inProcessRoundTrips), await withStore(kind, stdioRoundTrips));
    const http = await withStore(kind, httpRoundTrips);
    rows.push(...http.rows);
    if (kind === 'disk') sizes = http.sizes;
  }
  printTable(
    `executeOrder round trip from an SDK Client, ${CALLS.toLocaleString('en-US')} sequential market orders on ${SYMBOL} after ${WARM_UP} to warm up; server run through tsx, random feed, paper venues with no simulated latency (${INSTANT_VENUES}); targets p50 ≤ 2 ms, p99 ≤ 10 ms`,
    [
      'client → server',
      'store',
      'calls',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'server CPU ms/call',
      'client CPU ms/call',
      'PostgreSQL CPU ms/call',
    ],
    rows,
  );
  console.log(
    'CPU per call (Linux /proc): the server process (in this process: server and client together), the client (this process), and every PostgreSQL process; on two CPUs the round trip follows their sum.',
  );
  printTable(
    'tools/list result as JSON (Streamable HTTP, one key per agent); target ≤ 24 KB',
    ['agent', 'tools', 'bytes', 'KB'],
    sizes,
  );
}

async function runColdStarts(): Promise<void> {
  const rows: string[][] = [];
  for (const { runner, label } of await runners()) {
    for (const kind of ['memory', 'disk'] as const) rows.push(await coldStartRow(runner, kind, label));
  }
  printTable(
    `Cold start over stdio: spawn to the first tools/list response, and to the first tool call that needs the trading core (listOrders); ${COLD_RUNS} runs each, default venues and random feed; target tools/list ≤ 1,000 ms`,
    ['server', 'store', 'runs', 'tools/list p50 ms', 'max ms', 'first call p50 ms', 'max ms'],
    rows,
  );
}

/** `only`: 'roundtrip' (round trips and tools/list sizes) or 'cold' to run one part. */
export async function runMcpBenchmarks(only?: string): Promise<void> {
  if (only === undefined || only === 'roundtrip') await runRoundTrips();
  if (only === undefined || only === 'cold') await runColdStarts();
}
