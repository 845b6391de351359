/**
 * The whole trading core with an Alpaca connection to the fake Alpaca broker running as a separate
 * process (src/brokers/alpaca/fake), configured the way an operator would (ALPACA_* variables),
 * beside the paper venues. Faults are injected at the fake: 5xx and timeouts on submit with and
 * without the order taken, a dropped stream while an order fills, the venue down. Each ends with
 * no order stuck, none duplicated, every fill applied once, and no credential in any output.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAlpacaProcess, startFakeAlpacaProcess } from '../../../src/brokers/alpaca/fake/process.js';
import type { ConnectionGuard } from '../../../src/brokers/connection-guard.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import type { SubmitInput } from '../../../src/engine/order-service.js';
import { probeHealth } from '../../../src/http/health.js';
import { createLogger } from '../../../src/logger.js';
import { brokerFactories } from '../../../src/main/broker-factories.js';
import { type TestCore, startTestCore } from '../../support/core.js';

const KEY_ID = 'PKFAULTTESTKEY0001';
const SECRET = 'fault-test-secret-9f8e7d6c5b4a';
const VENUE = 'alpaca-paper';

let fake: FakeAlpacaProcess;
let core: TestCore;
const logLines: string[] = [];

/** Polls a condition on real time (the fake is another process); fails after `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The fake's own record of the orders with a client order id (its REST API, not the adapter). */
async function venueOrders(clientOrderId: string): Promise<unknown[]> {
  const response = await fetch(`${fake.url}/v2/orders?status=all&limit=500`, {
    headers: { 'APCA-API-KEY-ID': KEY_ID, 'APCA-API-SECRET-KEY': SECRET },
  });
  const orders = (await response.json()) as { client_order_id: string }[];
  return orders.filter(
    (o) => o.client_order_id === clientOrderId || o.client_order_id.startsWith(`${clientOrderId}~`),
  );
}

const guard = (): ConnectionGuard => {
  const found = core.app.connections.find((c) => c.venue === VENUE);
  if (found === undefined) throw new Error('no Alpaca connection');
  return found;
};
const clock = (): SimulatedClock => {
  const found = core.app.exchange.clock;
  if (!(found instanceof SimulatedClock)) throw new Error('the test core runs on a simulated clock');
  return found;
};
const status = async (clientOrderId: string): Promise<string | undefined> =>
  (await core.app.service.findOrder({ clientOrderId }))?.order.status;
const fillsOf = async (clientOrderId: string): Promise<number> => {
  const stored = await core.app.service.findOrder({ clientOrderId });
  if (stored === undefined) return 0;
  return (await core.app.orders.fills(stored.order.id)).length;
};

/** One reconciliation pass of the Alpaca account, after the in-flight wait (§8.2). */
async function reconcile(): Promise<void> {
  clock().advanceBy(6_000);
  const report = await core.app.reconciler.reconcileAccount(guard(), VENUE);
  expect(report.failed).toBeUndefined();
}

const buy = (clientOrderId: string, extra: Partial<SubmitInput> = {}): SubmitInput => ({
  clientOrderId,
  agentId: 'local',
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: dec(1),
  limitPrice: dec('189.50'),
  timeInForce: 'gtc',
  venue: VENUE,
  ...extra,
});

beforeAll(async () => {
  fake = await startFakeAlpacaProcess({
    keyId: KEY_ID,
    secretKey: SECRET,
    quotes: { AAPL: { bid: '189.99', ask: '190.01', bidSize: '500', askSize: '500' } },
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  core = await startTestCore({
    logger: createLogger('debug', {}, sink),
    env: {
      ALPACA_API_KEY_ID: KEY_ID,
      ALPACA_API_SECRET_KEY: SECRET,
      ALPACA_BASE_URL: fake.url,
      ALPACA_STREAM_URL: fake.streamUrl,
      ALPACA_DATA_URL: fake.url,
    },
    // A short deadline so that a hung submit turns ambiguous quickly.
    brokerFactories: brokerFactories({ timeoutMs: 1_500 }),
    // A venue that fails is tried again after a second (production: 30 s).
    connectionGuard: { halfOpenAfterMs: 1_000, retryDelayMs: 50 },
  });
  core.feed.set('AAPL', { bid: '189.98', ask: '190.03', bidSize: 1000, askSize: 1000 });
}, 60_000);

afterAll(async () => {
  await core.app.stop();
  fake.kill();
  await fake.exited;
  // No credential in any log line of the core or in anything the fake process printed.
  const output = fake.output();
  for (const text of [logLines.join(''), output.stdout, output.stderr]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY_ID);
  }
});

const QUIET = { symbol: 'AAPL', bid: '189.99', ask: '190.01', bidSize: '500', askSize: '500' };

afterEach(async () => {
  await fake.control('faults', undefined, 'DELETE');
  await fake.control('quote', QUIET);
});

describe('the Alpaca connection against the fake broker process', () => {
  it('trades: a limit rests, then fills when the venue market crosses it, the fill applied once', async () => {
    const placed = await core.app.service.submit(buy('plain'));
    expect(placed.order.venue).toBe(VENUE);
    await eventually(async () => (await status('plain')) === 'new');
    await fake.control('quote', {
      symbol: 'AAPL',
      bid: '189.40',
      ask: '189.50',
      bidSize: '500',
      askSize: '500',
    });
    await eventually(async () => (await status('plain')) === 'filled');
    await reconcile();
    expect(await fillsOf('plain')).toBe(1);
  });

  it('a 5xx on submit after the venue took the order: in flight, then resolved to that one order', async () => {
    await fake.control('faults', { route: 'submit', kind: 'error', accept: true });
    const placed = await core.app.service.submit(buy('amb-taken'));
    // Unknown to the caller; the venue's stream may already have told of the order.
    expect(['pending_new', 'new']).toContain(placed.order.status);
    await reconcile();
    await eventually(async () => (await status('amb-taken')) === 'new');
    expect(await venueOrders('amb-taken')).toHaveLength(1);
    // The agent retries with the same client order id: the same order, nothing new at the venue.
    const again = await core.app.service.submit(buy('amb-taken'));
    expect(again.order.id).toBe(placed.order.id);
    expect(await venueOrders('amb-taken')).toHaveLength(1);
  });

  it('a 5xx on submit the venue never took: rejected after the lookups, never re-sent', async () => {
    await fake.control('faults', { route: 'submit', kind: 'error' });
    const placed = await core.app.service.submit(buy('amb-lost'));
    expect(placed.order.status).toBe('pending_new');
    for (let i = 0; i < 3; i += 1) await reconcile();
    const stored = await core.app.service.findOrder({ clientOrderId: 'amb-lost' });
    expect([stored?.order.status, stored?.order.reject?.code]).toEqual(['rejected', 'NOT_FOUND_AT_VENUE']);
    expect(await venueOrders('amb-lost')).toHaveLength(0);
  });

  it('a submit that times out is resolved by its client order id, whether or not the venue took it', async () => {
    await fake.control('faults', { route: 'submit', kind: 'hang', accept: true });
    const taken = await core.app.service.submit(buy('hang-taken'));
    expect(['pending_new', 'new']).toContain(taken.order.status);
    await fake.control('faults', { route: 'submit', kind: 'hang' });
    const lost = await core.app.service.submit(buy('hang-lost'));
    expect(lost.order.status).toBe('pending_new');
    await fake.control('release', {});
    for (let i = 0; i < 3; i += 1) await reconcile();
    await eventually(async () => (await status('hang-taken')) === 'new');
    expect(await status('hang-lost')).toBe('rejected');
    expect(await venueOrders('hang-taken')).toHaveLength(1);
    expect(await venueOrders('hang-lost')).toHaveLength(0);
  });

  it('a dropped stream is resumed and the fill it missed is recovered, once', async () => {
    await core.app.service.submit(buy('missed', { limitPrice: dec('189.60') }));
    await eventually(async () => (await status('missed')) === 'new');
    const before = (await fake.control('stats')) as { eventsSent: number };
    expect(await fake.control('drop-stream', {})).toMatchObject({ dropped: 1 });
    // While nobody listens the order fills at the venue: the stream cannot tell of it.
    await fake.control('quote', {
      symbol: 'AAPL',
      bid: '189.50',
      ask: '189.60',
      bidSize: '500',
      askSize: '500',
    });
    const during = (await fake.control('stats')) as { eventsSent: number; streamClients: number };
    expect([during.eventsSent, during.streamClients]).toEqual([before.eventsSent, 0]);
    await eventually(async () => (await status('missed')) === 'filled');
    await eventually(
      async () => ((await fake.control('stats')) as { streamClients: number }).streamClients === 1,
    );
    await reconcile();
    expect(await fillsOf('missed')).toBe(1);
  });

  it('with the venue down new orders go to another venue, and its orders are reconciled when it returns', async () => {
    await core.app.service.submit(buy('before-outage', { limitPrice: dec('189.70') }));
    await eventually(async () => (await status('before-outage')) === 'new');
    // The venue fails every request; its stream is gone; the order fills there meanwhile.
    await fake.control('faults', { route: 'any', kind: 'error', count: 10_000 });
    await fake.control('drop-stream', {});
    await fake.control('quote', {
      symbol: 'AAPL',
      bid: '189.60',
      ask: '189.70',
      bidSize: '500',
      askSize: '500',
    });
    const failing = guard();
    // Five failed calls in a row (each retried inside) open its circuit.
    for (let i = 0; i < 5; i += 1) await failing.openOrders(VENUE).catch(() => undefined);
    expect(failing.health()).toMatchObject({ status: 'down', circuit: 'open' });
    // A new unpinned order goes to the paper venue (its quote fresh on the test clock); one pinned
    // to Alpaca is refused at once.
    const { venue: _pin, ...unpinned } = buy('during-outage', { type: 'market', timeInForce: 'day' });
    const { limitPrice: _limit, ...market } = unpinned;
    core.feed.set('AAPL', { bid: '189.98', ask: '190.03', bidSize: 1000, askSize: 1000 });
    const moved = await core.app.service.submit(market);
    expect([moved.order.venue, moved.order.status, moved.order.reject?.message]).toEqual([
      'paper-equities',
      'filled',
      undefined,
    ]);
    await expect(core.app.service.submit(buy('pinned-while-down'))).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
    expect(await status('before-outage')).toBe('new');

    // The venue returns: the trial call after the wait closes the circuit and reconciles it.
    await fake.control('faults', undefined, 'DELETE');
    await eventually(() => failing.health().circuit === 'half-open');
    await failing.openOrders(VENUE);
    expect(failing.health().circuit).toBe('closed');
    await eventually(async () => (await status('before-outage')) === 'filled');
    expect(await fillsOf('before-outage')).toBe(1);
  });

  it('reports the connection in /health, with its circuit and error rate, and no credential', async () => {
    const report = await probeHealth(core.app);
    const venue = report.checks.venues[VENUE];
    expect([venue?.status, venue?.connection?.circuit]).toEqual(['up', 'closed']);
    expect(['connected', 'degraded']).toContain(venue?.connection?.status);
    const shown = JSON.stringify([report, core.app.venues.find((v) => v.venue === VENUE)]);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(KEY_ID);
  });
});

describe('a live Alpaca connection, opted in with caps', () => {
  let live: TestCore | undefined;
  afterAll(async () => {
    await live?.app.stop();
  });

  it('sends what the caps allow and refuses the rest before it reaches the venue', async () => {
    live = await startTestCore({
      env: {
        ALPACA_API_KEY_ID: KEY_ID,
        ALPACA_API_SECRET_KEY: SECRET,
        ALPACA_PAPER: 'false',
        ALPACA_BASE_URL: fake.url,
        ALPACA_STREAM_URL: fake.streamUrl,
        ALPACA_DATA_URL: fake.url,
        TRADING_LIVE_OPT_IN: 'alpaca-live',
        TRADING_LIVE_MAX_ORDER_NOTIONAL: '250',
        TRADING_LIVE_MAX_DAILY_NOTIONAL: '400',
      },
      brokerFactories: brokerFactories({ timeoutMs: 1_500 }),
    });
    live.feed.set('AAPL', { bid: '189.98', ask: '190.03', bidSize: 1000, askSize: 1000 });
    const service = live.app.service;
    const on = (id: string, quantity: number): SubmitInput => ({
      ...buy(id, { quantity: dec(quantity) }),
      venue: 'alpaca-live',
    });
    const refusedCode = async (id: string, quantity: number): Promise<string | undefined> => {
      try {
        return (await service.submit(on(id, quantity))).order.reject?.code;
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect((await service.submit(on('live-1', 1))).order.status).not.toBe('rejected'); // 189.50
    expect(await refusedCode('live-big', 2)).toBe('ORDER_NOTIONAL_LIMIT'); // 379 > 250 a order
    expect((await service.submit(on('live-2', 1))).order.status).not.toBe('rejected'); // 379 today
    expect(await refusedCode('live-3', 1)).toBe('DAILY_NOTIONAL_LIMIT'); // 568.50 > 400 a day
    expect(await venueOrders('live-big')).toHaveLength(0);
    expect(await venueOrders('live-3')).toHaveLength(0);
    expect(await venueOrders('live-2')).toHaveLength(1);
  });
});

describe('an Alpaca bracket across a restart of the server', () => {
  it('keeps its exits linked to our orders: after the restart they activate, and the take-profit cancels the stop', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'alpaca-restart-'));
    const start = async (): Promise<TestCore> => {
      const started = await startTestCore({
        env: {
          DATABASE_URL: `pglite://${folder}`,
          ALPACA_API_KEY_ID: KEY_ID,
          ALPACA_API_SECRET_KEY: SECRET,
          ALPACA_BASE_URL: fake.url,
          ALPACA_STREAM_URL: fake.streamUrl,
          ALPACA_DATA_URL: fake.url,
        },
        brokerFactories: brokerFactories({ timeoutMs: 1_500 }),
      });
      started.feed.set('AAPL', { bid: '189.98', ask: '190.03', bidSize: 1000, askSize: 1000 });
      return started;
    };
    const first = await start();
    let second: TestCore | undefined;
    try {
      const placed = await first.app.service.submit({
        ...buy('brk', { limitPrice: dec('189.40') }),
        contingent: {
          orderClass: 'bracket',
          takeProfit: { limitPrice: dec('195.00') },
          stopLoss: { stopPrice: dec('185.00') },
        },
      });
      const legStatus = async (app: TestCore['app']): Promise<string[]> => {
        const legs = [
          placed.order.id,
          ...(await app.orders.children(placed.order.id)).map((s) => s.order.id),
        ];
        const out: string[] = [];
        for (const id of legs) {
          const stored = await app.orders.findById(id);
          out.push(
            `${stored?.order.clientOrderId} ${stored?.order.status}${stored?.order.held === true ? ' held' : ''}`,
          );
        }
        return out.sort();
      };
      await eventually(async () => (await legStatus(first.app))[0] === 'brk new');
      expect(await legStatus(first.app)).toEqual(['brk new', 'brk-SL new held', 'brk-TP new held']);
      await first.app.stop();

      second = await start();
      const app = second.app;
      // The restarted server's first reconciliation found the venue's exits under our ids.
      expect(await legStatus(app)).toEqual(['brk new', 'brk-SL new held', 'brk-TP new held']);
      await fake.control('quote', {
        symbol: 'AAPL',
        bid: '189.30',
        ask: '189.40',
        bidSize: '500',
        askSize: '500',
      });
      await eventually(async () => (await legStatus(app)).join() === 'brk filled,brk-SL new,brk-TP new');
      await fake.control('quote', {
        symbol: 'AAPL',
        bid: '195.00',
        ask: '195.10',
        bidSize: '500',
        askSize: '500',
      });
      await eventually(
        async () => (await legStatus(app)).join() === 'brk filled,brk-SL canceled,brk-TP filled',
      );
      // Nothing at the venue was taken for an order the server did not place.
      const external = (await app.orders.openOrders()).filter((s) => s.order.external);
      expect(external).toEqual([]);
    } finally {
      await second?.app.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
