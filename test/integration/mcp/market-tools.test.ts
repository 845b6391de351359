/**
 * getBars and simulateMarket driven through the SDK's own Client over the in-memory transport,
 * against the real trading core (PGlite in memory, durable paper venues on a scripted feed, a
 * simulated clock that only simulateMarket's `at` moves): simulated markets fill and trigger
 * resting orders, `at` expires day orders at the close and never goes backward, and getBars
 * returns the exact OHLCV of the simulated prices, rolled up and paged. The tests run in order:
 * the clock only moves forward.
 */
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRegistry } from '../../../src/agents/registry.js';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { toolDeps } from '../../../src/mcp/deps.js';
import { MARKET_TOOLS } from '../../../src/mcp/market-tools.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import type { CallerAgent, Scope } from '../../../src/mcp/tool-kit.js';
import type { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import { type Structured, callTool, connectInMemory, startTestCore } from '../../support/core.js';

/** The close of START's day (START is 10:00 New York, EST): 16:00 New York = 21:00 UTC. */
const CLOSE = Date.parse('2026-03-04T21:00:00Z');

let app: TradingApp;
let registry: AgentRegistry;
let feed: ScriptedFeed;
let simulator: Client;

beforeAll(async () => {
  ({ app, registry, feed } = await startTestCore());
  simulator = await connect(['read', 'trade', 'simulate'], 'agent-sim');
});

afterAll(async () => {
  await simulator.close();
  await app.stop();
});

async function connect(scopes: readonly Scope[], id = 'tester'): Promise<Client> {
  const caller: CallerAgent = { id, scopes: new Set(scopes) };
  const server = createMcpServer(toolDeps(app, registry), caller, { version: 'test' });
  return connectInMemory(server, new Client({ name: 'market-tools-test', version: '1.0.0' }));
}

/** A tool call, by the simulator unless another client is named. */
const call = (name: string, args: Structured, client = simulator) => callTool(client, name, args);

async function simulate(args: Record<string, unknown>) {
  const result = await call('simulateMarket', args);
  if (result.isError) throw new Error(`simulateMarket refused: ${result.text}`);
  return result;
}

type WireOrder = { clientOrderId: string; status: string; filledQuantity: string; averageFillPrice?: string };
const changed = (result: { structured: Structured }) =>
  (result.structured['orders'] as WireOrder[]).map((o) =>
    [o.clientOrderId, o.status, o.filledQuantity, o.averageFillPrice]
      .filter((v) => v !== undefined)
      .join(' '),
  );

async function place(args: Record<string, unknown>): Promise<Structured> {
  const placed = await call('executeOrder', { symbol: 'AAPL', reason: 'market-tools test', ...args });
  if (placed.isError) throw new Error(`executeOrder refused: ${placed.text}`);
  return placed.structured;
}

type WireBar = { t: string; o: string; h: string; l: string; c: string; v: string };
const rows = (result: { structured: Structured }) =>
  (result.structured['bars'] as WireBar[]).map((b) => [b.t.slice(11, 16), b.o, b.h, b.l, b.c, b.v].join(' '));

describe('simulateMarket and getBars over the in-memory transport', () => {
  it('exist by scope: getBars for readers, simulateMarket only with simulate, and only with paper venues', async () => {
    const reader = await connect(['read', 'trade']);
    const names = (await reader.listTools()).tools.map((t) => t.name);
    expect(names).toContain('getBars');
    expect(names).not.toContain('simulateMarket');
    const direct = await call('simulateMarket', { symbol: 'AAPL', bid: '1' }, reader);
    expect(direct.structured).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await reader.close();

    const listed = (await simulator.listTools()).tools.find((t) => t.name === 'simulateMarket');
    expect(listed?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: false,
    });
    const definition = MARKET_TOOLS.find((t) => t.name === 'simulateMarket');
    const deps = toolDeps(app, registry);
    expect(definition?.available?.(deps)).toBe(true);
    const { paperMarket: _paper, ...withoutPaper } = deps;
    expect(definition?.available?.(withoutPaper)).toBe(false);
    const refused = await definition
      ?.run({ symbol: 'AAPL' }, { id: 'x', scopes: new Set() }, withoutPaper, {
        signal: new AbortController().signal,
        progress: () => undefined,
      })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers an empty list for a symbol without data, and INSTRUMENT_NOT_FOUND for an unknown one', async () => {
    const empty = await call('getBars', { symbol: 'MSFT', timeframe: '1Min' });
    expect(empty.isError).toBe(false);
    expect(empty.structured).toMatchObject({ symbol: 'MSFT', bars: [], truncated: false });
    expect(empty.text).toContain('No bars for MSFT');
    const unknown = await call('getBars', { symbol: 'NOPE', timeframe: '1Min' });
    expect(unknown.structured).toMatchObject({ error: { code: 'INSTRUMENT_NOT_FOUND' } });

    // The feed's own quotes are on the tape too: the mid, as no trade was reported.
    feed.set('MSFT', { bid: '400.00', ask: '400.10' });
    const fed = await call('getBars', { symbol: 'MSFT', timeframe: '1Min' });
    expect(rows(fed)).toEqual(['15:00 400.05 400.05 400.05 400.05 0']);
  });

  it('fills a resting limit that the simulated market crosses, and triggers stops', async () => {
    const opened = await simulate({
      symbol: 'AAPL',
      bid: '189.98',
      ask: '190.02',
      bidSize: 500,
      askSize: 300,
    });
    expect(opened.structured).toMatchObject({
      symbol: 'AAPL',
      replaced: true,
      now: '2026-03-04T15:00:00.000Z',
      venues: [{ venue: 'paper-equities', bid: '189.98', bidSize: '500', ask: '190.02', askSize: '300' }],
      orders: [],
    });
    await place({
      side: 'buy',
      type: 'limit',
      quantity: '10',
      limitPrice: '189.50',
      timeInForce: 'gtc',
      clientOrderId: 'lim-1',
    });
    await place({
      side: 'sell',
      type: 'stop',
      quantity: '5',
      stopPrice: '189.00',
      timeInForce: 'gtc',
      clientOrderId: 'stop-1',
    });
    await place({
      side: 'sell',
      type: 'stop_limit',
      quantity: '3',
      stopPrice: '189.10',
      limitPrice: '189.60',
      timeInForce: 'gtc',
      clientOrderId: 'stoplim-1',
    });
    const untouched = await simulate({ symbol: 'AAPL', bid: '189.80', ask: '189.90' });
    expect(changed(untouched)).toEqual([]);

    const crossed = await simulate({
      symbol: 'AAPL',
      book: { bids: [['188.90', '100']], asks: [['189.40', '100']] },
      last: '189.00',
    });
    // The buy limit fills at its price as maker; the stop sells at the bid; the stop-limit triggers
    // and rests (a sell limit of 189.60 is above the bid).
    expect(changed(crossed).sort()).toEqual([
      'lim-1 filled 10 189.5',
      'stop-1 filled 5 188.9',
      'stoplim-1 triggered 0',
    ]);
    expect(crossed.structured['venues']).toEqual([
      {
        venue: 'paper-equities',
        bid: '188.9',
        bidSize: '100',
        ask: '189.4',
        askSize: '100',
        last: '189',
        timestamp: '2026-03-04T15:00:00.000Z',
      },
    ]);
    expect(crossed.text).toContain('3 order(s) changed');
    // The feed no longer moves a simulated symbol at the venue.
    feed.set('AAPL', { bid: '120.00', ask: '120.10' });
    const quote = await call('getQuote', { symbols: ['AAPL'] });
    expect(quote.structured['quotes']).toMatchObject([{ bid: '188.9', ask: '189.4' }]);
  });

  it('builds exact 1-minute bars from the simulated prices at simulated minutes, rolled up to 5Min', async () => {
    const steps: [string, string, string, string, string?][] = [
      // at, bid, ask, last, volume
      ['15:01:00', '180.00', '180.10', '180.05', '100'],
      ['15:01:30', '180.90', '181.10', '181.00', '50'],
      ['15:01:45', '179.40', '179.60', '179.50', '20'],
      ['15:02:10', '179.80', '180.00', ''], // no trade: the mid, 179.9, and no volume
      ['15:04:59', '181.90', '182.10', '182.00', '10'],
      ['15:05:00', '182.90', '183.10', '183.00', '5'],
      ['15:07:30', '181.40', '181.60', '181.50', '7'],
    ];
    for (const [time, bid, ask, last, volume] of steps) {
      await simulate({
        symbol: 'NVDA',
        bid,
        ask,
        ...(last === '' ? {} : { last }),
        ...(volume === undefined ? {} : { volume }),
        at: `2026-03-04T${time}Z`,
      });
    }
    const minutes = await call('getBars', { symbol: 'NVDA', timeframe: '1Min' });
    expect(rows(minutes)).toEqual([
      '15:01 180.05 181 179.5 179.5 170',
      '15:02 179.9 179.9 179.9 179.9 0',
      '15:04 182 182 182 182 10',
      '15:05 183 183 183 183 5',
      '15:07 181.5 181.5 181.5 181.5 7',
    ]);
    expect(minutes.structured).toMatchObject({ symbol: 'NVDA', timeframe: '1Min', truncated: false });
    expect(minutes.structured['nextCursor']).toBeUndefined();
    const five = await call('getBars', { symbol: 'NVDA', timeframe: '5Min' });
    expect(rows(five)).toEqual(['15:00 180.05 182 179.5 182 180', '15:05 183 183 181.5 181.5 12']);
    const hour = await call('getBars', { symbol: 'NVDA', timeframe: '1Hour' });
    expect(rows(hour)).toEqual(['15:00 180.05 183 179.5 181.5 192']);
    const window = await call('getBars', {
      symbol: 'NVDA',
      timeframe: '1Min',
      start: '2026-03-04T15:02:00Z',
      end: '2026-03-04T15:05:00Z',
    });
    expect(rows(window).map((r) => r.slice(0, 5))).toEqual(['15:02', '15:04', '15:05']);
  });

  it('pages with limit: the newest bars first without start, onward from start with it, and says so', async () => {
    const times = (result: { structured: Structured }) => rows(result).map((r) => r.slice(0, 5));
    let page = await call('getBars', { symbol: 'NVDA', timeframe: '1Min', limit: 2 });
    const seen: string[][] = [times(page)];
    expect(page.structured['truncated']).toBe(true);
    expect(page.text).toContain('Truncated: more with nextCursor (older bars)');
    while (page.structured['nextCursor'] !== undefined) {
      page = await call('getBars', {
        symbol: 'NVDA',
        timeframe: '1Min',
        limit: 2,
        cursor: page.structured['nextCursor'],
      });
      seen.push(times(page));
    }
    expect(seen).toEqual([['15:05', '15:07'], ['15:02', '15:04'], ['15:01']]);
    expect(page.structured['truncated']).toBe(false);

    const forward: string[][] = [];
    let cursor: unknown;
    do {
      const next = await call('getBars', {
        symbol: 'NVDA',
        timeframe: '1Min',
        start: '2026-03-04T15:00:00Z',
        limit: 2,
        ...(cursor === undefined ? {} : { cursor }),
      });
      forward.push(times(next));
      cursor = next.structured['nextCursor'];
    } while (cursor !== undefined);
    expect(forward).toEqual([['15:01', '15:02'], ['15:04', '15:05'], ['15:07']]);

    const badCursor = await call('getBars', { symbol: 'NVDA', timeframe: '1Min', cursor: 'not-a-cursor' });
    expect(badCursor.structured).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { field: 'cursor' } },
    });
    const backwards = await call('getBars', {
      symbol: 'NVDA',
      timeframe: '1Min',
      start: '2026-03-04T15:05:00Z',
      end: '2026-03-04T15:00:00Z',
    });
    expect(backwards.structured).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { field: 'start' } },
    });
  });

  it('refuses an at before the clock with a hint, and changes nothing', async () => {
    const now = app.exchange.clock.now();
    const before = await call('getQuote', { symbols: ['NVDA'] });
    const bars = await call('getBars', { symbol: 'NVDA', timeframe: '1Min' });
    const refused = await call('simulateMarket', {
      symbol: 'NVDA',
      bid: '150',
      ask: '150.10',
      last: '150.05',
      volume: '999',
      at: '2026-03-04T15:03:00Z',
    });
    expect(refused.isError).toBe(true);
    expect(refused.structured).toMatchObject({
      error: {
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('never moves backward') as unknown,
        hint: expect.stringContaining('2026-03-04T15:07:30.000Z') as unknown,
      },
    });
    expect(app.exchange.clock.now()).toBe(now);
    expect((await call('getQuote', { symbols: ['NVDA'] })).structured).toEqual(before.structured);
    expect((await call('getBars', { symbol: 'NVDA', timeframe: '1Min' })).structured).toEqual(
      bars.structured,
    );

    const mixed = await call('simulateMarket', { symbol: 'NVDA', bid: '1', book: { bids: [], asks: [] } });
    expect(mixed.structured).toMatchObject({
      error: { code: 'INVALID_ARGUMENT', details: { field: 'book' } },
    });
    const elsewhere = await call('simulateMarket', { venue: 'paper-crypto', symbol: 'NVDA', bid: '1' });
    expect(elsewhere.structured).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect((elsewhere.structured['error'] as { hint: string }).hint).toContain('paper-equities');
  });

  it('moves the simulated clock past the close with at: a day order expires, a gtc order stays', async () => {
    // A fresh quote first: the risk engine refuses orders on a quote older than 5 s (STALE_QUOTE).
    const refreshed = await simulate({
      symbol: 'AAPL',
      book: { bids: [['188.90', '100']], asks: [['189.40', '100']] },
    });
    expect(changed(refreshed)).toEqual([]);
    await place({
      side: 'buy',
      type: 'limit',
      quantity: '1',
      limitPrice: '150',
      timeInForce: 'day',
      clientOrderId: 'day-1',
    });
    const result = await simulate({ symbol: 'AAPL', at: new Date(CLOSE + 5_000).toISOString() });
    expect(result.structured).toMatchObject({ replaced: false, now: '2026-03-04T21:00:05.000Z' });
    expect(changed(result)).toEqual(['day-1 expired 0']);
    const status = await call('getMarketStatus', { symbol: 'AAPL' });
    expect(status.structured['isOpen']).toBe(false);
    const open = await call('listOrders', { status: 'open' });
    expect((open.structured['orders'] as WireOrder[]).map((o) => o.clientOrderId)).toEqual(['stoplim-1']);
  });
});
