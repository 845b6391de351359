/**
 * Time in force against ORDER-SEMANTICS.md §3.1–§3.2 (day, gtd, gtc, ioc, fok, opg, cls, extended
 * hours) and the discontinuity of §2.5, written from the document, not from the engine. Expected
 * values are exact decimals and full per-order event sequences.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type SizedLevel, harness, limit, market, ny } from './test-support.js';

/** UTC wall-clock time to epoch ms. */
const utc = (iso: string): number => DateTime.fromISO(iso, { zone: 'utc' }).toMillis();

// Tuesday 2026-06-09 and Wednesday 2026-06-10 are ordinary NYSE sessions (09:30-16:00 EDT).
const TUE = (hhmm: string): number => ny(`2026-06-09T${hhmm}`);
const WED = (hhmm: string): number => ny(`2026-06-10T${hhmm}`);

// ---------------------------------------------------------------- day

describe('day orders (§3.1, §3.2)', () => {
  it("an equity day order accepted in the session expires at that session's close; nextTimerAt reports it", () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    expect(h.submit(limit('d1', 'buy', '10', '99.50'), TUE('10:00')).status).toBe('accepted');
    expect(h.engine.nextTimerAt()).toBe(TUE('16:00'));
    h.engine.tick(TUE('15:59:59.999'));
    expect(h.log('d1')).toEqual(['ack']);
    h.engine.tick(TUE('16:00'));
    expect(h.log('d1')).toEqual(['ack', 'exp']);
    expect(h.order('d1').status).toBe('expired');
    expect(h.engine.openOrders()).toEqual([]);
    expect(h.engine.nextTimerAt()).toBeUndefined();
  });

  it('fills are kept when a partially filled day order expires', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit(limit('d1', 'buy', '10', '99.50'), TUE('10:00'));
    h.book(TUE('11:00'), [['99.30', '100']], [['99.40', '4']]);
    h.engine.tick(TUE('16:00'));
    expect(h.log('d1')).toEqual(['ack', 'fill 4@99.5 maker', 'exp']);
    const o = h.order('d1');
    expect([o.status, o.filledQty.toFixed(), o.avgFillPrice?.toFixed()]).toEqual(['expired', '4', '99.5']);
    expect(h.position()).toBe('4');
    expect(h.cash()).toBe('99602');
  });

  it('an update stamped exactly at the close can still fill the day order, which then expires (§3.2)', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit(limit('d1', 'buy', '10', '99.50'), TUE('10:00'));
    h.book(TUE('16:00'), [['99.30', '100']], [['99.40', '4']]);
    expect(h.log('d1')).toEqual(['ack', 'fill 4@99.5 maker', 'exp']);
  });

  it('a day order accepted after the close belongs to the next session', () => {
    const h = harness();
    h.book(TUE('17:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit(limit('d1', 'buy', '10', '99.50'), TUE('17:00'));
    expect(h.engine.nextTimerAt()).toBe(WED('16:00'));
    h.engine.tick(TUE('20:00'));
    h.engine.tick(WED('09:30'));
    expect(h.log('d1')).toEqual(['ack']);
    h.engine.tick(WED('16:00'));
    expect(h.log('d1')).toEqual(['ack', 'exp']);
  });

  it.each([
    ['exactly at the close', TUE('16:00'), WED('16:00')],
    ['before the open', WED('08:00'), WED('16:00')],
    ['overnight', WED('02:00'), WED('16:00')],
    ['on a Saturday', ny('2026-06-13T12:00'), ny('2026-06-15T16:00')],
  ])('a day order accepted %s expires at the next session close', (_when, at, expiry) => {
    const h = harness();
    h.book(at, [['99.90', '100']], [['100.10', '100']]);
    h.submit(limit('d1', 'buy', '10', '99.50'), at);
    expect(h.engine.nextTimerAt()).toBe(expiry);
    h.engine.tick(expiry - 1);
    expect(h.order('d1').status).toBe('new');
    h.engine.tick(expiry);
    expect(h.log('d1')).toEqual(['ack', 'exp']);
  });

  it('on the early close of 2026-11-27 a day order expires at 13:00 New York', () => {
    const h = harness();
    h.book(ny('2026-11-27T10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit(limit('d1', 'buy', '10', '99.50'), ny('2026-11-27T10:00'));
    expect(h.engine.nextTimerAt()).toBe(ny('2026-11-27T13:00'));
    h.engine.tick(ny('2026-11-27T12:59:59.999'));
    expect(h.log('d1')).toEqual(['ack']);
    h.engine.tick(ny('2026-11-27T13:00'));
    expect(h.log('d1')).toEqual(['ack', 'exp']);
  });

  it('a day order accepted after the close on the eve of Thanksgiving expires at the 13:00 early close', () => {
    const h = harness();
    h.book(ny('2026-11-25T17:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit(limit('d1', 'buy', '10', '99.50'), ny('2026-11-25T17:00'));
    expect(h.engine.nextTimerAt()).toBe(ny('2026-11-27T13:00'));
  });

  it('a crypto day order expires at the first 00:00 UTC after acceptance, after an update stamped then fills it', () => {
    const h = harness();
    h.book(utc('2026-06-09T13:45'), [['59990.00', '1']], [['60010.00', '1']], 'BTC/USD');
    h.submit({ ...limit('c1', 'buy', '0.5', '60000.00'), symbol: 'BTC/USD' }, utc('2026-06-09T13:45'));
    expect(h.engine.nextTimerAt()).toBe(utc('2026-06-10T00:00'));
    h.book(utc('2026-06-10T00:00'), [['59980.00', '1']], [['59990.00', '0.2']], 'BTC/USD');
    expect(h.log('c1')).toEqual(['ack', 'fill 0.2@60000 maker', 'exp']);
    const fill = h.events.find((e) => e.kind === 'fill');
    // Crypto maker fee 15 bps: 0.2 × 60000 × 15 / 10000 = 18.
    expect(fill?.kind === 'fill' ? fill.fill.fee.toFixed() : undefined).toBe('18');
    expect(h.cash()).toBe('87982');
    expect(h.position('BTC/USD')).toBe('0.2');
  });

  it('a crypto day order accepted exactly at 00:00 UTC lives until the next 00:00', () => {
    const h = harness();
    h.book(utc('2026-06-10T00:00'), [['59990.00', '1']], [['60010.00', '1']], 'BTC/USD');
    h.submit({ ...limit('c1', 'buy', '0.5', '60000.00'), symbol: 'BTC/USD' }, utc('2026-06-10T00:00'));
    expect(h.engine.nextTimerAt()).toBe(utc('2026-06-11T00:00'));
    h.engine.tick(utc('2026-06-10T23:59:59.999'));
    expect(h.order('c1').status).toBe('new');
    h.engine.tick(utc('2026-06-11T00:00'));
    expect(h.log('c1')).toEqual(['ack', 'exp']);
  });
});

// ---------------------------------------------------------------- gtd, gtc

describe('gtd and gtc (§3.1)', () => {
  it('gtd expires at expireAt (nextTimerAt reports it); an update stamped exactly then fills first', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit(
      { ...limit('g1', 'buy', '10', '99.50'), timeInForce: 'gtd', expireAt: TUE('11:30') },
      TUE('10:00'),
    );
    expect(h.engine.nextTimerAt()).toBe(TUE('11:30'));
    h.engine.tick(TUE('11:29:59.999'));
    expect(h.log('g1')).toEqual(['ack']);
    h.book(TUE('11:30'), [['99.30', '100']], [['99.40', '3']]);
    expect(h.log('g1')).toEqual(['ack', 'fill 3@99.5 maker', 'exp']);
    expect(h.order('g1').filledQty.toFixed()).toBe('3');
  });

  it('gtd expires on a timer tick at expireAt', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit(
      { ...limit('g1', 'buy', '10', '99.50'), timeInForce: 'gtd', expireAt: TUE('11:30') },
      TUE('10:00'),
    );
    h.engine.tick(TUE('11:30'));
    expect(h.log('g1')).toEqual(['ack', 'exp']);
  });

  it('gtc is never expired by the engine and keeps working in later sessions', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit({ ...limit('g1', 'buy', '10', '99.50'), timeInForce: 'gtc' }, TUE('10:00'));
    expect(h.engine.nextTimerAt()).toBeUndefined();
    h.engine.tick(TUE('16:00'));
    h.engine.tick(ny('2026-07-09T16:00'));
    expect(h.order('g1').status).toBe('new');
    h.book(ny('2026-07-10T10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.book(ny('2026-07-10T10:01'), [['99.30', '100']], [['99.40', '100']]);
    expect(h.log('g1')).toEqual(['ack', 'fill 10@99.5 maker']);
  });
});

// ---------------------------------------------------------------- ioc, fok (brief: also covered elsewhere)

describe('ioc and fok on acceptance (§2.4)', () => {
  const asks: SizedLevel[] = [
    ['100.00', '100'],
    ['100.01', '30'],
    ['100.02', '500'],
  ];

  it('ioc walks within its limit and cancels the rest', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.99', '100']], asks);
    h.submit({ ...limit('i1', 'buy', '150', '100.01'), timeInForce: 'ioc' }, TUE('10:00'));
    expect(h.log('i1')).toEqual(['ack', 'fill 100@100 taker', 'fill 30@100.01 taker', 'cxl']);
    expect(h.order('i1').filledQty.toFixed()).toBe('130');
  });

  it('fok without the whole quantity within its limit is canceled with no fill', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.99', '100']], asks);
    h.submit({ ...limit('f1', 'buy', '150', '100.01'), timeInForce: 'fok' }, TUE('10:00'));
    expect(h.log('f1')).toEqual(['ack', 'cxl']);
    expect(h.position()).toBe('0');
  });

  it('fok market with enough depth fills in full by walking', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.99', '100']], asks);
    h.submit({ ...market('f1', 'buy', '120'), timeInForce: 'fok' }, TUE('10:00'));
    expect(h.log('f1')).toEqual(['ack', 'fill 100@100 taker', 'fill 20@100.01 taker']);
    expect(h.order('f1').status).toBe('filled');
  });

  it('ioc that is not marketable is canceled at once', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.99', '100']], asks);
    h.submit({ ...limit('i1', 'buy', '10', '99.00'), timeInForce: 'ioc' }, TUE('10:00'));
    expect(h.log('i1')).toEqual(['ack', 'cxl']);
  });

  it('ioc while the session is closed never rests (rejected MARKET_CLOSED or canceled, no fill)', () => {
    const h = harness();
    h.book(TUE('17:00'), [['99.99', '100']], asks);
    h.submit({ ...limit('i1', 'buy', '10', '100.00'), timeInForce: 'ioc' }, TUE('17:00'));
    expect(h.engine.openOrders()).toEqual([]);
    expect(['rejected', 'canceled']).toContain(h.order('i1').status);
    expect(h.order('i1').filledQty.toFixed()).toBe('0');
  });
});

// ---------------------------------------------------------------- opg, cls

describe('opening and closing auctions (§3.2)', () => {
  it.each([
    ['during the session', TUE('10:00')],
    ['after the 09:28 cutoff', WED('09:29')],
  ])('opg is refused MARKET_CLOSED %s', (_when, at) => {
    const h = harness();
    h.book(at, [['99.90', '100']], [['100.10', '100']]);
    const receipt = h.submit({ ...market('o1', 'buy', '10'), timeInForce: 'opg' }, at);
    expect(receipt).toMatchObject({ status: 'rejected', code: 'MARKET_CLOSED' });
    expect(h.log('o1')).toEqual(['rej MARKET_CLOSED']);
    expect(h.engine.openOrders()).toEqual([]);
  });

  it.each([
    ['at the close', TUE('16:00')],
    ['after the close', TUE('17:00')],
    ['overnight', WED('03:00')],
    ['just before the cutoff', WED('09:27')],
  ])('opg is accepted %s', (_when, at) => {
    const h = harness();
    h.book(at, [['99.90', '100']], [['100.10', '100']]);
    expect(h.submit({ ...market('o1', 'buy', '10'), timeInForce: 'opg' }, at).status).toBe('accepted');
    expect(h.log('o1')).toEqual(['ack']);
  });

  it('opg orders fill in full as takers at the first mid of the session, at the first regular update', () => {
    const h = harness();
    h.book(WED('03:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit({ ...market('om', 'buy', '500'), timeInForce: 'opg' }, WED('03:00'));
    h.submit({ ...limit('olb-in', 'buy', '10', '100.05'), timeInForce: 'opg' }, WED('03:00'));
    h.submit({ ...limit('olb-out', 'buy', '10', '100.04'), timeInForce: 'opg' }, WED('03:00'));
    h.submit({ ...limit('ols-in', 'sell', '10', '100.05'), timeInForce: 'opg' }, WED('03:00'));
    h.submit({ ...limit('ols-out', 'sell', '10', '100.06'), timeInForce: 'opg' }, WED('03:00'));
    h.book(WED('08:00'), [['99.00', '100']], [['99.10', '100']]);
    expect(h.log('om')).toEqual(['ack']);
    h.book(WED('09:30'), [['100.00', '100']], [['100.10', '100']]);
    expect(h.log('om')).toEqual(['ack', 'fill 500@100.05 taker']);
    expect(h.log('olb-in')).toEqual(['ack', 'fill 10@100.05 taker']);
    expect(h.log('olb-out')).toEqual(['ack', 'cxl']);
    expect(h.log('ols-in')).toEqual(['ack', 'fill 10@100.05 taker']);
    expect(h.log('ols-out')).toEqual(['ack', 'cxl']);
    expect(h.position()).toBe('500');
  });

  it('cls is accepted until 15:50 and refused MARKET_CLOSED from the cutoff to the close', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    expect(h.submit({ ...market('c1', 'buy', '10'), timeInForce: 'cls' }, TUE('15:49:59')).status).toBe(
      'accepted',
    );
    const at = h.submit({ ...market('c2', 'buy', '10'), timeInForce: 'cls' }, TUE('15:50'));
    const late = h.submit({ ...market('c3', 'buy', '10'), timeInForce: 'cls' }, TUE('15:55'));
    expect(at).toMatchObject({ status: 'rejected', code: 'MARKET_CLOSED' });
    expect(late).toMatchObject({ status: 'rejected', code: 'MARKET_CLOSED' });
  });

  it('cls orders fill in full at the last mid before the close when tick(close) runs', () => {
    const h = harness();
    h.book(TUE('10:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit({ ...market('cm', 'buy', '500'), timeInForce: 'cls' }, TUE('10:00'));
    h.submit({ ...limit('cl-in', 'buy', '10', '101.10'), timeInForce: 'cls' }, TUE('10:00'));
    h.submit({ ...limit('cl-out', 'sell', '10', '101.20'), timeInForce: 'cls' }, TUE('10:00'));
    h.book(TUE('15:00'), [['99.00', '100']], [['99.10', '100']]);
    expect(h.log('cm')).toEqual(['ack']);
    h.book(TUE('15:59'), [['101.00', '100']], [['101.20', '100']]);
    expect(h.log('cm')).toEqual(['ack']);
    expect(h.engine.nextTimerAt()).toBe(TUE('16:00'));
    h.engine.tick(TUE('16:00'));
    expect(h.log('cm')).toEqual(['ack', 'fill 500@101.1 taker']);
    expect(h.log('cl-in')).toEqual(['ack', 'fill 10@101.1 taker']);
    expect(h.log('cl-out')).toEqual(['ack', 'cxl']);
  });

  it("a cls order sent after the close never fills at that past close's price", () => {
    const h = harness();
    h.book(TUE('15:59'), [['101.00', '100']], [['101.20', '100']]);
    h.book(TUE('17:00'), [['99.00', '100']], [['99.10', '100']]);
    const receipt = h.submit({ ...market('c1', 'buy', '10'), timeInForce: 'cls' }, TUE('17:00'));
    h.engine.tick(TUE('17:01'));
    // Either refused outright, or it belongs to the next session and waits for its close.
    expect(h.log('c1')).toEqual(receipt.status === 'accepted' ? ['ack'] : ['rej MARKET_CLOSED']);
  });
});

// ---------------------------------------------------------------- extended hours and the open

describe('extended hours and the session open (§3.2, §2.5)', () => {
  it('a limit day extendedHours order matches in the pre-market', () => {
    const h = harness();
    h.book(WED('07:00'), [['99.80', '100']], [['99.90', '100']]);
    h.submit({ ...limit('x1', 'buy', '10', '100.00'), extendedHours: true }, WED('07:00'));
    expect(h.log('x1')).toEqual(['ack', 'fill 10@99.9 taker']);
  });

  it('a resting extendedHours limit fills as maker in the after-hours session', () => {
    const h = harness();
    h.book(TUE('16:30'), [['99.50', '100']], [['99.60', '100']]);
    h.submit({ ...limit('x1', 'buy', '10', '99.00'), extendedHours: true }, TUE('16:30'));
    h.submit(limit('r1', 'buy', '10', '99.00'), TUE('16:30'));
    h.book(TUE('17:00'), [['98.80', '100']], [['98.90', '100']]);
    expect(h.log('x1')).toEqual(['ack', 'fill 10@99 maker']);
    expect(h.log('r1')).toEqual(['ack']);
  });

  it('other equity orders wait for the regular session and fill as takers at its first update', () => {
    const h = harness();
    h.book(WED('07:00'), [['99.80', '100']], [['99.90', '100']]);
    h.submit(limit('l1', 'buy', '10', '100.00'), WED('07:00'));
    h.submit(market('m1', 'buy', '10'), WED('07:00'));
    h.book(WED('08:00'), [['99.70', '100']], [['99.80', '100']]);
    expect(h.log('l1')).toEqual(['ack']);
    expect(h.log('m1')).toEqual(['ack']);
    h.book(WED('09:30'), [['99.90', '100']], [['99.95', '100']]);
    expect(h.log('l1')).toEqual(['ack', 'fill 10@99.95 taker']);
    expect(h.log('m1')).toEqual(['ack', 'fill 10@99.95 taker']);
  });

  it('the first update of the session is a discontinuity: resting limits walk the book as takers', () => {
    const h = harness();
    h.book(TUE('17:00'), [['97.90', '100']], [['102.00', '100']]);
    h.submit({ ...limit('b1', 'buy', '60', '101.00'), timeInForce: 'gtc' }, TUE('17:00'));
    h.submit({ ...limit('s1', 'sell', '20', '99.00'), timeInForce: 'gtc' }, TUE('17:00'));
    h.book(
      WED('09:30'),
      [
        ['99.80', '100'],
        ['99.70', '100'],
      ],
      [
        ['100.00', '50'],
        ['100.50', '100'],
        ['101.50', '100'],
      ],
    );
    expect(h.log('b1')).toEqual(['ack', 'fill 50@100 taker', 'fill 10@100.5 taker']);
    expect(h.log('s1')).toEqual(['ack', 'fill 20@99.8 taker']);
  });

  it('the first update of a session is a discontinuity even when no update came while the market was closed', () => {
    const h = harness();
    h.book(TUE('15:00'), [['99.90', '100']], [['100.10', '100']]);
    h.submit({ ...limit('b1', 'buy', '10', '99.50'), timeInForce: 'gtc' }, TUE('15:00'));
    h.book(WED('09:30'), [['99.30', '100']], [['99.40', '100']]);
    expect(h.log('b1')).toEqual(['ack', 'fill 10@99.4 taker']);
  });

  it('after the discontinuity a resting limit the market reaches fills as maker at its limit', () => {
    const h = harness();
    h.book(WED('09:30'), [['99.90', '100']], [['100.00', '100']]);
    h.submit(limit('b1', 'buy', '10', '99.00'), WED('09:31'));
    h.book(WED('09:32'), [['98.40', '100']], [['98.50', '100']]);
    expect(h.log('b1')).toEqual(['ack', 'fill 10@99 maker']);
  });
});
