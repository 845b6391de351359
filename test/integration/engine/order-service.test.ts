import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import type { VenueProfile } from '../../../src/brokers/paper/venue-profiles.js';
import type { VenueEvent } from '../../../src/brokers/broker.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import { isTradingError } from '../../../src/domain/errors.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { EventBus, type Topic } from '../../../src/engine/event-bus.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService, type SubmitInput } from '../../../src/engine/order-service.js';
import { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';

const T0 = Date.UTC(2026, 2, 5, 15, 0); // Thursday 10:00 New York: the equity session is open
const PROFILE: VenueProfile = {
  id: 'paper-test',
  name: 'test',
  description: '',
  assetClasses: ['us_equity', 'crypto'],
  depthScale: dec(1),
  options: {},
  symbolOptions: {},
  accounts: [
    {
      id: 'acct-1',
      venue: 'paper-test',
      mode: 'paper',
      type: 'margin',
      currency: 'USD',
      cash: { USD: dec(1_000_000), USDT: dec(1_000_000) },
      marginMultiplier: dec(2),
      allowShort: true,
      patternDayTrader: false,
      dayTrades: [],
      tradingBlocked: false,
    },
  ],
};

describe.each(TEST_BACKENDS)('order service on %s', (backend) => {
  const store = useTestStore(backend);
  let clock: SimulatedClock;
  let feed: ScriptedFeed;
  let broker: PaperBroker;
  let service: OrderService;
  let orderStore: DrizzleOrderStore;
  let published: Topic[];
  let anomalies: string[];

  beforeEach(async () => {
    clock = new SimulatedClock(T0);
    feed = new ScriptedFeed({ clock });
    broker = new PaperBroker({ profile: PROFILE, instruments: new InstrumentRegistry(), clock, feed });
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
    const bus = new EventBus();
    published = [];
    anomalies = [];
    for (const topic of [
      'trade.order.submitted',
      'trade.order.filled',
      'trade.order.partial',
      'trade.order.cancelled',
      'trade.position.opened',
      'trade.position.updated',
    ] as const) {
      bus.subscribe(topic, () => published.push(topic));
    }
    orderStore = new DrizzleOrderStore(store());
    service = new OrderService({
      store: orderStore,
      brokers: [broker],
      instruments: new InstrumentRegistry(),
      clock,
      ids: new RandomIds(() => clock.now()),
      bus,
      onAnomaly: (message) => anomalies.push(message),
    });
    service.start();
  });

  const unique = (): string => `c${Math.random().toString(36).slice(2, 12)}`;
  const market = (quantity: number, clientOrderId = unique()): SubmitInput => ({
    symbol: 'AAPL',
    side: 'buy',
    type: 'market',
    quantity: dec(quantity),
    timeInForce: 'day',
    clientOrderId,
    agentId: 'agent-test',
    reason: 'test',
  });
  /** Waits until the venue's streamed events have been applied (they run on the engine's queue). */
  const settle = (): Promise<void> => service.idle();

  it('submits, fills across two levels, records fills, events and the position exactly', async () => {
    const stored = await service.submit(market(400));
    await settle();
    const details = await service.getOrder({ orderId: stored.order.id });
    expect(details.stored.order.status).toBe('filled');
    expect(details.stored.order.filledQty.toFixed()).toBe('400');
    expect(details.stored.order.avgFillPrice?.toFixed()).toBe('100.0225'); // (300×100.02 + 100×100.03) / 400
    expect(details.fills.map((f) => `${f.quantity.toFixed()}@${f.price.toFixed()}`)).toEqual([
      '300@100.02',
      '100@100.03',
    ]);
    expect(details.events.map((e) => e.kind)).toEqual(['ack', 'fill', 'fill']);
    expect(details.stored.meta).toMatchObject({ agentId: 'agent-test', reason: 'test' });
    const positions = await service.positions('acct-1');
    const aapl = positions.find((p) => p.symbol === 'AAPL');
    expect(aapl?.quantity.toFixed()).toBe('400');
    expect(published).toContain('trade.order.filled');
    expect(published).toContain('trade.order.submitted');
  });

  it('one client order id is one order: the same request returns it, another request is refused', async () => {
    const id = unique();
    const first = await service.submit(market(10, id));
    const again = await service.submit(market(10, id));
    expect(again.order.id).toBe(first.order.id);
    await expect(service.submit(market(11, id))).rejects.toSatisfy((e) =>
      isTradingError(e, 'DUPLICATE_CLIENT_ORDER_ID'),
    );
  });

  it('1,000 concurrent submits reusing 100 client order ids create exactly 100 orders', async () => {
    const ids = Array.from({ length: 100 }, () => unique());
    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => service.submit(market(1, ids[i % 100]))),
    );
    await settle();
    const distinct = new Set(results.map((r) => r.order.id));
    expect(distinct.size).toBe(100);
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await service.listOrders({
        symbol: 'AAPL',
        status: 'all',
        limit: 200,
        ...(cursor === undefined ? {} : { cursor }),
      });
      count += page.orders.filter((o) => ids.includes(o.order.clientOrderId)).length;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(count).toBe(100);
    const venueOrders = await broker.ordersSince('acct-1', 0);
    expect(venueOrders.filter((o) => ids.includes(o.clientOrderId))).toHaveLength(100);
  });

  it('cancels a resting order and refuses to cancel it again', async () => {
    const stored = await service.submit({ ...market(5), type: 'limit', limitPrice: dec('90.00') });
    await settle();
    const canceled = await service.cancel({ orderId: stored.order.id });
    await settle();
    const after = await service.getOrder({ orderId: canceled.order.id });
    expect(after.stored.order.status).toBe('canceled');
    expect(after.events.map((e) => e.kind)).toEqual(['ack', 'cxl_req', 'cxl']);
    await expect(service.cancel({ orderId: stored.order.id })).rejects.toSatisfy((e) =>
      isTradingError(e, 'ORDER_NOT_OPEN'),
    );
  });

  it('replaces a resting limit; a new price that crosses fills it', async () => {
    const stored = await service.submit({ ...market(5), type: 'limit', limitPrice: dec('90.00') });
    await settle();
    await service.replace({ orderId: stored.order.id }, { limitPrice: dec('100.05') });
    await settle();
    const after = await service.getOrder({ orderId: stored.order.id });
    expect({ anomalies, events: after.events.map((e) => e.kind) }).toEqual({
      anomalies: [],
      events: ['ack', 'rpl_req', 'rpl_req', 'rpl', 'fill'],
    });
    expect(after.stored.order.status).toBe('filled');
    expect(after.stored.order.limitPrice?.toFixed()).toBe('100.05');
    expect(after.fills[0]?.price.toFixed()).toBe('100.02');
  });

  it('applies a redelivered venue event once', async () => {
    const seen: VenueEvent[] = [];
    broker.subscribe((e) => seen.push(e));
    const stored = await service.submit(market(10));
    await settle();
    for (const e of seen) await service.onVenueEvent(e); // every event again
    const details = await service.getOrder({ orderId: stored.order.id });
    expect(details.fills).toHaveLength(1);
    expect(details.events.map((e) => e.kind)).toEqual(['ack', 'fill']);
    expect(details.stored.order.filledQty.toFixed()).toBe('10');
  });

  it('applies the events a venue reports together in one write, and a run holding a known event one by one', async () => {
    const seen: VenueEvent[] = [];
    broker.subscribe((e) => seen.push(e));
    const runs = vi.spyOn(orderStore, 'recordRun');
    service.stop(); // the venue's events are held here, then delivered by hand
    const first = await service.submit(market(10));
    const second = await service.submit(market(20));
    expect(seen.map((e) => e.event.kind)).toEqual(['ack', 'fill', 'ack', 'fill']);
    published.length = 0;
    const held = async (): Promise<string | undefined> =>
      (await service.positions('acct-1')).find((p) => p.symbol === 'AAPL')?.quantity.toFixed();
    const before = dec((await held()) ?? 0);

    // Both of the first order's events arrive in one turn: one run, one write.
    await Promise.all(seen.slice(0, 2).map((e) => service.onVenueEvent(e)));
    expect(runs.mock.calls.map(([records]) => records.map((r) => r.event.kind))).toEqual([['ack', 'fill']]);
    const filled = await service.getOrder({ orderId: first.order.id });
    expect(filled.stored.order.status).toBe('filled');
    expect(filled.events.map((e) => e.kind)).toEqual(['ack', 'fill']);
    expect(published).toEqual([
      'trade.order.filled',
      expect.stringMatching(/^trade\.position\.(opened|updated)$/),
    ]);

    // The second order's acknowledgement alone, then both again: the run is refused whole and its
    // events are applied one by one, so the fill counts once and the acknowledgement once.
    await service.onVenueEvent(seen[2] as VenueEvent);
    await Promise.all(seen.slice(2, 4).map((e) => service.onVenueEvent(e)));
    const second2 = await service.getOrder({ orderId: second.order.id });
    expect(second2.events.map((e) => e.kind)).toEqual(['ack', 'fill']);
    expect(second2.fills.map((f) => f.quantity.toFixed())).toEqual(['20']);

    // Every event once more, in one turn: nothing changes and nothing is published.
    published.length = 0;
    await Promise.all(seen.map((e) => service.onVenueEvent(e)));
    expect(await held()).toBe(before.plus(30).toFixed());
    expect((await service.getOrder({ orderId: first.order.id })).events).toHaveLength(2);
    expect(published).toEqual([]);
  });

  it('refuses bad input with a code and stores nothing', async () => {
    const id = unique();
    await expect(service.submit({ ...market(0, id) })).rejects.toSatisfy((e) =>
      isTradingError(e, 'INVALID_ORDER'),
    );
    await expect(service.submit({ ...market(1, id), symbol: 'NOPE' })).rejects.toSatisfy((e) =>
      isTradingError(e, 'INSTRUMENT_NOT_FOUND'),
    );
    await expect(
      service.submit({ ...market(1, id), type: 'limit', limitPrice: dec('100.001') }),
    ).rejects.toSatisfy((e) => isTradingError(e, 'PRICE_PRECISION'));
    await expect(service.getOrder({ clientOrderId: id, accountId: 'acct-1' })).rejects.toSatisfy((e) =>
      isTradingError(e, 'NOT_FOUND'),
    );
  });

  it('closes part of a position with a reduce-only market order, then the rest; the portfolio and accounts follow', async () => {
    // Its own symbol: the suite's database keeps the AAPL positions of the tests before.
    feed.set('MSFT', { book: { bids: [['400.00', '500']], asks: [['400.02', '500']] } });
    await service.submit({ ...market(100), symbol: 'MSFT' });
    await settle();
    // Under a loaded machine the fill can land after idle() (seen once on PostgreSQL in CI): wait for it.
    await expect
      .poll(async () =>
        (await service.positions('acct-1')).find((p) => p.symbol === 'MSFT')?.quantity.toFixed(),
      )
      .toBe('100');
    const half = await service.closePosition({ symbol: 'MSFT', percentage: dec(50), agentId: 'agent-test' });
    await settle();
    expect(half.map((o) => [o.order.side, o.order.quantity.toFixed(), o.order.reduceOnly])).toEqual([
      ['sell', '50', true],
    ]);
    const portfolio = await service.portfolio({ symbol: 'MSFT' });
    const msft = portfolio.positions[0];
    expect(msft?.quantity.toFixed()).toBe('50');
    expect(msft?.averageEntryPrice.toFixed()).toBe('400.02');
    expect(msft?.byAccount.map((b) => b.venue)).toEqual(['paper-test']);
    expect(msft?.currentPrice?.toFixed()).toBe('400.01'); // the mid of 400.00 / 400.02
    expect(msft?.realizedPnl.toFixed()).toBe('-1'); // 50 × (400.00 − 400.02), no fees on equities
    await service.closeAllPositions({ agentId: 'agent-test' });
    await settle();
    expect((await service.positions('acct-1')).filter((p) => p.symbol === 'MSFT')).toEqual([]);
    await expect(service.closePosition({ symbol: 'MSFT', agentId: 'agent-test' })).rejects.toSatisfy((e) =>
      isTradingError(e, 'NOT_FOUND'),
    );
    const { accounts, totals } = await service.accounts();
    expect(accounts.map((a) => [a.accountId, a.venue, a.mode])).toEqual([['acct-1', 'paper-test', 'paper']]);
    expect(totals.equity.toFixed()).toBe(accounts[0]?.equity.toFixed());
  });
});
