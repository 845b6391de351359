/**
 * The Prometheus metrics over the real trading core (PGlite in memory, the paper venues on a
 * scripted market and a simulated clock): order counters and latency follow the bus, the gauges
 * match the service's own figures, a failing source leaves its gauge out instead of failing the
 * scrape, and instances never share a registry.
 */
import { register as globalRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VenueAccount } from '../../../src/brokers/broker.js';
import { dec } from '../../../src/domain/decimal.js';
import type { Order } from '../../../src/domain/order.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import type { SubmitInput } from '../../../src/engine/order-service.js';
import { TradingMetrics } from '../../../src/http/metrics.js';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { startTestCore } from '../../support/core.js';

let app: TradingApp;
let metrics: TradingMetrics;
let other: TradingMetrics;

beforeAll(async () => {
  const started = await startTestCore();
  app = started.app;
  started.feed.set('AAPL', { book: { bids: [['189.98', '500']], asks: [['190.02', '300']] } });
  metrics = new TradingMetrics(core());
  other = new TradingMetrics({ ...core(), processMetrics: false });
});

afterAll(async () => {
  metrics.stop();
  other.stop();
  await app.stop();
});

function core() {
  return { bus: app.bus, service: app.service, venues: app.exchange.venues };
}

const ORDER = { symbol: 'AAPL', side: 'buy', timeInForce: 'gtc', agentId: 'metrics-test' } as const;
const marketBuy = (quantity: string): SubmitInput => ({
  ...ORDER,
  type: 'market',
  quantity: dec(quantity),
  timeInForce: 'day',
});
const limitBuy = (price: string, extra: Partial<SubmitInput> = {}): SubmitInput => ({
  ...ORDER,
  type: 'limit',
  quantity: dec('5'),
  limitPrice: dec(price),
  ...extra,
});

async function scrape(target: TradingMetrics): Promise<Map<string, number>> {
  const { contentType, body } = await target.render();
  expect(contentType).toContain('text/plain');
  return parse(body);
}

/** Sample lines keyed as `name{a="1",b="2"}` with the labels sorted. */
function parse(body: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => ({ k: k!, v: v! }));
    samples.set(key(match[1]!, Object.fromEntries(labels.map((l) => [l.k, l.v]))), Number(match[3]));
  }
  return samples;
}

function key(name: string, labels: Record<string, string> = {}): string {
  const inner = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return inner === '' ? name : `${name}{${inner}}`;
}

function statusCounts(samples: Map<string, number>): Record<string, number | undefined> {
  const statuses = ['submitted', 'filled', 'partially_filled', 'rejected', 'canceled', 'expired'];
  return Object.fromEntries(
    statuses.map((s) => [s, samples.get(key('trading_orders_total', { status: s }))]),
  );
}

const counts = (c: Partial<Record<string, number>>) => ({
  submitted: 0,
  filled: 0,
  partially_filled: 0,
  rejected: 0,
  canceled: 0,
  expired: 0,
  ...c,
});

describe('TradingMetrics over the real core', () => {
  it('counts a fill, a cancel and a rejection once each and times each order to its first answer', async () => {
    const filled = await app.service.submit(marketBuy('10'));
    const resting = await app.service.submit(limitBuy('189.50'));
    const canceled = await app.service.cancel({ orderId: resting.order.id });
    const rejected = await app.service.submit(limitBuy('190.05', { postOnly: true, quantity: dec('1') }));
    await app.service.idle();
    expect([filled.order.status, canceled.order.status, rejected.order.status]).toEqual([
      'filled',
      'canceled',
      'rejected',
    ]);

    const samples = await scrape(metrics);
    expect(statusCounts(samples)).toEqual(counts({ submitted: 3, filled: 1, rejected: 1, canceled: 1 }));
    expect(samples.get('trading_order_latency_ms_count')).toBe(3);
    expect(samples.get(key('trading_order_latency_ms_bucket', { le: '+Inf' }))).toBe(3);
    expect(samples.get(key('trading_order_latency_ms_bucket', { le: '10000' }))).toBe(3);
    expect(samples.get('trading_order_latency_ms_sum')).toBeGreaterThan(0);
  });

  it('reads positions, buying power, P&L and venue health as the service reports them', async () => {
    const samples = await scrape(metrics);
    const positions = await app.service.positions();
    expect(positions).toHaveLength(1);
    expect(samples.get('trading_positions_count')).toBe(1);

    const { accounts, totals } = await app.service.accounts();
    expect(accounts.map((a) => a.accountId).sort()).toEqual(['crypto-cash', 'eq-margin']);
    for (const a of accounts) {
      const sample = samples.get(key('trading_buying_power', { account: a.accountId, venue: a.venue }));
      expect(sample, a.accountId).toBe(Number(a.buyingPower.toFixed()));
    }
    expect(samples.get('trading_buying_power_all_accounts')).toBe(Number(totals.buyingPower.toFixed()));

    const portfolio = (await app.service.portfolio()).totals;
    const pnl = portfolio.realizedPnl.plus(portfolio.unrealizedPnl);
    expect(pnl.isZero()).toBe(false); // the fee and the spread: the assertion below can tell a 0 apart
    expect(samples.get('trading_daily_pnl')).toBe(Number(pnl.toFixed()));

    for (const venue of ['paper-equities', 'paper-crypto']) {
      expect(samples.get(key('trading_venue_up', { venue })), venue).toBe(1);
      expect(samples.get(key('trading_venue_latency_ms', { venue })), venue).toBeGreaterThanOrEqual(0);
    }
    const gauges = [
      'trading_positions_count',
      'trading_buying_power',
      'trading_buying_power_all_accounts',
      'trading_daily_pnl',
      'trading_venue_up',
      'trading_venue_latency_ms',
    ];
    for (const metric of gauges)
      expect(samples.get(key('trading_metrics_errors_total', { metric })), metric).toBe(0);
    expect(samples.get('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
  });

  it('stops counting once stopped, while another instance on the same bus goes on', async () => {
    const late = new TradingMetrics({ ...core(), processMetrics: false });
    await app.service.submit(marketBuy('1'));
    expect(statusCounts(await scrape(late))).toEqual(counts({ submitted: 1, filled: 1 }));
    late.stop();
    await app.service.submit(marketBuy('1'));
    await app.service.idle();

    const stopped = await scrape(late);
    expect(statusCounts(stopped)).toEqual(counts({ submitted: 1, filled: 1 }));
    expect(stopped.get('trading_order_latency_ms_count')).toBe(1);
    // The same metric names in two registries, each counting everything it saw.
    for (const running of [metrics, other]) {
      const samples = await scrape(running);
      expect(statusCounts(samples)).toEqual(counts({ submitted: 5, filled: 3, rejected: 1, canceled: 1 }));
      expect(samples.get('trading_order_latency_ms_count')).toBe(5);
    }
    expect((await scrape(other)).has('process_cpu_user_seconds_total')).toBe(false);
    expect(globalRegistry.getSingleMetric('trading_orders_total')).toBeUndefined();
  });
});

describe('TradingMetrics on its own bus', () => {
  const order = (status: Order['status'], id = 'o-1'): Order => ({ id, status }) as unknown as Order;
  const account = (accountId: string, buyingPower: string): VenueAccount =>
    ({ accountId, buyingPower: dec(buyingPower) }) as unknown as VenueAccount;

  it('counts a status an order re-enters, or a repeated event, once', async () => {
    const bus = new EventBus();
    const m = new TradingMetrics({ bus, service: failing(), venues: [], processMetrics: false });
    const fill = {} as never;
    bus.publish('trade.order.submitted', { order: order('pending_new') });
    bus.publish('trade.order.submitted', { order: order('pending_new') });
    bus.publish('trade.order.updated', { order: order('new') });
    bus.publish('trade.order.partial', { order: order('partially_filled'), fill });
    bus.publish('trade.order.updated', { order: order('pending_cancel') });
    bus.publish('trade.order.partial', { order: order('partially_filled'), fill });
    bus.publish('trade.order.filled', { order: order('filled'), fill });
    bus.publish('trade.order.filled', { order: order('filled'), fill });
    bus.publish('trade.order.expired', { order: order('expired', 'o-2') });
    const samples = await scrape(m);
    expect(statusCounts(samples)).toEqual(
      counts({ submitted: 1, partially_filled: 1, filled: 1, expired: 1 }),
    );
    expect(samples.get('trading_order_latency_ms_count')).toBe(1);
    m.stop();
  });

  it('does not take a cancel request for the answer when timing an order', async () => {
    const bus = new EventBus();
    const m = new TradingMetrics({ bus, service: failing(), venues: [], processMetrics: false });
    bus.publish('trade.order.submitted', { order: order('pending_new') });
    bus.publish('trade.order.updated', { order: order('pending_cancel') });
    expect((await scrape(m)).get('trading_order_latency_ms_count')).toBe(0);
    bus.publish('trade.order.cancelled', { order: order('canceled') });
    expect((await scrape(m)).get('trading_order_latency_ms_count')).toBe(1);
    m.stop();
  });

  it('leaves out the gauges whose source fails and still answers', async () => {
    let reports = 0;
    const venues = [
      {
        venue: 'up',
        accounts: () => {
          reports += 1;
          return Promise.resolve([account('a-1', '1500.25')]);
        },
      },
      { venue: 'down', accounts: () => Promise.reject(new Error('connection reset')) },
    ];
    const m = new TradingMetrics({ bus: new EventBus(), service: failing(), venues, processMetrics: false });
    const { body } = await m.render();
    const samples = parse(body);
    expect(body).toContain('# TYPE trading_daily_pnl gauge');
    expect(samples.has('trading_daily_pnl')).toBe(false);
    expect(samples.has('trading_positions_count')).toBe(false);
    expect(samples.has('trading_buying_power_all_accounts')).toBe(false);
    expect(samples.get(key('trading_buying_power', { account: 'a-1', venue: 'up' }))).toBe(1500.25);
    expect(samples.get(key('trading_venue_up', { venue: 'up' }))).toBe(1);
    expect(samples.get(key('trading_venue_up', { venue: 'down' }))).toBe(0);
    expect(samples.has(key('trading_venue_latency_ms', { venue: 'down' }))).toBe(false);
    expect(samples.get(key('trading_metrics_errors_total', { metric: 'trading_daily_pnl' }))).toBe(1);
    expect(samples.get(key('trading_metrics_errors_total', { metric: 'trading_positions_count' }))).toBe(1);
    expect(reports).toBe(1); // one account report per venue per scrape, shared by the venue gauges
    m.stop();
  });
});

/** A service whose every read fails a turn of the event loop later, as a lost database would. */
function failing() {
  const lost = () =>
    new Promise<never>((_, reject) => {
      setImmediate(() => {
        reject(new Error('database unreachable'));
      });
    });
  return { positions: lost, portfolio: lost };
}
