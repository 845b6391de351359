/**
 * PaperBroker through the Broker port (broker.ts), against ORDER-SEMANTICS.md §2.4 (event order),
 * §3.2 (day expiry), §6 (fill ids, positions), §8 (reconciliation reports) and §10 (latency, fees),
 * and README.md (depth scale). Real parts in-process: a SimulatedClock advanced by hand and a
 * ScriptedFeed; expected values are exact decimals worked out from the documents.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Account, AccountType } from '../../domain/account.js';
import { type DecimalInput, dec } from '../../domain/decimal.js';
import type { Fill, OrderEvent } from '../../domain/events.js';
import { BUNDLED_INSTRUMENTS, InstrumentRegistry } from '../../domain/instruments.js';
import { SimulatedClock } from '../../domain/clock.js';
import { ScriptedFeed, type ScriptedLevel } from '../../marketdata/feeds/index.js';
import type { BookLevel } from '../../marketdata/types.js';
import {
  BrokerCallError,
  type SubmitReceipt,
  type SubmitRequest,
  type VenueEvent,
  type VenueOrder,
  withDeadline,
} from '../broker.js';
import type { PaperOptionsInput } from './options.js';
import { PaperBroker } from './paper-broker.js';
import { bookSnapshot } from './test-support.js';
import type { VenueProfile } from './venue-profiles.js';

/** Thursday 2026-03-05 15:00Z = 10:00 New York (EST): a regular US equity session. */
const T0 = Date.UTC(2026, 2, 5, 15, 0);
/** The regular close that day: 16:00 New York = 21:00Z. */
const CLOSE = Date.UTC(2026, 2, 5, 21, 0);
/** Crypto day orders expire at the first 00:00 UTC after acceptance (§3.2). */
const MIDNIGHT_UTC = Date.UTC(2026, 2, 6, 0, 0);
const VENUE = 'paper-test';

// ---------------------------------------------------------------- harness

function account(id: string, type: AccountType): Account {
  return {
    id,
    venue: VENUE,
    mode: 'paper',
    type,
    currency: 'USD',
    cash: { USD: dec(100_000) },
    marginMultiplier: dec(type === 'margin' ? 2 : 1),
    allowShort: type === 'margin',
    patternDayTrader: false,
    dayTrades: [],
    tradingBlocked: false,
  };
}

interface ProfileInput {
  readonly options?: PaperOptionsInput;
  readonly depthScale?: DecimalInput;
  readonly id?: string;
}

function profile(input: ProfileInput = {}): VenueProfile {
  const id = input.id ?? VENUE;
  return {
    id,
    name: 'Test venue',
    description: '',
    assetClasses: ['us_equity', 'crypto'],
    depthScale: dec(input.depthScale ?? 1),
    options: input.options ?? {},
    symbolOptions: {},
    accounts: [account('cash-1', 'cash'), account('margin-1', 'margin')],
  };
}

interface Harness {
  readonly clock: SimulatedClock;
  readonly feed: ScriptedFeed;
  readonly broker: PaperBroker;
  /** Every venue event heard by a subscriber, in order. */
  readonly events: VenueEvent[];
}

/** A connected broker with the profile of `input` on `clock` (and `feed`, if given), and what it emits. */
async function connectBroker(
  input: ProfileInput,
  clock: SimulatedClock,
  feed?: ScriptedFeed,
): Promise<Pick<Harness, 'broker' | 'events'>> {
  const broker = new PaperBroker({
    profile: profile(input),
    instruments: new InstrumentRegistry(),
    clock,
    ...(feed === undefined ? {} : { feed }),
  });
  const events: VenueEvent[] = [];
  broker.subscribe((e) => events.push(e));
  await broker.connect();
  return { broker, events };
}

/** A connected broker on a SimulatedClock at T0 and a ScriptedFeed with AAPL quoted 99.90 / 100.00. */
async function setup(input: ProfileInput = {}): Promise<Harness> {
  const clock = new SimulatedClock(T0);
  const feed = new ScriptedFeed({ clock, instruments: BUNDLED_INSTRUMENTS });
  feed.set('AAPL', { bid: '99.90', ask: '100.00', bidSize: 100, askSize: 100 });
  return { clock, feed, ...(await connectBroker(input, clock, feed)) };
}

type OrderInput = Pick<SubmitRequest, 'clientOrderId' | 'side' | 'type'> & {
  readonly quantity: DecimalInput;
  readonly limitPrice?: DecimalInput;
  readonly accountId?: string;
  readonly symbol?: string;
  readonly timeInForce?: SubmitRequest['timeInForce'];
};

/** A request: AAPL, day, account margin-1 unless given. */
function request(input: OrderInput): SubmitRequest {
  const { quantity, limitPrice, ...rest } = input;
  return {
    accountId: 'margin-1',
    symbol: 'AAPL',
    timeInForce: 'day',
    ...rest,
    quantity: dec(quantity),
    ...(limitPrice === undefined ? {} : { limitPrice: dec(limitPrice) }),
  };
}

/** `ack`, `fill 5@100 taker`, `cxl`, ... for compact sequence assertions. */
function describeEvent(e: OrderEvent): string {
  if (e.kind === 'fill')
    return `fill ${e.fill.quantity.toFixed()}@${e.fill.price.toFixed()} ${e.fill.liquidity}`;
  return e.kind;
}

/** The events of one order, described; a venue-side `rpl_req` (§1.3) is optional, so not shown. */
function log(events: readonly VenueEvent[], clientOrderId: string): string[] {
  return events
    .filter((e) => e.event.clientOrderId === clientOrderId && e.event.kind !== 'rpl_req')
    .map((e) => describeEvent(e.event));
}

function fillsIn(events: readonly VenueEvent[]): Fill[] {
  return events.flatMap((e) => (e.event.kind === 'fill' ? [e.event.fill] : []));
}

const levels = (side: readonly BookLevel[]): string[] =>
  side.map((l) => `${l.price.toFixed()}x${l.size === undefined ? 'inf' : l.size.toFixed()}`);

/** Lets every pending promise continuation run (no time passes on any clock). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Tracks whether a promise has settled yet. */
function track<T>(promise: Promise<T>): { readonly settled: () => boolean; readonly promise: Promise<T> } {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  return { settled: () => settled, promise: tracked };
}

function accepted(receipt: SubmitReceipt): string {
  if (receipt.status !== 'accepted') throw new Error(`rejected ${receipt.code}: ${receipt.message}`);
  return receipt.venueOrderId;
}

async function statusOf(broker: PaperBroker, clientOrderId: string, accountId = 'margin-1'): Promise<string> {
  return (await broker.getOrder(accountId, clientOrderId))?.status ?? 'unknown';
}

// ---------------------------------------------------------------- events

describe('PaperBroker events', () => {
  it('reach every subscriber in order, ack before fills, with venue and account', async () => {
    const { feed, broker, events } = await setup();
    feed.set('AAPL', {
      book: {
        bids: [['99.90', 10]],
        asks: [
          ['100.00', 5],
          ['100.01', 10],
        ],
      },
    });
    const second: VenueEvent[] = [];
    const unsubscribe = broker.subscribe((e) => second.push(e));

    const venueOrderId = accepted(
      await broker.submit(request({ clientOrderId: 'm-1', side: 'buy', type: 'market', quantity: 8 })),
    );
    await broker.submit(
      request({
        clientOrderId: 'c-1',
        accountId: 'cash-1',
        side: 'buy',
        type: 'limit',
        quantity: 1,
        limitPrice: 99,
      }),
    );

    expect(log(events, 'm-1')).toEqual(['ack', 'fill 5@100 taker', 'fill 3@100.01 taker']);
    expect(log(events, 'c-1')).toEqual(['ack']);
    expect(events.map((e) => [e.venue, e.accountId, e.event.clientOrderId])).toEqual([
      [VENUE, 'margin-1', 'm-1'],
      [VENUE, 'margin-1', 'm-1'],
      [VENUE, 'margin-1', 'm-1'],
      [VENUE, 'cash-1', 'c-1'],
    ]);
    expect(events.slice(0, 3).every((e) => e.event.venueOrderId === venueOrderId)).toBe(true);
    expect(new Set(events.map((e) => e.event.eventId)).size).toBe(events.length);
    expect(fillsIn(events).map((f) => [f.venue, f.accountId, f.fillId])).toEqual([
      [VENUE, 'margin-1', `${venueOrderId}-1`],
      [VENUE, 'margin-1', `${venueOrderId}-2`],
    ]);
    expect(second).toEqual(events);

    unsubscribe();
    await broker.cancel({ accountId: 'cash-1', clientOrderId: 'c-1' });
    expect(log(events, 'c-1')).toEqual(['ack', 'cxl']);
    expect(second).toHaveLength(4);
  });
});

// ---------------------------------------------------------------- latency (§10)

describe('PaperBroker command latency', () => {
  it('processes a submit at t + latency_submit_ms, against the market as of then', async () => {
    const { clock, feed, broker, events } = await setup({ options: { latency_submit_ms: 40 } });
    const submit = track(
      broker.submit(request({ clientOrderId: 'm-1', side: 'buy', type: 'market', quantity: 10 })),
    );
    await flush();
    expect(submit.settled()).toBe(false);

    clock.advanceBy(20);
    feed.set('AAPL', { bid: '100.40', ask: '100.50', bidSize: 100, askSize: 100 });
    clock.advanceBy(19);
    await flush();
    expect(submit.settled()).toBe(false);
    expect(events).toEqual([]);
    expect(await broker.getOrder('margin-1', 'm-1')).toBeUndefined();

    clock.advanceBy(1);
    const receipt = await submit.promise;
    expect(receipt).toMatchObject({ status: 'accepted', at: T0 + 40 });
    expect(log(events, 'm-1')).toEqual(['ack', 'fill 10@100.5 taker']);
    expect(events.map((e) => e.event.venueTime)).toEqual([T0 + 40, T0 + 40]);
  });

  it('uses the market as of t + latency even when the clock jumps past it in one advance', async () => {
    // §10: "a command sent at t is processed against the data as of t + latency". A market change
    // the clock fires later, at +60, must not reach a submit that the venue processed at +40.
    const { clock, feed, broker, events } = await setup({ options: { latency_submit_ms: 40 } });
    const submit = broker.submit(
      request({ clientOrderId: 'm-1', side: 'buy', type: 'market', quantity: 10 }),
    );
    clock.schedule(T0 + 60, () => {
      feed.set('AAPL', { bid: '100.90', ask: '101.00', bidSize: 100, askSize: 100 });
    });
    clock.advanceTo(T0 + 100);
    const receipt = await submit;
    expect.soft(receipt).toMatchObject({ status: 'accepted', at: T0 + 40 });
    expect.soft(log(events, 'm-1')).toEqual(['ack', 'fill 10@100 taker']);
    expect.soft(fillsIn(events)[0]?.ts).toBe(T0 + 40);
  });

  it('processes a cancel at t + latency_cancel_ms: fills in between still happen', async () => {
    const { clock, feed, broker, events } = await setup({ options: { latency_cancel_ms: 30 } });
    await broker.submit(
      request({ clientOrderId: 'l-1', side: 'buy', type: 'limit', quantity: 10, limitPrice: 99 }),
    );
    const cancel = track(broker.cancel({ accountId: 'margin-1', clientOrderId: 'l-1' }));

    clock.advanceBy(10);
    feed.set('AAPL', { bid: '98.80', ask: '98.90', bidSize: 100, askSize: 4 });
    clock.advanceBy(19);
    await flush();
    expect(cancel.settled()).toBe(false);
    expect(await statusOf(broker, 'l-1')).toBe('partially_filled');

    clock.advanceBy(1);
    await cancel.promise;
    expect(log(events, 'l-1')).toEqual(['ack', 'fill 4@99 maker', 'cxl']);
    expect(events.at(-1)?.event.venueTime).toBe(T0 + 30);
    expect(await broker.getOrder('margin-1', 'l-1')).toMatchObject({ status: 'canceled', filledQty: dec(4) });
  });

  it('refuses a cancel that arrives after the order filled during the latency', async () => {
    const { clock, feed, broker, events } = await setup({ options: { latency_cancel_ms: 30 } });
    await broker.submit(
      request({ clientOrderId: 'l-1', side: 'buy', type: 'limit', quantity: 10, limitPrice: 99 }),
    );
    const cancel = broker.cancel({ accountId: 'margin-1', clientOrderId: 'l-1' });
    const outcome = cancel.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    clock.advanceBy(10);
    feed.set('AAPL', { bid: '98.80', ask: '98.90', bidSize: 100, askSize: 100 });
    clock.advanceBy(20);
    const error = await outcome;
    expect(error).toBeInstanceOf(BrokerCallError);
    expect(error).toMatchObject({ code: 'ORDER_NOT_OPEN', outcome: 'definitive', venue: VENUE });
    expect(log(events, 'l-1')).toEqual(['ack', 'fill 10@99 maker']);
  });

  it('processes a replace at t + latency_replace_ms, then takes against the market as of then', async () => {
    const { clock, feed, broker, events } = await setup({ options: { latency_replace_ms: 25 } });
    await broker.submit(
      request({ clientOrderId: 'l-1', side: 'buy', type: 'limit', quantity: 10, limitPrice: 99 }),
    );
    const replace = track(
      broker.replace({ accountId: 'margin-1', clientOrderId: 'l-1', changes: { limitPrice: dec('100.50') } }),
    );

    clock.advanceBy(10);
    feed.set('AAPL', { bid: '100.10', ask: '100.20', bidSize: 100, askSize: 100 });
    clock.advanceBy(14);
    await flush();
    expect(replace.settled()).toBe(false);
    expect((await broker.getOrder('margin-1', 'l-1'))?.limitPrice?.toFixed()).toBe('99');

    clock.advanceBy(1);
    await replace.promise;
    expect(log(events, 'l-1')).toEqual(['ack', 'rpl', 'fill 10@100.2 taker']);
    expect(fillsIn(events)[0]?.ts).toBe(T0 + 25);
    const order = await broker.getOrder('margin-1', 'l-1');
    expect(order?.status).toBe('filled');
    expect(order?.limitPrice?.toFixed()).toBe('100.5');
  });
});

// ---------------------------------------------------------------- expiry timer (§3.2)

describe('PaperBroker day expiry', () => {
  it('expires day orders from its own clock timer: equities at the close, crypto at 00:00 UTC', async () => {
    const { clock, feed, broker, events } = await setup();
    feed.set('BTC/USD', { bid: '95000.00', ask: '95010.00', bidSize: 1, askSize: 1 });
    await broker.submit(
      request({ clientOrderId: 'eq', side: 'buy', type: 'limit', quantity: 10, limitPrice: 99 }),
    );
    await broker.submit(
      request({
        clientOrderId: 'btc',
        symbol: 'BTC/USD',
        side: 'buy',
        type: 'limit',
        quantity: '0.01',
        limitPrice: 90000,
      }),
    );

    clock.advanceTo(CLOSE - 1);
    expect(await statusOf(broker, 'eq')).toBe('new');

    clock.advanceTo(MIDNIGHT_UTC - 1);
    expect(log(events, 'eq')).toEqual(['ack', 'exp']);
    expect(
      events.find((e) => e.event.clientOrderId === 'eq' && e.event.kind === 'exp')?.event.venueTime,
    ).toBe(CLOSE);
    expect(await statusOf(broker, 'eq')).toBe('expired');
    expect(await statusOf(broker, 'btc')).toBe('new');

    clock.advanceTo(MIDNIGHT_UTC + 3_600_000);
    expect(log(events, 'btc')).toEqual(['ack', 'exp']);
    expect(events.at(-1)?.event.venueTime).toBe(MIDNIGHT_UTC);
    expect(await broker.openOrders('margin-1')).toEqual([]);
  });
});

// ---------------------------------------------------------------- reconciliation reports (§8.3)

describe('PaperBroker reconciliation reports', () => {
  const T1 = T0 + 1_000;
  const T2 = T0 + 2_000;
  const T3 = T0 + 3_000;

  /**
   * Maker 1 bps, taker 2 bps (§6.2: fee = notional × bps / 10 000).
   * T0  cash-1 buys 20 at market: 10@100.00 (fee 0.2) and 10@100.10 (fee 0.2002).
   * T1  cash-1 offers 5 @ 100.20 (rests).
   * T2  the bid moves to 100.25: the offer fills 5@100.20 as maker (fee 0.0501); then margin-1
   *     sells 4 short at market: 4@100.25 from the 5 left at that bid (fee 0.0802).
   * T3  cash-1 bids 10 @ 99.00 (rests, holding cash).
   */
  async function scenario(): Promise<Harness & { ids: string[] }> {
    const h = await setup({ options: { maker_fee_bps: '1', taker_fee_bps: '2' } });
    const { clock, feed, broker } = h;
    feed.set('AAPL', {
      book: {
        bids: [['99.90', 50]],
        asks: [
          ['100.00', 10],
          ['100.10', 10],
        ],
      },
    });
    const ids: string[] = [];
    const submit = async (input: OrderInput): Promise<void> => {
      ids.push(accepted(await broker.submit(request(input))));
    };
    await submit({ clientOrderId: 'c-1', accountId: 'cash-1', side: 'buy', type: 'market', quantity: 20 });
    clock.advanceTo(T1);
    await submit({
      clientOrderId: 'c-2',
      accountId: 'cash-1',
      side: 'sell',
      type: 'limit',
      quantity: 5,
      limitPrice: '100.20',
    });
    clock.advanceTo(T2);
    feed.set('AAPL', { bid: '100.25', ask: '100.35', bidSize: 10, askSize: 10 });
    await submit({ clientOrderId: 'm-1', accountId: 'margin-1', side: 'sell', type: 'market', quantity: 4 });
    clock.advanceTo(T3);
    await submit({
      clientOrderId: 'c-4',
      accountId: 'cash-1',
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 99,
    });
    return { ...h, ids };
  }

  const summary = (orders: readonly VenueOrder[]): string[] =>
    orders
      .map((o) => `${o.clientOrderId} ${o.status} ${o.filledQty.toFixed()}/${o.quantity.toFixed()}`)
      .sort();

  it('lists open orders per account', async () => {
    const { broker, ids } = await scenario();
    const open = await broker.openOrders('cash-1');
    expect(summary(open)).toEqual(['c-4 new 0/10']);
    expect(open[0]).toMatchObject({
      venue: VENUE,
      accountId: 'cash-1',
      venueOrderId: ids[3],
      side: 'buy',
      type: 'limit',
      createdAt: T3,
      updatedAt: T3,
    });
    expect(open[0]?.limitPrice?.toFixed()).toBe('99');
    expect(await broker.openOrders('margin-1')).toEqual([]);
  });

  it('lists orders changed since a time, per account', async () => {
    const { broker, ids } = await scenario();
    expect(summary(await broker.ordersSince('cash-1', T0))).toEqual([
      'c-1 filled 20/20',
      'c-2 filled 5/5',
      'c-4 new 0/10',
    ]);
    const sinceT2 = await broker.ordersSince('cash-1', T2);
    expect(summary(sinceT2)).toEqual(['c-2 filled 5/5', 'c-4 new 0/10']);
    const c2 = sinceT2.find((o) => o.clientOrderId === 'c-2');
    expect(c2).toMatchObject({ venueOrderId: ids[1], createdAt: T1, updatedAt: T2 });
    expect(c2?.avgFillPrice?.toFixed()).toBe('100.2');
    expect(summary(await broker.ordersSince('cash-1', T3 + 1))).toEqual([]);
    expect(summary(await broker.ordersSince('margin-1', T0))).toEqual(['m-1 filled 4/4']);
  });

  it('lists fills since a time, with ids {venueOrderId}-{n}', async () => {
    const { broker, ids } = await scenario();
    const [c1, c2, m1] = ids;
    const fillLine = (f: Fill): string =>
      `${f.fillId} ${f.side} ${f.quantity.toFixed()}@${f.price.toFixed()} ${f.liquidity} fee ${f.fee.toFixed()} ${f.feeCurrency} t+${f.ts - T0}`;
    expect((await broker.fillsSince('cash-1', T0)).map(fillLine)).toEqual([
      `${c1}-1 buy 10@100 taker fee 0.2 USD t+0`,
      `${c1}-2 buy 10@100.1 taker fee 0.2002 USD t+0`,
      `${c2}-1 sell 5@100.2 maker fee 0.0501 USD t+2000`,
    ]);
    expect((await broker.fillsSince('cash-1', T2)).map((f) => f.fillId)).toEqual([`${c2}-1`]);
    expect((await broker.fillsSince('margin-1', T0)).map(fillLine)).toEqual([
      `${m1}-1 sell 4@100.25 taker fee 0.0802 USD t+2000`,
    ]);
    expect(await broker.fillsSince('cash-1', T2 + 1)).toEqual([]);
    expect(new Set(ids).size).toBe(4);
  });

  it('reports signed positions with an exact average entry', async () => {
    const { broker } = await scenario();
    const show = async (accountId: string): Promise<string[]> =>
      (await broker.positions(accountId)).map(
        (p) => `${p.symbol} ${p.quantity.toFixed()} @ ${p.avgEntryPrice.toFixed()}`,
      );
    // Long: (10 × 100 + 10 × 100.10) / 20 = 100.05; the sale of 5 keeps the average (§6.2).
    expect(await show('cash-1')).toEqual(['AAPL 15 @ 100.05']);
    expect(await show('margin-1')).toEqual(['AAPL -4 @ 100.25']);
  });

  it('reports balances: available = total − what open buys on a cash account hold', async () => {
    const { broker } = await scenario();
    // cash-1: 100 000 − 1 000 − 0.2 − 1 001 − 0.2002 + 501 − 0.0501 = 98 499.5497.
    // The open bid holds its notional plus the taker fee it may pay: 10 × 99 × 1.0002 = 990.198.
    const cash = await broker.balances('cash-1');
    expect(cash.map((b) => [b.currency, b.total.toFixed(), b.available.toFixed()])).toEqual([
      ['USD', '98499.5497', '97509.3517'],
    ]);
    // margin-1: 100 000 + 401 − 0.0802; a margin account's orders hold no cash.
    const margin = await broker.balances('margin-1');
    expect(margin.map((b) => [b.currency, b.total.toFixed(), b.available.toFixed()])).toEqual([
      ['USD', '100400.9198', '100400.9198'],
    ]);
  });

  it('releases the hold when the open buy is canceled', async () => {
    const { broker } = await scenario();
    await broker.cancel({ accountId: 'cash-1', clientOrderId: 'c-4' });
    const [usd] = await broker.balances('cash-1');
    expect(usd?.available.toFixed()).toBe('98499.5497');
  });

  it('reports accounts: equity marked at the mid, buying power', async () => {
    const { broker } = await scenario();
    const accounts = await broker.accounts();
    const show = accounts.map((a) => ({
      accountId: a.accountId,
      type: a.type,
      currency: a.currency,
      cash: a.cash.toFixed(),
      equity: a.equity.toFixed(),
      buyingPower: a.buyingPower.toFixed(),
      tradingBlocked: a.tradingBlocked,
    }));
    // Mark = mid = (100.25 + 100.35) / 2 = 100.30 (§6.2).
    // cash-1: 98 499.5497 + 15 × 100.30 = 100 004.0497; a cash account's buying power is its cash.
    // margin-1: 100 400.9198 − 4 × 100.30 = 99 999.7198; buying power = equity × 2 − gross 401.2.
    expect(show).toEqual([
      {
        accountId: 'cash-1',
        type: 'cash',
        currency: 'USD',
        cash: '98499.5497',
        equity: '100004.0497',
        buyingPower: '98499.5497',
        tradingBlocked: false,
      },
      {
        accountId: 'margin-1',
        type: 'margin',
        currency: 'USD',
        cash: '100400.9198',
        equity: '99999.7198',
        buyingPower: '199598.2396',
        tradingBlocked: false,
      },
    ]);
  });

  it('answers undefined for an order it does not know', async () => {
    const { broker } = await scenario();
    expect(await broker.getOrder('cash-1', 'no-such-order')).toBeUndefined();
    // Client order ids are per account: c-1 belongs to cash-1 only.
    expect(await broker.getOrder('margin-1', 'c-1')).toBeUndefined();
    expect((await broker.getOrder('cash-1', 'c-1'))?.status).toBe('filled');
  });
});

// ---------------------------------------------------------------- refusals

describe('PaperBroker refusals', () => {
  it('rejects a malformed submit with a definitive BrokerCallError and leaves no trace', async () => {
    const { broker, events } = await setup();
    const limitWithoutPrice = broker.submit(
      request({ clientOrderId: 'bad-1', side: 'buy', type: 'limit', quantity: 1 }),
    );
    await expect(limitWithoutPrice).rejects.toBeInstanceOf(BrokerCallError);
    await expect(limitWithoutPrice).rejects.toMatchObject({
      code: 'INVALID_ORDER',
      outcome: 'definitive',
      venue: VENUE,
      retryable: false,
    });
    await expect(
      broker.submit(
        request({ clientOrderId: 'bad-2', side: 'buy', type: 'market', quantity: 1, symbol: 'NOPE' }),
      ),
    ).rejects.toMatchObject({ code: 'INSTRUMENT_NOT_FOUND', outcome: 'definitive' });
    await expect(
      broker.submit(
        request({ clientOrderId: 'bad-3', side: 'buy', type: 'market', quantity: 1, accountId: 'ghost' }),
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', outcome: 'definitive' });
    expect(events).toEqual([]);
    expect(await broker.getOrder('margin-1', 'bad-1')).toBeUndefined();
    expect(await broker.ordersSince('margin-1', 0)).toEqual([]);
  });

  it('refuses a cancel of an unknown order definitively', async () => {
    const { broker } = await setup();
    await expect(broker.cancel({ accountId: 'margin-1', clientOrderId: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND_AT_VENUE',
      outcome: 'definitive',
    });
  });
});

// ---------------------------------------------------------------- market data

describe('PaperBroker market data', () => {
  const thinBook = {
    book: {
      bids: [['99.99', 8]] as ScriptedLevel[],
      asks: [
        ['100.00', 10],
        ['100.01', 10],
      ] as ScriptedLevel[],
    },
  };

  it('matches against the displayed sizes × depthScale (0.5 halves them)', async () => {
    const clock = new SimulatedClock(T0);
    const feed = new ScriptedFeed({ clock, instruments: BUNDLED_INSTRUMENTS });
    feed.set('AAPL', thinBook);
    const half = await connectBroker({ id: 'paper-half', depthScale: '0.5' }, clock, feed);
    const full = await connectBroker({ id: 'paper-full', depthScale: '1' }, clock, feed);

    const halfBook = half.broker.book('AAPL');
    expect([levels(halfBook?.bids ?? []), levels(halfBook?.asks ?? [])]).toEqual([
      ['99.99x4'],
      ['100x5', '100.01x5'],
    ]);
    const fullBook = full.broker.book('AAPL');
    expect(levels(fullBook?.asks ?? [])).toEqual(['100x10', '100.01x10']);

    const buy8 = request({ clientOrderId: 'm-1', side: 'buy', type: 'market', quantity: 8 });
    await half.broker.submit(buy8);
    await full.broker.submit(buy8);
    expect(log(half.events, 'm-1')).toEqual(['ack', 'fill 5@100 taker', 'fill 3@100.01 taker']);
    expect(log(full.events, 'm-1')).toEqual(['ack', 'fill 8@100 taker']);
    // The shared data is not changed by either venue.
    expect(levels(feed.snapshot('AAPL')?.asks ?? [])).toEqual(['100x10', '100.01x10']);
  });

  it('simulate() replaces the market and runs matching', async () => {
    const clock = new SimulatedClock(T0);
    const { broker, events } = await connectBroker({}, clock);
    expect(broker.book('AAPL')).toBeUndefined();

    broker.simulate({
      kind: 'book',
      book: bookSnapshot(
        'AAPL',
        [
          ['100.00', 10],
          ['99.90', 10],
        ],
        [['100.50', 10]],
        T0,
      ),
    });
    await broker.submit(
      request({ clientOrderId: 's-1', side: 'sell', type: 'limit', quantity: 5, limitPrice: 101 }),
    );
    expect(log(events, 's-1')).toEqual(['ack']);

    clock.advanceBy(1_000);
    broker.simulate({
      kind: 'book',
      book: bookSnapshot('AAPL', [['101.50', 10]], [['102.00', 10]], clock.now()),
    });
    expect(log(events, 's-1')).toEqual(['ack', 'fill 5@101 maker']);
    const book = broker.book('AAPL');
    expect([levels(book?.bids ?? []), levels(book?.asks ?? []), book?.ts]).toEqual([
      ['101.5x10'],
      ['102x10'],
      T0 + 1_000,
    ]);

    broker.simulate({ kind: 'book', book: bookSnapshot('AAPL', [], [['102.00', 3]], clock.now()) });
    expect(broker.book('AAPL')?.bids).toEqual([]);
    expect(levels(broker.book('AAPL')?.asks ?? [])).toEqual(['102x3']);
  });

  it('close() unsubscribes from the feed: later updates change nothing', async () => {
    const { feed, broker, events } = await setup();
    await broker.submit(
      request({ clientOrderId: 'l-1', side: 'buy', type: 'limit', quantity: 10, limitPrice: 99 }),
    );
    feed.set('AAPL', { bid: '99.80', ask: '99.95', bidSize: 100, askSize: 100 });
    expect(broker.book('AAPL')?.asks[0]?.price.toFixed()).toBe('99.95'); // connected: the update arrived

    await broker.close();
    feed.set('AAPL', { bid: '98.00', ask: '98.50', bidSize: 100, askSize: 100 });
    expect(broker.book('AAPL')?.asks[0]?.price.toFixed()).toBe('99.95');
    expect(log(events, 'l-1')).toEqual(['ack']);
    expect(await statusOf(broker, 'l-1')).toBe('new');
  });
});

// ---------------------------------------------------------------- withDeadline

describe('withDeadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects a call that never settles as ambiguous BROKER_UNAVAILABLE at the deadline', async () => {
    vi.useFakeTimers();
    const never = new Promise<never>(() => undefined);
    const outcome = track(
      withDeadline('paper-x', never, 5_000, 'submit c-1').catch((error: unknown) => error),
    );
    await vi.advanceTimersByTimeAsync(4_999);
    expect(outcome.settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome.promise;
    expect(error).toBeInstanceOf(BrokerCallError);
    expect(error).toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      outcome: 'ambiguous',
      venue: 'paper-x',
      retryable: true,
    });
    expect((error as Error).message).toContain('submit c-1');
  });

  it('passes through a call that settles in time and leaves no timer behind', async () => {
    vi.useFakeTimers();
    await expect(withDeadline('paper-x', Promise.resolve('ok'), 5_000, 'cancel')).resolves.toBe('ok');
    const failure = new BrokerCallError('paper-x', 'definitive', 'INVALID_ORDER', 'bad');
    await expect(withDeadline('paper-x', Promise.reject(failure), 5_000, 'submit')).rejects.toBe(failure);
    expect(vi.getTimerCount()).toBe(0);
  });
});
