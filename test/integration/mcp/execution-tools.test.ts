/**
 * executeOrder's contingent, algorithm and routing forms and the tools around them (analyzeOrder,
 * getExecutionAnalytics, listVenues), through the SDK's Client over the in-memory transport against
 * the real core (PGlite in memory, the test venues on a scripted market, a simulated clock that
 * only simulateMarket moves).
 */
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { toolDeps } from '../../../src/mcp/deps.js';
import { ResourceChanges } from '../../../src/mcp/resources.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import type { CallerAgent, ToolDeps } from '../../../src/mcp/tool-kit.js';
import { type Structured, callTool as call, connectInMemory, startTestCore } from '../../support/core.js';

let app: TradingApp;
let deps: ToolDeps;
let changes: ResourceChanges;
let client: Client;

beforeAll(async () => {
  const core = await startTestCore();
  app = core.app;
  deps = toolDeps(app, core.registry);
  changes = new ResourceChanges(app.bus);
  core.feed.set('AAPL', { book: { bids: [['189.98', '50000']], asks: [['190.02', '50000']] } });
  const caller: CallerAgent = { id: 'execution-tools-test', scopes: new Set(['read', 'trade', 'simulate']) };
  const server = createMcpServer(deps, caller, { version: 'test', changes });
  client = await connectInMemory(server, new Client({ name: 'execution-tools-test', version: '1.0.0' }));
});

afterAll(async () => {
  await client.close();
  changes.stop();
  await app.stop();
});

interface WireOrder {
  readonly orderId: string;
  readonly status: string;
  readonly role?: string;
  readonly held?: boolean;
  readonly algo?: string;
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly legs?: WireOrder[];
  readonly children?: WireOrder[];
}

describe('execution tools', () => {
  it('places a bracket: the entry with its two exits as legs, activated by the entry fill', async () => {
    const placed = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: '10',
      type: 'limit',
      limitPrice: '190.02',
      orderClass: 'bracket',
      takeProfit: { limitPrice: '200' },
      stopLoss: { stopPrice: '180' },
      clientOrderId: 'mcp-bracket-1',
    });
    expect(placed.isError, placed.text).toBe(false);
    const order = placed.structured as unknown as WireOrder;
    expect(order).toMatchObject({ role: 'entry', status: 'filled' });
    expect(order.legs?.map((l) => [l.role, l.quantity, l.held ?? false])).toEqual([
      ['take_profit', '10', false],
      ['stop_loss', '10', false],
    ]);
    const again = await call(client, 'getOrder', { orderId: order.orderId });
    expect(again.isError).toBe(false);
  });

  it('refuses takeProfit without an order class, and a bracket out of order, changing nothing', async () => {
    const before = (await app.service.listOrders({ status: 'all', limit: 200 })).orders.length;
    const loose = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      takeProfit: { limitPrice: '200' },
    });
    expect(loose.isError).toBe(true);
    expect((loose.structured['error'] as Structured)['code']).toBe('INVALID_ARGUMENT');
    const crossed = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      type: 'limit',
      limitPrice: '190',
      orderClass: 'bracket',
      takeProfit: { limitPrice: '185' },
      stopLoss: { stopPrice: '180' },
    });
    expect((crossed.structured['error'] as Structured)['code']).toBe('INVALID_ORDER');
    expect((await app.service.listOrders({ status: 'all', limit: 200 })).orders.length).toBe(before);
  });

  it('analyzeOrder plans without placing anything', async () => {
    const before = (await app.service.listOrders({ status: 'all', limit: 200 })).orders.length;
    const analyzed = await call(client, 'analyzeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: '100',
      routing: { objective: 'lowest_cost', allowSplit: true },
    });
    expect(analyzed.isError, analyzed.text).toBe(false);
    const plan = analyzed.structured as {
      allocations: { venue: string; quantity: string; expectedPrice?: string }[];
      expectedAveragePrice?: string;
      marketImpactBps: string;
      objective: string;
    };
    expect(plan.objective).toBe('lowest_cost');
    expect(plan.allocations).toEqual([expect.objectContaining({ venue: 'paper-equities', quantity: '100' })]);
    expect(plan.expectedAveragePrice).toBe('190.02');
    expect(Number(plan.marketImpactBps)).toBeGreaterThan(0);
    expect((await app.service.listOrders({ status: 'all', limit: 200 })).orders.length).toBe(before);
  });

  it('a TWAP reports its fills as progress to a caller who sent a progress token, and ends filled', async () => {
    const progress: { progress: number; total?: number | undefined }[] = [];
    const t0 = app.exchange.clock.now();
    const pending = client.callTool(
      {
        name: 'executeOrder',
        arguments: {
          symbol: 'AAPL',
          side: 'buy',
          quantity: '30',
          // A limit: a market buy would be a wash trade against the bracket's open take-profit.
          type: 'limit',
          limitPrice: '190.02',
          algo: { type: 'twap', durationSeconds: 120, slices: 3 },
          clientOrderId: 'mcp-twap-1',
        },
      },
      { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true },
    );
    const filled = (): number => progress.at(-1)?.progress ?? 0;
    // The simulated clock moves only with simulateMarket: one step per slice, then the horizon.
    for (const [k, seconds] of [40, 80, 120].entries()) {
      await waitFor(() => filled() >= 10 * (k + 1));
      const moved = await call(client, 'simulateMarket', {
        symbol: 'AAPL',
        bid: '189.98',
        ask: '190.02',
        bidSize: '50000',
        askSize: '50000',
        at: new Date(t0 + seconds * 1_000).toISOString(),
      });
      expect(moved.isError, moved.text).toBe(false);
    }
    const result = await pending;
    expect(result.isError, JSON.stringify(result.content)).not.toBe(true);
    const parent = result.structuredContent as WireOrder;
    expect(parent).toMatchObject({ role: 'parent', algo: 'twap', status: 'filled', filledQuantity: '30' });
    expect(parent.children?.map((c) => c.filledQuantity)).toEqual(['10', '10', '10']);
    expect(progress.at(-1)).toEqual(expect.objectContaining({ progress: 30, total: 30 }));
    expect(progress.length).toBeGreaterThanOrEqual(3);
  });

  it('getExecutionAnalytics reports per venue what the orders above cost', async () => {
    await app.recorder.idle();
    const analytics = await call(client, 'getExecutionAnalytics', { venue: 'paper-equities' });
    expect(analytics.isError, analytics.text).toBe(false);
    const venues = analytics.structured['venues'] as { venue: string; orders: number; fillRate: string }[];
    expect(venues).toEqual([expect.objectContaining({ venue: 'paper-equities' })]);
    expect(venues[0]?.orders).toBeGreaterThan(0);
  });

  it('getExecutionAnalytics already counts an order that ended just before the call', async () => {
    const ordersSoFar = async (): Promise<number> => {
      const answer = await call(client, 'getExecutionAnalytics', { venue: 'paper-equities' });
      expect(answer.isError, answer.text).toBe(false);
      return (answer.structured['venues'] as { orders: number }[])[0]?.orders ?? 0;
    };
    const before = await ordersSoFar();
    const placed = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      type: 'limit',
      limitPrice: '190.02',
    });
    expect(placed.structured).toMatchObject({ status: 'filled' });
    // The recorder measures ended orders in batches; a read waits for the batch under way.
    expect(await ordersSoFar()).toBe(before + 1);
  });

  it('listVenues shows measured latency, order types, native groups and a symbol’s market', async () => {
    const listed = await call(client, 'listVenues', { symbol: 'AAPL' });
    const venues = listed.structured['venues'] as {
      venue: string;
      latencyMs?: number;
      nativeContingent: string[];
      market?: { bid?: string; ask?: string; spreadBps?: string };
    }[];
    const equities = venues.find((v) => v.venue === 'paper-equities');
    expect(equities?.nativeContingent).toEqual(['bracket', 'oco', 'oto']);
    expect(equities?.market).toMatchObject({ bid: '189.98', ask: '190.02', spreadBps: '2.11' });
    expect(typeof equities?.latencyMs).toBe('number');
  });
});

describe('an agent limited to some accounts', () => {
  it('cannot pin another account, and the router never chooses one', async () => {
    const caller: CallerAgent = {
      id: 'crypto-only-test',
      scopes: new Set(['read', 'trade']),
      accounts: ['crypto-cash'],
    };
    const server = createMcpServer(deps, caller, { version: 'test', changes });
    const limited = await connectInMemory(server, new Client({ name: 'limited', version: '1.0.0' }));
    const before = (await app.service.listOrders({ status: 'all', limit: 200 })).orders.length;
    const pinned = await call(limited, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      account: 'eq-margin',
    });
    expect((pinned.structured['error'] as Structured)['code']).toBe('FORBIDDEN');
    const routed = await call(limited, 'executeOrder', { symbol: 'AAPL', side: 'buy', quantity: '1' });
    expect((routed.structured['error'] as Structured)['code']).toBe('SYMBOL_NOT_TRADABLE');
    expect((await app.service.listOrders({ status: 'all', limit: 200 })).orders.length).toBe(before);
    await limited.close();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i += 1) await new Promise((r) => setImmediate(r));
}
