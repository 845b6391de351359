/**
 * The paper matching engine against ORDER-SEMANTICS.md §2.4 (market and limit orders, liquidity
 * consumption, per-update step order), §6.1 (paper ids) and §6.2 (paper fees). Expectations come
 * from the document, not from the engine's code. Equity tests run at 10:00 New York on a regular
 * Thursday (T_OPEN); crypto trades around the clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { OrderType, Side } from '../../domain/order.js';
import {
  ACCOUNT,
  type EngineHarness,
  type SpecExtra,
  at,
  fillSummary,
  fillsOf,
  kindsOf,
  makeEngine,
  spec,
  statusOf,
} from './test-support.js';

const S = 'AAPL';

function filledOf(h: EngineHarness, id: string): string | undefined {
  return h.engine.order(ACCOUNT, id)?.filledQty.toFixed();
}

/** A two-level book around 100: bids 100.00 x100, 99.99 x200; asks 100.02 x100, 100.03 x200. */
function standardBook(h: EngineHarness, ts = at(0)): void {
  h.book(
    S,
    [
      ['100.00', 100],
      ['99.99', 200],
    ],
    [
      ['100.02', 100],
      ['100.03', 200],
    ],
    ts,
  );
}

describe('market orders (§2.4)', () => {
  it('a buy walks the asks level by level: one taker fill per level at that level’s price', () => {
    const h = makeEngine();
    standardBook(h);
    const receipt = h.submit(spec('m1', 'buy', 'market', 250), at(0));
    expect(receipt.status).toBe('accepted');
    expect(kindsOf(h.events, 'm1')).toEqual(['ack', 'fill', 'fill']);
    expect(fillSummary(h.events, 'm1')).toEqual(['100@100.02', '150@100.03']);
    expect(fillsOf(h.events, 'm1').map((f) => f.liquidity)).toEqual(['taker', 'taker']);
    const order = h.engine.order(ACCOUNT, 'm1');
    expect(order?.status).toBe('filled');
    expect(order?.filledQty.toFixed()).toBe('250');
    expect(order?.avgFillPrice?.toFixed()).toBe('100.026');
  });

  it('a sell walks the bids best first', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('m1', 'sell', 'market', 250), at(0));
    expect(fillSummary(h.events, 'm1')).toEqual(['100@100', '150@99.99']);
    expect(statusOf(h, 'm1')).toBe('filled');
  });

  it('no opposite side in an open session: rejected NO_MARKET, with only a rej event', () => {
    const h = makeEngine();
    h.book(S, [['100.00', 100]], [], at(0));
    const buy = h.submit(spec('b1', 'buy', 'market', 10), at(0));
    expect(buy).toMatchObject({ status: 'rejected', code: 'NO_MARKET' });
    expect(kindsOf(h.events, 'b1')).toEqual(['rej']);
    expect(statusOf(h, 'b1')).toBe('rejected');
    h.book(S, [], [['100.02', 100]], at(1));
    expect(h.submit(spec('s1', 'sell', 'market', 10), at(1))).toMatchObject({ code: 'NO_MARKET' });
  });

  it('no data at all for a 24/7 symbol: rejected NO_MARKET', () => {
    const h = makeEngine();
    const receipt = h.submit({ ...spec('b1', 'buy', 'market', '0.1'), symbol: 'BTC/USD' }, at(0));
    expect(receipt).toMatchObject({ status: 'rejected', code: 'NO_MARKET' });
  });

  it('fok with total available below the quantity: ack then cxl, no fill', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('f1', 'buy', 'market', 301, { timeInForce: 'fok' }), at(0));
    expect(kindsOf(h.events, 'f1')).toEqual(['ack', 'cxl']);
    expect(statusOf(h, 'f1')).toBe('canceled');
    expect(filledOf(h, 'f1')).toBe('0');
  });

  it('fok with enough available walks and fills in full, no cxl', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('f1', 'buy', 'market', 300, { timeInForce: 'fok' }), at(0));
    expect(kindsOf(h.events, 'f1')).toEqual(['ack', 'fill', 'fill']);
    expect(fillSummary(h.events, 'f1')).toEqual(['100@100.02', '200@100.03']);
    expect(statusOf(h, 'f1')).toBe('filled');
  });

  it('ioc walks once and cancels the rest: ack, fills, cxl; a later update changes nothing', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('i1', 'buy', 'market', 400, { timeInForce: 'ioc' }), at(0));
    expect(kindsOf(h.events, 'i1')).toEqual(['ack', 'fill', 'fill', 'cxl']);
    expect(fillSummary(h.events, 'i1')).toEqual(['100@100.02', '200@100.03']);
    expect(statusOf(h, 'i1')).toBe('canceled');
    expect(filledOf(h, 'i1')).toBe('300');
    h.book(S, [['100.00', 100]], [['100.05', 500]], at(1));
    expect(kindsOf(h.events, 'i1')).toHaveLength(4);
  });

  it.each(['day', 'gtc'] as const)(
    '%s: the remainder keeps working and walks again on the next update (market_remainder = keep)',
    (timeInForce) => {
      const h = makeEngine();
      standardBook(h);
      h.submit(spec('k1', 'buy', 'market', 400, { timeInForce }), at(0));
      expect(kindsOf(h.events, 'k1')).toEqual(['ack', 'fill', 'fill']);
      expect(statusOf(h, 'k1')).toBe('partially_filled');
      h.book(
        S,
        [['100.00', 100]],
        [
          ['100.05', 50],
          ['100.06', 500],
        ],
        at(1),
      );
      expect(fillSummary(h.events, 'k1')).toEqual(['100@100.02', '200@100.03', '50@100.05', '50@100.06']);
      expect(fillsOf(h.events, 'k1').map((f) => f.liquidity)).toEqual(['taker', 'taker', 'taker', 'taker']);
      expect(statusOf(h, 'k1')).toBe('filled');
    },
  );

  it('market_remainder = cancel: a day remainder is canceled like ioc (ack, fills, cxl)', () => {
    const h = makeEngine({ options: { market_remainder: 'cancel' } });
    standardBook(h);
    h.submit(spec('k1', 'buy', 'market', 400), at(0));
    expect(kindsOf(h.events, 'k1')).toEqual(['ack', 'fill', 'fill', 'cxl']);
    expect(statusOf(h, 'k1')).toBe('canceled');
    expect(filledOf(h, 'k1')).toBe('300');
  });
});

describe('the taker walk against a reference model (§2.4)', () => {
  /** Asks at 100.00 + k ticks, ascending, with integer sizes. */
  const levels = fc
    .uniqueArray(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 })
    .chain((ticks) =>
      fc.tuple(
        fc.constant([...ticks].sort((a, b) => a - b)),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: ticks.length, maxLength: ticks.length }),
      ),
    );

  it('an ioc buy fills min(remaining, size) at each level within the limit, best first, then cancels the rest', () => {
    fc.assert(
      fc.property(
        levels,
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
        ([ticks, sizes], quantity, limitTick) => {
          const price = (tick: number): string => dec(100).plus(dec(tick).times('0.01')).toFixed(2);
          const h = makeEngine();
          h.book(
            S,
            [['99.00', 1000]],
            ticks.map((t, i) => [price(t), sizes[i] ?? 0] as const),
            at(0),
          );
          const extra: SpecExtra =
            limitTick === undefined
              ? { timeInForce: 'ioc' }
              : { timeInForce: 'ioc', limitPrice: dec(price(limitTick)) };
          h.submit(spec('x', 'buy', limitTick === undefined ? 'market' : 'limit', quantity, extra), at(0));
          const expected: string[] = [];
          let remaining = quantity;
          ticks.forEach((t, i) => {
            if (remaining === 0 || (limitTick !== undefined && t > limitTick)) return;
            const take = Math.min(remaining, sizes[i] ?? 0);
            expected.push(`${take}@${dec(price(t)).toFixed()}`);
            remaining -= take;
          });
          expect(fillSummary(h.events, 'x')).toEqual(expected);
          expect(kindsOf(h.events, 'x')).toEqual([
            'ack',
            ...expected.map(() => 'fill'),
            ...(remaining > 0 ? ['cxl'] : []),
          ]);
          expect(statusOf(h, 'x')).toBe(remaining > 0 ? 'canceled' : 'filled');
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('limit orders on arrival (§2.4)', () => {
  /** Asks 100.01 x100, 100.02 x100, 100.04 x100; bids 100.00 x100, 99.98 x100. */
  function limitBook(h: EngineHarness, ts = at(0)): void {
    h.book(
      S,
      [
        ['100.00', 100],
        ['99.98', 100],
      ],
      [
        ['100.01', 100],
        ['100.02', 100],
        ['100.04', 100],
      ],
      ts,
    );
  }

  it('a marketable buy walks within the limit, keeps the price improvement, and rests the rest at the limit', () => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('l1', 'buy', 'limit', 250, { limitPrice: dec('100.03') }), at(0));
    expect(kindsOf(h.events, 'l1')).toEqual(['ack', 'fill', 'fill']);
    expect(fillSummary(h.events, 'l1')).toEqual(['100@100.01', '100@100.02']);
    expect(fillsOf(h.events, 'l1').map((f) => f.liquidity)).toEqual(['taker', 'taker']);
    expect(statusOf(h, 'l1')).toBe('partially_filled');
    expect(h.engine.openOrders(ACCOUNT).map((o) => o.clientOrderId)).toEqual(['l1']);
    // The rest works at its limit: an ask at 100.03 later fills it there, as maker.
    h.book(S, [['100.00', 100]], [['100.03', 80]], at(1));
    expect(fillSummary(h.events, 'l1')).toEqual(['100@100.01', '100@100.02', '50@100.03']);
    expect(fillsOf(h.events, 'l1')[2]?.liquidity).toBe('maker');
    expect(statusOf(h, 'l1')).toBe('filled');
  });

  it('a marketable sell walks the bids down to its limit and no further', () => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('l1', 'sell', 'limit', 150, { limitPrice: dec('99.99') }), at(0));
    expect(fillSummary(h.events, 'l1')).toEqual(['100@100']);
    expect(statusOf(h, 'l1')).toBe('partially_filled');
  });

  it('fok needs the whole quantity within the limit: short by one → ack, cxl, no fill', () => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('f1', 'buy', 'limit', 201, { limitPrice: dec('100.03'), timeInForce: 'fok' }), at(0));
    expect(kindsOf(h.events, 'f1')).toEqual(['ack', 'cxl']);
    expect(filledOf(h, 'f1')).toBe('0');
    expect(statusOf(h, 'f1')).toBe('canceled');
  });

  it('fok with the whole quantity within the limit fills in full', () => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('f1', 'buy', 'limit', 200, { limitPrice: dec('100.03'), timeInForce: 'fok' }), at(0));
    expect(kindsOf(h.events, 'f1')).toEqual(['ack', 'fill', 'fill']);
    expect(fillSummary(h.events, 'f1')).toEqual(['100@100.01', '100@100.02']);
    expect(statusOf(h, 'f1')).toBe('filled');
  });

  it('ioc fills within the limit and cancels the rest', () => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('i1', 'buy', 'limit', 250, { limitPrice: dec('100.03'), timeInForce: 'ioc' }), at(0));
    expect(kindsOf(h.events, 'i1')).toEqual(['ack', 'fill', 'fill', 'cxl']);
    expect(fillSummary(h.events, 'i1')).toEqual(['100@100.01', '100@100.02']);
    expect(statusOf(h, 'i1')).toBe('canceled');
    expect(filledOf(h, 'i1')).toBe('200');
  });

  it.each(['ioc', 'fok'] as const)('a non-marketable %s limit is canceled: ack, cxl', (timeInForce) => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('n1', 'buy', 'limit', 10, { limitPrice: dec('99.50'), timeInForce }), at(0));
    expect(kindsOf(h.events, 'n1')).toEqual(['ack', 'cxl']);
    expect(statusOf(h, 'n1')).toBe('canceled');
  });

  it.each(['day', 'gtc'] as const)('a non-marketable %s limit rests: ack only, status new', (timeInForce) => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('r1', 'buy', 'limit', 10, { limitPrice: dec('99.50'), timeInForce }), at(0));
    expect(kindsOf(h.events, 'r1')).toEqual(['ack']);
    expect(statusOf(h, 'r1')).toBe('new');
  });

  it('post_only and marketable: rejected POST_ONLY_WOULD_TAKE, only a rej event', () => {
    const h = makeEngine();
    limitBook(h);
    const receipt = h.submit(
      spec('p1', 'buy', 'limit', 10, { limitPrice: dec('100.01'), postOnly: true }),
      at(0),
    );
    expect(receipt).toMatchObject({ status: 'rejected', code: 'POST_ONLY_WOULD_TAKE' });
    expect(kindsOf(h.events, 'p1')).toEqual(['rej']);
    expect(statusOf(h, 'p1')).toBe('rejected');
    const sell = h.submit(
      spec('p2', 'sell', 'limit', 10, { limitPrice: dec('100.00'), postOnly: true }),
      at(0),
    );
    expect(sell).toMatchObject({ status: 'rejected', code: 'POST_ONLY_WOULD_TAKE' });
  });

  it('post_only and not marketable: accepted and resting', () => {
    const h = makeEngine();
    limitBook(h);
    h.submit(spec('p1', 'buy', 'limit', 10, { limitPrice: dec('100.00'), postOnly: true }), at(0));
    expect(kindsOf(h.events, 'p1')).toEqual(['ack']);
    expect(statusOf(h, 'p1')).toBe('new');
  });
});

describe('resting limits reached later: maker fills (§2.4)', () => {
  it('fill at the limit price for min(leaves, size at or better than the limit); partial then filled', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('r1', 'buy', 'limit', 150, { limitPrice: dec('99.95') }), at(0));
    expect(kindsOf(h.events, 'r1')).toEqual(['ack']);
    h.book(
      S,
      [['99.80', 100]],
      [
        ['99.90', 50],
        ['99.94', 60],
        ['99.96', 500],
      ],
      at(1),
    );
    expect(fillSummary(h.events, 'r1')).toEqual(['110@99.95']);
    expect(fillsOf(h.events, 'r1')[0]?.liquidity).toBe('maker');
    expect(statusOf(h, 'r1')).toBe('partially_filled');
    expect(filledOf(h, 'r1')).toBe('110');
    // Unchanged sizes: what was taken is still used up.
    h.book(
      S,
      [['99.80', 100]],
      [
        ['99.90', 50],
        ['99.94', 60],
        ['99.96', 500],
      ],
      at(2),
    );
    expect(fillSummary(h.events, 'r1')).toEqual(['110@99.95']);
    // A new size at 99.90: available again; the order completes at its limit.
    h.book(S, [['99.80', 100]], [['99.90', 70]], at(3));
    expect(fillSummary(h.events, 'r1')).toEqual(['110@99.95', '40@99.95']);
    expect(kindsOf(h.events, 'r1')).toEqual(['ack', 'fill', 'fill']);
    expect(statusOf(h, 'r1')).toBe('filled');
    expect(h.engine.order(ACCOUNT, 'r1')?.avgFillPrice?.toFixed()).toBe('99.95');
  });

  it('a resting sell fills at its limit when bids reach it', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('r1', 'sell', 'limit', 30, { limitPrice: dec('100.10') }), at(0));
    h.book(S, [['100.12', 20]], [['100.20', 100]], at(1));
    expect(fillSummary(h.events, 'r1')).toEqual(['20@100.1']);
    expect(fillsOf(h.events, 'r1')[0]?.liquidity).toBe('maker');
    expect(statusOf(h, 'r1')).toBe('partially_filled');
  });

  it('time priority: at one price the earlier order fills first when liquidity is short', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('A', 'buy', 'limit', 100, { limitPrice: dec('99.95') }), at(0));
    h.submit(spec('B', 'buy', 'limit', 100, { limitPrice: dec('99.95') }), at(1));
    h.book(S, [['99.80', 100]], [['99.95', 150]], at(2));
    expect(fillSummary(h.events)).toEqual(['100@99.95', '50@99.95']);
    expect(fillsOf(h.events).map((f) => f.clientOrderId)).toEqual(['A', 'B']);
    expect(statusOf(h, 'A')).toBe('filled');
    expect(statusOf(h, 'B')).toBe('partially_filled');
  });

  it('time priority holds even when the later order was submitted with a lower id', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('Z', 'sell', 'limit', 100, { limitPrice: dec('100.10') }), at(0));
    h.submit(spec('A', 'sell', 'limit', 100, { limitPrice: dec('100.10') }), at(1));
    h.book(S, [['100.10', 120]], [['100.20', 100]], at(2));
    expect(fillsOf(h.events).map((f) => `${f.clientOrderId} ${f.quantity.toFixed()}`)).toEqual([
      'Z 100',
      'A 20',
    ]);
  });

  it('price priority: the better-priced buy fills first, each at its own limit', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('A', 'buy', 'limit', 100, { limitPrice: dec('99.95') }), at(0));
    h.submit(spec('B', 'buy', 'limit', 100, { limitPrice: dec('99.96') }), at(1));
    h.book(S, [['99.80', 100]], [['99.95', 120]], at(2));
    expect(
      fillsOf(h.events).map((f) => `${f.clientOrderId} ${f.quantity.toFixed()}@${f.price.toFixed()}`),
    ).toEqual(['B 100@99.96', 'A 20@99.95']);
  });

  it('price priority: the lower-priced sell fills first', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('A', 'sell', 'limit', 100, { limitPrice: dec('100.10') }), at(0));
    h.submit(spec('B', 'sell', 'limit', 100, { limitPrice: dec('100.08') }), at(1));
    h.book(S, [['100.10', 120]], [['100.20', 100]], at(2));
    expect(
      fillsOf(h.events).map((f) => `${f.clientOrderId} ${f.quantity.toFixed()}@${f.price.toFixed()}`),
    ).toEqual(['B 100@100.08', 'A 20@100.1']);
  });

  it('a resting limit not reached does not fill', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('r1', 'buy', 'limit', 10, { limitPrice: dec('99.95') }), at(0));
    h.book(S, [['99.90', 100]], [['99.96', 100]], at(1));
    expect(kindsOf(h.events, 'r1')).toEqual(['ack']);
  });
});

describe('liquidity consumption (§2.4, §10)', () => {
  it('on (default): a taker fill uses up displayed size, so the next order on the same book sees less', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('a', 'buy', 'market', 150), at(0));
    expect(fillSummary(h.events, 'a')).toEqual(['100@100.02', '50@100.03']);
    h.submit(spec('b', 'buy', 'market', 100), at(0));
    expect(fillSummary(h.events, 'b')).toEqual(['100@100.03']);
    h.submit(spec('c', 'buy', 'market', 100, { timeInForce: 'ioc' }), at(0));
    expect(fillSummary(h.events, 'c')).toEqual(['50@100.03']);
    expect(kindsOf(h.events, 'c')).toEqual(['ack', 'fill', 'cxl']);
  });

  it('consumption at a price is forgotten when a snapshot reports a new size there, kept where the size is unchanged', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('a', 'buy', 'market', 150), at(0));
    h.book(
      S,
      [['100.00', 100]],
      [
        ['100.02', 80],
        ['100.03', 200],
      ],
      at(1),
    );
    h.submit(spec('b', 'buy', 'market', 300, { timeInForce: 'ioc' }), at(1));
    expect(fillSummary(h.events, 'b')).toEqual(['80@100.02', '150@100.03']);
  });

  it('a snapshot repeating the same size keeps the consumption', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('a', 'buy', 'market', 100), at(0));
    standardBook(h, at(1));
    h.submit(spec('b', 'buy', 'market', 50), at(1));
    expect(fillSummary(h.events, 'b')).toEqual(['50@100.03']);
  });

  it('off: no consumption, the second order sees the full size again', () => {
    const h = makeEngine({ options: { liquidity_consumption: false } });
    standardBook(h);
    h.submit(spec('a', 'buy', 'market', 150), at(0));
    h.submit(spec('b', 'buy', 'market', 150), at(0));
    expect(fillSummary(h.events, 'b')).toEqual(['100@100.02', '50@100.03']);
  });

  it('the venue never changes the data book, and the account’s own resting orders are not part of it', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('own', 'sell', 'limit', 50, { limitPrice: dec('100.01') }), at(0));
    h.submit(spec('m', 'buy', 'market', 120), at(0));
    expect(fillSummary(h.events, 'm')).toEqual(['100@100.02', '20@100.03']);
    expect(kindsOf(h.events, 'own')).toEqual(['ack']);
    const snapshot = h.engine.snapshot(S);
    expect(snapshot?.asks.map((l) => `${l.size?.toFixed()}@${l.price.toFixed()}`)).toEqual([
      '100@100.02',
      '200@100.03',
    ]);
  });
});

describe('fees (§6.2) and paper ids (§6.1)', () => {
  const BTC = 'BTC/USD';
  const btc = (id: string, side: Side, type: OrderType, quantity: string, extra: SpecExtra = {}) => ({
    ...spec(id, side, type, quantity, extra),
    symbol: BTC,
  });

  it('crypto default taker fee is 25 bps of each fill’s notional, exact, in the quote currency', () => {
    const h = makeEngine();
    h.book(
      BTC,
      [['60000.00', '1']],
      [
        ['60010.00', '0.5'],
        ['60020.00', '1'],
      ],
      at(0),
    );
    h.submit(btc('m1', 'buy', 'market', '0.8'), at(0));
    const fills = fillsOf(h.events, 'm1');
    expect(fills.map((f) => `${f.quantity.toFixed()}@${f.price.toFixed()}`)).toEqual([
      '0.5@60010',
      '0.3@60020',
    ]);
    expect(fills.map((f) => f.fee.toFixed())).toEqual(['75.0125', '45.015']);
    expect(fills.map((f) => f.feeCurrency)).toEqual(['USD', 'USD']);
    expect(fills.map((f) => f.liquidity)).toEqual(['taker', 'taker']);
    // Cash moves by the notional and the fee, exactly.
    expect(h.ledger.cash(ACCOUNT, 'USD').toFixed()).toBe('951868.9725');
  });

  it('crypto default maker fee is 15 bps', () => {
    const h = makeEngine();
    h.book(BTC, [['60000.00', '1']], [['60010.00', '1']], at(0));
    h.submit(btc('r1', 'sell', 'limit', '0.4', { limitPrice: dec('60100.00') }), at(0));
    h.book(BTC, [['60100.00', '1']], [['60110.00', '1']], at(1));
    const [fill] = fillsOf(h.events, 'r1');
    expect(fill?.liquidity).toBe('maker');
    expect(fill?.fee.toFixed()).toBe('36.06');
    expect(fill?.feeCurrency).toBe('USD');
  });

  it('the fee currency is the instrument’s quote (USDT)', () => {
    const h = makeEngine();
    h.book('BTC/USDT', [['60000.00', '1']], [['60010.00', '1']], at(0));
    h.submit({ ...btc('m1', 'buy', 'market', '0.1'), symbol: 'BTC/USDT' }, at(0));
    const [fill] = fillsOf(h.events, 'm1');
    expect(fill?.feeCurrency).toBe('USDT');
    expect(fill?.fee.toFixed()).toBe('15.0025');
  });

  it('explicit maker/taker bps apply per fill by liquidity side, kept exact', () => {
    const h = makeEngine({ options: { maker_fee_bps: '1.5', taker_fee_bps: '2.5' } });
    h.book(S, [['100.00', 10]], [['100.03', 10]], at(0));
    h.submit(spec('t1', 'buy', 'market', 3), at(0));
    expect(fillsOf(h.events, 't1').map((f) => f.fee.toFixed())).toEqual(['0.0750225']);
    h.submit(spec('m1', 'sell', 'limit', 7, { limitPrice: dec('100.07') }), at(0));
    h.book(S, [['100.07', 10]], [['100.10', 10]], at(1));
    const [maker] = fillsOf(h.events, 'm1');
    expect(maker?.liquidity).toBe('maker');
    expect(maker?.fee.toFixed()).toBe('0.1050735');
  });

  it('equities default to zero fees', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('m1', 'buy', 'market', 10), at(0));
    expect(fillsOf(h.events, 'm1')[0]?.fee.toFixed()).toBe('0');
    expect(fillsOf(h.events, 'm1')[0]?.feeCurrency).toBe('USD');
  });

  it('venue order ids count up; fill ids are {venueOrderId}-{n}, n from 1 per order', () => {
    const h = makeEngine();
    standardBook(h);
    const a = h.submit(spec('a', 'buy', 'market', 150), at(0));
    const b = h.submit(spec('b', 'sell', 'limit', 10, { limitPrice: dec('101.00') }), at(0));
    const c = h.submit(spec('c', 'buy', 'market', 10), at(0));
    expect([a, b, c].map((r) => (r.status === 'accepted' ? r.venueOrderId : r.code))).toEqual([
      'paper-1',
      'paper-2',
      'paper-3',
    ]);
    expect(fillsOf(h.events, 'a').map((f) => f.fillId)).toEqual(['paper-1-1', 'paper-1-2']);
    expect(fillsOf(h.events, 'c').map((f) => f.fillId)).toEqual(['paper-3-1']);
    h.book(S, [['101.00', 4]], [['101.05', 100]], at(1));
    h.book(S, [['101.00', 9]], [['101.05', 100]], at(2));
    expect(fillsOf(h.events, 'b').map((f) => f.fillId)).toEqual(['paper-2-1', 'paper-2-2']);
    const fill = fillsOf(h.events, 'a')[0];
    expect(fill).toMatchObject({
      clientOrderId: 'a',
      venueOrderId: 'paper-1',
      accountId: ACCOUNT,
      symbol: S,
    });
    expect(fill?.side).toBe('buy');
  });
});

describe('per-update step order (§2.4)', () => {
  it('(1) market remainders walk before (2) resting limits', () => {
    const h = makeEngine();
    h.book(S, [['100.00', 100]], [['100.02', 10]], at(0));
    h.submit(spec('lim', 'buy', 'limit', 20, { limitPrice: dec('100.01') }), at(0));
    h.submit(spec('mkt', 'buy', 'market', 30), at(0));
    expect(fillSummary(h.events, 'mkt')).toEqual(['10@100.02']);
    h.book(S, [['100.00', 100]], [['100.01', 25]], at(1));
    expect(
      fillsOf(h.events).map((f) => `${f.clientOrderId} ${f.quantity.toFixed()}@${f.price.toFixed()}`),
    ).toEqual(['mkt 10@100.02', 'mkt 20@100.01', 'lim 5@100.01']);
  });

  it('(2) resting limits fill before (3) triggers are checked, whatever the arrival order', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('mit', 'buy', 'market_if_touched', 50, { triggerPrice: dec('99.00') }), at(0));
    h.submit(spec('lim', 'buy', 'limit', 50, { limitPrice: dec('99.00') }), at(0));
    h.book(
      S,
      [['98.90', 100]],
      [
        ['99.00', 60],
        ['99.01', 100],
      ],
      at(1),
    );
    expect(
      h.events
        .filter((e) => e.kind !== 'ack')
        .map(
          (e) =>
            `${e.clientOrderId} ${e.kind === 'fill' ? `${e.fill.quantity.toFixed()}@${e.fill.price.toFixed()}` : e.kind}`,
        ),
    ).toEqual(['lim 50@99', 'mit trig', 'mit 10@99', 'mit 40@99.01']);
  });

  it('within the trigger step, buys go before sells', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('sell', 'sell', 'stop', 10, { stopPrice: dec('99.50') }), at(0));
    h.submit(spec('buy', 'buy', 'stop', 10, { stopPrice: dec('100.50') }), at(0));
    h.book(S, [['99.50', 100]], [['100.50', 100]], at(1));
    expect(h.events.filter((e) => e.kind === 'trig').map((e) => e.clientOrderId)).toEqual(['buy', 'sell']);
  });

  it('within the resting step, buys go before sells', () => {
    const h = makeEngine();
    standardBook(h);
    h.submit(spec('sell', 'sell', 'limit', 10, { limitPrice: dec('100.10') }), at(0));
    h.submit(spec('buy', 'buy', 'limit', 10, { limitPrice: dec('99.90') }), at(0));
    // A crossed data book reaches both.
    h.book(S, [['100.10', 100]], [['99.90', 100]], at(1));
    expect(fillsOf(h.events).map((f) => f.clientOrderId)).toEqual(['buy', 'sell']);
  });
});
