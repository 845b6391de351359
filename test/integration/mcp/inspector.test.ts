/**
 * The MCP Inspector CLI, a client nobody here wrote, against both transports: the real server as
 * a stdio child (`src/main.ts --stdio`, one Inspector run per call, sharing state through a PGlite
 * folder) and the HTTP surface served from this process (test/support/http-server.ts) with an API
 * key. Each lists the tools, places a resting order, cancels it and reads it back canceled; a tool
 * error exits with code 5. The two transports run side by side: each Inspector run is a process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentRegistry, bundledAgentsFolder, loadAgentCards } from '../../../src/agents/registry.js';
import { callerOf } from '../../../src/mcp/caller.js';
import { toolsFor } from '../../../src/mcp/tools.js';
import { type TestServer, startTestServer } from '../../support/http-server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INSPECTOR = join(ROOT, 'node_modules/.bin/mcp-inspector');
/** One Inspector run spawns a process; a stdio run also starts the server (PGlite, migrations). */
const RUN_TIMEOUT_MS = 45_000;
const SESSION_TIMEOUT_MS = 120_000;
/** Variables the server reads: cleared so that the caller's environment cannot reach the Inspector. */
const OWN_VARIABLES = /^(TRADING_|PAPER_|LOG_LEVEL$|DATABASE_URL$|AGENTS_DIR$|HTTP_)/;

interface Outcome {
  /** 0 ok, 5 the tool returned isError (the Inspector's exit codes). */
  readonly code: number;
  readonly result: Record<string, unknown>;
  readonly stderr: string;
}

let registry: AgentRegistry;
let scratch: string;

beforeAll(async () => {
  registry = await loadAgentCards(await bundledAgentsFolder());
  scratch = await mkdtemp(join(tmpdir(), 'inspector-test-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `mcp-inspector --cli <target...> <flags...> --format json` and parses its one JSON object. */
function inspect(target: readonly string[], flags: readonly string[]): Promise<Outcome> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_VARIABLES.test(name)));
  const env = {
    ...base,
    MCP_INSPECTOR_SECRET_STORE: 'memory',
    // Keeps the Inspector's own files (catalog, client config, OAuth state) out of the home folder.
    MCP_STORAGE_DIR: join(scratch, 'inspector'),
    NO_PROXY: '127.0.0.1,localhost',
  };
  const args = [INSPECTOR, '--cli', ...target, ...flags, '--format', 'json'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: RUN_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : error.code;
      if (typeof code !== 'number' || stdout.trim() === '') {
        reject(new Error(`mcp-inspector ${flags.join(' ')} failed (${String(code)}): ${stderr}`));
        return;
      }
      const parsed = JSON.parse(stdout) as { result: Record<string, unknown> };
      resolve({ code, result: parsed.result, stderr });
    });
  });
}

const listTools = (target: readonly string[], extra: readonly string[] = []) =>
  inspect(target, ['--method', 'tools/list', ...extra]);

const callTool = (target: readonly string[], name: string, args: Record<string, unknown>) =>
  inspect(target, ['--method', 'tools/call', '--tool-name', name, '--tool-args-json', JSON.stringify(args)]);

const toolNames = (outcome: Outcome): string[] =>
  (outcome.result['tools'] as { name: string }[]).map((t) => t.name);

const structured = (outcome: Outcome): Record<string, unknown> =>
  outcome.result['structuredContent'] as Record<string, unknown>;

function namesFor(agentId: string): string[] {
  const card = registry.get(agentId);
  if (card === undefined) throw new Error(`no bundled agent card ${agentId}`);
  return toolsFor(callerOf(card)).map((t) => t.name);
}

/** A buy limit far below the market: it rests on the book and never fills. */
const restingBuy = (clientOrderId: string) => ({
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: '1',
  limitPrice: '1.00',
  timeInForce: 'gtc',
  clientOrderId,
  reason: 'inspector test',
});

/**
 * Lists the tools (from `listTarget`, by default the same server), places a resting order, cancels
 * it and reads it back: one Inspector run each.
 */
async function orderSession(
  target: readonly string[],
  agentId: string,
  clientOrderId: string,
  listTarget: readonly string[] = target,
): Promise<void> {
  const listed = await listTools(listTarget);
  expect(listed.code, listed.stderr).toBe(0);
  expect(toolNames(listed)).toEqual(namesFor(agentId));

  const placed = await callTool(target, 'executeOrder', restingBuy(clientOrderId));
  expect(placed.code, placed.stderr).toBe(0);
  expect(placed.result['isError']).toBeUndefined();
  expect(structured(placed)).toMatchObject({
    clientOrderId,
    agentId,
    symbol: 'AAPL',
    limitPrice: '1',
    filledQuantity: '0',
    status: 'new',
  });
  const orderId = structured(placed)['orderId'];
  expect(orderId).toEqual(expect.any(String));

  const canceled = await callTool(target, 'cancelOrder', { clientOrderId });
  expect(canceled.code, canceled.stderr).toBe(0);
  expect(structured(canceled)).toMatchObject({ orderId, status: 'canceled' });

  const read = await callTool(target, 'getOrder', { orderId });
  expect(read.code, read.stderr).toBe(0);
  expect(structured(read)).toMatchObject({ orderId, clientOrderId, status: 'canceled', fills: [] });
  const kinds = (structured(read)['events'] as { kind: string }[]).map((e) => e.kind);
  expect(kinds).toEqual(['ack', 'cxl_req', 'cxl']);
}

describe.concurrent('the MCP Inspector CLI', () => {
  it(
    'over stdio: lists the tools, places a resting order, cancels it and reads it back canceled',
    async () => {
      // Each Inspector run starts its own server; the PGlite folder carries the order between them.
      const server = (databaseUrl: string): string[] => [
        'node',
        '--import',
        'tsx',
        'src/main.ts',
        '--stdio',
        '--cwd',
        ROOT,
        '-e',
        `DATABASE_URL=${databaseUrl}`,
        '-e',
        'PAPER_FEED=random',
        '-e',
        'TRADING_CLOCK=system',
        '-e',
        'LOG_LEVEL=warn',
      ];
      // tools/list is answered before the core has started, and the Inspector disconnects at once:
      // its SDK client then stops the still-starting server with SIGTERM after 2 s. That run gets a
      // store of its own, so that no start is cut short on the shared folder.
      const listing = server('pglite://memory');
      await orderSession(
        server(`pglite://${join(scratch, 'pglite')}`),
        'local',
        'inspector-stdio-1',
        listing,
      );
    },
    SESSION_TIMEOUT_MS,
  );

  describe('over Streamable HTTP, with an API key', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer();
      server.feed.set('AAPL', { book: { bids: [['189.98', '500']], asks: [['190.02', '500']] } });
    });

    afterAll(async () => {
      await server.stop();
    });

    async function target(agentId: string): Promise<string[]> {
      const key = await server.createKey(agentId);
      return [`${server.url}/mcp`, '--header', `Authorization: Bearer ${key}`];
    }

    it(
      'lists the tools, places a resting order, cancels it and reads it back canceled',
      async () => {
        await orderSession(await target('local'), 'local', 'inspector-http-1');
      },
      SESSION_TIMEOUT_MS,
    );

    it('shows the read-only analyst only the read tools, in either protocol era', async () => {
      const analyst = await target('analyst');
      const [legacy, modern] = await Promise.all([
        listTools(analyst),
        listTools(analyst, ['--protocol-era', 'modern']),
      ]);
      for (const listed of [legacy, modern]) {
        expect(listed.code, listed.stderr).toBe(0);
        expect(toolNames(listed)).toEqual(namesFor('analyst'));
      }
      expect(toolNames(legacy)).not.toContain('executeOrder');
    });

    it('exits with code 5 when the tool returns isError', async () => {
      const missing = await callTool(await target('local'), 'cancelOrder', {
        clientOrderId: 'no-such-order',
      });
      expect(missing.code).toBe(5);
      expect(missing.result['isError']).toBe(true);
      expect(structured(missing)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });
  });
});
