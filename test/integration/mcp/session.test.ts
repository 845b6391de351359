/**
 * What an MCP session gives beyond single tool calls, through the SDK's own Client over the
 * in-memory transport against the real core: a hidden tool answers FORBIDDEN, resources mirror
 * the tools and notify subscribers on fills and status changes, long calls report progress and
 * stop when canceled, and large orders need the person's confirmation (elicitation or a token).
 */
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { toolDeps } from '../../../src/mcp/deps.js';
import { ResourceChanges } from '../../../src/mcp/resources.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import type { CallerAgent, Scope, ToolDeps } from '../../../src/mcp/tool-kit.js';
import type { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import {
  type Structured,
  callTool as call,
  connectInMemory,
  resourceUpdates,
  startTestCore,
} from '../../support/core.js';

let app: TradingApp;
let deps: ToolDeps;
let changes: ResourceChanges;
let feed: ScriptedFeed;

const AAPL_BOOK = {
  bids: [['189.98', '5000']] as [string, string][],
  asks: [['190.02', '5000']] as [string, string][],
};

beforeAll(async () => {
  const core = await startTestCore();
  ({ app, feed } = core);
  deps = toolDeps(app, core.registry);
  changes = new ResourceChanges(app.bus);
  feed.set('AAPL', { book: AAPL_BOOK });
  feed.set('MSFT', { book: { bids: [['409.90', '5000']], asks: [['410.10', '5000']] } });
  feed.set('NVDA', { book: { bids: [['899.50', '5000']], asks: [['900.50', '5000']] } });
});

afterAll(async () => {
  changes.stop();
  await app.stop();
});

interface Connect {
  scopes?: readonly Scope[];
  id?: string;
  confirmAboveNotional?: string;
  elicit?: (message: string) => { action: 'accept' | 'decline'; content?: { confirm: boolean } };
}

async function connect(options: Connect = {}): Promise<Client> {
  const caller: CallerAgent = {
    id: options.id ?? 'session-tester',
    scopes: new Set(options.scopes ?? ['read', 'trade']),
    ...(options.confirmAboveNotional === undefined
      ? {}
      : { confirmAboveNotional: dec(options.confirmAboveNotional) }),
  };
  const server = createMcpServer(deps, caller, { version: 'test', changes });
  const elicit = options.elicit;
  const client = new Client(
    { name: 'session-test', version: '1.0.0' },
    elicit === undefined ? {} : { capabilities: { elicitation: { form: {} } } },
  );
  if (elicit !== undefined) {
    client.setRequestHandler('elicitation/create', (request) => {
      const params = request.params as { message: string };
      return elicit(params.message);
    });
  }
  return connectInMemory(server, client);
}

async function orderCount(): Promise<number> {
  return (await app.service.listOrders({ status: 'all', limit: 200 })).orders.length;
}

describe('scopes', () => {
  it('hides a tool outside the scopes and answers a direct call FORBIDDEN, changing nothing', async () => {
    const client = await connect({ scopes: ['read'], id: 'reader' });
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('executeOrder');
    const before = await orderCount();
    const refused = await call(client, 'executeOrder', { symbol: 'AAPL', side: 'buy', quantity: '1' });
    expect(refused.isError).toBe(true);
    expect(refused.structured).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((refused.structured['error'] as { hint?: string }).hint).toBeTruthy();
    expect(await orderCount()).toBe(before);
    await client.close();
  });
});

describe('resources', () => {
  it('lists and reads the resources as the tools show them', async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual([
      'trading://account',
      'trading://orders/open',
      'trading://positions',
      'trading://risk/limits',
      'trading://venues',
    ]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['trading://orders/{orderId}']);
    const venues = await client.readResource({ uri: 'trading://venues' });
    const listed = JSON.parse((venues.contents[0] as { text: string }).text) as { venues: Structured[] };
    expect(listed.venues.map((v) => v['venue'])).toEqual(app.exchange.venues.map((v) => v.venue));

    const placed = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: '3',
      limitPrice: '180',
      timeInForce: 'gtc',
    });
    const orderId = placed.structured['orderId'] as string;
    const one = await client.readResource({ uri: `trading://orders/${orderId}` });
    const order = JSON.parse((one.contents[0] as { text: string }).text) as Structured;
    expect(order).toMatchObject({ orderId, quantity: '3', limitPrice: '180', status: 'new' });
    await call(client, 'cancelOrder', { orderId });
    await client.close();
  });

  it('notifies a subscriber when its order fills, and stays quiet for what it did not subscribe to', async () => {
    const client = await connect();
    const updated = resourceUpdates(client);
    const placed = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: '2',
      limitPrice: '185',
      timeInForce: 'gtc',
    });
    const orderId = placed.structured['orderId'] as string;
    await client.subscribeResource({ uri: `trading://orders/${orderId}` });
    await client.subscribeResource({ uri: 'trading://positions' });
    expect(updated).toEqual([]);

    // The market falls through the limit: the order fills and the position opens.
    feed.set('AAPL', { book: { bids: [['184.90', '5000']], asks: [['184.95', '5000']] } });
    await expect.poll(() => updated.length).toBeGreaterThanOrEqual(2);
    expect(new Set(updated)).toEqual(new Set([`trading://orders/${orderId}`, 'trading://positions']));
    expect(updated).not.toContain('trading://account');
    const filled = JSON.parse(
      ((await client.readResource({ uri: `trading://orders/${orderId}` })).contents[0] as { text: string })
        .text,
    ) as Structured;
    expect(filled).toMatchObject({ status: 'filled', filledQuantity: '2' });

    await client.unsubscribeResource({ uri: 'trading://positions' });
    await client.unsubscribeResource({ uri: `trading://orders/${orderId}` });
    updated.length = 0;
    await call(client, 'closePosition', { symbol: 'AAPL' });
    await client.close();
    expect(updated).toEqual([]);
    feed.set('AAPL', { book: AAPL_BOOK });
  });
});

describe('long calls', () => {
  async function buyThree(client: Client): Promise<void> {
    for (const symbol of ['AAPL', 'MSFT', 'NVDA']) {
      const bought = await call(client, 'executeOrder', { symbol, side: 'buy', quantity: '1' });
      expect(bought.structured['status'], symbol).toBe('filled');
    }
  }
  const openPositions = async () =>
    (await app.service.portfolio()).positions.filter((p) => p.side !== 'flat').map((p) => p.symbol);

  it('reports progress for closeAllPositions, symbol by symbol', async () => {
    const client = await connect();
    await buyThree(client);
    const progress: { progress: number; total?: number | undefined }[] = [];
    const closed = await client.callTool(
      { name: 'closeAllPositions', arguments: {} },
      { onprogress: (p) => progress.push(p) },
    );
    expect(closed.isError).not.toBe(true);
    expect(progress.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(await openPositions()).toEqual([]);
    await client.close();
  });

  it('a canceled closeAllPositions stops before the next symbol', async () => {
    const client = await connect();
    await buyThree(client);
    // The engine's part, deterministically: the signal is aborted when the first symbol is done.
    const controller = new AbortController();
    const orders = await app.service.closeAllPositions(
      { agentId: 'session-tester' },
      {
        signal: controller.signal,
        onProgress: () => {
          controller.abort();
        },
      },
    );
    expect(orders).toHaveLength(1);
    expect(await openPositions()).toHaveLength(2);

    // Over MCP: the client's cancel reaches the call (it rejects on the client side at once).
    const canceled = new AbortController();
    await expect(
      client.callTool(
        { name: 'closeAllPositions', arguments: {} },
        {
          signal: canceled.signal,
          onprogress: () => {
            canceled.abort();
          },
        },
      ),
    ).rejects.toThrow();
    await client.callTool({ name: 'closeAllPositions', arguments: {} });
    await expect.poll(openPositions).toEqual([]);
    await client.close();
  });
});

describe('confirmation above the agent threshold', () => {
  const large = {
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: '100',
    limitPrice: '150',
    timeInForce: 'gtc',
  };

  it('refuses with a preview and a token bound to the exact request, single-use, for 60 seconds', async () => {
    const client = await connect({ confirmAboveNotional: '10000', id: 'confirming' });
    const before = await orderCount();
    const small = await call(client, 'executeOrder', { ...large, quantity: '66' });
    expect(small.isError).toBe(false);
    await call(client, 'cancelOrder', { orderId: small.structured['orderId'] });

    const refused = await call(client, 'executeOrder', large);
    expect(refused.structured).toMatchObject({
      error: {
        code: 'CONFIRMATION_REQUIRED',
        details: { preview: { estimatedNotional: '15000', threshold: '10000', quantity: '100' } },
      },
    });
    const token = (refused.structured['error'] as { details: { confirmToken: string } }).details.confirmToken;
    expect(await orderCount()).toBe(before + 1);

    const otherRequest = await call(client, 'executeOrder', {
      ...large,
      quantity: '101',
      confirmToken: token,
    });
    expect(otherRequest.structured).toMatchObject({ error: { code: 'CONFIRMATION_REQUIRED' } });
    const used = await call(client, 'executeOrder', { ...large, confirmToken: token });
    expect(used.structured).toMatchObject({ error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(await orderCount()).toBe(before + 1);

    const again = await call(client, 'executeOrder', large);
    const fresh = (again.structured['error'] as { details: { confirmToken: string } }).details.confirmToken;
    const placed = await call(client, 'executeOrder', { ...large, confirmToken: fresh });
    expect(placed.isError).toBe(false);
    expect(placed.structured).toMatchObject({ quantity: '100', status: 'new', agentId: 'confirming' });
    await call(client, 'cancelOrder', { orderId: placed.structured['orderId'] });

    const late = await call(client, 'executeOrder', large);
    const expiring = (late.structured['error'] as { details: { confirmToken: string } }).details.confirmToken;
    const clock = app.exchange.clock;
    if (!(clock instanceof SimulatedClock)) throw new Error('expected the simulated clock');
    clock.advanceTo(clock.now() + 60_000);
    const expired = await call(client, 'executeOrder', { ...large, confirmToken: expiring });
    expect(expired.structured).toMatchObject({ error: { code: 'CONFIRMATION_REQUIRED' } });
    expect(await orderCount()).toBe(before + 2);
    await client.close();
  });

  it('asks the person through elicitation when the client supports it', async () => {
    // A fresh quote: an earlier test moved the clock a minute on (STALE_QUOTE past 5 s).
    feed.set('AAPL', { book: AAPL_BOOK });
    const asked: string[] = [];
    const approving = await connect({
      confirmAboveNotional: '10000',
      id: 'elicited',
      elicit: (message) => {
        asked.push(message);
        return { action: 'accept', content: { confirm: true } };
      },
    });
    const before = await orderCount();
    const placed = await call(approving, 'executeOrder', large);
    expect(placed.isError).toBe(false);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('buy 100 AAPL');
    expect(await orderCount()).toBe(before + 1);
    await call(approving, 'cancelOrder', { orderId: placed.structured['orderId'] });
    await approving.close();

    const declining = await connect({
      confirmAboveNotional: '10000',
      id: 'elicited',
      elicit: () => ({ action: 'decline' }),
    });
    const declined = await call(declining, 'executeOrder', large);
    expect(declined.structured).toMatchObject({ error: { code: 'CONFIRMATION_REQUIRED' } });
    expect((declined.structured['error'] as { message: string }).message).toContain('Declined');
    expect(await orderCount()).toBe(before + 1);
    await declining.close();
  });
});
