import { functions } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { isTradingError } from '../../domain/errors.js';
import { assertCapable, deriveCapabilities } from './capabilities.js';
import { instrumentOf, spotInstruments, stepOf } from './instruments.js';
import { binanceWithMarkets } from './test-support.js';

const exchange = binanceWithMarkets();

describe('capabilities of Binance spot through ccxt', () => {
  const caps = deriveCapabilities(exchange, ['BTC/USDT']);

  it('declares the order types every market lists: no STOP_LOSS in the fixture, so no stop', () => {
    expect(caps.orderTypes).toEqual(['market', 'limit', 'stop_limit']);
  });

  it("declares ccxt's spot time in force and post-only (LIMIT_MAKER), nothing a spot cash account lacks", () => {
    expect(caps.timeInForce).toEqual(['gtc', 'ioc', 'fok']);
    expect(caps).toMatchObject({
      assetClasses: ['crypto'],
      symbols: ['BTC/USDT'],
      postOnly: true,
      fractional: true,
      shorting: false,
      reduceOnly: false,
      displayQuantity: false,
      extendedHours: false,
      replace: false,
      nativeContingent: [],
    });
  });

  it("takes the fees from the markets' maker and taker rates, in basis points", () => {
    expect([caps.fees.makerBps.toFixed(), caps.fees.takerBps.toFixed()]).toEqual(['10', '10']);
  });

  it('refuses an exchange that lacks a method the adapter needs, naming it', () => {
    const lacking = binanceWithMarkets();
    lacking.has['fetchMyTrades'] = false;
    lacking.has['fetchOrderBook'] = false;
    lacking.has['fetchTicker'] = false;
    let caught: unknown;
    try {
      assertCapable(lacking, 'ccxt-binance-paper');
    } catch (error) {
      caught = error;
    }
    expect(isTradingError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('fetchMyTrades, fetchOrderBook or fetchTicker');
    expect(() => {
      assertCapable(exchange, 'ccxt-binance-paper');
    }).not.toThrow();
  });
});

describe('markets into instruments', () => {
  it("reads BTC/USDT's filters (ccxt 4.5 reports binance precision as tick sizes)", () => {
    expect(exchange.precisionMode).toBe(functions.TICK_SIZE);
    const btc = instrumentOf(exchange.market('BTC/USDT'), exchange.precisionMode);
    expect({
      symbol: btc.symbol,
      base: btc.base,
      quote: btc.quote,
      tick: btc.tickSize.toFixed(),
      lot: btc.lotSize.toFixed(),
      min: btc.minQuantity.toFixed(),
      max: btc.maxQuantity?.toFixed(),
      notional: btc.minNotional.toFixed(),
      tradable: btc.tradable,
      shortable: btc.shortable,
    }).toEqual({
      symbol: 'BTC/USDT',
      base: 'BTC',
      quote: 'USDT',
      tick: '0.01',
      lot: '0.00001',
      min: '0.00001',
      max: '9000',
      notional: '5',
      tradable: true,
      shortable: false,
    });
  });

  it('gives a market without a NOTIONAL filter a zero minimum notional', () => {
    const bnb = instrumentOf(exchange.market('BNB/BTC'), exchange.precisionMode);
    expect([bnb.tickSize.toFixed(), bnb.lotSize.toFixed(), bnb.minNotional.toFixed()]).toEqual([
      '0.000001',
      '0.001',
      '0',
    ]);
  });

  it('lists every spot market', () => {
    expect(spotInstruments(exchange.markets ?? {}, exchange.precisionMode).map((i) => i.symbol)).toEqual([
      'BTC/USDT',
      'ETH/USDT',
      'LTC/USDT',
      'BNB/BTC',
    ]);
  });

  it('reads decimal-places precision as a step, and has no step for significant digits', () => {
    expect(stepOf(3, functions.DECIMAL_PLACES, 'price').toFixed()).toBe('0.001');
    expect(() => stepOf(3, functions.SIGNIFICANT_DIGITS, 'price')).toThrow();
  });
});
