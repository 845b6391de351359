/**
 * Every MCP tool driven through the SDK's own Client over the in-memory transport, against the real
 * trading core (PGlite in memory, the paper venues on a scripted market and a simulated clock):
 * results match their output schemas and the contract's shapes, refusals are isError results with
 * a code and a hint and leave no order behind, and scopes decide which tools exist.
 */
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRegistry } from '../../../src/agents/registry.js';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { toolDeps } from '../../../src/mcp/deps.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import type { CallerAgent, Scope } from '../../../src/mcp/tool-kit.js';
import { TOOLS } from '../../../src/mcp/tools.js';
import { type Structured, callTool as call, connectInMemory, startTestCore } from '../../support/core.js';

let app: TradingApp;
let registry: AgentRegistry;

beforeAll(async () => {
  const core = await startTestCore();
  ({ app, registry } = core);
  core.feed.set('AAPL', {
    book: {
      bids: [['189.98', '500']],
      asks: [
        ['190.02', '300'],
        ['190.05', '1000'],
      ],
    },
  });
});

afterAll(async () => {
  await app.stop();
});

async function connect(scopes: readonly Scope[], id = 'tester'): Promise<Client> {
  const caller: CallerAgent = { id, scopes: new Set(scopes) };
  const server = createMcpServer(toolDeps(app, registry), caller, { version: 'test' });
  return connectInMemory(server, new Client({ name: 'tools-test', version: '1.0.0' }));
}

async function orderCount(client: Client): Promise<number> {
  const listed = await call(client, 'listOrders', { status: 'all', limit: 200 });
  return (listed.structured['orders'] as unknown[]).length;
}

describe('MCP tools over the in-memory transport', () => {
  it('lists every tool with a title, four annotations and both schemas, in a fixed order', async () => {
    const client = await connect(['read', 'trade', 'simulate']);
    const { tools } = await client.listTools();
    // Every tool but the risk:admin ones, in the table's order.
    expect(tools.map((t) => t.name)).toEqual(
      TOOLS.filter((t) => t.scope !== 'risk:admin').map((t) => t.name),
    );
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description, tool.name).toBeTruthy();
      expect(Object.keys(tool.annotations ?? {}).sort(), tool.name).toEqual([
        'destructiveHint',
        'idempotentHint',
        'openWorldHint',
        'readOnlyHint',
      ]);
      expect(tool.outputSchema, tool.name).toBeDefined();
      expect(tool.inputSchema.type, tool.name).toBe('object');
    }
    await client.close();
  });

  it('shows a read-only agent only the read tools', async () => {
    const client = await connect(['read']);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(TOOLS.filter((t) => t.scope === 'read').map((t) => t.name));
    expect(names).not.toContain('executeOrder');
    await client.close();
  });

  it('places an order with decimals as strings, is idempotent by clientOrderId, and refuses a reuse', async () => {
    const client = await connect(['read', 'trade'], 'agent-exec');
    const request = {
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: '10',
      limitPrice: '189.50',
      timeInForce: 'gtc',
      clientOrderId: 'mcp-idem-1',
      reason: 'test entry',
    };
    const placed = await call(client, 'executeOrder', request);
    expect(placed.isError).toBe(false);
    expect(placed.structured).toMatchObject({
      clientOrderId: 'mcp-idem-1',
      agentId: 'agent-exec',
      reason: 'test entry',
      symbol: 'AAPL',
      quantity: '10',
      limitPrice: '189.5',
      filledQuantity: '0',
      status: 'new',
      orderClass: 'simple',
    });
    expect(placed.text).toContain('new');
    const again = await call(client, 'executeOrder', request);
    expect(again.structured['orderId']).toBe(placed.structured['orderId']);
    const reused = await call(client, 'executeOrder', { ...request, quantity: '11' });
    expect(reused.isError).toBe(true);
    expect(reused.structured).toMatchObject({ error: { code: 'DUPLICATE_CLIENT_ORDER_ID' } });

    // A number is taken exactly as written: 0.1 is one tenth, not a binary fraction.
    const modified = await call(client, 'modifyOrder', { clientOrderId: 'mcp-idem-1', limitPrice: 189.1 });
    expect(modified.isError).toBe(false);
    expect(modified.structured['limitPrice']).toBe('189.1');

    const detail = await call(client, 'getOrder', { orderId: placed.structured['orderId'] });
    const kinds = (detail.structured['events'] as { kind: string }[]).map((e) => e.kind);
    // The request as sent, the venue's pending-replace report, then the replace (ORDER-SEMANTICS.md §5).
    expect(kinds).toEqual(['ack', 'rpl_req', 'rpl_req', 'rpl']);
    const canceled = await call(client, 'cancelOrder', { clientOrderId: 'mcp-idem-1' });
    expect(canceled.structured['status']).toBe('canceled');
    const twice = await call(client, 'cancelOrder', { clientOrderId: 'mcp-idem-1' });
    expect(twice.structured).toMatchObject({ error: { code: 'ORDER_NOT_OPEN' } });
    await client.close();
  });

  it('fills a market order across two levels, and positions, accounts and quotes follow', async () => {
    const client = await connect(['read', 'trade']);
    const filled = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: 400,
      clientOrderId: 'mcp-fill-1',
      reason: 'two levels',
    });
    expect(filled.structured).toMatchObject({
      status: 'filled',
      filledQuantity: '400',
      averageFillPrice: '190.0275', // (300 × 190.02 + 100 × 190.05) / 400
    });
    const detail = await call(client, 'getOrder', { clientOrderId: 'mcp-fill-1' });
    expect(
      (detail.structured['fills'] as { quantity: string; price: string }[]).map((f) => [f.quantity, f.price]),
    ).toEqual([
      ['300', '190.02'],
      ['100', '190.05'],
    ]);
    const positions = await call(client, 'getPositions', { symbol: 'AAPL' });
    const [aapl] = positions.structured['positions'] as Structured[];
    expect(aapl).toMatchObject({
      symbol: 'AAPL',
      side: 'long',
      quantity: '400',
      averageEntryPrice: '190.0275',
    });
    const account = await call(client, 'getAccount', {});
    expect(account.structured['tradingState']).toBe('active');
    expect((account.structured['accounts'] as unknown[]).length).toBeGreaterThan(0);
    const quote = await call(client, 'getQuote', { symbols: ['AAPL'] });
    expect((quote.structured['quotes'] as Structured[])[0]).toMatchObject({ symbol: 'AAPL', bid: '189.98' });

    const closed = await call(client, 'closePosition', { symbol: 'AAPL', percentage: '25', reason: 'trim' });
    const [closing] = closed.structured['orders'] as Structured[];
    expect(closing).toMatchObject({ side: 'sell', quantity: '100', status: 'filled' });
    await client.close();
  });

  it('refuses bad input with INVALID_ARGUMENT naming the field, and stores nothing', async () => {
    const client = await connect(['read', 'trade']);
    const before = await orderCount(client);
    for (const args of [
      { symbol: 'AAPL', side: 'buy', quantity: 'ten' },
      { symbol: 'AAPL', side: 'hold', quantity: '1' },
      { symbol: 'AAPL', side: 'buy', quantity: '-1' },
      { symbol: 'AAPL', side: 'buy', quantity: '1', type: 'limit' },
      { symbol: 'NOPE', side: 'buy', quantity: '1' },
      { symbol: 'AAPL', side: 'buy', quantity: '0.0000000001' },
      { symbol: 'AAPL', side: 'buy', quantity: '1', type: 'limit', limitPrice: '190.001' },
    ]) {
      const refused = await call(client, 'executeOrder', args);
      expect(refused.isError, JSON.stringify(args)).toBe(true);
      const error = refused.structured['error'] as { code: string; message: string; hint?: string };
      expect(error.code, JSON.stringify(args)).toMatch(/^[A-Z_]+$/);
      expect(error.hint, JSON.stringify(args)).toBeTruthy();
    }
    const bad = await call(client, 'executeOrder', { symbol: 'AAPL', side: 'buy', quantity: 'ten' });
    expect(bad.structured).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { field: 'quantity' } },
    });
    expect(await orderCount(client)).toBe(before);
    // Found by the fuzz test: both refused as bad input, not as INTERNAL failures.
    const nul = await call(client, 'getPositions', { account: 'a\u0000b' });
    expect(nul.structured).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { field: 'account' } },
    });
    const dotted = await call(client, 'executeOrder', {
      symbol: 'AAPL',
      side: 'buy',
      quantity: '1',
      clientOrderId: 'a.b',
    });
    expect(dotted.structured).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { field: 'clientOrderId' } },
    });
    const lower = await call(client, 'listOrders', { status: 'all', symbol: 'aapl' });
    expect((lower.structured['orders'] as Structured[]).length).toBeGreaterThan(0);
    const twoTrails = await call(client, 'modifyOrder', {
      orderId: 'ord_x',
      trailPercent: '1',
      trailPrice: '2',
    });
    expect(twoTrails.structured).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    await client.close();
  });

  it('answers the market, venue and agent tools', async () => {
    const client = await connect(['read']);
    const status = await call(client, 'getMarketStatus', { symbol: 'AAPL' });
    expect(status.structured).toMatchObject({ symbol: 'AAPL', assetClass: 'us_equity', isOpen: true });
    const crypto = await call(client, 'getMarketStatus', { symbol: 'BTC/USD' });
    expect(crypto.structured).toMatchObject({ isOpen: true });
    const venues = await call(client, 'listVenues', {});
    expect((venues.structured['venues'] as Structured[]).map((v) => v['venue'])).toEqual(
      app.exchange.venues.map((v) => v.venue),
    );
    const agents = await call(client, 'listAgents', {});
    expect((agents.structured['agents'] as Structured[]).map((a) => a['agentId'])).toEqual(
      registry.list().map((c) => c.id),
    );
    const notFound = await call(client, 'getOrder', { orderId: 'ord_missing' });
    expect(notFound.structured).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const both = await call(client, 'getOrder', { orderId: 'a', clientOrderId: 'b' });
    expect(both.structured).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    await client.close();
  });
});
