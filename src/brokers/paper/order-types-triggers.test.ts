/**
 * The paper matching engine against ORDER-SEMANTICS.md §2.2 (trigger predicates, STOP_IN_MARKET,
 * trigger_source) and §2.3 (trailing stops), with the "on trigger" rules of §2.4. Expectations come
 * from the document, not from the engine's code.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { OrderType, Side } from '../../domain/order.js';
import {
  ACCOUNT,
  type EngineHarness,
  type LevelInput,
  type RecordedEvent,
  type SpecExtra,
  at,
  eventsOf,
  fillSummary,
  fillsOf,
  kindsOf,
  makeEngine,
  spec,
  statusOf,
} from './test-support.js';

const S = 'AAPL';

/** A quote: best bid and ask with 100 each unless sizes are given. */
function quote(h: EngineHarness, bid: string | null, ask: string | null, ts: number): void {
  const side = (price: string | null): LevelInput[] => (price === null ? [] : [[price, 100]]);
  h.book(S, side(bid), side(ask), ts);
}

/** The stops announced by `upd` events, in order. */
function stopsOf(events: readonly RecordedEvent[], id: string): string[] {
  const out: string[] = [];
  for (const e of eventsOf(events, id)) {
    if (e.kind === 'upd' && e.changes.currentStop !== undefined) out.push(e.changes.currentStop.toFixed());
  }
  return out;
}

function currentStop(h: EngineHarness, id: string): string | undefined {
  return h.engine.order(ACCOUNT, id)?.currentStop?.toFixed();
}

describe('stop orders (§2.2, §2.4)', () => {
  it('a buy stop triggers when ask ≥ stop (not before), then walks the book as a market order', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(spec('s1', 'buy', 'stop', 10, { stopPrice: dec('100.50') }), at(0));
    expect(kindsOf(h.events, 's1')).toEqual(['ack']);
    quote(h, '100.00', '100.49', at(1));
    expect(kindsOf(h.events, 's1')).toEqual(['ack']);
    h.book(
      S,
      [['100.00', 100]],
      [
        ['100.50', 5],
        ['100.51', 100],
      ],
      at(2),
    );
    expect(kindsOf(h.events, 's1')).toEqual(['ack', 'trig', 'fill', 'fill']);
    expect(fillSummary(h.events, 's1')).toEqual(['5@100.5', '5@100.51']);
    expect(fillsOf(h.events, 's1').map((f) => f.liquidity)).toEqual(['taker', 'taker']);
    expect(statusOf(h, 's1')).toBe('filled');
  });

  it('a sell stop triggers when bid ≤ stop, then walks the bids', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(spec('s1', 'sell', 'stop', 10, { stopPrice: dec('99.50') }), at(0));
    quote(h, '99.51', '99.53', at(1));
    expect(kindsOf(h.events, 's1')).toEqual(['ack']);
    h.book(
      S,
      [
        ['99.50', 3],
        ['99.40', 100],
      ],
      [['99.52', 100]],
      at(2),
    );
    expect(kindsOf(h.events, 's1')).toEqual(['ack', 'trig', 'fill', 'fill']);
    expect(fillSummary(h.events, 's1')).toEqual(['3@99.5', '7@99.4']);
    expect(statusOf(h, 's1')).toBe('filled');
  });

  it('a stop that gaps through fills at the worse book price', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(spec('s1', 'sell', 'stop', 10, { stopPrice: dec('99.50') }), at(0));
    quote(h, '98.70', '98.75', at(1));
    expect(fillSummary(h.events, 's1')).toEqual(['10@98.7']);
  });

  it('a triggered stop acts as a day market order: its remainder keeps working and status is never triggered', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(spec('s1', 'sell', 'stop', 150, { stopPrice: dec('99.50') }), at(0));
    h.book(S, [['99.50', 100]], [['99.52', 100]], at(1));
    expect(kindsOf(h.events, 's1')).toEqual(['ack', 'trig', 'fill']);
    expect(statusOf(h, 's1')).toBe('partially_filled');
    h.book(S, [['99.45', 80]], [['99.52', 100]], at(2));
    expect(fillSummary(h.events, 's1')).toEqual(['100@99.5', '50@99.45']);
    expect(statusOf(h, 's1')).toBe('filled');
  });

  it('stop_limit: on trigger status is triggered; a non-marketable limit rests, then fills as maker at its limit', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(
      spec('sl', 'buy', 'stop_limit', 10, { stopPrice: dec('100.50'), limitPrice: dec('100.55') }),
      at(0),
    );
    quote(h, '100.58', '100.60', at(1));
    expect(kindsOf(h.events, 'sl')).toEqual(['ack', 'trig']);
    expect(statusOf(h, 'sl')).toBe('triggered');
    h.book(
      S,
      [['100.50', 100]],
      [
        ['100.55', 4],
        ['100.56', 100],
      ],
      at(2),
    );
    expect(fillSummary(h.events, 'sl')).toEqual(['4@100.55']);
    expect(fillsOf(h.events, 'sl')[0]?.liquidity).toBe('maker');
    expect(statusOf(h, 'sl')).toBe('partially_filled');
    quote(h, '100.50', '100.54', at(3));
    expect(fillSummary(h.events, 'sl')).toEqual(['4@100.55', '6@100.55']);
    expect(statusOf(h, 'sl')).toBe('filled');
  });

  it('stop_limit: marketable on trigger, it takes within the limit (taker) and rests the rest', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(
      spec('sl', 'buy', 'stop_limit', 10, { stopPrice: dec('100.50'), limitPrice: dec('100.55') }),
      at(0),
    );
    h.book(
      S,
      [['100.40', 100]],
      [
        ['100.50', 4],
        ['100.53', 3],
        ['100.56', 100],
      ],
      at(1),
    );
    expect(kindsOf(h.events, 'sl')).toEqual(['ack', 'trig', 'fill', 'fill']);
    expect(fillSummary(h.events, 'sl')).toEqual(['4@100.5', '3@100.53']);
    expect(fillsOf(h.events, 'sl').map((f) => f.liquidity)).toEqual(['taker', 'taker']);
    expect(statusOf(h, 'sl')).toBe('partially_filled');
  });

  it('a sell stop_limit triggers on bid ≤ stop and sells down to its limit', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(
      spec('sl', 'sell', 'stop_limit', 10, { stopPrice: dec('99.50'), limitPrice: dec('99.45') }),
      at(0),
    );
    h.book(
      S,
      [
        ['99.50', 6],
        ['99.44', 100],
      ],
      [['99.55', 100]],
      at(1),
    );
    expect(kindsOf(h.events, 'sl')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 'sl')).toEqual(['6@99.5']);
    expect(statusOf(h, 'sl')).toBe('partially_filled');
  });
});

describe('touch orders (§2.2, §2.4)', () => {
  it('market_if_touched buy triggers when ask ≤ trigger and fills as market', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(spec('t1', 'buy', 'market_if_touched', 10, { triggerPrice: dec('99.50') }), at(0));
    quote(h, '99.49', '99.51', at(1));
    expect(kindsOf(h.events, 't1')).toEqual(['ack']);
    quote(h, '99.48', '99.50', at(2));
    expect(kindsOf(h.events, 't1')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 't1')).toEqual(['10@99.5']);
    expect(fillsOf(h.events, 't1')[0]?.liquidity).toBe('taker');
    expect(statusOf(h, 't1')).toBe('filled');
  });

  it('market_if_touched sell triggers when bid ≥ trigger', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(spec('t1', 'sell', 'market_if_touched', 10, { triggerPrice: dec('100.50') }), at(0));
    quote(h, '100.49', '100.52', at(1));
    expect(kindsOf(h.events, 't1')).toEqual(['ack']);
    quote(h, '100.50', '100.52', at(2));
    expect(kindsOf(h.events, 't1')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 't1')).toEqual(['10@100.5']);
  });

  it('limit_if_touched sell: triggered, then a limit walking the bids down to its limit, the rest resting', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(
      spec('lt', 'sell', 'limit_if_touched', 10, { triggerPrice: dec('100.50'), limitPrice: dec('100.45') }),
      at(0),
    );
    h.book(
      S,
      [
        ['100.50', 4],
        ['100.45', 3],
        ['100.40', 100],
      ],
      [['100.55', 100]],
      at(1),
    );
    expect(kindsOf(h.events, 'lt')).toEqual(['ack', 'trig', 'fill', 'fill']);
    expect(fillSummary(h.events, 'lt')).toEqual(['4@100.5', '3@100.45']);
    expect(statusOf(h, 'lt')).toBe('partially_filled');
  });

  it('limit_if_touched buy whose limit is not marketable on trigger rests as triggered', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(
      spec('lt', 'buy', 'limit_if_touched', 10, { triggerPrice: dec('99.50'), limitPrice: dec('99.40') }),
      at(0),
    );
    quote(h, '99.40', '99.45', at(1));
    expect(kindsOf(h.events, 'lt')).toEqual(['ack', 'trig']);
    expect(statusOf(h, 'lt')).toBe('triggered');
    quote(h, '99.30', '99.40', at(2));
    expect(fillSummary(h.events, 'lt')).toEqual(['10@99.4']);
    expect(statusOf(h, 'lt')).toBe('filled');
  });
});

describe('STOP_IN_MARKET and reject_stops_in_market (§2.2)', () => {
  const cases: [string, Side, OrderType, SpecExtra][] = [
    ['buy stop at the ask (ask ≥ stop)', 'buy', 'stop', { stopPrice: dec('100.02') }],
    ['sell stop at the bid (bid ≤ stop)', 'sell', 'stop', { stopPrice: dec('100.00') }],
    [
      'buy stop_limit below the ask',
      'buy',
      'stop_limit',
      { stopPrice: dec('100.01'), limitPrice: dec('100.10') },
    ],
    [
      'buy market_if_touched at the ask (ask ≤ trigger)',
      'buy',
      'market_if_touched',
      { triggerPrice: dec('100.02') },
    ],
    [
      'sell limit_if_touched below the bid (bid ≥ trigger)',
      'sell',
      'limit_if_touched',
      { triggerPrice: dec('99.90'), limitPrice: dec('99.80') },
    ],
  ];

  it.each(cases)(
    '%s: rejected STOP_IN_MARKET at acceptance, only a rej event',
    (_name, side, type, extra) => {
      const h = makeEngine();
      quote(h, '100.00', '100.02', at(0));
      const receipt = h.submit(spec('x', side, type, 10, extra), at(0));
      expect(receipt).toMatchObject({ status: 'rejected', code: 'STOP_IN_MARKET' });
      expect(kindsOf(h.events, 'x')).toEqual(['rej']);
      expect(statusOf(h, 'x')).toBe('rejected');
    },
  );

  it('a stop one tick away from holding is accepted', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    expect(h.submit(spec('b', 'buy', 'stop', 10, { stopPrice: dec('100.03') }), at(0)).status).toBe(
      'accepted',
    );
    expect(h.submit(spec('s', 'sell', 'stop', 10, { stopPrice: dec('99.99') }), at(0)).status).toBe(
      'accepted',
    );
  });

  it('false: a stop already in the market triggers at once and fills as taker', () => {
    const h = makeEngine({ options: { reject_stops_in_market: false } });
    h.book(
      S,
      [['100.00', 100]],
      [
        ['100.02', 5],
        ['100.03', 100],
      ],
      at(0),
    );
    const receipt = h.submit(spec('s1', 'buy', 'stop', 10, { stopPrice: dec('100.00') }), at(0));
    expect(receipt.status).toBe('accepted');
    expect(kindsOf(h.events, 's1')).toEqual(['ack', 'trig', 'fill', 'fill']);
    expect(fillSummary(h.events, 's1')).toEqual(['5@100.02', '5@100.03']);
    expect(fillsOf(h.events, 's1').map((f) => f.liquidity)).toEqual(['taker', 'taker']);
    expect(statusOf(h, 's1')).toBe('filled');
  });

  it('false: a stop_limit already in the market triggers at once, takes within its limit, rests the rest', () => {
    const h = makeEngine({ options: { reject_stops_in_market: false } });
    h.book(
      S,
      [['100.00', 100]],
      [
        ['100.02', 5],
        ['100.03', 100],
      ],
      at(0),
    );
    h.submit(
      spec('sl', 'buy', 'stop_limit', 10, { stopPrice: dec('100.00'), limitPrice: dec('100.02') }),
      at(0),
    );
    expect(kindsOf(h.events, 'sl')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 'sl')).toEqual(['5@100.02']);
    expect(fillsOf(h.events, 'sl')[0]?.liquidity).toBe('taker');
    expect(statusOf(h, 'sl')).toBe('partially_filled');
  });

  it('false: a touch order already touched triggers at once', () => {
    const h = makeEngine({ options: { reject_stops_in_market: false } });
    quote(h, '100.00', '100.02', at(0));
    h.submit(spec('t1', 'sell', 'market_if_touched', 10, { triggerPrice: dec('99.90') }), at(0));
    expect(kindsOf(h.events, 't1')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 't1')).toEqual(['10@100']);
  });
});

describe('missing sides and trigger_source (§2.2)', () => {
  it('a predicate on a missing side is false: no STOP_IN_MARKET, no trigger until the side appears', () => {
    const h = makeEngine();
    quote(h, '100.00', null, at(0));
    expect(h.submit(spec('bs', 'buy', 'stop', 10, { stopPrice: dec('99.00') }), at(0)).status).toBe(
      'accepted',
    );
    expect(
      h.submit(spec('bt', 'buy', 'market_if_touched', 10, { triggerPrice: dec('101.00') }), at(0)).status,
    ).toBe('accepted');
    quote(h, '99.00', null, at(1));
    expect(kindsOf(h.events)).toEqual(['ack', 'ack']);
    quote(h, '100.00', '100.02', at(2));
    expect(kindsOf(h.events, 'bs')).toEqual(['ack', 'trig', 'fill']);
    expect(kindsOf(h.events, 'bt')).toEqual(['ack', 'trig', 'fill']);
  });

  it('a sell stop with no bids neither is rejected nor triggers', () => {
    const h = makeEngine();
    quote(h, null, '100.02', at(0));
    expect(h.submit(spec('ss', 'sell', 'stop', 10, { stopPrice: dec('101.00') }), at(0)).status).toBe(
      'accepted',
    );
    quote(h, null, '98.00', at(1));
    expect(kindsOf(h.events, 'ss')).toEqual(['ack']);
  });

  it('trigger_source = last: the last trade (onTrade) replaces bid and ask; no last means no trigger', () => {
    const h = makeEngine({ options: { trigger_source: 'last' } });
    quote(h, '99.40', '99.45', at(0));
    // The bid is already below the stop, but only the last trade counts, and there is none yet.
    expect(h.submit(spec('s1', 'sell', 'stop', 10, { stopPrice: dec('99.50') }), at(0)).status).toBe(
      'accepted',
    );
    h.trade(S, '99.60', at(1));
    expect(kindsOf(h.events, 's1')).toEqual(['ack']);
    h.trade(S, '99.50', at(2));
    expect(kindsOf(h.events, 's1')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 's1')).toEqual(['10@99.4']);
  });

  it('trigger_source = last: a snapshot’s last trade triggers too', () => {
    const h = makeEngine({ options: { trigger_source: 'last' } });
    h.book(S, [['100.00', 100]], [['100.02', 100]], at(0), { last: '100.01' });
    h.submit(spec('s1', 'buy', 'stop', 10, { stopPrice: dec('100.10') }), at(0));
    h.book(S, [['100.00', 100]], [['100.02', 100]], at(1), { last: '100.10' });
    expect(kindsOf(h.events, 's1')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 's1')).toEqual(['10@100.02']);
  });

  it('trigger_source = last: STOP_IN_MARKET is judged on the last trade', () => {
    const h = makeEngine({ options: { trigger_source: 'last' } });
    h.book(S, [['100.00', 100]], [['100.02', 100]], at(0), { last: '99.00' });
    expect(h.submit(spec('s1', 'sell', 'stop', 10, { stopPrice: dec('99.50') }), at(0))).toMatchObject({
      status: 'rejected',
      code: 'STOP_IN_MARKET',
    });
  });
});

describe('trailing stops (§2.3)', () => {
  const trail = (id: string, side: Side, extra: SpecExtra) => spec(id, side, 'trailing_stop', 10, extra);

  it('SELL trail_price: first stop at acceptance = bid − offset, announced by upd', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('1.00') }), at(0));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd']);
    expect(stopsOf(h.events, 't')).toEqual(['99']);
    expect(currentStop(h, 't')).toBe('99');
    expect(statusOf(h, 't')).toBe('new');
  });

  it('BUY trail_price: first stop = ask + offset', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'buy', { trailPrice: dec('0.50') }), at(0));
    expect(stopsOf(h.events, 't')).toEqual(['100.52']);
  });

  it('trail_percent: SELL candidate rounds down to the tick, BUY rounds up', () => {
    const h = makeEngine();
    quote(h, '100.01', '100.01', at(0));
    h.submit(trail('s', 'sell', { trailPercent: dec('1.5') }), at(0));
    h.submit(trail('b', 'buy', { trailPercent: dec('1.5') }), at(0));
    // 100.01 × 1.5 / 100 = 1.50015: 98.50985 → 98.50; 101.51015 → 101.52.
    expect(stopsOf(h.events, 's')).toEqual(['98.5']);
    expect(stopsOf(h.events, 'b')).toEqual(['101.52']);
  });

  it('trail_percent: a candidate already on the tick is not moved', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.00', at(0));
    h.submit(trail('s', 'sell', { trailPercent: dec('2') }), at(0));
    h.submit(trail('b', 'buy', { trailPercent: dec('2') }), at(0));
    expect(stopsOf(h.events, 's')).toEqual(['98']);
    expect(stopsOf(h.events, 'b')).toEqual(['102']);
  });

  it('SELL ratchets up only when strictly better, never back; then triggers at bid ≤ stop and fills as market', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('1.00') }), at(0));
    quote(h, '100.50', '100.52', at(1));
    quote(h, '100.20', '100.22', at(2));
    quote(h, '100.50', '100.52', at(3));
    expect(stopsOf(h.events, 't')).toEqual(['99', '99.5']);
    quote(h, '100.51', '100.53', at(4));
    expect(stopsOf(h.events, 't')).toEqual(['99', '99.5', '99.51']);
    expect(currentStop(h, 't')).toBe('99.51');
    quote(h, '99.52', '99.54', at(5));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd', 'upd', 'upd']);
    quote(h, '99.51', '99.53', at(6));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd', 'upd', 'upd', 'trig', 'fill']);
    expect(fillSummary(h.events, 't')).toEqual(['10@99.51']);
    expect(statusOf(h, 't')).toBe('filled');
  });

  it('trail_percent ratchet: a candidate that rounds to the current stop is not an update', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPercent: dec('1') }), at(0));
    quote(h, '100.01', '100.03', at(1)); // 99.0099 → 99.00: equal, no upd
    quote(h, '100.02', '100.04', at(2)); // 99.0198 → 99.01
    expect(stopsOf(h.events, 't')).toEqual(['99', '99.01']);
  });

  it('BUY ratchets down only when strictly better and triggers at ask ≥ stop', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'buy', { trailPrice: dec('0.50') }), at(0));
    quote(h, '99.78', '99.80', at(1));
    quote(h, '99.98', '100.00', at(2));
    expect(stopsOf(h.events, 't')).toEqual(['100.52', '100.3']);
    quote(h, '100.28', '100.30', at(3));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd', 'upd', 'trig', 'fill']);
    expect(fillSummary(h.events, 't')).toEqual(['10@100.3']);
  });

  it('on an update that triggers, there is no ratchet: trig then fills, no upd', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('1.00') }), at(0));
    quote(h, '98.50', '98.52', at(1));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd', 'trig', 'fill']);
    expect(fillSummary(h.events, 't')).toEqual(['10@98.5']);
  });

  it('no basis at acceptance: the first stop is set at the first update that has one', () => {
    const h = makeEngine();
    const receipt = h.submit(
      { ...trail('t', 'sell', { trailPrice: dec('100.00') }), symbol: 'BTC/USD', quantity: dec('0.1') },
      at(0),
    );
    expect(receipt.status).toBe('accepted');
    expect(kindsOf(h.events, 't')).toEqual(['ack']);
    h.book('BTC/USD', [['60000.00', '1']], [['60010.00', '1']], at(1));
    expect(stopsOf(h.events, 't')).toEqual(['59900']);
  });

  it('activation_price SELL: inactive (no stop, cannot trigger) until bid ≥ activation; first stop on that update', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('1.00'), activationPrice: dec('101.00') }), at(0));
    expect(kindsOf(h.events, 't')).toEqual(['ack']);
    expect(currentStop(h, 't')).toBeUndefined();
    quote(h, '98.00', '98.02', at(1));
    quote(h, '100.99', '101.01', at(2));
    expect(kindsOf(h.events, 't')).toEqual(['ack']);
    quote(h, '101.50', '101.52', at(3));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd']);
    expect(stopsOf(h.events, 't')).toEqual(['100.5']);
    quote(h, '101.20', '101.22', at(4));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd']);
    quote(h, '100.50', '100.52', at(5));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd', 'trig', 'fill']);
    expect(fillSummary(h.events, 't')).toEqual(['10@100.5']);
  });

  it('activation_price: the first stop applies even when below the activation price', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('2.00'), activationPrice: dec('101.00') }), at(0));
    quote(h, '101.00', '101.02', at(1));
    expect(stopsOf(h.events, 't')).toEqual(['99']);
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd']);
  });

  it('activation_price BUY: active when ask ≤ activation; trigger tests start with the next update', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'buy', { trailPrice: dec('0.50'), activationPrice: dec('99.00') }), at(0));
    quote(h, '101.00', '101.02', at(1));
    expect(kindsOf(h.events, 't')).toEqual(['ack']);
    quote(h, '98.98', '99.00', at(2));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd']);
    expect(stopsOf(h.events, 't')).toEqual(['99.5']);
    quote(h, '99.48', '99.50', at(3));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd', 'trig', 'fill']);
    expect(fillSummary(h.events, 't')).toEqual(['10@99.5']);
  });

  it('activation_price already reached at acceptance: active then, first stop announced at acceptance', () => {
    const h = makeEngine();
    quote(h, '100.50', '100.52', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('1.00'), activationPrice: dec('100.00') }), at(0));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd']);
    expect(currentStop(h, 't')).toBe('99.5');
  });

  it('replacing the offset recomputes the stop from the current basis, free of the ratchet', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('1.00') }), at(0));
    quote(h, '100.50', '100.52', at(1));
    quote(h, '100.00', '100.02', at(2));
    expect(currentStop(h, 't')).toBe('99.5');
    h.engine.replace(ACCOUNT, 't', { trailPrice: dec('2.00') }, at(3));
    expect(currentStop(h, 't')).toBe('98');
    expect(stopsOf(h.events, 't')).toEqual(['99', '99.5', '98']);
    // The ratchet continues from the new stop.
    quote(h, '100.10', '100.12', at(4));
    expect(currentStop(h, 't')).toBe('98.1');
  });

  it('replacing trail_price by trail_percent recomputes from the current basis', () => {
    const h = makeEngine();
    quote(h, '100.00', '100.02', at(0));
    h.submit(trail('t', 'sell', { trailPrice: dec('0.50') }), at(0));
    h.engine.replace(ACCOUNT, 't', { trailPercent: dec('3') }, at(1));
    expect(currentStop(h, 't')).toBe('97');
  });

  it('trigger_source = last: the basis is the last trade, and trade prints ratchet and trigger', () => {
    const h = makeEngine({ options: { trigger_source: 'last' } });
    h.book(S, [['100.00', 100]], [['100.02', 100]], at(0), { last: '100.00' });
    h.submit(trail('t', 'sell', { trailPrice: dec('1.00') }), at(0));
    expect(stopsOf(h.events, 't')).toEqual(['99']);
    h.trade(S, '101.00', at(1));
    expect(stopsOf(h.events, 't')).toEqual(['99', '100']);
    h.trade(S, '100.50', at(2));
    h.trade(S, '100.00', at(3));
    expect(kindsOf(h.events, 't')).toEqual(['ack', 'upd', 'upd', 'trig', 'fill']);
    expect(fillSummary(h.events, 't')).toEqual(['10@100']);
  });
});
