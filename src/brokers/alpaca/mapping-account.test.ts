import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import {
  equityTickSize,
  toInstrument,
  toMarketClock,
  toTradingDay,
  toVenueAccount,
  toVenueBalances,
  toVenuePosition,
} from './mapping-account.js';
import { barOf, bookOfQuote, snapshotOf, tradePrintOf } from './mapping-market.js';
import { fixture, fixtureList } from './test-support.js';
import {
  accountSchema,
  assetSchema,
  barsPageSchema,
  calendarDaySchema,
  clockSchema,
  cryptoSnapshotsSchema,
  latestBarsSchema,
  latestQuotesSchema,
  latestTradesSchema,
  positionSchema,
  stockSnapshotsSchema,
} from './wire.js';

describe('account', () => {
  const account = accountSchema.parse(fixture('get_v2_account.json'));

  it('maps the recorded account exactly', () => {
    expect(toVenueAccount(account, 'alpaca')).toEqual({
      accountId: 'alpaca',
      type: 'margin',
      currency: 'USD',
      equity: dec('123346.11'),
      cash: dec('122086.5'),
      buyingPower: dec('245432.61'),
      patternDayTrader: true,
      dayTradeCount: 0,
      tradingBlocked: false,
    });
    expect(toVenueAccount(account, 'alpaca').buyingPower.toFixed()).toBe('245432.61');
  });

  it('reads multiplier 1 as a cash account and any block as blocked trading', () => {
    const cash = accountSchema.parse({ ...fixture('get_v2_account.json'), multiplier: '1' });
    expect(toVenueAccount(cash, 'a').type).toBe('cash');
    for (const block of [
      { trading_blocked: true },
      { account_blocked: true },
      { status: 'ACCOUNT_UPDATED' },
    ]) {
      const blocked = accountSchema.parse({ ...fixture('get_v2_account.json'), ...block });
      expect(toVenueAccount(blocked, 'a').tradingBlocked).toBe(true);
    }
  });

  it('gives the cash balance, available as cash less open-order reserves', () => {
    expect(toVenueBalances(account)).toEqual([
      { currency: 'USD', total: dec('122086.5'), available: dec('122086.5') },
    ]);
    const reserved = accountSchema.parse({
      ...fixture('get_v2_account.json'),
      non_marginable_buying_power: '100000',
    });
    expect(toVenueBalances(reserved)[0]?.available.toFixed()).toBe('100000');
    const borrowed = accountSchema.parse({ ...fixture('get_v2_account.json'), cash: '-50' });
    expect(toVenueBalances(borrowed)[0]?.available.toFixed()).toBe('0');
  });
});

describe('positions', () => {
  it('maps the recorded long position', () => {
    const [position] = fixtureList('get_v2_positions.json').map((p) => positionSchema.parse(p));
    expect(position && toVenuePosition(position)).toEqual({
      symbol: 'AAPL',
      quantity: dec('2'),
      avgEntryPrice: dec('174.78'),
    });
  });

  it('signs a short position negative whether or not Alpaca sent the minus', () => {
    for (const qty of ['2', '-2']) {
      const short = positionSchema.parse({ ...fixture('get_v2_positions_symbol.json'), side: 'short', qty });
      expect(toVenuePosition(short).quantity.toFixed()).toBe('-2');
    }
  });

  it('writes crypto position symbols with the slash', () => {
    const btc = positionSchema.parse({
      ...fixture('get_v2_positions_symbol.json'),
      symbol: 'BTCUSD',
      asset_class: 'crypto',
    });
    expect(toVenuePosition(btc).symbol).toBe('BTC/USD');
  });
});

describe('instruments', () => {
  it('maps the recorded equity asset', () => {
    const aapl = toInstrument(assetSchema.parse(fixture('get_v2_assets_symbol.json')));
    expect(aapl).toEqual({
      symbol: 'AAPL',
      name: 'Apple Inc. Common Stock',
      assetClass: 'us_equity',
      calendar: 'us_equity',
      base: 'AAPL',
      quote: 'USD',
      tickSize: dec('0.01'),
      lotSize: dec('0.000000001'),
      minQuantity: dec('0.000000001'),
      minNotional: dec('0'),
      fractionable: true,
      shortable: true,
      tradable: true,
    });
  });

  it('gives a non-fractionable equity whole lots', () => {
    const whole = toInstrument(
      assetSchema.parse({ ...fixture('get_v2_assets_symbol.json'), fractionable: false }),
    );
    expect([whole?.lotSize.toFixed(), whole?.fractionable]).toEqual(['1', false]);
  });

  it('maps the recorded crypto asset from its increments', () => {
    const btc = toInstrument(assetSchema.parse(fixture('get_v2_assets_symbol.crypto.json')));
    expect(btc).toEqual({
      symbol: 'BTC/USD',
      name: 'BTC/USD pair',
      assetClass: 'crypto',
      calendar: 'crypto',
      base: 'BTC',
      quote: 'USD',
      tickSize: dec('1'),
      lotSize: dec('0.0001'),
      minQuantity: dec('0.0001'),
      minNotional: dec('0'),
      fractionable: true,
      shortable: false,
      tradable: true,
    });
  });

  it('leaves out classes the adapter does not trade, and marks inactive assets untradable', () => {
    expect(
      toInstrument(assetSchema.parse({ ...fixture('get_v2_assets_symbol.json'), class: 'us_option' })),
    ).toBeUndefined();
    const inactive = toInstrument(
      assetSchema.parse({ ...fixture('get_v2_assets_symbol.json'), status: 'inactive' }),
    );
    expect(inactive?.tradable).toBe(false);
  });

  it('ticks equities in cents, and in hundredths of a cent under a dollar', () => {
    expect([equityTickSize(dec('12.5')).toFixed(), equityTickSize(dec('0.5')).toFixed()]).toEqual([
      '0.01',
      '0.0001',
    ]);
  });
});

describe('clock and calendar', () => {
  it('maps the recorded clock to epoch milliseconds', () => {
    expect(toMarketClock(clockSchema.parse(fixture('get_v2_clock.json')))).toEqual({
      timestamp: Date.parse('2025-06-24T18:15:22Z'),
      isOpen: true,
      nextOpen: Date.parse('2025-06-25T13:30:00Z'),
      nextClose: Date.parse('2025-06-24T20:00:00Z'),
    });
  });

  it('maps the recorded calendar day from New York wall-clock times', () => {
    const [day] = fixtureList('get_v2_calendar.json').map((d) => calendarDaySchema.parse(d));
    expect(day && toTradingDay(day)).toEqual({
      date: '2025-01-02',
      open: Date.parse('2025-01-02T14:30:00Z'),
      close: Date.parse('2025-01-02T21:00:00Z'),
      sessionOpen: Date.parse('2025-01-02T09:00:00Z'),
      sessionClose: Date.parse('2025-01-03T01:00:00Z'),
      settlementDate: '2025-01-03',
    });
  });
});

describe('market data', () => {
  it('turns the recorded stock quote into a one-level book with sizes', () => {
    const quote = latestQuotesSchema.parse(fixture('get_v2_stocks_quotes_latest.json')).quotes['AAPL'];
    expect(quote && bookOfQuote('AAPL', quote)).toEqual({
      symbol: 'AAPL',
      ts: Date.parse('2022-08-17T10:07:40.286Z'),
      bids: [{ price: dec('172.62'), size: dec('2') }],
      asks: [{ price: dec('172.7'), size: dec('1') }],
    });
  });

  it('turns the recorded crypto quote into a book with fractional sizes', () => {
    const quote = latestQuotesSchema.parse(fixture('get_v1beta3_crypto_loc_latest_quotes.json')).quotes[
      'BTC/USD'
    ];
    const book = quote && bookOfQuote('BTC/USD', quote);
    expect([
      book?.bids[0]?.price.toFixed(),
      book?.bids[0]?.size?.toFixed(),
      book?.asks[0]?.size?.toFixed(),
    ]).toEqual(['29058', '0.3544', '3.252']);
  });

  it('leaves out an empty quote side (price 0)', () => {
    const book = bookOfQuote('X', { ap: 0, as: 0, bp: 10, bs: 1, t: '2022-08-17T10:07:40Z' });
    expect([book.bids.length, book.asks.length]).toEqual([1, 0]);
  });

  it('maps recorded trades and bars', () => {
    const trade = latestTradesSchema.parse(fixture('get_v2_stocks_trades_latest.json')).trades['AAPL'];
    expect(trade && tradePrintOf('AAPL', trade)).toEqual({
      symbol: 'AAPL',
      ts: Date.parse('2022-08-17T09:50:43.361Z'),
      price: dec('172.78'),
      size: dec('100'),
    });
    const bar = latestBarsSchema.parse(fixture('get_v1beta3_crypto_loc_latest_bars.json')).bars['BTC/USD'];
    expect(bar && barOf('BTC/USD', bar)).toEqual({
      symbol: 'BTC/USD',
      ts: Date.parse('2022-05-27T10:18:00Z'),
      open: dec('28999'),
      high: dec('29003'),
      low: dec('28999'),
      close: dec('29003'),
      volume: dec('0.01'),
    });
    const page = barsPageSchema.parse(fixture('get_v2_stocks_bars.json'));
    expect([page.bars?.['AAPL']?.length, page.next_page_token]).toEqual([
      1,
      'QUFQTHxNfDIwMjItMDEtMDNUMDk6MDA6MDAuMDAwMDAwMDAwWg==',
    ]);
  });

  it('maps recorded snapshots, stock (bare map) and crypto (wrapped)', () => {
    const stock = stockSnapshotsSchema.parse(fixture('get_v2_stocks_snapshots.json'))['TSLA'];
    const tsla = stock && snapshotOf('TSLA', stock);
    expect([
      tsla?.book?.bids[0]?.price.toFixed(),
      tsla?.book?.last?.toFixed(),
      tsla?.dailyBar?.close.toFixed(),
    ]).toEqual(['911.31', '911.99', '919.69']);
    const crypto = cryptoSnapshotsSchema.parse(fixture('get_v1beta3_crypto_loc_snapshots.json')).snapshots[
      'BTC/USD'
    ];
    const btc = crypto && snapshotOf('BTC/USD', crypto);
    expect([
      btc?.trade?.price.toFixed(),
      btc?.trade?.size.toFixed(),
      btc?.prevDailyBar?.volume.toFixed(),
    ]).toEqual(['31744', '0.0543', '1856.4065']);
  });
});
