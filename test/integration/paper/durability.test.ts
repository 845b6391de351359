import { describe, expect, it, vi } from 'vitest';
import type { VenueEvent } from '../../../src/brokers/broker.js';
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import type { PaperStateStore } from '../../../src/brokers/paper/paper-state.js';
import type { VenueProfile } from '../../../src/brokers/paper/venue-profiles.js';
import { makeAccount } from '../../../src/brokers/paper/test-support.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import { DrizzlePaperStateStore } from '../../../src/store/paper-state-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';

const T0 = Date.UTC(2026, 2, 5, 15, 0);
const profile = (venue: string): VenueProfile => ({
  id: venue,
  name: venue,
  description: '',
  assetClasses: ['us_equity', 'crypto'],
  depthScale: dec(1),
  options: {},
  symbolOptions: {},
  accounts: [
    makeAccount({ id: 'margin', venue }),
    makeAccount({
      id: 'cash',
      venue,
      type: 'cash',
      allowShort: false,
      cash: { USD: dec(10_000), USDT: dec(0) },
    }),
  ],
});

describe.each(TEST_BACKENDS)('a durable paper venue on %s', (backend) => {
  const store = useTestStore(backend);
  let n = 0;

  async function start(venue: string, state: PaperStateStore, clock: SimulatedClock) {
    const feed = new ScriptedFeed({ clock });
    const broker = new PaperBroker({
      profile: profile(venue),
      instruments: new InstrumentRegistry(),
      clock,
      feed,
      state,
    });
    await broker.connect();
    const events: VenueEvent[] = [];
    broker.subscribe((e) => events.push(e));
    return { broker, feed, events };
  }

  it('resumes its resting orders, indexes, ledger and id counters after a restart', async () => {
    const venue = `durable-${++n}`;
    const state = new DrizzlePaperStateStore(store());
    const clock = new SimulatedClock(T0);
    const a = await start(venue, state, clock);
    a.feed.set('AAPL', { book: { bids: [['100.00', '500']], asks: [['100.02', '50']] } });
    const base = { symbol: 'AAPL', timeInForce: 'gtc' as const };
    await a.broker.submit({
      ...base,
      accountId: 'margin',
      clientOrderId: 'part',
      side: 'buy',
      type: 'limit',
      quantity: dec(80),
      limitPrice: dec('100.02'),
    }); // 50 fill, 30 rest
    await a.broker.submit({
      ...base,
      accountId: 'margin',
      clientOrderId: 'stop',
      side: 'sell',
      type: 'stop',
      quantity: dec(10),
      stopPrice: dec('99.00'),
    });
    await a.broker.submit({
      ...base,
      accountId: 'margin',
      clientOrderId: 'trail',
      side: 'sell',
      type: 'trailing_stop',
      quantity: dec(5),
      trailPrice: dec('0.50'),
    });
    await a.broker.submit({
      ...base,
      accountId: 'cash',
      clientOrderId: 'held',
      side: 'buy',
      type: 'limit',
      quantity: dec(20),
      limitPrice: dec('95.00'),
    });
    const before = {
      open: (await a.broker.openOrders('margin')).map((o) => [
        o.clientOrderId,
        o.status,
        o.filledQty.toFixed(),
        o.currentStop?.toFixed(),
      ]),
      positions: (await a.broker.positions('margin')).map((p) => [
        p.symbol,
        p.quantity.toFixed(),
        p.avgEntryPrice.toFixed(),
      ]),
      cash: (await a.broker.balances('cash')).map((b) => [
        b.currency,
        b.total.toFixed(),
        b.available.toFixed(),
      ]),
      venueOrderId: (await a.broker.getOrder('margin', 'part'))?.venueOrderId,
    };
    expect(before.open).toHaveLength(3);
    // The process dies: no close, nothing flushed beyond what each command saved.
    const b = await start(venue, state, clock);
    expect(
      (await b.broker.openOrders('margin')).map((o) => [
        o.clientOrderId,
        o.status,
        o.filledQty.toFixed(),
        o.currentStop?.toFixed(),
      ]),
    ).toEqual(before.open);
    expect(
      (await b.broker.positions('margin')).map((p) => [
        p.symbol,
        p.quantity.toFixed(),
        p.avgEntryPrice.toFixed(),
      ]),
    ).toEqual(before.positions);
    expect(
      (await b.broker.balances('cash')).map((x) => [x.currency, x.total.toFixed(), x.available.toFixed()]),
    ).toEqual(before.cash);
    expect(before.cash[0]?.[2]).toBe('8100'); // the open cash-account buy still holds back 20 × 95

    // The restored indexes work: the market falls through the stop and the trailing stop.
    b.feed.set('AAPL', { book: { bids: [['98.90', '500']], asks: [['98.92', '500']] } });
    await b.broker.whenSaved();
    const filled = b.events
      .filter((e) => e.event.kind === 'fill')
      .map((e) => e.event.clientOrderId)
      .sort();
    expect(filled).toEqual(['part', 'stop', 'trail']); // the resting buy at 100.02 takes the lower ask too
    // Ids continue: a new order gets the next venue order id of the same instance, never a repeat.
    await b.broker.submit({
      ...base,
      accountId: 'margin',
      clientOrderId: 'next',
      side: 'buy',
      type: 'limit',
      quantity: dec(1),
      limitPrice: dec('90.00'),
    });
    const next = (await b.broker.getOrder('margin', 'next'))?.venueOrderId;
    expect(next?.split('-').slice(0, -1)).toEqual(before.venueOrderId?.split('-').slice(0, -1));
    expect(Number(next?.split('-').pop())).toBeGreaterThan(Number(before.venueOrderId?.split('-').pop()));
  });

  it('publishes a batch only once it is saved; after a failed save it publishes nothing', async () => {
    const venue = `durable-${++n}`;
    const real = new DrizzlePaperStateStore(store());
    let failing = false;
    const state: PaperStateStore = {
      load: (v) => real.load(v),
      save: (v, batch) => (failing ? Promise.reject(new Error('disk full')) : real.save(v, batch)),
    };
    const a = await start(venue, state, new SimulatedClock(T0));
    a.feed.set('AAPL', { book: { bids: [['100.00', '500']], asks: [['100.02', '500']] } });
    await a.broker.submit({
      accountId: 'margin',
      clientOrderId: 'ok',
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      quantity: dec(1),
      timeInForce: 'day',
    });
    expect(a.events.map((e) => e.event.kind)).toEqual(['ack', 'fill']);
    failing = true;
    await a.broker.submit({
      accountId: 'margin',
      clientOrderId: 'lost',
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      quantity: dec(1),
      timeInForce: 'day',
    });
    expect(a.events.map((e) => e.event.clientOrderId)).toEqual(['ok', 'ok']);
    expect(a.broker.persistenceError).toBeInstanceOf(Error);
    // A restart knows only what was saved: the lost order never happened at this venue.
    const b = await start(venue, real, new SimulatedClock(T0));
    expect(await b.broker.getOrder('margin', 'lost')).toBeUndefined();
    expect((await b.broker.positions('margin')).map((p) => p.quantity.toFixed())).toEqual(['1']);
  });

  it('saves the commands that ran during a save together in the next one, then publishes their events in order', async () => {
    const venue = `durable-${++n}`;
    const real = new DrizzlePaperStateStore(store());
    const batches: { orders: string[]; fills: number }[] = [];
    let gate: (() => void) | undefined;
    const state: PaperStateStore = {
      load: (v) => real.load(v),
      save: async (v, batch) => {
        batches.push({ orders: batch.orders.map((o) => o.order.clientOrderId), fills: batch.fills.length });
        if (gate === undefined && batches.length > 1)
          await new Promise<void>((resolve) => {
            gate = resolve;
          });
        await real.save(v, batch);
      },
    };
    const a = await start(venue, state, new SimulatedClock(T0));
    batches.length = 0;
    a.feed.set('AAPL', { book: { bids: [['100.00', '500']], asks: [['100.02', '500']] } });
    const submit = (clientOrderId: string, type: 'market' | 'limit') =>
      a.broker.submit({
        accountId: 'margin',
        clientOrderId,
        symbol: 'AAPL',
        side: 'buy',
        type,
        quantity: dec(1),
        ...(type === 'limit' ? { limitPrice: dec('99.00') } : {}),
        timeInForce: 'day',
      });
    await submit('first', 'limit');
    // The next save is held: three commands run meanwhile.
    const held = submit('m1', 'market');
    await vi.waitFor(() => {
      expect(gate).toBeDefined();
    });
    const rest = [submit('m2', 'market'), submit('r1', 'limit')];
    expect(a.events.map((e) => e.event.clientOrderId)).toEqual(['first']);
    gate?.();
    await Promise.all([held, ...rest]);
    // One save for m1, then one for both commands that ran while it was held.
    expect(batches.map((b) => b.orders)).toEqual([['first'], ['m1'], ['m2', 'r1']]);
    expect(batches.map((b) => b.fills)).toEqual([0, 1, 1]);
    expect(a.events.map((e) => `${e.event.clientOrderId}:${e.event.kind}`)).toEqual([
      'first:ack',
      'm1:ack',
      'm1:fill',
      'm2:ack',
      'm2:fill',
      'r1:ack',
    ]);
    // And a restart finds all of it.
    const b = await start(venue, real, new SimulatedClock(T0));
    expect((await b.broker.openOrders('margin')).map((o) => o.clientOrderId).sort()).toEqual(['first', 'r1']);
    expect((await b.broker.positions('margin')).map((p) => p.quantity.toFixed())).toEqual(['2']);
  });
});
