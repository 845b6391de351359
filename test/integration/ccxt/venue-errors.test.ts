/**
 * Refusals and failures through the whole stack (ccxt's binance class, msw, the fake): what is
 * definitive and what is ambiguous (ORDER-SEMANTICS.md §8.1), the codes, what reaches the
 * stream, that refused requests cost no call, and that no credential is ever printed.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BrokerCallError, type SubmitReceipt } from '../../../src/brokers/broker.js';
import { createCcxtExchange } from '../../../src/brokers/ccxt/index.js';
import { isTradingError } from '../../../src/domain/errors.js';
import { FAKE_BINANCE_CREDENTIALS } from '../../support/fake-binance/index.js';
import { connect, order, startFake } from '../../support/fake-binance/harness.js';
import { useMockServer } from '../../support/msw.js';

const server = useMockServer();

/** The refusal a call ended with: `outcome code`, or what it answered. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    const receipt = (await call) as SubmitReceipt | undefined;
    if (receipt === undefined) return 'done';
    return receipt.status === 'rejected' ? `receipt ${receipt.code}` : 'accepted';
  } catch (error) {
    if (error instanceof BrokerCallError) return `${error.outcome} ${error.code}`;
    throw error;
  }
}

describe('ccxt adapter: venue refusals', () => {
  it('answers an order the venue refuses with a rejected receipt and a rej on the stream', async () => {
    const fake = startFake(server, { cash: { USDT: '500' } });
    const { broker, kinds } = await connect();
    expect(await outcome(broker.submit(order('poor', 'buy', 'limit', '10', { limitPrice: '99.50' })))).toBe(
      'receipt INSUFFICIENT_BUYING_POWER',
    );
    expect(kinds('poor')).toEqual(['rej']);
    const stop = order('in-market', 'buy', 'stop_limit', '1', { stopPrice: '100.00', limitPrice: '100.20' });
    expect(await outcome(broker.submit(stop))).toBe('receipt STOP_IN_MARKET');
    expect(
      await outcome(
        broker.submit(order('taking', 'buy', 'limit', '1', { limitPrice: '100.10', postOnly: true })),
      ),
    ).toBe('receipt POST_ONLY_WOULD_TAKE');
    expect(fake.received('/api/v3/order', 'POST')).toHaveLength(3);
    expect(await broker.getOrder('main', 'poor')).toBeUndefined();
    await broker.close();
  });

  it('throws a duplicate client order id the venue refuses, with nothing on the stream', async () => {
    startFake(server);
    const first = await connect();
    await first.broker.submit(order('dup', 'buy', 'limit', '1', { limitPrice: '99.50' }));
    const second = await connect();
    expect(await outcome(second.broker.submit(order('dup', 'buy', 'market', '1')))).toBe(
      'definitive DUPLICATE_CLIENT_ORDER_ID',
    );
    expect(second.kinds('dup')).toEqual([]);
    await first.broker.close();
    await second.broker.close();
  });

  it('refuses what it cannot send without a call', async () => {
    const fake = startFake(server);
    const { broker } = await connect();
    const before = fake.requests.length;
    expect(await outcome(broker.submit(order('stop', 'buy', 'stop', '1', { stopPrice: '110.00' })))).toBe(
      'definitive INVALID_ORDER',
    );
    expect(
      await outcome(
        broker.submit(order('day', 'buy', 'limit', '1', { limitPrice: '99.50', timeInForce: 'day' })),
      ),
    ).toBe('definitive INVALID_ORDER');
    expect(await outcome(broker.submit(order('zero', 'buy', 'limit', '0', { limitPrice: '99.50' })))).toBe(
      'definitive INVALID_ORDER',
    );
    expect(await outcome(broker.submit(order('tick', 'buy', 'limit', '1', { limitPrice: '99.505' })))).toBe(
      'definitive PRICE_PRECISION',
    );
    expect(await outcome(broker.submit(order('nosym', 'buy', 'market', '1', { symbol: 'DOGE/EUR' })))).toBe(
      'definitive INSTRUMENT_NOT_FOUND',
    );
    expect(await outcome(broker.replace({ accountId: 'main', clientOrderId: 'x', changes: {} }))).toBe(
      'definitive INVALID_ORDER',
    );
    expect(
      await outcome(broker.submit({ ...order('other', 'buy', 'market', '1'), accountId: 'other' })),
    ).toBe('definitive NOT_FOUND');
    expect(fake.requests.length).toBe(before);
    await broker.close();
  });

  it('refuses a cancel of an unknown order (NOT_FOUND_AT_VENUE) and of a done one (ORDER_NOT_OPEN)', async () => {
    startFake(server);
    const { broker, kinds } = await connect();
    expect(await outcome(broker.cancel({ accountId: 'main', clientOrderId: 'never' }))).toBe(
      'definitive NOT_FOUND_AT_VENUE',
    );
    await broker.submit(order('done', 'buy', 'market', '1'));
    expect(await outcome(broker.cancel({ accountId: 'main', clientOrderId: 'done' }))).toBe(
      'definitive ORDER_NOT_OPEN',
    );
    const restarted = await connect();
    expect(await outcome(restarted.broker.cancel({ accountId: 'main', clientOrderId: 'done' }))).toBe(
      'definitive ORDER_NOT_OPEN',
    );
    expect(kinds('done')).toEqual(['ack', 'fill']);
    await broker.close();
    await restarted.broker.close();
  });
});

describe('ccxt adapter: failures', () => {
  it('is ambiguous on a 5xx; the order is then found (or not) by its client order id', async () => {
    const fake = startFake(server);
    const { broker, kinds } = await connect();
    fake.faults.failNext(1, { path: '/api/v3/order', method: 'POST' });
    expect(await outcome(broker.submit(order('lost', 'buy', 'limit', '1', { limitPrice: '99.50' })))).toBe(
      'ambiguous BROKER_UNAVAILABLE',
    );
    expect(await broker.getOrder('main', 'lost')).toBeUndefined();

    fake.faults.failNext(1, { path: '/api/v3/order', method: 'POST', afterProcessing: true });
    expect(await outcome(broker.submit(order('made', 'buy', 'limit', '1', { limitPrice: '99.50' })))).toBe(
      'ambiguous BROKER_UNAVAILABLE',
    );
    expect((await broker.getOrder('main', 'made'))?.status).toBe('new');
    await broker.poll();
    expect(kinds('made')).toEqual(['ack']);
    await broker.close();
  });

  it('is ambiguous on a timeout', async () => {
    const fake = startFake(server);
    const { broker } = await connect({ timeoutMs: 50 });
    fake.faults.delayMs = 300;
    expect(await outcome(broker.submit(order('slow', 'buy', 'market', '1')))).toBe(
      'ambiguous BROKER_UNAVAILABLE',
    );
    fake.faults.clear();
    await broker.close();
  });

  it('is a definitive RATE_LIMITED on a 429: nothing was placed', async () => {
    const fake = startFake(server);
    const { broker } = await connect();
    fake.faults.rateLimitNext(1, 2);
    expect(await outcome(broker.submit(order('limited', 'buy', 'market', '1')))).toBe(
      'definitive RATE_LIMITED',
    );
    expect(await broker.getOrder('main', 'limited')).toBeUndefined();
    await broker.close();
  });

  it('signs with its secret: a wrong one is refused UNAUTHORIZED, and never printed', async () => {
    const fake = startFake(server);
    const secret = 'the-wrong-secret-Qm7';
    const { broker } = await connect({ credentials: { apiKey: FAKE_BINANCE_CREDENTIALS.apiKey, secret } });
    let caught: unknown;
    try {
      await broker.submit(order('unsigned', 'buy', 'market', '1'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BrokerCallError);
    const error = caught as BrokerCallError;
    expect([error.outcome, error.code]).toEqual(['definitive', 'UNAUTHORIZED']);
    const printed = [error.message, inspect(error, { depth: 10 }), JSON.stringify(error.toBody())].join('\n');
    const apiKey = FAKE_BINANCE_CREDENTIALS.apiKey;
    for (const hidden of [secret, apiKey, 'signature=']) expect(printed).not.toContain(hidden);
    expect(fake.received('/api/v3/order', 'POST')).toHaveLength(1);
    await broker.close();
  });

  it('keeps its credentials out of JSON, inspect and strings', async () => {
    startFake(server);
    const { broker } = await connect();
    const printed = [
      JSON.stringify(broker),
      inspect(broker, { depth: Infinity, showHidden: true }),
      String(broker),
      inspect({ broker }, { depth: Infinity }),
    ].join('\n');
    for (const hidden of Object.values(FAKE_BINANCE_CREDENTIALS)) expect(printed).not.toContain(hidden);
    expect(JSON.parse(JSON.stringify(broker))).toEqual({
      venue: 'ccxt-binance-paper',
      kind: 'ccxt',
      mode: 'paper',
      exchangeId: 'binance',
      accountId: 'main',
    });
    await broker.close();
  });

  it("refuses to connect an exchange that lacks a method the adapter needs (ccxt's has map)", async () => {
    startFake(server);
    const exchange = createCcxtExchange({
      exchangeId: 'binance',
      sandbox: true,
      credentials: FAKE_BINANCE_CREDENTIALS,
    });
    exchange.has['fetchMyTrades'] = false;
    let caught: unknown;
    try {
      await connect({ exchange });
    } catch (error) {
      caught = error;
    }
    expect(isTradingError(caught, 'CONFIG_INVALID')).toBe(true);
    expect(() => createCcxtExchange({ exchangeId: 'nosuchexchange', sandbox: false })).toThrow(
      /ccxt has no exchange/,
    );
  });
});
