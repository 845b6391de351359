/**
 * The paper matching engine against ORDER-SEMANTICS.md §2.5: L1 quotes (with and without sizes),
 * `no_depth_slippage_bps`, and bars (path, `bar_limit_fill`, stops on a segment, the open as a
 * discontinuity, orders submitted during a bar). Expectations come from the document.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { OrderType, Side } from '../../domain/order.js';
import {
  type EngineHarness,
  type SpecExtra,
  T_OPEN,
  at,
  fillSummary,
  fillsOf,
  kindsOf,
  makeEngine,
  spec,
  statusOf,
} from './test-support.js';

describe('L1 quotes (§2.5)', () => {
  const S = 'AAPL';

  it('a quote without sizes has unlimited size: a large market order fills in one fill at the touch', () => {
    const h = makeEngine();
    h.book(S, [['100.00']], [['100.02']], at(0));
    h.submit(spec('b', 'buy', 'market', 50_000), at(0));
    h.submit(spec('s', 'sell', 'market', 50_000, { timeInForce: 'fok' }), at(0));
    expect(fillSummary(h.events, 'b')).toEqual(['50000@100.02']);
    expect(fillSummary(h.events, 's')).toEqual(['50000@100']);
    expect(statusOf(h, 'b')).toBe('filled');
    expect(statusOf(h, 's')).toBe('filled');
  });

  it('a quote with sizes is a one-level book: a market ioc takes the quoted size and cancels the rest', () => {
    const h = makeEngine();
    h.book(S, [['100.00', 10]], [['100.02', 10]], at(0));
    h.submit(spec('b', 'buy', 'market', 15, { timeInForce: 'ioc' }), at(0));
    expect(kindsOf(h.events, 'b')).toEqual(['ack', 'fill', 'cxl']);
    expect(fillSummary(h.events, 'b')).toEqual(['10@100.02']);
  });

  it('no_depth_slippage_bps moves market fills against a sizeless quote against the order', () => {
    const h = makeEngine({ options: { no_depth_slippage_bps: '10' } });
    h.book(S, [['100.00']], [['100.00']], at(0));
    h.submit(spec('b', 'buy', 'market', 10), at(0));
    h.submit(spec('s', 'sell', 'market', 10), at(0));
    expect(fillSummary(h.events, 'b')).toEqual(['10@100.1']);
    expect(fillSummary(h.events, 's')).toEqual(['10@99.9']);
  });

  it('no_depth_slippage_bps applies to a triggered stop against a sizeless quote', () => {
    const h = makeEngine({ options: { no_depth_slippage_bps: '10' } });
    h.book(S, [['101.00']], [['101.02']], at(0));
    h.submit(spec('st', 'sell', 'stop', 10, { stopPrice: dec('100.00') }), at(0));
    h.book(S, [['100.00']], [['100.02']], at(1));
    expect(kindsOf(h.events, 'st')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 'st')).toEqual(['10@99.9']);
  });

  it('on book data with sizes there is no such slippage: only the walk moves the price', () => {
    const h = makeEngine({ options: { no_depth_slippage_bps: '10' } });
    h.book(S, [['100.00', 100]], [['100.00', 100]], at(0));
    h.submit(spec('b', 'buy', 'market', 10), at(0));
    expect(fillSummary(h.events, 'b')).toEqual(['10@100']);
  });
});

describe('bars (§2.5)', () => {
  const S = 'BTC/USD';
  const B0 = T_OPEN;
  const MINUTE = 60_000;
  /** The start of bar n, and a moment during it. */
  const bar = (n: number): number => B0 + n * MINUTE;
  const during = (n: number): number => bar(n) + 30_000;
  const spec = (id: string, side: Side, type: OrderType, extra: SpecExtra = {}) => ({
    clientOrderId: id,
    symbol: S,
    side,
    type,
    quantity: dec(1),
    timeInForce: 'gtc' as const,
    ...extra,
  });

  /** Bar 0 closes at 100 around 100. */
  function firstBar(h: EngineHarness): void {
    h.bar(S, ['100.00', '100.50', '99.50', '100.00'], bar(0));
  }

  it('a market order submitted during a bar fills at the next bar’s open, whatever the bar volume', () => {
    const h = makeEngine();
    firstBar(h);
    h.submit({ ...spec('m', 'buy', 'market'), quantity: dec(500) }, during(0));
    expect(kindsOf(h.events, 'm')).toEqual(['ack']);
    h.bar(S, ['100.80', '101.20', '100.60', '101.00'], bar(1));
    expect(kindsOf(h.events, 'm')).toEqual(['ack', 'fill']);
    expect(fillSummary(h.events, 'm')).toEqual(['500@100.8']);
    expect(fillsOf(h.events, 'm')[0]?.liquidity).toBe('taker');
  });

  it('a limit marketable against the last bar’s close is only evaluated on the next bar, filling at its open', () => {
    const h = makeEngine();
    firstBar(h);
    h.submit(spec('l', 'buy', 'limit', { limitPrice: dec('101.00') }), during(0));
    expect(kindsOf(h.events, 'l')).toEqual(['ack']);
    h.bar(S, ['100.80', '101.20', '100.60', '101.00'], bar(1));
    expect(fillSummary(h.events, 'l')).toEqual(['1@100.8']);
    expect(fillsOf(h.events, 'l')[0]?.liquidity).toBe('taker');
  });

  /** A sell stop at 99 and a buy stop at 101, both submitted during bar 0; the fill order reveals the path. */
  function pathOrder(options: { bar_path?: 'ohlc' | 'adaptive' }, ohlc: [string, string, string, string]) {
    const h = makeEngine({ options });
    firstBar(h);
    h.submit(spec('S', 'sell', 'stop', { stopPrice: dec('99.00') }), during(0));
    h.submit(spec('B', 'buy', 'stop', { stopPrice: dec('101.00') }), during(0));
    h.bar(S, ohlc, bar(1));
    return {
      order: h.events.filter((e) => e.kind === 'fill').map((e) => e.clientOrderId),
      fills: { S: fillSummary(h.events, 'S'), B: fillSummary(h.events, 'B') },
    };
  }

  it('adaptive (default): low before high when the low is closer to the open; stops fill at their own price', () => {
    const result = pathOrder({}, ['100.00', '101.50', '98.80', '100.00']);
    expect(result.order).toEqual(['S', 'B']);
    expect(result.fills).toEqual({ S: ['1@99'], B: ['1@101'] });
  });

  it('adaptive: high first when the high is closer to the open', () => {
    expect(pathOrder({}, ['100.00', '101.20', '98.50', '100.00']).order).toEqual(['B', 'S']);
  });

  it('adaptive: a tie keeps open, high, low, close', () => {
    expect(pathOrder({}, ['100.00', '101.50', '98.50', '100.00']).order).toEqual(['B', 'S']);
  });

  it('bar_path = ohlc: always high before low', () => {
    expect(pathOrder({ bar_path: 'ohlc' }, ['100.00', '101.50', '98.80', '100.00']).order).toEqual([
      'B',
      'S',
    ]);
  });

  it('a stop on a bar segment fills at the stop moved by no_depth_slippage_bps against the order', () => {
    const h = makeEngine({ options: { no_depth_slippage_bps: '10' } });
    h.bar(S, ['101.00', '101.50', '100.50', '101.00'], bar(0));
    h.submit(spec('st', 'sell', 'stop', { stopPrice: dec('100.00') }), during(0));
    h.bar(S, ['101.00', '101.20', '99.00', '99.50'], bar(1));
    expect(kindsOf(h.events, 'st')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 'st')).toEqual(['1@99.9']);
  });

  it('a stop the bar opens through fills at the open (the gap’s worse price)', () => {
    const h = makeEngine();
    firstBar(h);
    h.submit(spec('st', 'sell', 'stop', { stopPrice: dec('99.00') }), during(0));
    h.bar(S, ['98.50', '98.80', '98.00', '98.40'], bar(1));
    expect(fillSummary(h.events, 'st')).toEqual(['1@98.5']);
  });

  it('a stop_limit triggers at its stop on a segment and tests its limit there', () => {
    const h = makeEngine();
    firstBar(h);
    h.submit(
      spec('sl', 'buy', 'stop_limit', { stopPrice: dec('101.00'), limitPrice: dec('101.05') }),
      during(0),
    );
    h.bar(S, ['100.00', '101.50', '99.80', '101.00'], bar(1));
    expect(kindsOf(h.events, 'sl')).toEqual(['ack', 'trig', 'fill']);
    expect(fillSummary(h.events, 'sl')).toEqual(['1@101']);
  });

  describe('resting limits and bar_limit_fill', () => {
    function restingBuy(options: { bar_limit_fill?: 'cross' | 'touch' }): EngineHarness {
      const h = makeEngine({ options });
      firstBar(h);
      h.submit(spec('l', 'buy', 'limit', { limitPrice: dec('99.00') }), during(0));
      return h;
    }

    it('cross (default): a low equal to the limit does not fill', () => {
      const h = restingBuy({});
      h.bar(S, ['100.00', '100.20', '99.00', '99.50'], bar(1));
      expect(kindsOf(h.events, 'l')).toEqual(['ack']);
    });

    it('cross: a low strictly through the limit fills at the limit, as maker', () => {
      const h = restingBuy({});
      h.bar(S, ['100.00', '100.20', '98.99', '99.50'], bar(1));
      expect(fillSummary(h.events, 'l')).toEqual(['1@99']);
      expect(fillsOf(h.events, 'l')[0]?.liquidity).toBe('maker');
    });

    it('touch: a low equal to the limit fills at the limit', () => {
      const h = restingBuy({ bar_limit_fill: 'touch' });
      h.bar(S, ['100.00', '100.20', '99.00', '99.50'], bar(1));
      expect(fillSummary(h.events, 'l')).toEqual(['1@99']);
    });

    it('cross applies at the open too: an open equal to the limit does not fill', () => {
      const h = restingBuy({});
      h.bar(S, ['99.00', '99.60', '99.00', '99.40'], bar(1));
      expect(kindsOf(h.events, 'l')).toEqual(['ack']);
    });

    it('touch: an open equal to the limit fills there', () => {
      const h = restingBuy({ bar_limit_fill: 'touch' });
      h.bar(S, ['99.00', '99.60', '99.00', '99.40'], bar(1));
      expect(fillSummary(h.events, 'l')).toEqual(['1@99']);
    });

    it('an open through the limit fills at the open as taker, keeping the improvement', () => {
      const h = restingBuy({});
      h.bar(S, ['98.50', '98.90', '98.20', '98.60'], bar(1));
      expect(fillSummary(h.events, 'l')).toEqual(['1@98.5']);
      expect(fillsOf(h.events, 'l')[0]?.liquidity).toBe('taker');
    });

    it('a resting sell fills at its limit when the high goes strictly through it', () => {
      const h = makeEngine();
      firstBar(h);
      h.submit(spec('l', 'sell', 'limit', { limitPrice: dec('101.00') }), during(0));
      h.bar(S, ['100.00', '101.00', '99.90', '100.50'], bar(1));
      expect(kindsOf(h.events, 'l')).toEqual(['ack']);
      h.bar(S, ['100.50', '101.01', '100.40', '100.90'], bar(2));
      expect(fillSummary(h.events, 'l')).toEqual(['1@101']);
    });
  });

  it('bars are ignored once book or quote data exists for the symbol', () => {
    const h = makeEngine();
    h.book(S, [['100.00', '5']], [['100.02', '5']], bar(0));
    h.submit(spec('l', 'buy', 'limit', { limitPrice: dec('99.00') }), bar(0));
    h.bar(S, ['100.00', '100.10', '98.00', '99.00'], bar(1));
    expect(kindsOf(h.events, 'l')).toEqual(['ack']);
  });
});
