/**
 * Execution analytics on the production migrations, on PGlite and PostgreSQL: the metrics round
 * trip exactly, recording again replaces the row, the SQL aggregates equal the pure ones for every
 * filter, and the recorder measures orders that the real order service sends to a paper venue.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionAggregate,
  aggregate,
  aggregateByVenue,
} from '../../../src/analytics/execution-aggregates.js';
import type { ExecutionMetrics } from '../../../src/analytics/execution-metrics.js';
import { metricsRow } from '../../../src/analytics/test-support.js';
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import type { VenueProfile } from '../../../src/brokers/paper/venue-profiles.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import { isTradingError } from '../../../src/domain/errors.js';
import type { OrderEvent } from '../../../src/domain/events.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { applyEvent } from '../../../src/domain/order-status.js';
import type { Order } from '../../../src/domain/order.js';
import { applyFillToPosition } from '../../../src/domain/position.js';
import { T0, ev, makeOrder } from '../../../src/domain/test-support.js';
import type { AggregateFilter } from '../../../src/engine/analytics-ports.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import { ExecutionRecorder } from '../../../src/engine/execution-recorder.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService, type SubmitInput } from '../../../src/engine/order-service.js';
import { VenueStatsBook } from '../../../src/engine/venue-stats.js';
import { ANALYTICS_TOOLS } from '../../../src/mcp/analytics-tools.js';
import { NO_CALL_CONTEXT, type ToolDeps } from '../../../src/mcp/tool-kit.js';
import { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import { AnalyticsStore } from '../../../src/store/analytics-store.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';

const HOUR = 3_600_000;
/** Every execution the tests record. */
const EVER = { from: 0, to: Date.UTC(2100, 0, 1) };

/** Decimals as strings, so that figures compare by value. */
const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));

const rows: ExecutionMetrics[] = [
  metricsRow({
    orderId: 'a1',
    venue: 'venue-a',
    symbol: 'AAPL',
    filledQty: '100',
    avgFillPrice: '10.5',
    arrivalPrice: '10.49',
    slippageBps: '9.5329',
    priceImprovementBps: '-1.25',
    implementationShortfall: '10.0123456789',
    fees: '0.01',
    latencyMs: 12,
    fillLatencyMs: 30,
    completedAt: T0,
  }),
  metricsRow({
    orderId: 'a2',
    venue: 'venue-a',
    symbol: 'MSFT',
    side: 'sell',
    quantity: '3',
    filledQty: '1',
    avgFillPrice: '410.1',
    fillRate: '0.333333',
    slippageBps: '-2.5',
    priceImprovementBps: '0.75',
    implementationShortfall: '-0.2',
    latencyMs: 19,
    status: 'canceled',
    completedAt: T0 + HOUR,
  }),
  metricsRow({
    orderId: 'a3',
    venue: 'venue-a',
    symbol: 'AAPL',
    filledQty: '0',
    avgFillPrice: null,
    fillRate: '0',
    status: 'rejected',
    completedAt: T0 + 2 * HOUR,
  }),
  metricsRow({
    orderId: 'b1',
    venue: 'venue-b',
    symbol: 'AAPL',
    filledQty: '7',
    avgFillPrice: '100.123',
    slippageBps: '4.1',
    implementationShortfall: '2.87',
    latencyMs: 250,
    completedAt: T0 + 3 * HOUR,
  }),
];

/** The pure aggregates of the rows a filter selects. */
function expected(filter: AggregateFilter): { venues: unknown; totals: ExecutionAggregate } {
  const selected = rows.filter(
    (r) =>
      (filter.since === undefined || r.completedAt >= filter.since) &&
      (filter.symbol === undefined || r.symbol === filter.symbol) &&
      (filter.venue === undefined || r.venue === filter.venue),
  );
  return { venues: aggregateByVenue(selected), totals: aggregate(selected) };
}

const T_START = Date.UTC(2026, 2, 5, 15, 0); // Thursday 10:00 New York: the equity session is open
const PROFILE: VenueProfile = {
  id: 'paper-analytics',
  name: 'analytics',
  description: '',
  assetClasses: ['us_equity'],
  depthScale: dec(1),
  options: { taker_fee_bps: '1', maker_fee_bps: '0' },
  symbolOptions: {},
  accounts: [
    {
      id: 'acct-1',
      venue: 'paper-analytics',
      mode: 'paper',
      type: 'margin',
      currency: 'USD',
      cash: { USD: dec(1_000_000) },
      marginMultiplier: dec(2),
      allowShort: true,
      patternDayTrader: false,
      dayTrades: [],
      tradingBlocked: false,
    },
  ],
};

/** Applies events to a stored order through the transition table and records each; the order after them. */
async function applyAndRecord(
  orders: DrizzleOrderStore,
  order: Order,
  events: readonly OrderEvent[],
): Promise<Order> {
  let current = order;
  for (const event of events) {
    const result = applyEvent(current, event);
    if (result.outcome !== 'applied') throw new Error(`${event.kind} not applied`);
    current = result.order;
    await orders.recordEvent({
      orderId: order.id,
      order: current,
      event,
      ...(event.kind === 'fill'
        ? { fill: { fill: event.fill, applyToPosition: (p) => applyFillToPosition(p, event.fill).position } }
        : {}),
    });
  }
  return current;
}

describe.each(TEST_BACKENDS)('execution analytics on %s', (backend) => {
  const store = useTestStore(backend);
  const analytics = (): AnalyticsStore => new AnalyticsStore(store());

  beforeEach(async () => {
    await store().query('delete from execution_metrics', []);
  });

  it('records metrics and reads them back exactly', async () => {
    for (const row of rows) await analytics().record(row);
    const read = await analytics().executions({ from: T0, to: T0 + 4 * HOUR });
    expect(plain(read)).toEqual(plain(rows));
    // [from, to): the end is excluded; filters narrow.
    const first = await analytics().executions({ from: T0, to: T0 + HOUR });
    expect(first.map((r) => r.orderId)).toEqual(['a1']);
    const aapl = await analytics().executions({
      from: T0,
      to: T0 + 4 * HOUR,
      symbol: 'AAPL',
      venue: 'venue-a',
    });
    expect(aapl.map((r) => r.orderId)).toEqual(['a1', 'a3']);
  });

  it('replaces an order’s row when it is recorded again (recomputing is idempotent)', async () => {
    const row = rows[0] as ExecutionMetrics;
    await analytics().record(row);
    await analytics().record(row);
    await analytics().record({ ...row, filledQty: dec('120'), slippageBps: dec('1'), latencyMs: 5 });
    const count = await store().query('select count(*)::int as n from execution_metrics', []);
    expect(Number(count[0]?.['n'])).toBe(1);
    const [read] = await analytics().executions({ from: T0, to: T0 + 1 });
    expect(read?.filledQty.toFixed()).toBe('120');
    expect(read?.slippageBps?.toFixed()).toBe('1');
    expect(read?.latencyMs).toBe(5);
  });

  it('records several orders in one write, replacing rows already there; the last of an order wins', async () => {
    const [a1, a2, a3] = rows as [ExecutionMetrics, ExecutionMetrics, ExecutionMetrics];
    await analytics().record(a1);
    await analytics().recordAll([
      { ...a1, filledQty: dec('120'), latencyMs: 5 },
      a2,
      { ...a3, latencyMs: 1 },
      { ...a3, latencyMs: 2 },
    ]);
    await analytics().recordAll([]);
    const read = await analytics().executions(EVER);
    expect(read.map((r) => [r.orderId, r.filledQty.toFixed(), r.latencyMs])).toEqual([
      ['a1', '120', 5],
      ['a2', '1', 19],
      ['a3', '0', 2],
    ]);
    expect(plain(read[1])).toEqual(plain(a2));
  });

  it('aggregates in SQL exactly as the pure aggregates do, for every filter', async () => {
    for (const row of rows) await analytics().record(row);
    const filters: AggregateFilter[] = [
      {},
      { since: T0 + HOUR },
      { symbol: 'AAPL' },
      { venue: 'venue-a' },
      { since: T0 + HOUR, symbol: 'AAPL', venue: 'venue-a' },
      { venue: 'nowhere' },
    ];
    for (const filter of filters) {
      expect(plain(await analytics().venueAggregates(filter)), JSON.stringify(filter)).toEqual(
        plain(expected(filter)),
      );
    }
    const all = await analytics().venueAggregates();
    const a = all.venues[0];
    expect(a?.venue).toBe('venue-a');
    expect(a?.orders).toBe(3);
    // (9.5329 × 1050 − 2.5 × 410.1) / (1050 + 410.1) = 8984.295 / 1460.1 = 6.15320…
    expect(a?.avgSlippageBps?.toFixed()).toBe('6.1532');
    expect(a?.fillRate?.toFixed()).toBe('0.444444'); // (1 + 0.333333 + 0) / 3
    expect(a?.avgLatencyMs?.toFixed()).toBe('15.5');
    expect(a?.implementationShortfall.toFixed()).toBe('9.8123456789');
    const none = await analytics().venueAggregates({ venue: 'nowhere' });
    expect(none.venues).toEqual([]);
    expect(none.totals.orders).toBe(0);
  });

  it('seeds the venue statistics from the recorded aggregates', async () => {
    for (const row of rows) await analytics().record(row);
    const book = new VenueStatsBook({ clock: { now: () => T0 + 4 * HOUR } });
    await book.seedFrom(analytics());
    expect(book.stats('venue-b')).toMatchObject({
      latencyMs: 250,
      slippageBps: 4.1,
      fillRate: 1,
      samples: 1,
    });
  });

  it('answers getExecutionAnalytics with strings for decimals, and an error without analytics', async () => {
    for (const row of rows) await analytics().record(row);
    const [getExecutionAnalytics] = ANALYTICS_TOOLS;
    if (getExecutionAnalytics === undefined) throw new Error('no tool');
    const caller = { id: 'agent-1', scopes: new Set(['read'] as const) };
    const deps = { analytics: analytics(), instruments: new InstrumentRegistry() } as unknown as ToolDeps;
    const args = getExecutionAnalytics.input.parse({
      since: new Date(T0 + HOUR).toISOString(),
      symbol: 'aapl',
    });
    const result = await getExecutionAnalytics.run(args, caller, deps, NO_CALL_CONTEXT);
    expect(getExecutionAnalytics.output.parse(result.structured)).toEqual({
      since: new Date(T0 + HOUR).toISOString(),
      symbol: 'AAPL',
      venues: [
        { venue: 'venue-a', orders: 1, fillRate: '0', implementationShortfall: '0' },
        {
          venue: 'venue-b',
          orders: 1,
          fillRate: '1',
          avgSlippageBps: '4.1',
          implementationShortfall: '2.87',
          avgLatencyMs: '250',
        },
      ],
      totals: {
        orders: 2,
        fillRate: '0.5',
        avgSlippageBps: '4.1',
        implementationShortfall: '2.87',
        avgLatencyMs: '250',
      },
    });
    expect(result.text).toBe('2 order(s) on 2 venue(s): fill rate 0.5, slippage 4.1 bps, shortfall 2.87.');
    const refused = await getExecutionAnalytics
      .run(args, caller, { instruments: new InstrumentRegistry() } as unknown as ToolDeps, NO_CALL_CONTEXT)
      .catch((error: unknown) => error);
    expect(isTradingError(refused, 'INTERNAL')).toBe(true);
    expect((refused as { hint?: string }).hint).toMatch(/trading core/);
  });

  it('records what the recorder measures from stored orders, their fills, events and arrival quote', async () => {
    const orders = new DrizzleOrderStore(store());
    const bus = new EventBus();
    const recorder = new ExecutionRecorder({ bus, orders, analytics: analytics() });
    recorder.start();
    // A marketable buy limit at 101; arrival 99.98 / 100.02; 10 fill at 100.01 with a 0.10 fee.
    const order = makeOrder({
      id: `self-${backend}`,
      clientOrderId: `self-c-${backend}`,
      limitPrice: dec(101),
      status: 'pending_new',
      venueOrderIds: [],
    });
    await orders.createOrder(order, {
      agentId: 'agent-1',
      orderClass: 'simple',
      requestHash: 'h',
      role: 'child',
      arrival: { bid: dec('99.98'), ask: dec('100.02') },
    });
    const fill = ev.fill({ quantity: 10, price: '100.01', fee: '0.10', fillId: `F-${backend}` });
    const current = await applyAndRecord(orders, order, [
      { ...ev.ack('V-self'), receivedAt: T0 + 5 },
      { ...fill, receivedAt: T0 + 8 },
    ] as OrderEvent[]);
    expect(current.status).toBe('filled');
    bus.publish('trade.order.filled', { order: current, fill: fill.fill });
    await recorder.idle();
    const [m] = await analytics().executions(EVER);
    expect(m).toMatchObject({
      orderId: order.id,
      agentId: 'agent-1',
      status: 'filled',
      latencyMs: 5,
      fillLatencyMs: 8,
    });
    expect(m?.arrivalPrice?.toFixed()).toBe('100');
    expect(m?.slippageBps?.toFixed()).toBe('1'); // (100.01 − 100) / 100 × 10⁴
    expect(m?.priceImprovementBps?.toFixed()).toBe('0.9998'); // 0.01 / 100.02 × 10⁴ = 0.99980…
    expect(m?.implementationShortfall?.toFixed()).toBe('0.2'); // 0.1 of price + 0.1 of fees
    recorder.stop();
  });

  it('reads the histories of several orders at once: each order with its own fills and events, in order', async () => {
    const orders = new DrizzleOrderStore(store());
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const order = makeOrder({
        id: `hist-${n}-${backend}`,
        clientOrderId: `hist-c-${n}-${backend}`,
        status: 'pending_new',
        venueOrderIds: [],
      });
      ids.push(order.id);
      await orders.createOrder(order, { agentId: 'agent-1', orderClass: 'simple', requestHash: `h${n}` });
      await applyAndRecord(orders, order, [
        ev.ack(`V-hist-${n}`),
        ...Array.from({ length: n }, (_, i) =>
          ev.fill({ quantity: 1, price: `${100 + i}.5`, fillId: `F-hist-${n}-${i}-${backend}` }),
        ),
      ] as OrderEvent[]);
    }
    const histories = await orders.histories([...ids, 'no-such-order']);
    expect([...histories.keys()].sort()).toEqual([...ids].sort());
    for (const [n, id] of ids.entries()) {
      const history = histories.get(id);
      expect(history?.stored.order.filledQty.toFixed()).toBe(String(n + 1));
      expect(history?.fills.map((f) => f.price.toFixed())).toEqual(
        Array.from({ length: n + 1 }, (_, i) => `${100 + i}.5`),
      );
      expect(history?.events.map((e) => e.kind)).toEqual(['ack', ...Array<string>(n + 1).fill('fill')]);
    }
    expect((await orders.histories([])).size).toBe(0);

    // Of each event, the kind, the arrival and a request's origin.
    const canceled = makeOrder({
      id: `hist-3-${backend}`,
      clientOrderId: `hist-c-3-${backend}`,
      status: 'pending_new',
      venueOrderIds: [],
    });
    await orders.createOrder(canceled, { agentId: 'agent-1', orderClass: 'simple', requestHash: 'h3' });
    await applyAndRecord(orders, canceled, [
      { ...ev.ack('V-hist-3'), receivedAt: T0 + 1 },
      { ...ev.cxlReq('local'), receivedAt: T0 + 2 },
      { ...ev.cxl(), receivedAt: T0 + 3 },
    ] as OrderEvent[]);
    expect((await orders.histories([canceled.id])).get(canceled.id)?.events).toEqual([
      { kind: 'ack', receivedAt: T0 + 1 },
      { kind: 'cxl_req', receivedAt: T0 + 2, origin: 'local' },
      { kind: 'cxl', receivedAt: T0 + 3 },
    ]);
  });

  it('measures the orders the real order service sends to a paper venue', async () => {
    const clock = new SimulatedClock(T_START);
    const feed = new ScriptedFeed({ clock });
    const broker = new PaperBroker({ profile: PROFILE, instruments: new InstrumentRegistry(), clock, feed });
    await broker.connect();
    feed.set('AAPL', {
      book: {
        bids: [['100.00', '500']],
        asks: [
          ['100.02', '300'],
          ['100.03', '1000'],
        ],
      },
    });
    const orders = new DrizzleOrderStore(store());
    const bus = new EventBus();
    const service = new OrderService({
      store: orders,
      brokers: [broker],
      instruments: new InstrumentRegistry(),
      clock,
      ids: new RandomIds(() => clock.now()),
      bus,
    });
    service.start();
    const stats = new VenueStatsBook({ clock });
    const errors: unknown[] = [];
    const recorder = new ExecutionRecorder({
      bus,
      orders,
      analytics: analytics(),
      clock,
      onRecorded: (m) => {
        stats.recordExecution(m);
      },
      onError: (error) => errors.push(error),
    });
    recorder.start();
    const request = (overrides: Partial<SubmitInput>): SubmitInput => ({
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      quantity: dec(400),
      timeInForce: 'day',
      agentId: 'agent-test',
      ...overrides,
    });
    try {
      const market = await service.submit(request({}));
      const resting = await service.submit(
        request({ type: 'limit', limitPrice: dec('99.50'), quantity: dec(10) }),
      );
      await service.idle();
      await service.cancel({ orderId: resting.order.id });
      await service.idle();
      await recorder.idle();
      expect(errors).toEqual([]);
      const measured = await analytics().executions(EVER);
      const byId = new Map(measured.map((m) => [m.orderId, m]));
      const filled = byId.get(market.order.id);
      expect(filled).toMatchObject({
        venue: 'paper-analytics',
        status: 'filled',
        latencyMs: 0,
        fillLatencyMs: 0,
      });
      expect(filled?.avgFillPrice?.toFixed()).toBe('100.0225'); // (300 × 100.02 + 100 × 100.03) / 400
      expect(filled?.fillRate.toFixed()).toBe('1');
      const fees = (await orders.fills(market.order.id)).reduce((sum, f) => sum.plus(f.fee), dec(0));
      expect(fees.isPositive()).toBe(true);
      expect(filled?.fees.toFixed()).toBe(fees.toFixed());
      // Arrival: the venue's 100.00 / 100.02, mid 100.01.
      expect(filled?.arrivalPrice?.toFixed()).toBe('100.01');
      expect(filled?.slippageBps?.toFixed()).toBe('1.2499'); // 0.0125 / 100.01 × 10⁴ = 1.24987…
      expect(filled?.priceImprovementBps?.toFixed()).toBe('-0.25'); // −0.0025 / 100.02 × 10⁴ = −0.249950…
      expect(filled?.implementationShortfall?.toFixed()).toBe(dec(5).plus(fees).toFixed()); // 400 × 0.0125 + fees
      const canceled = byId.get(resting.order.id);
      expect(canceled).toMatchObject({ status: 'canceled', type: 'limit' });
      expect(canceled?.fillRate.toFixed()).toBe('0');
      expect(canceled?.slippageBps).toBeUndefined(); // nothing filled: no price figures, never invented ones
      expect(canceled?.implementationShortfall?.toFixed()).toBe('0');
      const { venues } = await analytics().venueAggregates({ venue: 'paper-analytics' });
      expect(venues.map((v) => [v.venue, v.orders, v.fillRate?.toFixed()])).toEqual([
        ['paper-analytics', 2, '0.5'],
      ]);
      expect(stats.stats('paper-analytics')).toMatchObject({ fillRate: 0.5, latencyMs: 0, samples: 2 });
    } finally {
      recorder.stop();
      service.stop();
      await broker.close();
    }
  });
});
