import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import type { OrderType } from '../../domain/order.js';
import { BrokerCallError, type SubmitRequest } from '../broker.js';
import { deriveCapabilities } from './capabilities.js';
import { spotInstruments } from './instruments.js';
import { checkRequest, createOrderArgs } from './order-request.js';
import { binanceWithMarkets } from './test-support.js';
import { ccxtNumber } from './values.js';

const exchange = binanceWithMarkets();
const instruments = new InstrumentRegistry(spotInstruments(exchange.markets ?? {}, exchange.precisionMode));
const ctx = {
  venue: 'ccxt-binance-paper',
  capabilities: deriveCapabilities(exchange, instruments.symbols()),
  instruments,
  exchange,
  now: 0,
};

function request(type: OrderType, extra: Partial<SubmitRequest> = {}): SubmitRequest {
  const prices: Partial<SubmitRequest> =
    type === 'limit'
      ? { limitPrice: dec('100.10') }
      : type === 'stop_limit'
        ? { stopPrice: dec('101'), limitPrice: dec('101.20') }
        : type === 'stop'
          ? { stopPrice: dec('101') }
          : {};
  return {
    accountId: 'main',
    clientOrderId: 'c-1',
    symbol: 'BTC/USDT',
    side: 'buy',
    type,
    quantity: dec('10'),
    timeInForce: 'gtc',
    ...prices,
    ...extra,
  };
}

function refusal(r: SubmitRequest): string {
  try {
    checkRequest(r, ctx);
  } catch (error) {
    if (error instanceof BrokerCallError && error.outcome === 'definitive') return error.code;
    throw error;
  }
  return 'accepted';
}

describe('requests checked before any call', () => {
  it('refuses what the venue does not declare, definitively', () => {
    expect(refusal(request('stop'))).toBe('INVALID_ORDER');
    expect(refusal(request('trailing_stop', { trailPrice: dec(1) }))).toBe('INVALID_ORDER');
    expect(refusal(request('limit', { timeInForce: 'day' }))).toBe('INVALID_ORDER');
    expect(refusal(request('market', { timeInForce: 'fok' }))).toBe('INVALID_ORDER');
    expect(refusal(request('limit', { reduceOnly: true }))).toBe('INVALID_ORDER');
    expect(refusal(request('limit', { displayQty: dec(1) }))).toBe('INVALID_ORDER');
    expect(refusal(request('limit', { postOnly: true, timeInForce: 'ioc' }))).toBe('INVALID_ORDER');
  });

  it('refuses bad quantities, unknown symbols and prices off the tick', () => {
    expect(refusal(request('limit', { quantity: dec(0) }))).toBe('INVALID_ORDER');
    expect(refusal(request('limit', { quantity: dec(-5) }))).toBe('INVALID_ORDER');
    expect(refusal(request('market', { symbol: 'NOSUCHSYMBOL' }))).toBe('INSTRUMENT_NOT_FOUND');
    expect(refusal(request('limit', { limitPrice: dec('100.105') }))).toBe('PRICE_PRECISION');
    expect(refusal(request('limit', { quantity: dec('0.000001') }))).toBe('QUANTITY_PRECISION');
  });

  it('takes what it declares, and finds Binance-style ids', () => {
    expect(refusal(request('market'))).toBe('accepted');
    expect(refusal(request('limit', { timeInForce: 'ioc' }))).toBe('accepted');
    expect(refusal(request('limit', { postOnly: true }))).toBe('accepted');
    expect(refusal(request('stop_limit'))).toBe('accepted');
    expect(checkRequest(request('market', { symbol: 'BTCUSDT' }), ctx).symbol).toBe('BTC/USDT');
  });
});

describe('createOrder arguments', () => {
  const args = (r: SubmitRequest) => createOrderArgs(r, checkRequest(r, ctx), exchange);

  it('sends our client order id, and a time in force only with a limit', () => {
    expect(args(request('limit', { timeInForce: 'ioc' }))).toEqual({
      symbol: 'BTC/USDT',
      type: 'limit',
      side: 'buy',
      amount: 10,
      price: 100.1,
      params: { clientOrderId: 'c-1', timeInForce: 'IOC' },
    });
    expect(args(request('market'))).toEqual({
      symbol: 'BTC/USDT',
      type: 'market',
      side: 'buy',
      amount: 10,
      price: undefined,
      params: { clientOrderId: 'c-1' },
    });
  });

  it('sends a post-only limit as postOnly (ccxt makes it LIMIT_MAKER) without a time in force', () => {
    expect(args(request('limit', { postOnly: true })).params).toEqual({
      clientOrderId: 'c-1',
      postOnly: true,
    });
  });

  it('sends a stop-limit as a limit with ccxt triggerPrice (STOP_LOSS_LIMIT) as ccxt formats it', () => {
    const a = args(request('stop_limit', { stopPrice: dec('101.00') }));
    expect([a.type, a.price, a.params]).toEqual([
      'limit',
      101.2,
      { clientOrderId: 'c-1', triggerPrice: '101', timeInForce: 'GTC' },
    ]);
  });

  it('never rounds: a value a double cannot carry is refused', () => {
    expect(ccxtNumber('0.00001', 'quantity')).toBe(0.00001);
    expect(() => ccxtNumber('12345678.123456789', 'quantity')).toThrow(/more digits/);
  });
});
