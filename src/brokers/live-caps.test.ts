import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../domain/clock.js';
import { dec } from '../domain/decimal.js';
import { InstrumentRegistry } from '../domain/instruments.js';
import { type BrokerCallError, type SubmitRequest } from './broker.js';
import { LiveCapsBroker, orderNotional } from './live-caps.js';
import { PaperBroker } from './paper/paper-broker.js';
import { T_OPEN, bookSnapshot, makeAccount } from './paper/test-support.js';
import { withFaults } from './test-faults.js';

/** A paper venue standing in for the live one: AAPL 100.00 / 100.10, one account. */
async function venue(clock = new SimulatedClock(T_OPEN)): Promise<PaperBroker> {
  const broker = new PaperBroker({
    profile: {
      id: 'live-venue',
      name: 'Live venue',
      description: '',
      assetClasses: ['us_equity'],
      depthScale: dec(1),
      options: {},
      symbolOptions: {},
      accounts: [makeAccount({ id: 'acct', venue: 'live-venue' })],
    },
    instruments: new InstrumentRegistry(),
    clock,
    instanceId: 'caps',
  });
  await broker.connect();
  broker.simulate({
    kind: 'book',
    book: bookSnapshot('AAPL', [['100.00', '500']], [['100.10', '500']], T_OPEN),
  });
  return broker;
}

const order = (id: string, quantity: string, extra: Partial<SubmitRequest> = {}): SubmitRequest => ({
  accountId: 'acct',
  clientOrderId: id,
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: dec(quantity),
  limitPrice: dec('99.00'),
  timeInForce: 'gtc',
  ...extra,
});

async function refusal(call: Promise<unknown>): Promise<BrokerCallError> {
  try {
    await call;
  } catch (error) {
    return error as BrokerCallError;
  }
  throw new Error('expected a refusal');
}

const caps = { maxOrderNotional: dec('1000'), maxDailyNotional: dec('2500') };

describe('LiveCapsBroker', () => {
  it('values priced orders at their price and market orders through the far touch', () => {
    const book = bookSnapshot('AAPL', [['100.00', '5']], [['100.10', '5']], T_OPEN);
    expect(orderNotional(order('a', '10'), book)?.toFixed()).toBe('990');
    const { limitPrice: _, ...priced } = order('m', '10');
    const market = { ...priced, type: 'market' as const };
    expect(orderNotional(market, book)?.toFixed()).toBe('1051.05');
    expect(orderNotional({ ...market, side: 'sell' }, book)?.toFixed()).toBe('1000');
    expect(orderNotional(market, undefined)).toBeUndefined();
  });

  it('refuses an order over the per-order cap without sending it', async () => {
    const inner = await venue();
    const broker = new LiveCapsBroker(inner, caps, { connectionId: 'alpaca-live', now: () => T_OPEN });
    const error = await refusal(broker.submit(order('big', '10.11')));
    expect([error.code, error.outcome]).toEqual(['ORDER_NOTIONAL_LIMIT', 'definitive']);
    expect(error.message).toContain('alpaca-live');
    expect(await inner.getOrder('acct', 'big')).toBeUndefined();
    expect(broker.sentToday().toFixed()).toBe('0');
    await inner.close();
  });

  it('refuses a market order it cannot value', async () => {
    const inner = await venue();
    const broker = new LiveCapsBroker(inner, caps, { connectionId: 'c', now: () => T_OPEN });
    const { limitPrice: _, ...market } = order('m', '1', { symbol: 'MSFT' });
    const error = await refusal(broker.submit({ ...market, type: 'market' }));
    expect(error.message).toContain('cannot be valued');
    expect(error.code).toBe('ORDER_NOTIONAL_LIMIT');
    await inner.close();
  });

  it('counts the day, seeded from what was already sent, and resets the next New York day', async () => {
    let now = T_OPEN;
    const inner = await venue();
    const broker = new LiveCapsBroker(inner, caps, {
      connectionId: 'c',
      now: () => now,
      sentToday: dec('600'),
    });
    expect((await broker.submit(order('one', '10'))).status).toBe('accepted'); // 990
    expect((await broker.submit(order('two', '9'))).status).toBe('accepted'); // 891
    expect(broker.sentToday().toFixed()).toBe('2481');
    const error = await refusal(broker.submit(order('three', '1')));
    expect(error.code).toBe('DAILY_NOTIONAL_LIMIT');
    expect(await inner.getOrder('acct', 'three')).toBeUndefined();
    now = T_OPEN + 24 * 3600_000;
    expect((await broker.submit(order('next-day', '10'))).status).toBe('accepted');
    expect(broker.sentToday().toFixed()).toBe('990');
    await inner.close();
  });

  it('gives back what a definitive refusal did not send, keeps what an unknown outcome may have', async () => {
    const inner = await venue();
    const faulty = withFaults(inner);
    const broker = new LiveCapsBroker(faulty.broker, caps, { connectionId: 'c', now: () => T_OPEN });
    // The venue refuses an instrument it does not list: nothing was sent, nothing counts.
    const refused = await broker.submit(order('refused', '10', { symbol: 'NOSUCH' })).catch(() => undefined);
    expect(refused?.status ?? 'rejected').toBe('rejected');
    expect(broker.sentToday().toFixed()).toBe('0');
    faulty.fail.set('submit', 1);
    expect((await refusal(broker.submit(order('unknown', '10')))).outcome).toBe('ambiguous');
    expect(broker.sentToday().toFixed()).toBe('990');
    await inner.close();
  });

  it('checks a replace that raises the notional, and passes one that lowers it', async () => {
    const inner = await venue();
    const broker = new LiveCapsBroker(inner, caps, { connectionId: 'c', now: () => T_OPEN });
    await broker.submit(order('r', '5')); // 495
    const error = await refusal(
      broker.replace({ accountId: 'acct', clientOrderId: 'r', changes: { quantity: dec('11') } }),
    );
    expect(error.code).toBe('ORDER_NOTIONAL_LIMIT');
    await broker.replace({ accountId: 'acct', clientOrderId: 'r', changes: { quantity: dec('10') } });
    expect(broker.sentToday().toFixed()).toBe('990');
    await broker.replace({ accountId: 'acct', clientOrderId: 'r', changes: { quantity: dec('2') } });
    expect(broker.sentToday().toFixed()).toBe('990');
    await inner.close();
  });
});
