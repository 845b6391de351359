import type { Balances, Order, Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { toBookSnapshot, toFill, toVenueBalances, toVenueOrder } from './mapping.js';
import { orderStatusOf, viewOf } from './order-view.js';
import { binanceWithMarkets, fixtureList, fixtureObject } from './test-support.js';

const exchange = binanceWithMarkets();
const owner = { venue: 'ccxt-binance', accountId: 'main', clientOrderId: 'ours' };
const parseOrder = (raw: Record<string, unknown>): Order => exchange.parseOrder(raw);
const mapped = (raw: Record<string, unknown>) => toVenueOrder(viewOf(parseOrder(raw), 0), owner);
/** Binance's spot balance parser (`fetchBalance` calls it with the account response). */
const spotBalance = (raw: Record<string, unknown>): Balances =>
  (exchange as unknown as { parseBalanceCustom(r: unknown, type: string): Balances }).parseBalanceCustom(
    raw,
    'spot',
  );
const QUERIED = fixtureObject('get_api_v3_order.json');
const FULL = fixtureObject('post_api_v3_order.json');

describe('Binance orders into VenueOrders', () => {
  it('maps a queried resting limit order with the raw strings', () => {
    const order = mapped(QUERIED);
    expect({
      ...order,
      quantity: order.quantity.toFixed(),
      filledQty: order.filledQty.toFixed(),
      limitPrice: order.limitPrice?.toFixed(),
    }).toEqual({
      symbol: 'LTCBTC',
      side: 'buy',
      type: 'limit',
      quantity: '1',
      timeInForce: 'gtc',
      limitPrice: '0.1',
      venue: 'ccxt-binance',
      accountId: 'main',
      clientOrderId: 'ours',
      venueOrderId: '1',
      status: 'new',
      filledQty: '0',
      createdAt: 1499827319559,
      updatedAt: 1499827319559,
    });
  });

  it('maps a FULL create-order answer: filled, no limit price, the average from the quote quantity', () => {
    const order = mapped(FULL);
    expect([
      order.type,
      order.status,
      order.limitPrice,
      order.filledQty.toFixed(),
      order.avgFillPrice?.toFixed(),
    ]).toEqual(['market', 'filled', undefined, '10', '1']);
    expect(order.createdAt).toBe(1507725176595);
  });

  it('keeps digits a double would lose', () => {
    const order = mapped({ ...QUERIED, origQty: '12345678.123456789', executedQty: '0.000000000000000001' });
    expect([order.quantity.toFixed(), order.filledQty.toFixed()]).toEqual([
      '12345678.123456789',
      '0.000000000000000001',
    ]);
  });

  const status = (overrides: Record<string, unknown>): string =>
    orderStatusOf(viewOf(parseOrder({ ...QUERIED, ...overrides }), 0));

  it('maps the venue statuses by ORDER-SEMANTICS §1.4', () => {
    expect(status({ status: 'PARTIALLY_FILLED', executedQty: '0.4' })).toBe('partially_filled');
    expect(status({ status: 'FILLED', executedQty: '1.0' })).toBe('filled');
    expect(status({ status: 'CANCELED' })).toBe('canceled');
    expect(status({ status: 'REJECTED' })).toBe('rejected');
    expect(status({ status: 'EXPIRED' })).toBe('expired');
  });

  it('reads an expired ioc, fok or market order and a self-trade prevention as canceled by the venue', () => {
    expect(status({ status: 'EXPIRED', timeInForce: 'IOC', executedQty: '0.4' })).toBe('canceled');
    expect(status({ status: 'EXPIRED', timeInForce: 'FOK' })).toBe('canceled');
    expect(status({ status: 'EXPIRED', type: 'MARKET' })).toBe('canceled');
    expect(status({ status: 'EXPIRED_IN_MATCH' })).toBe('canceled');
  });

  it('reads a stop-limit as triggered once Binance says it is working', () => {
    const stop = { type: 'STOP_LOSS_LIMIT', stopPrice: '0.2' };
    expect(status({ ...stop, isWorking: false })).toBe('new');
    expect(status({ ...stop, isWorking: true })).toBe('triggered');
    const order = mapped({ ...QUERIED, ...stop });
    expect([order.type, order.stopPrice?.toFixed(), order.limitPrice?.toFixed()]).toEqual([
      'stop_limit',
      '0.2',
      '0.1',
    ]);
  });

  it('maps LIMIT_MAKER to a post-only limit and TAKE_PROFIT_LIMIT to limit_if_touched', () => {
    const maker = mapped({ ...QUERIED, type: 'LIMIT_MAKER' });
    expect([maker.type, maker.postOnly]).toEqual(['limit', true]);
    const touched = mapped({ ...QUERIED, type: 'TAKE_PROFIT_LIMIT', stopPrice: '0.05' });
    expect([touched.type, touched.triggerPrice?.toFixed(), touched.stopPrice]).toEqual([
      'limit_if_touched',
      '0.05',
      undefined,
    ]);
  });

  it('falls back to ccxt unified fields when the exchange sends another shape', () => {
    const order = {
      ...parseOrder(QUERIED),
      info: { anything: true },
      amount: 2.5,
      filled: 1,
      price: 0.3,
      cost: 0.3,
    };
    const mappedOrder = toVenueOrder(viewOf(order, 0), owner);
    expect([
      mappedOrder.quantity.toFixed(),
      mappedOrder.filledQty.toFixed(),
      mappedOrder.avgFillPrice?.toFixed(),
    ]).toEqual(['2.5', '1', '0.3']);
    expect(mappedOrder.status).toBe('partially_filled');
  });
});

describe('Binance trades into Fills', () => {
  const context = {
    ...owner,
    venueOrderId: '28',
    symbol: 'BTC/USDT',
    side: 'sell' as const,
    ts: 1507725176595,
  };

  it('maps the fills of a FULL answer: trade ids qualified by symbol, taker, the commission exact', () => {
    const fills = parseOrder(FULL).trades.map((t) => toFill(t, context));
    expect(
      fills.map(
        (f) => `${f.fillId} ${f.quantity.toFixed()}@${f.price.toFixed()} ${f.fee.toFixed()} ${f.feeCurrency}`,
      ),
    ).toEqual([
      'BTC/USDT:56 1@4000 4 USDT',
      'BTC/USDT:57 5@3999 19.995 USDT',
      'BTC/USDT:58 2@3998 7.996 USDT',
      'BTC/USDT:59 1@3997 3.997 USDT',
      'BTC/USDT:60 1@3995 3.995 USDT',
    ]);
    expect(new Set(fills.map((f) => `${f.liquidity} ${f.side} ${f.venueOrderId} ${f.ts}`))).toEqual(
      new Set(['taker sell 28 1507725176595']),
    );
  });

  it('maps an account trade: maker/taker, side and order from the trade itself', () => {
    const [raw] = fixtureList('get_api_v3_myTrades.json');
    const trade: Trade = exchange.parseTrade(raw ?? {});
    const fill = toFill(trade, context);
    expect(fill).toMatchObject({
      fillId: 'BNB/BTC:28457',
      venueOrderId: '100234',
      side: 'buy',
      liquidity: 'taker',
      feeCurrency: 'BNB',
      ts: 1499865549590,
      clientOrderId: 'ours',
    });
    expect([fill.quantity.toFixed(), fill.price.toFixed(), fill.fee.toFixed()]).toEqual([
      '12',
      '4.000001',
      '10.1',
    ]);
    expect(toFill({ ...trade, takerOrMaker: 'maker' }, context).liquidity).toBe('maker');
  });
});

describe('balances and books', () => {
  it('maps the account: total = free + locked, available = free, from the raw strings', () => {
    const raw = fixtureObject('get_api_v3_account.json');
    const balances = toVenueBalances(spotBalance(raw), (id) => id);
    expect(balances.map((b) => `${b.currency} ${b.total.toFixed()} ${b.available.toFixed()}`)).toEqual([
      'BTC 4723846.89208129 4723846.89208129',
      'LTC 4763368.68006011 4763368.68006011',
    ]);
    const locked = { ...raw, balances: [{ asset: 'USDT', free: '10.5', locked: '0.25' }] };
    expect(
      toVenueBalances(spotBalance(locked), (id) => id).map((b) => [b.total.toFixed(), b.available.toFixed()]),
    ).toEqual([['10.75', '10.5']]);
  });

  it('maps an order book level by level', () => {
    const book = exchange.parseOrderBook(fixtureObject('get_api_v3_depth.json'), 'BNB/BTC');
    const snapshot = toBookSnapshot(book, 'BNB/BTC', 42);
    expect(snapshot.symbol).toBe('BNB/BTC');
    expect(snapshot.bids.map((l) => `${l.price.toFixed()}x${l.size?.toFixed() ?? ''}`)).toEqual(['4x431']);
    expect(snapshot.asks.map((l) => `${l.price.toFixed()}x${l.size?.toFixed() ?? ''}`)).toEqual([
      '4.000002x12',
    ]);
    expect(snapshot.ts).toBe(42);
  });
});
