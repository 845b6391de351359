/**
 * The real server as a child process serving MCP over stdio (`src/main.ts --stdio`), driven by the
 * SDK's stdio client: stdout carries JSON-RPC only, the local agent sees every tool, and an order
 * is placed and canceled.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { TOOLS } from '../../../src/mcp/tools.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let client: Client;
const transportErrors: Error[] = [];

beforeAll(async () => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !/^(TRADING_|PAPER_|DATABASE_URL$)/.test(e[0]),
    ),
  );
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts', '--stdio'],
    cwd: ROOT,
    env: {
      ...env,
      DATABASE_URL: 'pglite://memory',
      PAPER_FEED: 'random',
      PAPER_VENUES_FILE: 'test/fixtures/venues-instant.json',
      LOG_LEVEL: 'warn',
    },
    stderr: 'pipe',
  });
  transport.onerror = (error) => transportErrors.push(error);
  client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
}, 30_000);

afterAll(async () => {
  await client.close();
});

describe('MCP over stdio', () => {
  it('lists every tool for the local agent', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
  });

  it('places a resting order and cancels it; stdout carried nothing but JSON-RPC', async () => {
    const quote = await client.callTool({ name: 'getQuote', arguments: { symbols: ['BTC/USD'] } });
    const bid = (quote.structuredContent as { quotes: { bid: string }[] }).quotes[0]?.bid ?? '2';
    const far = dec(bid).div(2).floor().toFixed(); // half the bid: rests, never fills
    const placed = await client.callTool({
      name: 'executeOrder',
      arguments: {
        symbol: 'BTC/USD',
        side: 'buy',
        type: 'limit',
        quantity: '0.001',
        limitPrice: far,
        timeInForce: 'gtc',
        clientOrderId: 'stdio-1',
        reason: 'stdio test',
      },
    });
    expect(placed.isError).not.toBe(true);
    expect(placed.structuredContent).toMatchObject({
      clientOrderId: 'stdio-1',
      status: 'new',
      agentId: 'local',
    });
    const canceled = await client.callTool({ name: 'cancelOrder', arguments: { clientOrderId: 'stdio-1' } });
    expect(canceled.structuredContent).toMatchObject({ status: 'canceled' });
    expect(transportErrors).toEqual([]);
  });
});
