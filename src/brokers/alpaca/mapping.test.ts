import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import {
  RESTED_AFTER_MS,
  currentStopOf,
  eventsOfTradeUpdate,
  fillIdOf,
  fillOfActivity,
  fillOfTradeUpdate,
  liquidityOf,
  orderStatusOf,
  toVenueOrder,
  type UpdateContext,
} from './mapping.js';
import { fillActivity, fixture, fixtureList } from './test-support.js';
import { ourSymbol, quoteCurrencyOf } from './values.js';
import {
  type AlpacaOrder,
  type AlpacaTradeUpdate,
  fillActivitySchema,
  orderSchema,
  tradeUpdateSchema,
} from './wire.js';

const REF = { venue: 'alpaca-paper', accountId: 'alpaca', clientOrderId: 'ours-1' };

function order(name = 'get_v2_orders_id.json', changes: Record<string, unknown> = {}): AlpacaOrder {
  return orderSchema.parse({ ...fixture(name), ...changes });
}

/** The recorded `fill` trade update, or the same envelope with another event and order fields. */
function update(event = 'fill', orderChanges: Record<string, unknown> = {}): AlpacaTradeUpdate {
  const frame = fixture('ws_trade_updates.json') as {
    server_trade_update_fill: { data: Record<string, unknown> };
  };
  const data = frame.server_trade_update_fill.data;
  return tradeUpdateSchema.parse({
    ...data,
    event,
    order: { ...(data['order'] as Record<string, unknown>), ...orderChanges },
  });
}

const ctx = (extra: Partial<UpdateContext> = {}): UpdateContext => ({
  ...REF,
  receivedAt: 1_700_000_000_000,
  leg: false,
  ...extra,
});

describe('orders', () => {
  it('maps the recorded equity order field by field', () => {
    const mapped = toVenueOrder(order(), REF);
    expect(mapped).toEqual({
      venue: 'alpaca-paper',
      accountId: 'alpaca',
      clientOrderId: 'ours-1',
      venueOrderId: '7b08df51-c1ac-453c-99f9-323a5f075f0d',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: dec('2'),
      timeInForce: 'gtc',
      limitPrice: dec('150'),
      status: 'new',
      filledQty: dec('0'),
      createdAt: Date.parse('2023-12-12T22:31:24.668Z'),
      updatedAt: Date.parse('2023-12-12T22:31:24.668Z'),
    });
  });

  it('maps the recorded crypto order (pending_new, fractional quantity, slash symbol)', () => {
    const crypto = orderSchema.parse(fixtureList('get_v2_orders.json')[1]);
    const mapped = toVenueOrder(crypto, REF);
    expect([mapped.symbol, mapped.status, mapped.quantity.toFixed(), mapped.limitPrice?.toFixed()]).toEqual([
      'ETH/USD',
      'pending_new',
      '0.02',
      '2100',
    ]);
  });

  it.each([
    ['pending_new', '0', 'pending_new'],
    ['new', '0', 'new'],
    ['accepted', '0', 'new'],
    ['accepted_for_bidding', '0', 'new'],
    ['held', '0', 'new'],
    ['partially_filled', '1', 'partially_filled'],
    ['filled', '2', 'filled'],
    ['canceled', '1', 'canceled'],
    ['expired', '0', 'expired'],
    ['rejected', '0', 'rejected'],
    ['pending_cancel', '0', 'new'],
    ['pending_cancel', '1', 'partially_filled'],
    ['pending_replace', '1', 'partially_filled'],
    ['replaced', '0', 'new'],
    ['done_for_day', '1', 'partially_filled'],
    ['stopped', '0', 'new'],
    ['suspended', '0', 'new'],
    ['calculated', '2', 'filled'],
    ['calculated', '1', 'partially_filled'],
  ])('status %s with %s filled is %s', (status, filled, expected) => {
    expect(orderStatusOf(order(undefined, { status, filled_qty: filled }))).toBe(expected);
  });

  it('marks a held exit leg as held and new', () => {
    const leg = toVenueOrder(
      order(undefined, {
        status: 'held',
        type: 'stop',
        order_type: 'stop',
        stop_price: '95',
        limit_price: null,
      }),
      REF,
    );
    expect([leg.status, leg.held, leg.stopPrice?.toFixed(), leg.limitPrice]).toEqual([
      'new',
      true,
      '95',
      undefined,
    ]);
  });

  it('reports the average fill price once something filled, and extended hours when set', () => {
    const mapped = toVenueOrder(
      order(undefined, {
        status: 'partially_filled',
        filled_qty: '1',
        filled_avg_price: '149.99',
        extended_hours: true,
      }),
      REF,
    );
    expect([mapped.avgFillPrice?.toFixed(), mapped.extendedHours]).toEqual(['149.99', true]);
  });

  it('takes a notional order quantity from what filled', () => {
    expect(
      toVenueOrder(
        order(undefined, { qty: null, notional: '500', filled_qty: '3.1' }),
        REF,
      ).quantity.toFixed(),
    ).toBe('3.1');
  });
});

describe('trailing stops', () => {
  const trailing = (fields: Record<string, unknown>): AlpacaOrder =>
    order(undefined, { type: 'trailing_stop', order_type: 'trailing_stop', limit_price: null, ...fields });

  it('keeps trail parameters and reports the reported stop as the current stop', () => {
    const mapped = toVenueOrder(
      trailing({ side: 'sell', trail_price: '2.5', hwm: '110', stop_price: '107.5' }),
      REF,
    );
    expect([mapped.trailPrice?.toFixed(), mapped.currentStop?.toFixed(), mapped.stopPrice]).toEqual([
      '2.5',
      '107.5',
      undefined,
    ]);
  });

  it.each([
    ['sell', { trail_price: '2.5', hwm: '110' }, '107.5'],
    ['buy', { trail_price: '2.5', hwm: '90' }, '92.5'],
    ['sell', { trail_percent: '5', hwm: '200' }, '190'],
    ['buy', { trail_percent: '5', hwm: '200' }, '210'],
  ])('derives a %s stop from the high-water mark', (side, fields, stop) => {
    expect(currentStopOf(trailing({ side, ...fields }))?.toFixed()).toBe(stop);
  });

  it('has no current stop before a high-water mark exists', () => {
    expect(currentStopOf(trailing({ side: 'sell', trail_price: '1' }))).toBeUndefined();
  });
});

describe('symbols', () => {
  it.each([
    ['BTC/USD', 'crypto', 'BTC/USD'],
    ['BTCUSD', 'crypto', 'BTC/USD'],
    ['SOLUSD', 'crypto', 'SOL/USD'],
    ['ETHUSDT', 'crypto', 'ETH/USDT'],
    ['ETHBTC', 'crypto', 'ETH/BTC'],
    ['AAPL', 'us_equity', 'AAPL'],
  ])('%s (%s) is ours as %s', (alpaca, assetClass, ours) => {
    expect(ourSymbol(alpaca, assetClass)).toBe(ours);
  });

  it('states prices in the quote currency', () => {
    expect([quoteCurrencyOf('AAPL'), quoteCurrencyOf('BTC/USD'), quoteCurrencyOf('ETH/BTC')]).toEqual([
      'USD',
      'USD',
      'BTC',
    ]);
  });
});

describe('fills', () => {
  it('maps the recorded fill trade update exactly', () => {
    expect(fillOfTradeUpdate(update(), REF)).toEqual({
      fillId: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f:1790.86',
      clientOrderId: 'ours-1',
      venueOrderId: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f',
      venue: 'alpaca-paper',
      accountId: 'alpaca',
      symbol: 'SOL/USD',
      side: 'sell',
      quantity: dec('1790.86'),
      price: dec('105.8988475'),
      liquidity: 'taker',
      fee: dec('0'),
      feeCurrency: 'USD',
      ts: Date.parse('2022-04-19T17:45:05.024Z'),
    });
  });

  it('gives the same fill id to the stream fill and the FILL activity of one execution', () => {
    const activity = fillActivitySchema.parse(
      fillActivity({
        orderId: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f',
        cumQty: '1790.860',
        qty: '1790.86',
        price: '105.8988475',
        symbol: 'SOLUSD',
        side: 'sell',
        at: '2022-04-19T17:45:05.024916716Z',
      }),
    );
    const fromActivity = fillOfActivity(activity, { type: 'market', assetClass: 'crypto' }, REF);
    expect(fromActivity).toEqual(fillOfTradeUpdate(update(), REF));
  });

  it('normalises the cumulative quantity in fill ids', () => {
    expect(fillIdOf('abc', dec('10.50'))).toBe('abc:10.5');
  });

  it('counts a limit that filled after resting as maker, everything else as taker', () => {
    expect(liquidityOf('limit', 1000, 1000 + RESTED_AFTER_MS)).toBe('maker');
    expect(liquidityOf('limit', 1000, 1005)).toBe('taker');
    expect(liquidityOf('market', 1000, 100_000)).toBe('taker');
    expect(liquidityOf('stop', 1000, 100_000)).toBe('taker');
  });
});

describe('trade updates', () => {
  const at = Date.parse('2022-04-19T17:45:05.024Z');

  it('reports a fill with an id derived from the order and its cumulative quantity', () => {
    const [event] = eventsOfTradeUpdate(update('fill'), ctx());
    expect(event).toMatchObject({
      kind: 'fill',
      eventId: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f:fill:1790.86',
      clientOrderId: 'ours-1',
      venueOrderId: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f',
      venueTime: at,
      receivedAt: 1_700_000_000_000,
    });
  });

  it.each([
    ['new', 'ack'],
    ['partial_fill', 'fill'],
    ['canceled', 'cxl'],
    ['expired', 'exp'],
    ['rejected', 'rej'],
    ['pending_cancel', 'cxl_req'],
    ['pending_replace', 'rpl_req'],
    ['order_cancel_rejected', 'cxl_rej'],
    ['order_replace_rejected', 'rpl_rej'],
  ])('maps %s to %s', (event, kind) => {
    expect(eventsOfTradeUpdate(update(event), ctx()).map((e) => e.kind)).toEqual([kind]);
  });

  it.each(['pending_new', 'done_for_day', 'calculated', 'stopped', 'suspended', 'something_new'])(
    'reports nothing for %s',
    (event) => {
      expect(eventsOfTradeUpdate(update(event), ctx())).toEqual([]);
    },
  );

  it('marks venue-reported pending requests as coming from the venue', () => {
    const [cancel] = eventsOfTradeUpdate(update('pending_cancel'), ctx());
    const [replace] = eventsOfTradeUpdate(
      update('pending_replace'),
      ctx({ pendingChanges: { quantity: dec(5) } }),
    );
    expect(cancel).toMatchObject({ kind: 'cxl_req', origin: 'venue' });
    expect(replace).toMatchObject({ kind: 'rpl_req', origin: 'venue', changes: { quantity: dec(5) } });
  });

  it('confirms a replace on `replaced` with the requested changes and the successor id', () => {
    const replaced = update('replaced', { status: 'replaced', replaced_by: 'next-id' });
    const [event] = eventsOfTradeUpdate(replaced, ctx({ pendingChanges: { limitPrice: dec('99.6') } }));
    expect(event).toMatchObject({
      kind: 'rpl',
      venueOrderId: 'next-id',
      eventId: 'next-id:rpl',
      changes: { limitPrice: dec('99.6') },
    });
  });

  it("reports the successor's `new` as the rpl (same id), never as a second ack", () => {
    const successor = update('new', {
      id: 'next-id',
      client_order_id: 'ours-1~r1',
      type: 'limit',
      order_type: 'limit',
      limit_price: '99.6',
      qty: '6',
      filled_qty: '0',
      status: 'new',
    });
    const events = eventsOfTradeUpdate(successor, ctx());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'rpl', eventId: 'next-id:rpl', venueOrderId: 'next-id' });
    const changes = events[0]?.kind === 'rpl' ? events[0].changes : {};
    expect([changes.quantity?.toFixed(), changes.limitPrice?.toFixed(), changes.timeInForce]).toEqual([
      '6',
      '99.6',
      'gtc',
    ]);
  });

  it('reads a rejected replacement as a refused replace', () => {
    const [event] = eventsOfTradeUpdate(
      update('rejected', { client_order_id: 'ours-1~r2', status: 'rejected' }),
      ctx(),
    );
    expect(event).toMatchObject({ kind: 'rpl_rej', code: 'VENUE_REJECTED' });
  });

  it('acks an exit leg and releases it with its quantity when it leaves held', () => {
    const events = eventsOfTradeUpdate(update('new', { status: 'new', filled_qty: '0' }), ctx({ leg: true }));
    expect(events.map((e) => e.kind)).toEqual(['ack', 'upd']);
    expect(events[1]).toMatchObject({ changes: { held: false, quantity: dec('1790.86') } });
    const held = eventsOfTradeUpdate(update('new', { status: 'held', filled_qty: '0' }), ctx({ leg: true }));
    expect(held.map((e) => e.kind)).toEqual(['ack']);
  });

  it('gives a cancel refusal of a filled order ORDER_NOT_OPEN', () => {
    const [event] = eventsOfTradeUpdate(update('order_cancel_rejected'), ctx());
    expect(event).toMatchObject({ kind: 'cxl_rej', code: 'ORDER_NOT_OPEN' });
  });

  it('refuses a corrupt fill instead of guessing', () => {
    const broken = tradeUpdateSchema.parse({ ...update(), qty: null });
    expect(() => eventsOfTradeUpdate(broken, ctx())).toThrow(/without qty or price/);
  });
});
