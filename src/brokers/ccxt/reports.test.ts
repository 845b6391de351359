import { describe, expect, it } from 'vitest';
import { ZERO, dec } from '../../domain/decimal.js';
import type { Fill } from '../../domain/events.js';
import { defineInstrument } from '../../domain/instrument.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import { accountOf, entryPriceOf, midOf, positionsOf } from './reports.js';

const fill = (side: 'buy' | 'sell', quantity: string, price: string): Fill => ({
  fillId: `${side}${quantity}@${price}`,
  clientOrderId: 'c',
  venueOrderId: 'v',
  venue: 'x',
  accountId: 'main',
  symbol: 'BTC/USDT',
  side,
  quantity: dec(quantity),
  price: dec(price),
  liquidity: 'taker',
  fee: ZERO,
  feeCurrency: 'USDT',
  ts: 0,
});

const instruments = new InstrumentRegistry([
  defineInstrument({
    symbol: 'BTC/USDT',
    name: 'BTC',
    assetClass: 'crypto',
    tickSize: '0.01',
    lotSize: '0.00001',
  }),
]);

describe('spot reports', () => {
  it('replays the entry price of a long from its fills (§6.2), 0 when flat or unknown', () => {
    expect(entryPriceOf([fill('buy', '10', '100.1'), fill('buy', '5', '100.4')]).toFixed()).toBe('100.2');
    expect(
      entryPriceOf([
        fill('buy', '10', '100.1'),
        fill('buy', '5', '100.4'),
        fill('sell', '5', '100.3'),
      ]).toFixed(),
    ).toBe('100.2');
    expect(entryPriceOf([fill('buy', '1', '100'), fill('sell', '3', '90')]).toFixed()).toBe('0');
    expect(entryPriceOf([]).toFixed()).toBe('0');
  });

  it('reads held base assets as long positions against the account currency', () => {
    const balances = [
      { currency: 'USDT', total: dec(1000), available: dec(900) },
      { currency: 'BTC', total: dec('1.5'), available: dec('1.5') },
      { currency: 'BNB', total: dec(3), available: dec(3) },
      { currency: 'ETH', total: ZERO, available: ZERO },
    ];
    const positions = positionsOf(balances, {
      currency: 'USDT',
      instruments,
      fillsOf: () => [fill('buy', '1.5', '100')],
    });
    expect(
      positions.map((p) => `${p.symbol} ${p.quantity.toFixed()} @ ${p.avgEntryPrice.toFixed()}`),
    ).toEqual(['BTC/USDT 1.5 @ 100']);
    const account = accountOf(balances, positions, {
      accountId: 'main',
      currency: 'USDT',
      tradingBlocked: false,
      markOf: () => dec('110'),
    });
    expect([
      account.type,
      account.cash.toFixed(),
      account.buyingPower.toFixed(),
      account.equity.toFixed(),
    ]).toEqual(['cash', '1000', '900', '1165']);
  });

  it('takes the mid of the best levels', () => {
    expect(midOf({ bids: [{ price: dec(100) }], asks: [{ price: dec('100.1') }] })?.toFixed()).toBe('100.05');
    expect(midOf({ bids: [], asks: [{ price: dec('100.1') }] })).toBeUndefined();
  });
});
