/**
 * Native contingent groups at the paper venue against ORDER-SEMANTICS.md §4 (bracket, OCO, OTO),
 * with §3.3 (reduce-only), §5 (held legs change prices only), §7.1 (an OCO group counts once) and
 * §10 (`oto_trigger`). Written from the document: exact decimals and full per-leg event sequences.
 * Equity tests run at 10:00 New York on a regular Thursday (T_OPEN).
 */
import { describe, expect, it } from 'vitest';
import { type DecimalInput, dec } from '../../domain/decimal.js';
import type { OrderChanges } from '../../domain/events.js';
import type { ContingentClass } from '../broker.js';
import type { PaperOptionsInput } from './options.js';
import {
  ACCOUNT,
  type EngineHarness,
  type GroupLegInput,
  type SpecExtra,
  at,
  describeEvent,
  makeAccount,
  makeEngine,
  spec,
} from './test-support.js';

// ---------------------------------------------------------------- harness

/** A margin account A1 (shorting allowed) and a regular-session book: AAPL and IWM 99.90 / 100.10, 100 each. */
function started(options: PaperOptionsInput = {}, engine = makeEngine({ options })): EngineHarness {
  for (const symbol of ['AAPL', 'IWM']) engine.book(symbol, [['99.90', 100]], [['100.10', 100]], at(0));
  return engine;
}

/** A book one level a side: `[price, size]`. */
function quote(
  h: EngineHarness,
  seconds: number,
  bid: readonly [DecimalInput, DecimalInput],
  ask: readonly [DecimalInput, DecimalInput],
  symbol = 'AAPL',
): void {
  h.book(symbol, [bid], [ask], at(seconds));
}

/** One leg's events, described (`ack`, `upd held=false,quantity=10`, `fill 10@105 maker`, `cxl`). */
function log(h: EngineHarness, id: string): string[] {
  return h.events.filter((e) => e.clientOrderId === id && e.kind !== 'rpl_req').map(describeEvent);
}

/** Every event from index `from` on, as `leg event`. */
function tape(h: EngineHarness, from = 0): string[] {
  return h.events.slice(from).map((e) => `${e.clientOrderId} ${describeEvent(e)}`);
}

function reasonOf(h: EngineHarness, id: string): string | undefined {
  const cxl = h.events.find((e) => e.clientOrderId === id && e.kind === 'cxl');
  return cxl?.kind === 'cxl' ? cxl.reason : undefined;
}

function order(h: EngineHarness, id: string) {
  const o = h.engine.order(ACCOUNT, id);
  if (o === undefined) throw new Error(`no order ${id}`);
  return o;
}

const state = (h: EngineHarness, id: string): string => {
  const o = order(h, id);
  return `${o.status} ${o.filledQty.toFixed()}/${o.quantity.toFixed()}${o.held ? ' held' : ''}`;
};

const leg = (
  role: GroupLegInput['role'],
  id: string,
  side: 'buy' | 'sell',
  type: GroupLegInput['type'],
  quantity: DecimalInput,
  extra: SpecExtra = {},
): GroupLegInput => ({ ...spec(id, side, type, quantity, extra), role });

const px = (price: string) => dec(price);

/** A buy bracket: entry limit 10 @ 100.00, take-profit limit 105.00, stop-loss stop 95.00. */
function bracketLegs(entry: SpecExtra = { limitPrice: px('100.00') }, quantity: DecimalInput = 10) {
  return [
    leg('entry', 'entry', 'buy', entry.stopPrice === undefined ? 'limit' : 'stop', quantity, entry),
    leg('take_profit', 'tp', 'sell', 'limit', quantity, { limitPrice: px('105.00'), reduceOnly: true }),
    leg('stop_loss', 'sl', 'sell', 'stop', quantity, { stopPrice: px('95.00'), reduceOnly: true }),
  ];
}

function submitBracket(h: EngineHarness, legs = bracketLegs()) {
  return h.submitGroup('bracket', legs, at(1));
}

function replace(h: EngineHarness, id: string, changes: OrderChanges, seconds = 5): void {
  h.engine.replace(ACCOUNT, id, changes, at(seconds));
}

// ---------------------------------------------------------------- bracket

describe('bracket (§4)', () => {
  it('acknowledges every leg with the group; the children are held, off the book', () => {
    const h = started();
    const receipts = submitBracket(h);
    expect(receipts.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(receipts.map((r) => (r.status === 'accepted' ? r.venueOrderId : r.code))).toEqual([
      'paper-1',
      'paper-2',
      'paper-3',
    ]);
    expect(tape(h)).toEqual(['entry ack', 'tp ack', 'sl ack']);
    expect(['entry', 'tp', 'sl'].map((id) => state(h, id))).toEqual([
      'new 0/10',
      'new 0/10 held',
      'new 0/10 held',
    ]);
    expect(h.engine.restingCount()).toBe(1);
  });

  it('buy: the entry fills, the children activate, the take-profit fill cancels the stop-loss', () => {
    const h = started();
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 10]);
    expect(tape(h, 3)).toEqual([
      'entry fill 10@100 maker',
      'tp upd held=false,quantity=10',
      'sl upd held=false,quantity=10',
    ]);
    expect(h.engine.restingCount()).toBe(2); // the take-profit rests, the stop-loss waits for its trigger
    quote(h, 3, ['105.00', 10], ['105.10', 10]);
    expect(log(h, 'tp')).toEqual(['ack', 'upd held=false,quantity=10', 'fill 10@105 maker']);
    expect(log(h, 'sl')).toEqual(['ack', 'upd held=false,quantity=10', 'cxl']);
    expect(reasonOf(h, 'sl')).toMatch(/^oco/);
    expect(['entry', 'tp', 'sl'].map((id) => state(h, id))).toEqual([
      'filled 10/10',
      'filled 10/10',
      'canceled 0/10',
    ]);
    expect(h.ledger.position(ACCOUNT, 'AAPL').quantity.toFixed()).toBe('0');
    expect(h.engine.restingCount()).toBe(0);
  });

  it('a sell bracket mirrors it: the stop-loss (a buy stop above) triggers and cancels the take-profit', () => {
    const h = started();
    const receipts = h.submitGroup(
      'bracket',
      [
        leg('entry', 'entry', 'sell', 'market', 10),
        leg('take_profit', 'tp', 'buy', 'limit', 10, { limitPrice: px('95.00'), reduceOnly: true }),
        leg('stop_loss', 'sl', 'buy', 'stop', 10, { stopPrice: px('105.00'), reduceOnly: true }),
      ],
      at(1),
    );
    expect(receipts.every((r) => r.status === 'accepted')).toBe(true);
    expect(tape(h)).toEqual([
      'entry ack',
      'tp ack',
      'sl ack',
      'entry fill 10@99.9 taker',
      'tp upd held=false,quantity=10',
      'sl upd held=false,quantity=10',
    ]);
    quote(h, 2, ['104.90', 100], ['105.00', 100]);
    expect(log(h, 'sl')).toEqual(['ack', 'upd held=false,quantity=10', 'trig', 'fill 10@105 taker']);
    expect(log(h, 'tp')).toEqual(['ack', 'upd held=false,quantity=10', 'cxl']);
    expect(h.ledger.position(ACCOUNT, 'AAPL').quantity.toFixed()).toBe('0');
  });

  it('the stop-loss trigger fills it and cancels the take-profit', () => {
    const h = started();
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 10]);
    quote(h, 3, ['94.90', 100], ['95.00', 100]);
    expect(log(h, 'sl')).toEqual(['ack', 'upd held=false,quantity=10', 'trig', 'fill 10@94.9 taker']);
    expect(log(h, 'tp')).toEqual(['ack', 'upd held=false,quantity=10', 'cxl']);
    expect(reasonOf(h, 'tp')).toMatch(/^oco/);
  });

  it('oto_trigger partial: every entry fill sets the children to B, the first one activates them', () => {
    const h = started();
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 4]);
    quote(h, 3, ['99.80', 100], ['100.00', 10]); // a new size: the venue's consumption is forgotten (§2.4)
    expect(log(h, 'entry')).toEqual(['ack', 'fill 4@100 maker', 'fill 6@100 maker']);
    for (const id of ['tp', 'sl'])
      expect(log(h, id)).toEqual(['ack', 'upd held=false,quantity=4', 'upd quantity=10']);
  });

  it('oto_trigger full: the children stay held until the entry is filled, then work at B', () => {
    const h = started({ oto_trigger: 'full' });
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 4]);
    expect(log(h, 'tp')).toEqual(['ack']);
    expect(state(h, 'tp')).toBe('new 0/10 held');
    quote(h, 3, ['99.80', 100], ['100.00', 10]);
    for (const id of ['tp', 'sl']) expect(log(h, id)).toEqual(['ack', 'upd held=false,quantity=10']);
  });

  it('a child fill that brings B to 0 cancels the other child and the open rest of the entry', () => {
    const h = started();
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 4]);
    quote(h, 3, ['105.00', 100], ['105.10', 100]);
    expect(log(h, 'tp')).toEqual(['ack', 'upd held=false,quantity=4', 'fill 4@105 maker']);
    expect(log(h, 'sl')).toEqual(['ack', 'upd held=false,quantity=4', 'cxl']);
    expect(log(h, 'entry')).toEqual(['ack', 'fill 4@100 maker', 'cxl']);
    expect(reasonOf(h, 'entry')).toMatch(/^bracket/);
    expect(h.ledger.position(ACCOUNT, 'AAPL').quantity.toFixed()).toBe('0');
  });

  it('a partial child fill leaves the other child at B', () => {
    const h = started();
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 10]);
    quote(h, 3, ['105.00', 3], ['105.10', 100]);
    expect(log(h, 'tp')).toEqual(['ack', 'upd held=false,quantity=10', 'fill 3@105 maker']);
    expect(log(h, 'sl')).toEqual(['ack', 'upd held=false,quantity=10', 'upd quantity=7']);
  });

  it('an entry canceled with no fill cancels the children', () => {
    const h = started();
    submitBracket(h);
    h.engine.cancel(ACCOUNT, 'entry', at(2));
    expect(tape(h, 3)).toEqual(['entry cxl', 'tp cxl', 'sl cxl']);
    expect(reasonOf(h, 'tp')).toBe('entry canceled');
    expect(h.engine.openOrders()).toEqual([]);
  });

  it('an entry canceled after fills leaves the children working at B', () => {
    const h = started();
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 4]);
    h.engine.cancel(ACCOUNT, 'entry', at(3));
    expect(['entry', 'tp', 'sl'].map((id) => state(h, id))).toEqual(['canceled 4/10', 'new 0/4', 'new 0/4']);
  });

  it('oto_trigger full: an entry canceled after fills activates the children at B', () => {
    const h = started({ oto_trigger: 'full' });
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 4]);
    h.engine.cancel(ACCOUNT, 'entry', at(3));
    expect(log(h, 'sl')).toEqual(['ack', 'upd held=false,quantity=4']);
  });

  it('an entry expiring with no fill cancels the children', () => {
    const h = started();
    submitBracket(h, bracketLegs({ limitPrice: px('100.00'), timeInForce: 'gtd', expireAt: at(60) }));
    h.engine.tick(at(60));
    expect(tape(h, 3)).toEqual(['entry exp', 'tp cxl', 'sl cxl']);
    expect(reasonOf(h, 'sl')).toBe('entry expired');
  });

  it('an entry rejected on acceptance rejects every leg with its code', () => {
    const h = started();
    const receipts = submitBracket(h, bracketLegs({ stopPrice: px('99.00') })); // ask 100.10 ≥ 99: in the market
    expect(receipts.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'STOP_IN_MARKET',
      'STOP_IN_MARKET',
      'STOP_IN_MARKET',
    ]);
    expect(tape(h)).toEqual(['entry rej STOP_IN_MARKET', 'tp rej STOP_IN_MARKET', 'sl rej STOP_IN_MARKET']);
    expect(h.engine.openOrders()).toEqual([]);
  });

  it('an entry rejected after its ack (post-only on trigger) rejects its held children', () => {
    const h = started();
    submitBracket(h, [
      leg('entry', 'entry', 'buy', 'stop_limit', 10, {
        stopPrice: px('101.00'),
        limitPrice: px('101.50'),
        postOnly: true,
      }),
      ...bracketLegs().slice(1),
    ]);
    quote(h, 2, ['101.00', 100], ['101.20', 100]);
    expect(log(h, 'entry')).toEqual(['ack', 'trig', 'rej POST_ONLY_WOULD_TAKE']);
    expect(log(h, 'tp')).toEqual(['ack', 'rej POST_ONLY_WOULD_TAKE']);
    expect(log(h, 'sl')).toEqual(['ack', 'rej POST_ONLY_WOULD_TAKE']);
  });

  it.each([
    ['a take-profit below the entry', { tp: { limitPrice: px('99.00') } }],
    ['a stop-loss above the entry', { sl: { stopPrice: px('100.50') } }],
    ['a take-profit that is not reduce-only', { tp: { reduceOnly: false } }],
    ['a stop-loss for another quantity', { sl: { quantity: dec(5) } }],
    ['a leg on another instrument', { sl: { symbol: 'MSFT' } }],
    ['a leg of another account', { tp: { accountId: 'B2' } }],
  ] as const)('%s rejects every leg INVALID_ORDER, and nothing rests', (_what, change) => {
    const h = started();
    const [entry, tp, sl] = bracketLegs();
    const patched = [
      entry!,
      { ...tp!, ...('tp' in change ? change.tp : {}) },
      { ...sl!, ...('sl' in change ? change.sl : {}) },
    ];
    const receipts = h.submitGroup('bracket', patched, at(1));
    expect(receipts.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'INVALID_ORDER',
      'INVALID_ORDER',
      'INVALID_ORDER',
    ]);
    expect(h.events).toEqual([]);
    expect(h.engine.order(ACCOUNT, 'entry')).toBeUndefined();
    expect(h.engine.restingCount()).toBe(0);
  });

  it('held children may change prices only: a quantity replace is refused rpl_rej', () => {
    const h = started();
    submitBracket(h);
    replace(h, 'tp', { quantity: dec(5) });
    replace(h, 'tp', { limitPrice: px('106.00') });
    replace(h, 'sl', { stopPrice: px('100.50') }); // above the entry: out of order
    expect(log(h, 'tp')).toEqual(['ack', 'rpl_rej INVALID_ORDER', 'rpl']);
    expect(log(h, 'sl')).toEqual(['ack', 'rpl_rej INVALID_ORDER']);
    expect(state(h, 'tp')).toBe('new 0/10 held');
    expect(order(h, 'tp').limitPrice?.toFixed()).toBe('106');
    expect(h.engine.restingCount()).toBe(1);
  });

  it('a quantity replace on a working child is applied to the other child (OCO to each other)', () => {
    const h = started();
    submitBracket(h);
    quote(h, 2, ['99.80', 100], ['100.00', 10]);
    replace(h, 'tp', { quantity: dec(6) });
    expect(log(h, 'tp')).toEqual(['ack', 'upd held=false,quantity=10', 'rpl']);
    expect(log(h, 'sl')).toEqual(['ack', 'upd held=false,quantity=10', 'upd quantity=6']);
  });

  it('an entry quantity replace resizes its held children', () => {
    const h = started();
    submitBracket(h);
    replace(h, 'entry', { quantity: dec(8) });
    expect(log(h, 'tp')).toEqual(['ack', 'upd quantity=8']);
    quote(h, 6, ['99.80', 100], ['100.00', 100]);
    expect(log(h, 'sl')).toEqual(['ack', 'upd quantity=8', 'upd held=false,quantity=8']);
  });
});

// ---------------------------------------------------------------- held legs

describe('held legs (§4)', () => {
  /** OTO: primary buy limit 10 @ 90; secondaries sell limit 10 @ 99 and sell stop 10 @ 95. */
  function farPrimary(h: EngineHarness): void {
    h.submitGroup(
      'oto',
      [
        leg('primary', 'p', 'buy', 'limit', 10, { limitPrice: px('90.00') }),
        leg('secondary', 'sx', 'sell', 'limit', 10, { limitPrice: px('99.00') }),
        leg('secondary', 'sy', 'sell', 'stop', 10, { stopPrice: px('95.00') }),
      ],
      at(1),
    );
  }

  it('never trigger or fill, even when the market crosses them', () => {
    const h = started();
    farPrimary(h);
    quote(h, 2, ['106.00', 100], ['106.10', 100]); // through the sell limit at 99
    quote(h, 3, ['94.00', 100], ['94.10', 100]); // through the sell stop at 95
    expect(log(h, 'sx')).toEqual(['ack']);
    expect(log(h, 'sy')).toEqual(['ack']);
    expect(h.engine.restingCount()).toBe(1);
    expect(h.engine.openOrders().map((o) => [o.clientOrderId, o.held])).toEqual([
      ['p', false],
      ['sx', true],
      ['sy', true],
    ]);
  });

  it('reserve no cash: a cash account holds back only what the working primary needs', () => {
    const cash = makeAccount({ type: 'cash', allowShort: false, cash: { USD: dec(10_000), USDT: dec(0) } });
    const h = started({}, makeEngine({ accounts: [cash] }));
    h.submitGroup(
      'oto',
      [
        leg('primary', 'p', 'buy', 'limit', 10, { limitPrice: px('100.00') }),
        leg('secondary', 's', 'buy', 'limit', 10, { limitPrice: px('99.00') }),
      ],
      at(1),
    );
    expect(h.ledger.availableCash(ACCOUNT, 'USD').toFixed()).toBe('9000');
    quote(h, 2, ['99.80', 100], ['100.00', 100]);
    expect(log(h, 's')).toEqual(['ack', 'upd held=false,quantity=10']);
    expect(h.ledger.availableCash(ACCOUNT, 'USD').toFixed()).toBe('8010'); // 10 000 − 1 000 spent − 990 held
  });

  it('skip the reduce-only check while held and are capped once they work', () => {
    const h = started();
    // Flat: a reduce-only sell would be refused on its own, but held it is accepted.
    const receipts = submitBracket(h);
    expect(receipts.every((r) => r.status === 'accepted')).toBe(true);
    h.submit(spec('other', 'sell', 'market', 3), at(2)); // a position change while the children are held
    expect(log(h, 'tp')).toEqual(['ack']);
    quote(h, 3, ['99.80', 100], ['100.00', 10]); // entry fills 10: position −3 + 10 = 7
    expect(log(h, 'tp')).toEqual(['ack', 'upd held=false,quantity=10', 'upd quantity=7']);
  });
});

// ---------------------------------------------------------------- OCO

describe('OCO (§4)', () => {
  /** Long 10 AAPL, then an OCO of a sell limit 10 @ 105 and a sell stop 10 @ 95. */
  function longWithOco(h: EngineHarness, extra: SpecExtra = {}) {
    h.submit(spec('long', 'buy', 'market', 10), at(1));
    return h.submitGroup(
      'oco',
      [
        leg('member', 'a', 'sell', 'limit', 10, { limitPrice: px('105.00'), ...extra }),
        leg('member', 'b', 'sell', 'stop', 10, { stopPrice: px('95.00'), ...extra }),
      ],
      at(2),
    );
  }

  it('a fill of one member sets the others to G, and cancels them at G = 0', () => {
    const h = started();
    longWithOco(h);
    quote(h, 3, ['105.00', 4], ['105.10', 100]);
    expect(log(h, 'b')).toEqual(['ack', 'upd quantity=6']);
    quote(h, 4, ['105.00', 10], ['105.10', 100]);
    expect(log(h, 'a')).toEqual(['ack', 'fill 4@105 maker', 'fill 6@105 maker']);
    expect(log(h, 'b')).toEqual(['ack', 'upd quantity=6', 'cxl']);
    expect(reasonOf(h, 'b')).toMatch(/^oco/);
  });

  it('canceling one member by request leaves the others working', () => {
    const h = started();
    longWithOco(h);
    h.engine.cancel(ACCOUNT, 'a', at(3));
    expect(state(h, 'a')).toBe('canceled 0/10');
    expect(state(h, 'b')).toBe('new 0/10');
    quote(h, 4, ['94.90', 100], ['95.00', 100]);
    expect(log(h, 'b')).toEqual(['ack', 'trig', 'fill 10@94.9 taker']);
  });

  it('a quantity replace on one member is applied to all', () => {
    const h = started();
    longWithOco(h);
    replace(h, 'a', { quantity: dec(6) });
    expect(log(h, 'a')).toEqual(['ack', 'rpl']);
    expect(log(h, 'b')).toEqual(['ack', 'upd quantity=6']);
    quote(h, 6, ['105.00', 100], ['105.10', 100]);
    expect(log(h, 'b')).toEqual(['ack', 'upd quantity=6', 'cxl']);
  });

  it('counts once in the reduce-only check, as its largest member (§7.1)', () => {
    const h = started();
    const receipts = longWithOco(h, { reduceOnly: true });
    expect(receipts.map((r) => r.status)).toEqual(['accepted', 'accepted']);
  });

  it('one member refused on market grounds rejects every member with its code', () => {
    const h = started();
    const receipts = h.submitGroup(
      'oco',
      [
        leg('member', 'a', 'sell', 'limit', 10, { limitPrice: px('105.00') }),
        leg('member', 'b', 'sell', 'stop', 10, { stopPrice: px('99.95') }), // bid 99.90 ≤ 99.95: in the market
      ],
      at(1),
    );
    expect(receipts.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'STOP_IN_MARKET',
      'STOP_IN_MARKET',
    ]);
    expect(tape(h)).toEqual(['a rej STOP_IN_MARKET', 'b rej STOP_IN_MARKET']);
    expect(h.engine.restingCount()).toBe(0);
  });

  it('unequal quantities reject every member INVALID_ORDER', () => {
    const h = started();
    const receipts = h.submitGroup(
      'oco',
      [
        leg('member', 'a', 'sell', 'limit', 10, { limitPrice: px('105.00') }),
        leg('member', 'b', 'sell', 'stop', 9, { stopPrice: px('95.00') }),
      ],
      at(1),
    );
    expect(receipts.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'INVALID_ORDER',
      'INVALID_ORDER',
    ]);
  });
});

// ---------------------------------------------------------------- OTO

describe('OTO (§4)', () => {
  /** IWM trades whole shares: primary buy limit 4 @ 100.00, secondary sell limit 3 @ 105.00. */
  function oto(h: EngineHarness) {
    return h.submitGroup(
      'oto',
      [
        leg('primary', 'p', 'buy', 'limit', 4, { symbol: 'IWM', limitPrice: px('100.00') }),
        leg('secondary', 's', 'sell', 'limit', 3, { symbol: 'IWM', limitPrice: px('105.00') }),
      ],
      at(1),
    );
  }

  /** Asks at 100.00 with these sizes, one update a second from `from`: each new size is available afresh. */
  function fillPrimary(h: EngineHarness, sizes: readonly number[], from = 2): void {
    sizes.forEach((size, i) => {
      quote(h, from + i, ['99.80', 100], ['100.00', size], 'IWM');
    });
  }

  it('oto_trigger partial: each primary fill sets the secondary to floor_lot(filled × 3 / 4)', () => {
    const h = started();
    oto(h);
    fillPrimary(h, [1, 2, 5]);
    expect(log(h, 'p')).toEqual(['ack', 'fill 1@100 maker', 'fill 2@100 maker', 'fill 1@100 maker']);
    // 1 × 3/4 floors to 0 (still held); 3 × 3/4 → 2; filled → 3.
    expect(log(h, 's')).toEqual(['ack', 'upd held=false,quantity=2', 'upd quantity=3']);
  });

  it('oto_trigger full: the secondary works at its full quantity once the primary is filled', () => {
    const h = started({ oto_trigger: 'full' });
    oto(h);
    fillPrimary(h, [1, 2]);
    expect(log(h, 's')).toEqual(['ack']);
    fillPrimary(h, [5], 4);
    expect(log(h, 's')).toEqual(['ack', 'upd held=false,quantity=3']);
  });

  it('a primary canceled with no fill cancels its secondaries', () => {
    const h = started();
    oto(h);
    h.engine.cancel(ACCOUNT, 'p', at(2));
    expect(log(h, 's')).toEqual(['ack', 'cxl']);
    expect(reasonOf(h, 's')).toBe('primary canceled');
  });

  it('a primary rejected on acceptance rejects its secondaries', () => {
    const h = started();
    const receipts = h.submitGroup(
      'oto',
      [
        leg('primary', 'p', 'buy', 'limit', 4, { limitPrice: px('100.20'), postOnly: true }),
        leg('secondary', 's', 'sell', 'limit', 4, { limitPrice: px('105.00') }),
      ],
      at(1),
    );
    expect(receipts.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'POST_ONLY_WOULD_TAKE',
      'POST_ONLY_WOULD_TAKE',
    ]);
    expect(log(h, 's')).toEqual(['rej POST_ONLY_WOULD_TAKE']);
  });

  it('a market primary fills at once: acks, its fill, then the secondary activates', () => {
    const h = started();
    h.submitGroup(
      'oto',
      [
        leg('primary', 'p', 'buy', 'market', 10),
        leg('secondary', 's', 'sell', 'limit', 10, { limitPrice: px('105.00') }),
      ],
      at(1),
    );
    expect(tape(h)).toEqual(['p ack', 's ack', 'p fill 10@100.1 taker', 's upd held=false,quantity=10']);
  });
});

// ---------------------------------------------------------------- capability

describe('native classes (capabilities.nativeContingent)', () => {
  it.each<[readonly ContingentClass[], ContingentClass]>([
    [[], 'bracket'],
    [['oco', 'oto'], 'bracket'],
  ])('a venue with %j refuses a %s group: every leg rejected, nothing recorded', (classes, orderClass) => {
    const h = started({}, makeEngine({ nativeContingent: classes }));
    const receipts = h.submitGroup(orderClass, bracketLegs(), at(1));
    expect(receipts.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'INVALID_ORDER',
      'INVALID_ORDER',
      'INVALID_ORDER',
    ]);
    expect(h.events).toEqual([]);
  });

  it('a leg reusing a client order id rejects the group and leaves the existing order alone', () => {
    const h = started();
    h.submit(spec('tp', 'buy', 'limit', 1, { limitPrice: px('90.00') }), at(1));
    const receipts = submitBracket(h);
    expect(receipts.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual([
      'DUPLICATE_CLIENT_ORDER_ID',
      'DUPLICATE_CLIENT_ORDER_ID',
      'DUPLICATE_CLIENT_ORDER_ID',
    ]);
    expect(state(h, 'tp')).toBe('new 0/1');
    expect(h.engine.order(ACCOUNT, 'entry')).toBeUndefined();
  });
});
