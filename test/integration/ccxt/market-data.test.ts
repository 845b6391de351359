/**
 * Market data and account reports: the book the port's synchronous `book()` serves (fetched in
 * the background, kept 1 s), the ticker cache, balances and the account valued at the mid, and
 * which host the sandbox flag picks.
 */
import { describe, expect, it, vi } from 'vitest';
import { connect, order, quote, startFake } from '../../support/fake-binance/harness.js';
import { useMockServer } from '../../support/msw.js';

const server = useMockServer();

const levels = (book: {
  bids: readonly { price: { toFixed(): string } }[];
  asks: readonly { price: { toFixed(): string } }[];
}) => `${book.bids[0]?.price.toFixed() ?? '-'} / ${book.asks[0]?.price.toFixed() ?? '-'}`;

describe('ccxt adapter: market data', () => {
  it('serves no book before the first fetch, then the fetched one, refreshed once older than 1 s', async () => {
    const fake = startFake(server);
    let now = 1_000_000;
    const { broker } = await connect({ now: () => now });
    expect(broker.book('BTC/USDT')).toBeUndefined();
    await vi.waitFor(() => {
      expect(broker.book('BTCUSDT')).toBeDefined();
    });
    expect(levels(broker.book('BTC/USDT') ?? { bids: [], asks: [] })).toBe('100 / 100.1');
    quote(fake, '101.00', '101.10');
    now += 500;
    broker.book('BTC/USDT');
    expect(fake.received('/api/v3/depth')).toHaveLength(1);
    now += 600;
    expect(levels(broker.book('BTC/USDT') ?? { bids: [], asks: [] })).toBe('100 / 100.1');
    await vi.waitFor(() => {
      expect(levels(broker.book('BTC/USDT') ?? { bids: [], asks: [] })).toBe('101 / 101.1');
    });
    expect(fake.received('/api/v3/depth')).toHaveLength(2);
    expect(broker.book('NOSUCH/PAIR')).toBeUndefined();
    await broker.close();
  });

  it('caches the ticker for 1 s', async () => {
    const fake = startFake(server);
    let now = 5_000_000;
    const { broker } = await connect({ now: () => now });
    const first = await broker.ticker('BTC/USDT');
    expect([first.bid?.toFixed(), first.ask?.toFixed()]).toEqual(['100', '100.1']);
    quote(fake, '99.00', '99.10');
    expect((await broker.ticker('BTC/USDT')).bid?.toFixed()).toBe('100');
    now += 1_000;
    expect((await broker.ticker('BTC/USDT')).bid?.toFixed()).toBe('99');
    expect(fake.received('/api/v3/ticker/24hr')).toHaveLength(2);
    await broker.close();
  });
});

describe('ccxt adapter: account reports', () => {
  it('reports balances, the long position and the account at the mid', async () => {
    startFake(server, { cash: { USDT: '10000' } });
    const { broker } = await connect();
    await broker.submit(order('buy', 'buy', 'market', '10'));
    await broker.submit(order('rest', 'buy', 'limit', '5', { limitPrice: '99.00' }));
    const balances = await broker.balances('main');
    // 10 × 100.10 + 1.001 fee = 1002.001 spent; 5 × 99 + 10 bps held for the resting buy.
    expect(balances.map((b) => `${b.currency} ${b.total.toFixed()} ${b.available.toFixed()}`)).toEqual([
      'USDT 8997.999 8502.504',
      'BTC 10 10',
    ]);
    const [account] = await broker.accounts();
    expect(account).toMatchObject({
      accountId: 'main',
      type: 'cash',
      currency: 'USDT',
      tradingBlocked: false,
    });
    expect([account?.cash.toFixed(), account?.buyingPower.toFixed(), account?.equity.toFixed()]).toEqual([
      '8997.999',
      '8502.504',
      '9998.499',
    ]);
    const positions = await broker.positions('main');
    expect(
      positions.map((p) => `${p.symbol} ${p.quantity.toFixed()} @ ${p.avgEntryPrice.toFixed()}`),
    ).toEqual(['BTC/USDT 10 @ 100.1']);
    await broker.close();
  });

  it('talks to the testnet with sandbox on and to the production host with it off', async () => {
    const fake = startFake(server);
    const sandbox = await connect({ sandbox: true });
    const live = await connect({ sandbox: false, mode: 'live', venue: 'ccxt-binance-live' });
    await sandbox.broker.balances('main');
    await live.broker.balances('main');
    expect(fake.received('/api/v3/account').map((r) => r.host)).toEqual([
      'https://testnet.binance.vision',
      'https://api.binance.com',
    ]);
    await sandbox.broker.close();
    await live.broker.close();
  });
});
