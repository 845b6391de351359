/**
 * Instructions and replaces against ORDER-SEMANTICS.md §3.3 (post_only, reduce_only, display_qty), §5
 * (modify/replace), §7.1–§7.2 as the paper venue applies them (reduces exposure, cash accounts) and the
 * refusal of malformed input. Written from the document, not from the engine: exact decimals, full
 * per-order event sequences.
 */
import { describe, expect, it } from 'vitest';
import type { Account } from '../../domain/account.js';
import { dec } from '../../domain/decimal.js';
import type { OrderChanges } from '../../domain/events.js';
import { BrokerCallError } from '../broker.js';
import type { PaperOptionsInput } from './options.js';
import { type OrderRequest, harness, limit, makeAccount, market, ny } from './test-support.js';

/** The code of the BrokerCallError `fn` throws; undefined when it does not throw. */
function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof BrokerCallError) return error.code;
    throw error;
  }
  return undefined;
}

// Tuesday 2026-06-09 is an ordinary NYSE session (09:30-16:00 EDT).
const TUE = (hhmm: string): number => ny(`2026-06-09T${hhmm}`);
const T0 = TUE('10:00');

/** A margin account with a regular-session AAPL book: bid 99.90, ask 100.10, 100 each. */
function started(options: PaperOptionsInput = {}, accounts?: Account[]) {
  const h = harness(options, accounts);
  h.book(T0, [['99.90', '100']], [['100.10', '100']]);
  return h;
}

// ---------------------------------------------------------------- post_only

describe('post_only (§3.3, §2.4)', () => {
  it('a marketable post-only limit is rejected POST_ONLY_WOULD_TAKE on acceptance, never re-priced', () => {
    const h = started();
    const buy = h.submit({ ...limit('p1', 'buy', '10', '100.10'), postOnly: true }, T0);
    const sell = h.submit({ ...limit('p2', 'sell', '10', '99.90'), postOnly: true }, T0);
    expect(buy).toMatchObject({ status: 'rejected', code: 'POST_ONLY_WOULD_TAKE' });
    expect(sell).toMatchObject({ status: 'rejected', code: 'POST_ONLY_WOULD_TAKE' });
    expect(h.log('p1')).toEqual(['rej POST_ONLY_WOULD_TAKE']);
    expect(h.log('p2')).toEqual(['rej POST_ONLY_WOULD_TAKE']);
    expect([h.order('p1').status, h.order('p1').limitPrice?.toFixed()]).toEqual(['rejected', '100.1']);
    expect(h.engine.openOrders()).toEqual([]);
    expect(h.position()).toBe('0');
  });

  it('a post-only limit that would not take rests and later fills as maker', () => {
    const h = started();
    h.submit({ ...limit('p1', 'buy', '10', '100.00'), postOnly: true }, T0);
    expect(h.log('p1')).toEqual(['ack']);
    h.book(TUE('10:01'), [['99.80', '100']], [['99.95', '100']]);
    expect(h.log('p1')).toEqual(['ack', 'fill 10@100 maker']);
  });

  it('a replace that would make a post-only limit take is rpl_rej; parameters and priority are kept', () => {
    const h = started();
    h.submit({ ...limit('A', 'buy', '10', '99.50'), postOnly: true }, T0);
    h.submit(limit('B', 'buy', '10', '99.50'), T0);
    h.engine.replace('M1', 'A', { limitPrice: dec('100.10') }, TUE('10:01'));
    expect(h.log('A')).toEqual(['ack', 'rpl_rej POST_ONLY_WOULD_TAKE']);
    const a = h.order('A');
    expect([a.status, a.limitPrice?.toFixed(), a.quantity.toFixed()]).toEqual(['new', '99.5', '10']);
    h.book(TUE('10:02'), [['99.40', '100']], [['99.50', '10']]);
    expect(h.log('A')).toEqual(['ack', 'rpl_rej POST_ONLY_WOULD_TAKE', 'fill 10@99.5 maker']);
    expect(h.log('B')).toEqual(['ack']);
  });
});

// ---------------------------------------------------------------- reduce_only

describe('reduce_only (§3.3, §7.1)', () => {
  /** Long 10 AAPL at 100.10, with deep books so market orders fill at the touch. */
  function long10() {
    const h = harness();
    h.book(T0, [['99.90', '1000']], [['100.10', '1000']]);
    h.submit(market('open', 'buy', '10'), T0);
    expect(h.position()).toBe('10');
    return h;
  }

  it.each([
    ['on the side of the position', 'buy', '5'],
    ['larger than the position', 'sell', '15'],
  ] as const)('a reduce-only order %s is rejected REDUCE_ONLY', (_what, side, quantity) => {
    const h = long10();
    const receipt = h.submit({ ...limit('ro', side, quantity, '100.00'), reduceOnly: true }, T0);
    expect(receipt).toMatchObject({ status: 'rejected', code: 'REDUCE_ONLY' });
    expect(h.log('ro')).toEqual(['rej REDUCE_ONLY']);
    expect(h.position()).toBe('10');
  });

  it('a reduce-only order on a flat position is rejected REDUCE_ONLY', () => {
    const h = started();
    const receipt = h.submit({ ...limit('ro', 'sell', '1', '101.00'), reduceOnly: true }, T0);
    expect(receipt).toMatchObject({ status: 'rejected', code: 'REDUCE_ONLY' });
  });

  it("counts the account's other open orders on its side: together they must fit in |position|", () => {
    const h = long10();
    h.submit(limit('plain', 'sell', '5', '102.00'), T0);
    expect(h.submit({ ...limit('ro6', 'sell', '6', '101.00'), reduceOnly: true }, T0)).toMatchObject({
      status: 'rejected',
      code: 'REDUCE_ONLY',
    });
    expect(h.submit({ ...limit('ro5', 'sell', '5', '101.00'), reduceOnly: true }, T0).status).toBe(
      'accepted',
    );
  });

  it('after the position shrinks, leaves above |position| are cut by upd; the order then fills |position|', () => {
    const h = long10();
    h.submit({ ...limit('ro', 'sell', '10', '101.00'), reduceOnly: true }, T0);
    h.submit(market('cut', 'sell', '4'), TUE('10:01'));
    expect(h.log('cut')).toEqual(['ack', 'fill 4@99.9 taker']);
    expect(h.log('ro')).toEqual(['ack', 'upd quantity=6']);
    expect([h.order('ro').quantity.toFixed(), h.order('ro').status]).toEqual(['6', 'new']);
    h.book(TUE('10:02'), [['101.00', '100']], [['101.20', '100']]);
    expect(h.log('ro')).toEqual(['ack', 'upd quantity=6', 'fill 6@101 maker']);
    expect(h.order('ro').status).toBe('filled');
    expect(h.position()).toBe('0');
  });

  it('a partially filled reduce-only order is cut to filled + |position|', () => {
    const h = long10();
    h.submit({ ...limit('ro', 'sell', '10', '101.00'), reduceOnly: true }, T0);
    h.book(
      TUE('10:01'),
      [
        ['101.00', '3'],
        ['100.90', '100'],
      ],
      [['101.20', '100']],
    );
    expect(h.log('ro')).toEqual(['ack', 'fill 3@101 maker']);
    h.submit(market('cut', 'sell', '2'), TUE('10:02'));
    expect(h.log('cut')).toEqual(['ack', 'fill 2@100.9 taker']);
    expect(h.position()).toBe('5');
    expect(h.log('ro')).toEqual(['ack', 'fill 3@101 maker', 'upd quantity=8']);
    const ro = h.order('ro');
    expect([ro.quantity.toFixed(), ro.filledQty.toFixed(), ro.status]).toEqual([
      '8',
      '3',
      'partially_filled',
    ]);
  });

  it.each([
    ['flat', '10', '0'],
    ['on its own side', '20', '-10'],
  ])('an open reduce-only order is canceled when the position goes %s', (_what, sold, position) => {
    const h = long10();
    h.submit({ ...limit('ro', 'sell', '5', '101.00'), reduceOnly: true }, T0);
    h.submit(market('out', 'sell', sold), TUE('10:01'));
    expect(h.position()).toBe(position);
    expect(h.log('ro')).toEqual(['ack', 'cxl']);
    expect(h.order('ro').status).toBe('canceled');
  });
});

// ---------------------------------------------------------------- display_qty

describe('display_qty (§3.3)', () => {
  it('with queue_position off a resting iceberg fills at most one displayed slice per update', () => {
    const h = harness();
    h.book(T0, [['100.90', '100']], [['101.10', '100']]);
    h.submit({ ...limit('ice', 'sell', '100', '101.00'), displayQty: dec(30) }, T0);
    const reached = (minute: string): void => {
      h.book(TUE(`10:0${minute}`), [['101.00', '500']], [['101.10', '100']]);
    };
    reached('1');
    expect(h.log('ice')).toEqual(['ack', 'fill 30@101 maker']);
    reached('2');
    reached('3');
    reached('4');
    expect(h.log('ice')).toEqual([
      'ack',
      'fill 30@101 maker',
      'fill 30@101 maker',
      'fill 30@101 maker',
      'fill 10@101 maker',
    ]);
    expect(h.order('ice').status).toBe('filled');
  });

  it('taker fills on arrival are not limited by display_qty; the rest then rests as slices', () => {
    const h = harness();
    h.book(
      T0,
      [['99.80', '100']],
      [
        ['99.90', '80'],
        ['100.00', '5'],
        ['100.10', '100'],
      ],
    );
    h.submit({ ...limit('ice', 'buy', '100', '100.00'), displayQty: dec(10) }, T0);
    expect(h.log('ice')).toEqual(['ack', 'fill 80@99.9 taker', 'fill 5@100 taker']);
    expect(h.order('ice').status).toBe('partially_filled');
    h.book(TUE('10:01'), [['99.80', '100']], [['99.95', '100']]);
    expect(h.log('ice')).toEqual(['ack', 'fill 80@99.9 taker', 'fill 5@100 taker', 'fill 10@100 maker']);
  });

  it('the next slice is shown with new priority at the back of its price level', () => {
    const h = harness();
    h.book(T0, [['100.90', '100']], [['101.10', '100']]);
    h.submit({ ...limit('A', 'sell', '100', '101.00'), displayQty: dec(30) }, T0);
    h.submit(limit('B', 'sell', '50', '101.00'), T0);
    h.book(TUE('10:01'), [['101.00', '40']], [['101.10', '100']]);
    expect(h.log('A')).toEqual(['ack', 'fill 30@101 maker']);
    expect(h.log('B')).toEqual(['ack', 'fill 10@101 maker']);
    h.book(TUE('10:02'), [['101.00', '45']], [['101.10', '100']]);
    expect(h.log('B')).toEqual(['ack', 'fill 10@101 maker', 'fill 40@101 maker']);
    expect(h.log('A')).toEqual(['ack', 'fill 30@101 maker', 'fill 5@101 maker']);
  });
});

// ---------------------------------------------------------------- replace

describe('modify and replace (§5)', () => {
  const replace = (
    h: ReturnType<typeof harness>,
    id: string,
    changes: OrderChanges,
    at = TUE('10:05'),
  ): void => {
    h.engine.replace('M1', id, changes, at);
  };

  /** A buy 100 @ 99.50 with 30 filled as maker. */
  function partiallyFilled() {
    const h = started();
    h.submit(limit('b', 'buy', '100', '99.50'), T0);
    h.book(TUE('10:01'), [['99.40', '100']], [['99.50', '30']]);
    expect(h.log('b')).toEqual(['ack', 'fill 30@99.5 maker']);
    return h;
  }

  it('changes the quantity and the limit of a new order', () => {
    const h = started();
    h.submit(limit('b', 'buy', '50', '99.50'), T0);
    replace(h, 'b', { quantity: dec(40) });
    replace(h, 'b', { limitPrice: dec('99.60') });
    expect(h.log('b')).toEqual(['ack', 'rpl', 'rpl']);
    const o = h.order('b');
    expect([o.status, o.quantity.toFixed(), o.limitPrice?.toFixed()]).toEqual(['new', '40', '99.6']);
  });

  it('changes the quantity and the limit of a partially filled order', () => {
    const h = partiallyFilled();
    replace(h, 'b', { quantity: dec(80), limitPrice: dec('99.40') });
    expect(h.log('b')).toEqual(['ack', 'fill 30@99.5 maker', 'rpl']);
    const o = h.order('b');
    expect([o.status, o.quantity.toFixed(), o.filledQty.toFixed(), o.limitPrice?.toFixed()]).toEqual([
      'partially_filled',
      '80',
      '30',
      '99.4',
    ]);
  });

  it('refuses a stop price change once a stop has partially filled: rpl_rej, order untouched', () => {
    const h = started();
    h.submit(
      { clientOrderId: 's', side: 'sell', type: 'stop', quantity: dec(100), stopPrice: dec('99.00') },
      T0,
    );
    h.book(TUE('10:01'), [['98.90', '40']], [['99.10', '100']]);
    expect(h.log('s')).toEqual(['ack', 'trig', 'fill 40@98.9 taker']);
    replace(h, 's', { stopPrice: dec('98.00') });
    expect(h.log('s')).toHaveLength(4);
    expect(h.log('s')[3]).toMatch(/^rpl_rej /);
    const o = h.order('s');
    expect([o.status, o.stopPrice?.toFixed(), o.quantity.toFixed()]).toEqual([
      'partially_filled',
      '99',
      '100',
    ]);
  });

  it('refuses a stop price change once a stop_limit is triggered; its limit may still change', () => {
    const h = started();
    h.submit(
      {
        clientOrderId: 'sl',
        side: 'sell',
        type: 'stop_limit',
        quantity: dec(10),
        stopPrice: dec('99.00'),
        limitPrice: dec('98.50'),
      },
      T0,
    );
    h.book(TUE('10:01'), [['98.40', '100']], [['98.60', '100']]);
    expect(h.log('sl')).toEqual(['ack', 'trig']);
    replace(h, 'sl', { stopPrice: dec('98.00') });
    expect(h.log('sl')[2]).toMatch(/^rpl_rej /);
    expect([h.order('sl').status, h.order('sl').stopPrice?.toFixed()]).toEqual(['triggered', '99']);
    replace(h, 'sl', { limitPrice: dec('98.60') });
    // §5 names no code for a refused trigger change; only the outcome is checked.
    expect(h.log('sl').slice(3)).toEqual(['rpl']);
    expect([h.order('sl').status, h.order('sl').limitPrice?.toFixed()]).toEqual(['triggered', '98.6']);
  });

  it('a new quantity below the filled quantity is rejected QUANTITY_BELOW_FILLED', () => {
    const h = partiallyFilled();
    replace(h, 'b', { quantity: dec(20) });
    expect(h.log('b')).toEqual(['ack', 'fill 30@99.5 maker', 'rpl_rej QUANTITY_BELOW_FILLED']);
    const o = h.order('b');
    expect([o.status, o.quantity.toFixed(), o.filledQty.toFixed()]).toEqual([
      'partially_filled',
      '100',
      '30',
    ]);
  });

  it('a new quantity equal to the filled quantity makes the order filled (§1.3 note 5)', () => {
    const h = partiallyFilled();
    replace(h, 'b', { quantity: dec(30) });
    expect(h.log('b')).toEqual(['ack', 'fill 30@99.5 maker', 'rpl']);
    expect([h.order('b').status, h.order('b').quantity.toFixed()]).toEqual(['filled', '30']);
    expect(h.engine.openOrders()).toEqual([]);
    h.book(TUE('10:06'), [['98.90', '100']], [['99.00', '100']]);
    expect(h.log('b')).toHaveLength(3);
  });

  it('a replace that makes a limit marketable is applied, then fills at once as taker', () => {
    const h = started();
    h.submit(limit('b', 'buy', '50', '99.50'), T0);
    h.book(
      TUE('10:01'),
      [['99.90', '100']],
      [
        ['100.00', '20'],
        ['100.01', '100'],
      ],
    );
    replace(h, 'b', { limitPrice: dec('100.00') });
    expect(h.log('b')).toEqual(['ack', 'rpl', 'fill 20@100 taker']);
    const o = h.order('b');
    expect([o.status, o.filledQty.toFixed(), o.limitPrice?.toFixed()]).toEqual([
      'partially_filled',
      '20',
      '100',
    ]);
  });

  it('a stop moved into the market is rejected STOP_IN_MARKET and keeps its stop', () => {
    const h = started();
    h.submit(
      { clientOrderId: 's', side: 'sell', type: 'stop', quantity: dec(10), stopPrice: dec('99.00') },
      T0,
    );
    replace(h, 's', { stopPrice: dec('99.90') });
    expect(h.log('s')).toEqual(['ack', 'rpl_rej STOP_IN_MARKET']);
    expect([h.order('s').status, h.order('s').stopPrice?.toFixed()]).toEqual(['new', '99']);
  });

  it('a lower quantity keeps queue priority', () => {
    const h = started();
    h.submit(limit('A', 'buy', '50', '99.50'), T0);
    h.submit(limit('B', 'buy', '50', '99.50'), T0);
    replace(h, 'A', { quantity: dec(40) });
    h.book(TUE('10:06'), [['99.40', '100']], [['99.50', '40']]);
    expect(h.log('A')).toEqual(['ack', 'rpl', 'fill 40@99.5 maker']);
    expect(h.log('B')).toEqual(['ack']);
  });

  it.each<[string, OrderChanges]>([
    ['a higher quantity', { quantity: dec(60) }],
    ['a new time in force', { timeInForce: 'gtc' }],
  ])('%s sends the order to the back of its level', (_what, changes) => {
    const h = started();
    h.submit(limit('A', 'buy', '50', '99.50'), T0);
    h.submit(limit('B', 'buy', '50', '99.50'), T0);
    replace(h, 'A', changes);
    h.book(TUE('10:06'), [['99.40', '100']], [['99.50', '50']]);
    expect(h.log('B')).toEqual(['ack', 'fill 50@99.5 maker']);
    expect(h.log('A')).toEqual(['ack', 'rpl']);
  });

  it('a gtd order replaced to gtc no longer expires at its old expireAt', () => {
    const h = started();
    h.submit({ ...limit('g', 'buy', '10', '99.50'), timeInForce: 'gtd', expireAt: TUE('11:00') }, T0);
    replace(h, 'g', { timeInForce: 'gtc' });
    expect(h.engine.nextTimerAt()).toBeUndefined();
    h.engine.tick(TUE('11:00'));
    expect(h.log('g')).toEqual(['ack', 'rpl']);
    expect(h.order('g').status).toBe('new');
  });

  it('a gtd order replaced with a later expireAt expires then, not before', () => {
    const h = started();
    h.submit({ ...limit('g', 'buy', '10', '99.50'), timeInForce: 'gtd', expireAt: TUE('11:00') }, T0);
    replace(h, 'g', { expireAt: TUE('12:00') });
    expect(h.engine.nextTimerAt()).toBe(TUE('12:00'));
    h.engine.tick(TUE('11:00'));
    expect(h.order('g').status).toBe('new');
    h.engine.tick(TUE('12:00'));
    expect(h.log('g')).toEqual(['ack', 'rpl', 'exp']);
  });

  it("a gtc order replaced to day expires at the session's close", () => {
    const h = started();
    h.submit({ ...limit('g', 'buy', '10', '99.50'), timeInForce: 'gtc' }, T0);
    replace(h, 'g', { timeInForce: 'day' });
    expect(h.engine.nextTimerAt()).toBe(TUE('16:00'));
    h.engine.tick(TUE('16:00'));
    expect(h.log('g')).toEqual(['ack', 'rpl', 'exp']);
  });

  it('replace and cancel of a terminal order throw ORDER_NOT_OPEN and change nothing', () => {
    const h = started();
    h.submit(limit('c', 'buy', '10', '99.50'), T0);
    h.engine.cancel('M1', 'c', TUE('10:01'));
    h.submit(market('f', 'buy', '10'), T0);
    const before = h.events.length;
    for (const id of ['c', 'f']) {
      expect(
        thrownCode(() => {
          replace(h, id, { quantity: dec(5) });
        }),
      ).toBe('ORDER_NOT_OPEN');
      expect(
        thrownCode(() => {
          h.engine.cancel('M1', id, TUE('10:06'));
        }),
      ).toBe('ORDER_NOT_OPEN');
    }
    expect(h.events.length).toBe(before);
    expect([h.order('c').status, h.order('f').status]).toEqual(['canceled', 'filled']);
  });

  it('replace and cancel of an unknown order throw NOT_FOUND_AT_VENUE', () => {
    const h = started();
    expect(
      thrownCode(() => {
        replace(h, 'nope', { quantity: dec(5) });
      }),
    ).toBe('NOT_FOUND_AT_VENUE');
    expect(
      thrownCode(() => {
        h.engine.cancel('M1', 'nope', T0);
      }),
    ).toBe('NOT_FOUND_AT_VENUE');
    expect(h.events).toEqual([]);
  });
});

// ---------------------------------------------------------------- cash accounts

describe('cash accounts (§7.2 check 18, §10 allow_short)', () => {
  const cashAccount = makeAccount({
    id: 'C1',
    type: 'cash',
    allowShort: false,
    marginMultiplier: dec(1),
    cash: { USD: dec(10_000) },
  });
  const accounts = (): Account[] => [makeAccount({ id: 'M1', cash: { USD: dec(100_000) } }), cashAccount];
  const inCash = (request: OrderRequest): OrderRequest => ({ ...request, accountId: 'C1' });

  it('a buy costing more than the cash is rejected INSUFFICIENT_BUYING_POWER; exactly the cash is accepted', () => {
    const h = harness({}, accounts());
    h.book(T0, [['99.90', '100']], [['100.50', '100']]);
    const over = h.submit(inCash(limit('b1', 'buy', '100', '100.01')), T0);
    expect(over).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_BUYING_POWER' });
    expect(h.log('b1')).toEqual(['rej INSUFFICIENT_BUYING_POWER']);
    expect(h.submit(inCash(limit('b2', 'buy', '100', '100.00')), T0).status).toBe('accepted');
  });

  it('the estimated taker fee counts towards the cost', () => {
    const h = harness({}, accounts());
    h.book(T0, [['49800.00', '1']], [['50000.00', '1']], 'BTC/USD');
    // 0.2 × 49900 = 9980, + 25 bps = 10004.95 > 10000; 0.19 × 49900 × 1.0025 = 9504.7025.
    const over = h.submit({ ...inCash(limit('b1', 'buy', '0.2', '49900.00')), symbol: 'BTC/USD' }, T0);
    expect(over).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_BUYING_POWER' });
    const fits = h.submit({ ...inCash(limit('b2', 'buy', '0.19', '49900.00')), symbol: 'BTC/USD' }, T0);
    expect(fits.status).toBe('accepted');
  });

  it('open orders reserve cash, so two orders cannot together overspend', () => {
    const h = harness({}, accounts());
    h.book(T0, [['99.90', '100']], [['100.50', '100']]);
    expect(h.submit(inCash(limit('b1', 'buy', '60', '100.00')), T0).status).toBe('accepted');
    expect(h.submit(inCash(limit('b2', 'buy', '60', '100.00')), T0)).toMatchObject({
      status: 'rejected',
      code: 'INSUFFICIENT_BUYING_POWER',
    });
    expect(h.submit(inCash(limit('b3', 'buy', '40', '100.00')), T0).status).toBe('accepted');
    h.engine.cancel('C1', 'b1', T0);
    expect(h.submit(inCash(limit('b4', 'buy', '60', '100.00')), T0).status).toBe('accepted');
  });

  it('a market buy is costed at the far touch', () => {
    const h = harness({}, accounts());
    h.book(T0, [['99.90', '1000']], [['100.00', '1000']]);
    expect(h.submit(inCash(market('m1', 'buy', '101')), T0)).toMatchObject({
      status: 'rejected',
      code: 'INSUFFICIENT_BUYING_POWER',
    });
    h.submit(inCash(market('m2', 'buy', '100')), T0);
    expect(h.log('m2')).toEqual(['ack', 'fill 100@100 taker']);
    expect(h.cash('C1')).toBe('0');
  });

  it('a sell beyond the quantity held less open sells is rejected', () => {
    const h = harness({}, accounts());
    h.book(T0, [['99.90', '1000']], [['100.00', '1000']]);
    expect(h.submit(inCash(limit('s0', 'sell', '1', '101.00')), T0)).toMatchObject({
      status: 'rejected',
      code: 'INSUFFICIENT_BUYING_POWER',
    });
    h.submit(inCash(market('buy', 'buy', '50')), T0);
    expect([h.position('AAPL', 'C1'), h.cash('C1')]).toEqual(['50', '5000']);
    expect(h.submit(inCash(limit('s1', 'sell', '30', '101.00')), T0).status).toBe('accepted');
    expect(h.submit(inCash(limit('s2', 'sell', '25', '101.00')), T0)).toMatchObject({
      status: 'rejected',
      code: 'INSUFFICIENT_BUYING_POWER',
    });
    expect(h.submit(inCash(limit('s3', 'sell', '20', '101.00')), T0).status).toBe('accepted');
  });

  it('a replace that raises a cash-account buy beyond the cash is rpl_rej INSUFFICIENT_BUYING_POWER (§7.3)', () => {
    const h = harness({}, accounts());
    h.book(T0, [['99.90', '1000']], [['100.50', '1000']]);
    h.submit(inCash(limit('b', 'buy', '60', '100.00')), T0);
    h.engine.replace('C1', 'b', { quantity: dec(101) }, TUE('10:01'));
    expect(h.log('b')).toEqual(['ack', 'rpl_rej INSUFFICIENT_BUYING_POWER']);
    expect(h.order('b', 'C1').quantity.toFixed()).toBe('60');
    h.engine.replace('C1', 'b', { limitPrice: dec('100.50'), quantity: dec(100) }, TUE('10:02'));
    expect(h.log('b')).toEqual([
      'ack',
      'rpl_rej INSUFFICIENT_BUYING_POWER',
      'rpl_rej INSUFFICIENT_BUYING_POWER',
    ]);
    expect(h.cash('C1')).toBe('10000');
  });

  it('a replace cannot make a cash-account sell exceed the quantity held (§7.3)', () => {
    const h = harness({}, accounts());
    h.book(T0, [['99.90', '1000']], [['100.00', '1000']]);
    h.submit(inCash(market('buy', 'buy', '50')), T0);
    h.submit(inCash(limit('s', 'sell', '30', '101.00')), T0);
    h.engine.replace('C1', 's', { quantity: dec(60), limitPrice: dec('99.90') }, TUE('10:01'));
    expect(h.log('s')).toEqual(['ack', 'rpl_rej INSUFFICIENT_BUYING_POWER']);
    expect(h.position('AAPL', 'C1')).toBe('50');
  });

  it('a margin account with allowShort can sell short', () => {
    const h = harness({}, accounts());
    h.book(T0, [['99.90', '1000']], [['100.00', '1000']]);
    h.submit(market('short', 'sell', '10'), T0);
    expect(h.log('short')).toEqual(['ack', 'fill 10@99.9 taker']);
    expect([h.position(), h.cash()]).toEqual(['-10', '100999']);
  });
});

// ---------------------------------------------------------------- malformed input

describe('malformed input is refused and nothing changes (§7.2 checks 1, 2, 4; §8.1)', () => {
  const limitWithout = { clientOrderId: 'bad', side: 'buy', type: 'limit', quantity: dec(10) } as const;
  const trailingWithout = {
    clientOrderId: 'bad',
    side: 'sell',
    type: 'trailing_stop',
    quantity: dec(10),
  } as const;
  const cases: [string, OrderRequest, string][] = [
    ['a zero quantity', limit('bad', 'buy', '0', '99.00'), 'INVALID_ORDER'],
    ['a negative quantity', limit('bad', 'buy', '-5', '99.00'), 'INVALID_ORDER'],
    ['a price off the tick', limit('bad', 'buy', '10', '99.005'), 'PRICE_PRECISION'],
    ['an unknown symbol', { ...limit('bad', 'buy', '10', '99.00'), symbol: 'NOPE' }, 'INSTRUMENT_NOT_FOUND'],
    ['a limit order without a limit price', limitWithout, 'INVALID_ORDER'],
    ['a trailing stop without an offset', trailingWithout, 'INVALID_ORDER'],
    [
      'a gtd expiry in the past',
      { ...limit('bad', 'buy', '10', '99.00'), timeInForce: 'gtd', expireAt: T0 - 1 },
      'INVALID_ORDER',
    ],
    ['a reused clientOrderId', limit('keep', 'sell', '3', '101.00'), 'DUPLICATE_CLIENT_ORDER_ID'],
  ];

  it.each(cases)('%s throws a BrokerCallError and changes nothing', (_what, request, code) => {
    const h = started();
    h.submit(limit('keep', 'buy', '10', '99.50'), T0);
    h.submit(market('pos', 'buy', '5'), T0);
    const state = (): string =>
      JSON.stringify({
        orders: h.engine.allOrders(),
        open: h.engine.openOrders().map((o) => o.clientOrderId),
        resting: h.engine.restingCount(),
        timer: h.engine.nextTimerAt(),
        cash: h.ledger.cash('M1', 'USD'),
        available: h.ledger.availableCash('M1', 'USD'),
        positions: h.ledger.positions('M1'),
      });
    const before = state();
    const emitted = h.events.length;
    expect(thrownCode(() => h.submit(request, TUE('10:01')))).toBe(code);
    expect(h.events.length).toBe(emitted);
    expect(state()).toBe(before);
  });
});
