import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import {
  DATA,
  TRADING,
  alpacaError,
  fillActivity,
  fixture,
  fixtureHandlers,
  makeBroker,
  until,
} from './test-support.js';

const server = setupServer(...fixtureHandlers());
const requests: string[] = [];
let now = 1_750_000_000_000;

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
  });
});
beforeEach(() => {
  requests.length = 0;
  now = 1_750_000_000_000;
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

const broker = () => makeBroker({ now: () => now });

describe('account state', () => {
  it('reports the recorded account, buying power exact', async () => {
    const [account] = await broker().accounts();
    expect(account).toEqual({
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
    expect(account?.buyingPower.toFixed()).toBe('245432.61');
  });

  it('reads once: a 5xx on a read is ambiguous and not retried by the SDK', async () => {
    server.use(
      http.get(`${TRADING}/v2/account`, () => alpacaError({ code: 50010000, message: 'internal' }, 503)),
    );
    await expect(broker().accounts()).rejects.toMatchObject({
      outcome: 'ambiguous',
      code: 'BROKER_UNAVAILABLE',
    });
    expect(requests).toEqual(['GET /v2/account']);
  });

  it('reports USD cash as the balance', async () => {
    expect(await broker().balances('alpaca')).toEqual([
      { currency: 'USD', total: dec('122086.5'), available: dec('122086.5') },
    ]);
  });

  it('reports positions signed', async () => {
    const short = {
      ...fixture('get_v2_positions_symbol.json'),
      symbol: 'TSLA',
      side: 'short',
      qty: '-3',
      avg_entry_price: '250.5',
    };
    server.use(
      http.get(`${TRADING}/v2/positions`, () =>
        HttpResponse.json([...(fixture('get_v2_positions.json') as unknown as object[]), short]),
      ),
    );
    expect(await broker().positions('alpaca')).toEqual([
      { symbol: 'AAPL', quantity: dec('2'), avgEntryPrice: dec('174.78') },
      { symbol: 'TSLA', quantity: dec('-3'), avgEntryPrice: dec('250.5') },
    ]);
  });
});

describe('fills since', () => {
  const ORDER = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
  const activities = Array.from({ length: 101 }, (_, i) =>
    fillActivity({
      orderId: ORDER,
      cumQty: String(i + 1),
      qty: '1',
      price: '150',
      symbol: 'AAPL',
      side: 'buy',
      at: new Date(Date.parse('2023-12-12T22:40:00Z') + i * 1000).toISOString(),
      leavesQty: String(100 - i),
    }),
  );

  it('pages FILL activities by page_token and keys each fill by order and cumulative quantity', async () => {
    const tokens: (string | null)[] = [];
    server.use(
      http.get(`${TRADING}/v2/account/activities/FILL`, ({ request }) => {
        const token = new URL(request.url).searchParams.get('page_token');
        tokens.push(token);
        return HttpResponse.json(token === null ? activities.slice(0, 100) : activities.slice(100));
      }),
    );
    const since = Date.parse('2023-12-12T22:39:00Z');
    const fills = await broker().fillsSince('alpaca', since);
    expect(tokens).toEqual([null, activities[99]?.['id']]);
    expect(requests[0]).toBe(
      `GET /v2/account/activities/FILL?after=${encodeURIComponent(new Date(since - 1).toISOString())}&direction=asc&page_size=100`,
    );
    expect(requests.filter((r) => r.startsWith('GET /v2/orders/'))).toEqual([
      `GET /v2/orders/${ORDER}?nested=true`,
    ]);
    expect(fills).toHaveLength(101);
    expect(fills[100]).toEqual({
      fillId: `${ORDER}:101`,
      clientOrderId: '5680c4bc-9ac1-4a12-a44c-df427ba53032',
      venueOrderId: ORDER,
      venue: 'alpaca-paper',
      accountId: 'alpaca',
      symbol: 'AAPL',
      side: 'buy',
      quantity: dec('1'),
      price: dec('150'),
      liquidity: 'maker',
      fee: dec('0'),
      feeCurrency: 'USD',
      ts: Date.parse('2023-12-12T22:41:40Z'),
    });
  });
});

describe('reference data', () => {
  it('reads instruments from assets once, equities and crypto, leaving out unknown symbols', async () => {
    server.use(
      http.get(`${TRADING}/v2/assets/NOSUCH`, () =>
        alpacaError({ code: 40410000, message: 'asset not found' }, 404),
      ),
    );
    const b = broker();
    const instruments = await b.instruments(['AAPL', 'BTC/USD', 'NOSUCH']);
    expect(
      instruments.map((i) => [i.symbol, i.tickSize.toFixed(), i.lotSize.toFixed(), i.shortable]),
    ).toEqual([
      ['AAPL', '0.01', '0.000000001', true],
      ['BTC/USD', '1', '0.0001', false],
    ]);
    requests.length = 0;
    expect((await b.instruments(['AAPL'])).map((i) => i.symbol)).toEqual(['AAPL']);
    expect((await b.instruments()).map((i) => i.symbol)).toEqual(['AAPL', 'BTC/USD']);
    expect(requests).toEqual([]);
  });

  it('reads the clock and the calendar', async () => {
    const b = broker();
    expect(await b.clock()).toEqual({
      timestamp: Date.parse('2025-06-24T18:15:22Z'),
      isOpen: true,
      nextOpen: Date.parse('2025-06-25T13:30:00Z'),
      nextClose: Date.parse('2025-06-24T20:00:00Z'),
    });
    const days = await b.calendar('2025-01-02', '2025-01-03');
    expect(days.map((d) => [d.date, d.open, d.close])).toEqual([
      ['2025-01-02', Date.parse('2025-01-02T14:30:00Z'), Date.parse('2025-01-02T21:00:00Z')],
    ]);
    expect(requests.at(-1)).toContain('/v2/calendar?start=2025-01-02');
  });
});

describe('market data', () => {
  it('caches latest quotes for a second, stocks and crypto from their own endpoints', async () => {
    const b = broker();
    const aapl = await b.marketData.quote('AAPL');
    expect([aapl?.bids[0]?.price.toFixed(), aapl?.asks[0]?.price.toFixed()]).toEqual(['172.62', '172.7']);
    await b.marketData.quote('AAPL');
    now += 999;
    await b.marketData.quote('AAPL');
    expect(requests).toEqual(['GET /v2/stocks/quotes/latest?symbols=AAPL']);
    now += 1;
    await b.marketData.quote('AAPL');
    expect(requests).toHaveLength(2);
    const btc = await b.marketData.quote('BTC/USD');
    expect(btc?.asks[0]?.price.toFixed()).toBe('29059');
    expect(requests.at(-1)).toBe('GET /v1beta3/crypto/us/latest/quotes?symbols=BTC%2FUSD');
  });

  it('answers book() from the cache and refreshes a stale or missing quote in the background', async () => {
    const b = broker();
    expect(b.book('AAPL')).toBeUndefined();
    await b.marketData.quote('AAPL');
    expect(b.book('AAPL')?.bids[0]?.size?.toFixed()).toBe('2');
    expect(requests).toHaveLength(1);
    now += 5000;
    expect(b.book('AAPL')).toBeDefined();
    await until(() => requests.length === 2, 'the background refresh');
    expect(requests).toEqual([
      'GET /v2/stocks/quotes/latest?symbols=AAPL',
      'GET /v2/stocks/quotes/latest?symbols=AAPL',
    ]);
  });

  it('reads latest trades, bars and snapshots', async () => {
    const b = broker();
    expect((await b.marketData.trade('AAPL'))?.price.toFixed()).toBe('172.78');
    expect((await b.marketData.trade('ETH/USD'))?.price.toFixed()).toBe('2027.6');
    expect((await b.marketData.latestBar('TSLA'))?.close.toFixed()).toBe('914.3');
    expect((await b.marketData.latestBar('BTC/USD'))?.close.toFixed()).toBe('29003');
    expect((await b.marketData.snapshot('AAPL'))?.book?.last?.toFixed()).toBe('172.61');
    expect((await b.marketData.snapshot('BTC/USD'))?.minuteBar?.volume.toFixed()).toBe('0.0886');
    expect(await b.marketData.quote('MSFT')).toBeUndefined();
  });

  it('pages historical bars and caches them for five minutes', async () => {
    const tokens: (string | null)[] = [];
    server.use(
      http.get(`${DATA}/v2/stocks/bars`, ({ request }) => {
        const token = new URL(request.url).searchParams.get('page_token');
        tokens.push(token);
        const page = fixture('get_v2_stocks_bars.json');
        return HttpResponse.json(token === null ? page : { ...page, next_page_token: null });
      }),
    );
    const b = broker();
    const query = { timeframe: '1Hour', start: Date.parse('2022-01-03T00:00:00Z') };
    expect((await b.marketData.bars('AAPL', query)).map((bar) => bar.close.toFixed())).toEqual([
      '178.21',
      '178.21',
    ]);
    expect(tokens).toEqual([null, 'QUFQTHxNfDIwMjItMDEtMDNUMDk6MDA6MDAuMDAwMDAwMDAwWg==']);
    now += 299_000;
    await b.marketData.bars('AAPL', query);
    expect(tokens).toHaveLength(2);
  });

  it('reports a market data failure as a BrokerCallError and keeps book() quiet', async () => {
    server.use(
      http.get(`${DATA}/v2/stocks/quotes/latest`, () =>
        alpacaError({ code: 40310000, message: 'forbidden' }, 403),
      ),
    );
    const b = broker();
    await expect(b.marketData.quote('AAPL')).rejects.toMatchObject({
      code: 'FORBIDDEN',
      outcome: 'definitive',
    });
    expect(b.book('AAPL')).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    await b.close();
  });
});
