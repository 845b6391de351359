import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BrokerCallError,
  type Broker,
  type SubmitReceipt,
  type SubmitRequest,
  type VenueEvent,
  type VenueEventListener,
} from '../../../src/brokers/broker.js';
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import type { VenueProfile } from '../../../src/brokers/paper/venue-profiles.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService, type SubmitInput } from '../../../src/engine/order-service.js';
import { type ReconcileReport, Reconciler } from '../../../src/engine/reconciler.js';
import { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import { verifyAuditLog } from '../../../src/store/audit-log.js';
import { auditLog } from '../../../src/store/schema.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';

const T0 = Date.UTC(2026, 2, 5, 15, 0);
const profile = (id: string): VenueProfile => ({
  id,
  name: id,
  description: '',
  assetClasses: ['us_equity'],
  depthScale: dec(1),
  options: {},
  symbolOptions: {},
  accounts: [
    {
      id: `${id}-acct`,
      venue: id,
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
});

type ReadName = 'ordersSince' | 'openOrders' | 'fillsSince' | 'positions';

/**
 * A venue whose event stream lags its REST view, as a live venue's can: while held, the events it
 * publishes are queued until released. A step can be run once, right before or right after one
 * of its reads, to change the venue while a reconciliation pass is reading it.
 */
class LaggingVenue {
  readonly broker: Broker;
  private held: VenueEvent[] | undefined;
  private readonly listeners: VenueEventListener[] = [];
  private step: { when: 'before' | 'after'; reads: readonly ReadName[]; run: () => void } | undefined;

  constructor(inner: PaperBroker) {
    inner.subscribe((event) => {
      if (this.held === undefined) for (const listener of this.listeners) listener(event);
      else this.held.push(event);
    });
    this.broker = new Proxy(inner, {
      get: (target, prop, receiver) => {
        if (prop === 'subscribe')
          return (listener: VenueEventListener) => {
            this.listeners.push(listener);
            return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
          };
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const call = (value as (...a: unknown[]) => Promise<unknown>).bind(target);
        if (!['ordersSince', 'openOrders', 'fillsSince', 'positions'].includes(String(prop))) return call;
        return async (...args: unknown[]) => {
          this.runStep('before', prop as ReadName);
          const result = await call(...args);
          this.runStep('after', prop as ReadName);
          return result;
        };
      },
    });
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const events = this.held ?? [];
    this.held = undefined;
    for (const event of events) for (const listener of this.listeners) listener(event);
  }

  /** Runs `run` once, `when` the first of `reads` is called or has answered. */
  once(when: 'before' | 'after', reads: readonly ReadName[], run: () => void): void {
    this.step = { when, reads, run };
  }

  private runStep(when: 'before' | 'after', read: ReadName): void {
    const step = this.step;
    if (step === undefined || step.when !== when || !step.reads.includes(read)) return;
    this.step = undefined;
    step.run();
  }
}

/** A venue whose submit can fail ambiguously: after placing the order, or without placing it. */
class FlakyVenue {
  mode: 'ok' | 'place-then-timeout' | 'lose' = 'ok';
  readonly broker: Broker;
  constructor(private readonly inner: PaperBroker) {
    this.broker = new Proxy(inner, {
      get: (target, prop, receiver) => {
        if (prop === 'submit') return (request: SubmitRequest) => this.submit(request);
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  private async submit(request: SubmitRequest): Promise<SubmitReceipt> {
    if (this.mode === 'lose')
      throw new BrokerCallError(this.inner.venue, 'ambiguous', 'BROKER_UNAVAILABLE', 'timed out');
    const receipt = await this.inner.submit(request);
    if (this.mode === 'place-then-timeout')
      throw new BrokerCallError(this.inner.venue, 'ambiguous', 'BROKER_UNAVAILABLE', 'timed out');
    return receipt;
  }
}

describe.each(TEST_BACKENDS)('reconciliation on %s', (backend) => {
  const store = useTestStore(backend);
  let clock: SimulatedClock;
  let feed: ScriptedFeed;
  let paper: PaperBroker;
  let flaky: FlakyVenue;
  let service: OrderService;
  let reconciler: Reconciler;
  let venueId: string;
  let account: string;

  let n = 0;
  beforeEach(async () => {
    venueId = `venue-${++n}`;
    account = `${venueId}-acct`;
    clock = new SimulatedClock(T0);
    feed = new ScriptedFeed({ clock });
    paper = new PaperBroker({
      profile: profile(venueId),
      instruments: new InstrumentRegistry(),
      clock,
      feed,
    });
    await paper.connect();
    feed.set('AAPL', {
      book: {
        bids: [['100.00', '500']],
        asks: [
          ['100.02', '300'],
          ['100.03', '1000'],
        ],
      },
    });
    flaky = new FlakyVenue(paper);
    const orderStore = new DrizzleOrderStore(store());
    service = new OrderService({
      store: orderStore,
      brokers: [flaky.broker],
      instruments: new InstrumentRegistry(),
      clock,
      ids: new RandomIds(() => clock.now()),
      bus: new EventBus(),
    });
    reconciler = new Reconciler({
      store: orderStore,
      service,
      brokers: [flaky.broker],
      instruments: new InstrumentRegistry(),
      clock,
      options: { inflightTimeoutMs: 1_000, inflightRetries: 2 },
    });
  });

  const buy = (quantity: number, type: 'market' | 'limit' = 'market'): SubmitInput => ({
    symbol: 'AAPL',
    side: 'buy',
    type,
    quantity: dec(quantity),
    timeInForce: 'day',
    agentId: 'tester',
    ...(type === 'limit' ? { limitPrice: dec('99.00') } : {}),
  });
  const order = async (id: string) => (await service.getOrder({ orderId: id })).stored.order;
  /** An order service on the paper venue itself, started: it hears the venue's events as they come. */
  const listening = (orderStore: DrizzleOrderStore, onAnomaly?: (message: string) => void) => {
    const live = new OrderService({
      store: orderStore,
      brokers: [paper],
      instruments: new InstrumentRegistry(),
      clock,
      ids: new RandomIds(() => clock.now()),
      bus: new EventBus(),
      ...(onAnomaly === undefined ? {} : { onAnomaly }),
    });
    live.start();
    return live;
  };
  const reconcilerOf = (orderStore: DrizzleOrderStore, live: OrderService) =>
    new Reconciler({
      store: orderStore,
      service: live,
      brokers: [paper],
      instruments: new InstrumentRegistry(),
      clock,
    });

  it('recovers events the engine missed (it was not listening): fills, status and position', async () => {
    const stored = await service.submit(buy(400)); // not started: the venue's events are lost
    expect((await order(stored.order.id)).status).toBe('pending_new');
    const [report] = await reconciler.reconcileAll();
    expect(report?.failed).toBeUndefined();
    expect(report?.fillsApplied).toBe(2);
    const after = await service.getOrder({ orderId: stored.order.id });
    expect(after.stored.order.status).toBe('filled');
    expect(after.fills.map((f) => f.quantity.toFixed())).toEqual(['300', '100']);
    const position = (await service.positions(account)).find((p) => p.symbol === 'AAPL');
    expect(position?.quantity.toFixed()).toBe('400');
    const again = await reconciler.reconcileAll();
    expect(again[0]).toMatchObject({ fillsApplied: 0, ordersAligned: 0, positionsCorrected: 0 });
  });

  it('passes over fills applied live without touching their orders (no false overfill, no extra events)', async () => {
    const anomalies: string[] = [];
    const orderStore = new DrizzleOrderStore(store());
    const live = listening(orderStore, (message) => anomalies.push(message));
    const stored = await live.submit(buy(400));
    await live.idle();
    const before = await live.getOrder({ orderId: stored.order.id });
    expect(before.stored.order.status).toBe('filled');
    const pass = reconcilerOf(orderStore, live);
    const [report] = await pass.reconcileAll();
    expect(report).toMatchObject({ fillsApplied: 0, ordersAligned: 0, positionsCorrected: 0 });
    const after = await live.getOrder({ orderId: stored.order.id });
    expect(after.events).toHaveLength(before.events.length);
    expect(anomalies).toEqual([]);
    live.stop();
  });

  it('reads no order in full when the venue agrees with the store: resting orders cost one read a pass', async () => {
    const orderStore = new DrizzleOrderStore(store());
    const live = listening(orderStore);
    const resting = await Promise.all(Array.from({ length: 30 }, () => live.submit(buy(1, 'limit'))));
    await live.idle();
    expect(new Set(resting.map((r) => r.order.status))).toEqual(new Set(['new']));
    const pass = reconcilerOf(orderStore, live);
    const full = [
      vi.spyOn(orderStore, 'findById'),
      vi.spyOn(orderStore, 'findByClientOrderId'),
      vi.spyOn(orderStore, 'openOrders'),
    ];
    const [report] = await pass.reconcileAll();
    expect(report).toMatchObject({ ordersAligned: 0, ordersImported: 0, ordersInferred: 0 });
    expect(full.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0]);

    // One canceled at the venue while the engine was not listening: that one is read, and only it.
    live.stop();
    const [gone] = resting;
    if (gone === undefined) throw new Error('an order');
    await paper.cancel({ accountId: account, clientOrderId: gone.order.clientOrderId });
    const [second] = await pass.reconcileAll();
    expect(second).toMatchObject({ ordersAligned: 1, ordersInferred: 0 });
    expect((await order(gone.order.id)).status).toBe('canceled');
    expect(new Set(full[0]?.mock.calls.map(([id]) => id))).toEqual(new Set([gone.order.id]));
  });

  it('runs at start and then every interval on the clock, one pass at a time, until stopped', async () => {
    const reports: ReconcileReport[][] = [];
    let wake: (() => void) | undefined;
    const nextPass = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    let passed = nextPass();
    const stop = reconciler.runEvery(5_000, {
      onReport: (r) => {
        reports.push(r);
        wake?.();
      },
    });
    await passed; // the pass at start
    expect(reports).toHaveLength(1);

    const stored = await service.submit(buy(400)); // not started: the venue's events are lost
    clock.advanceBy(4_999);
    await service.idle();
    expect((await order(stored.order.id)).status).toBe('pending_new'); // no pass before the interval
    passed = nextPass();
    clock.advanceBy(1);
    await passed;
    expect(reports).toHaveLength(2);
    expect(reports[1]?.[0]).toMatchObject({ fillsApplied: 2 });
    expect((await order(stored.order.id)).status).toBe('filled');

    await stop();
    clock.advanceBy(60_000);
    await service.idle();
    expect(reports).toHaveLength(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('resolves a submit whose outcome was unknown by its client order id, never re-sending it', async () => {
    service.start();
    flaky.mode = 'place-then-timeout';
    const stored = await service.submit(buy(10, 'limit'));
    await service.idle();
    flaky.mode = 'ok';
    clock.advanceBy(2_000);
    await reconciler.reconcileAll();
    await service.idle();
    expect((await order(stored.order.id)).status).toBe('new');
    expect(await paper.openOrders(account)).toHaveLength(1); // placed once
  });

  it('infers a lost submit rejected NOT_FOUND_AT_VENUE after the retries', async () => {
    service.start();
    flaky.mode = 'lose';
    const stored = await service.submit(buy(10, 'limit'));
    expect((await order(stored.order.id)).status).toBe('pending_new');
    clock.advanceBy(2_000);
    await reconciler.reconcileAll();
    expect((await order(stored.order.id)).status).toBe('pending_new'); // one miss: retried later
    await reconciler.reconcileAll();
    const after = await order(stored.order.id);
    expect(after.status).toBe('rejected');
    expect(after.inferred).toBe(true);
    expect(after.reject?.code).toBe('NOT_FOUND_AT_VENUE');
  });

  it('imports a venue order this engine never placed, as external', async () => {
    await paper.submit({
      accountId: account,
      clientOrderId: 'placed-elsewhere',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: dec(3),
      limitPrice: dec('98.00'),
      timeInForce: 'gtc',
    });
    const [report] = await reconciler.reconcileAll();
    expect(report?.ordersImported).toBe(1);
    const imported = (await service.getOrder({ clientOrderId: 'placed-elsewhere', accountId: account }))
      .stored;
    expect(imported.order.external).toBe(true);
    expect(imported.meta.agentId).toBe('external');
  });

  it('corrects a position that differs from the venue and records it in the audit log', async () => {
    service.start();
    await service.submit(buy(50));
    await service.idle();
    const orderStore = new DrizzleOrderStore(store());
    const local = await orderStore.position(account, 'AAPL');
    await orderStore.correctPosition(
      { ...local!, quantity: dec(7) },
      { actor: 'test', action: 'TAMPER', entity: 'position', entityId: 'x', data: {}, at: clock.now() },
      local!.quantity,
    );
    const [report] = await reconciler.reconcileAll();
    expect(report?.positionsCorrected).toBe(1);
    expect((await orderStore.position(account, 'AAPL'))?.quantity.toFixed()).toBe('50');
    const verdict = await verifyAuditLog(store().db);
    expect(verdict.ok).toBe(true);
  });
  describe('while the venue moves during a pass (its events not yet delivered)', () => {
    let venue: LaggingVenue;
    let live: OrderService;
    let orderStore: DrizzleOrderStore;
    let anomalies: string[];
    const fillTheRestingBuy = () => {
      feed.set('AAPL', { book: { bids: [['98.00', '500']], asks: [['98.50', '300']] } });
    };
    const passWith = (reconcilerStore: DrizzleOrderStore = orderStore) =>
      new Reconciler({
        store: reconcilerStore,
        service: live,
        brokers: [venue.broker],
        instruments: new InstrumentRegistry(),
        clock,
      });
    const position = async () =>
      (await live.positions(account)).find((p) => p.symbol === 'AAPL')?.quantity.toFixed() ?? '0';

    beforeEach(() => {
      anomalies = [];
      venue = new LaggingVenue(paper);
      orderStore = new DrizzleOrderStore(store());
      live = new OrderService({
        store: orderStore,
        brokers: [venue.broker],
        instruments: new InstrumentRegistry(),
        clock,
        ids: new RandomIds(() => clock.now()),
        bus: new EventBus(),
        onAnomaly: (message) => anomalies.push(message),
      });
      live.start();
    });

    it('infers no gap fill for a fill made between its reads of the venue: the fill is applied once', async () => {
      const stored = await live.submit(buy(10, 'limit'));
      await live.idle();
      venue.hold();
      venue.once('after', ['ordersSince', 'openOrders', 'fillsSince'], fillTheRestingBuy);
      const [report] = await passWith().reconcileAll();
      expect(report?.failed).toBeUndefined();
      venue.release();
      await live.idle();

      const after = await live.getOrder({ orderId: stored.order.id });
      expect(after.stored.order.status).toBe('filled');
      expect(after.stored.order.filledQty.toFixed()).toBe('10');
      expect(after.stored.order.overfillQty.toFixed()).toBe('0');
      expect(after.fills.map((f) => f.fillId.startsWith('inferred-'))).toEqual([false]);
      expect(await position()).toBe('10');
      expect(anomalies).toEqual([]);
    });

    it('leaves a position the venue changed while it was read to the next pass, never counting a fill twice', async () => {
      await live.submit(buy(10, 'limit'));
      await live.idle();
      venue.hold();
      venue.once('before', ['positions'], fillTheRestingBuy);
      const [first] = await passWith().reconcileAll();
      expect(first?.positionsCorrected).toBe(0);
      venue.release();
      await live.idle();
      expect(await position()).toBe('10');

      const [second] = await passWith().reconcileAll();
      expect(second).toMatchObject({ fillsApplied: 0, positionsCorrected: 0 });
      expect(await position()).toBe('10');
      const mismatches = await store()
        .db.select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'POSITION_MISMATCH'), eq(auditLog.entityId, `${account}:AAPL`)));
      expect(mismatches).toEqual([]);
    });

    it('synthesizes no ack for an order whose own ack and fill arrived after the store was read', async () => {
      venue.hold(); // the ack, then the fill, wait in the stream
      const stored = await live.submit(buy(10, 'limit'));
      await live.idle();
      expect((await order(stored.order.id)).status).toBe('pending_new');
      fillTheRestingBuy();
      // The pass reads the order as pending_new; the stream then delivers before it acts on that.
      const reading = new Proxy(orderStore, {
        get: (target, prop, receiver) => {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (prop !== 'findByClientOrderId' || typeof value !== 'function') return value;
          const call = (value as DrizzleOrderStore['findByClientOrderId']).bind(target);
          return async (accountId: string, clientOrderId: string) => {
            const found = await call(accountId, clientOrderId);
            venue.release();
            await live.idle();
            return found;
          };
        },
      });
      const [report] = await passWith(reading).reconcileAll();
      expect(report?.failed).toBeUndefined();
      await live.idle();

      const after = await live.getOrder({ orderId: stored.order.id });
      expect(after.stored.order.status).toBe('filled');
      expect(after.events.map((e) => e.kind)).toEqual(['ack', 'fill']);
      expect(anomalies).toEqual([]);
    });

    it('writes no correction over a fill applied after the position was compared', async () => {
      await live.submit(buy(10, 'limit'));
      await live.idle();
      fillTheRestingBuy();
      await live.idle();
      const local = await orderStore.position(account, 'AAPL');
      expect(local?.quantity.toFixed()).toBe('10');
      const audit = {
        actor: 'test',
        action: 'TAMPER',
        entity: 'position',
        entityId: `tamper:${account}`,
        data: {},
        at: clock.now(),
      };
      // Compared when flat: the fill applied since then stands, and nothing is audited.
      expect(await orderStore.correctPosition({ ...local!, quantity: dec(3) }, audit, dec(0))).toBe(false);
      expect(await position()).toBe('10');
      expect(await orderStore.correctPosition({ ...local!, quantity: dec(3) }, audit, dec(10))).toBe(true);
      expect(await position()).toBe('3');
      const tampers = await store()
        .db.select()
        .from(auditLog)
        .where(eq(auditLog.entityId, `tamper:${account}`));
      expect(tampers).toHaveLength(1);
    });
  });
});
