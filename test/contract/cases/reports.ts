/**
 * Reconciliation reports (broker.ts; ORDER-SEMANTICS.md §6, §8.3): open orders, orders and fills
 * since a time, positions and balances are the venue's own record of what the stream said, so that
 * an engine that lost the stream can rebuild from them alone.
 */
import { expect } from 'vitest';
import { BPS, type Decimal, ZERO, dec, sumDec } from '../../../src/domain/decimal.js';
import type { Fill } from '../../../src/domain/events.js';
import type { ContractSession } from '../contract-session.js';

const ids = (fills: readonly Fill[]): string[] => fills.map((f) => f.fillId).sort();

/** Every field a reconciler keys or books on. */
const fillRecord = (f: Fill): string =>
  [f.fillId, f.clientOrderId, f.venueOrderId, f.side, f.quantity, f.price, f.fee, f.feeCurrency, f.liquidity]
    .map(String)
    .join(' ');

export async function openOrdersListResting(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('rest-1', 'buy', 'limit', '10', { limitPrice: '99.50' }));
  await s.place(s.request('rest-2', 'buy', 'limit', '10', { limitPrice: '99.40' }));
  await s.place(s.request('gone', 'buy', 'market', '10'));
  await s.cancel('rest-2');
  const open = await s.broker.openOrders(s.accountId);
  expect(open.map((o) => o.clientOrderId)).toEqual(['rest-1']);
  const [order] = open;
  expect(order).toMatchObject({
    accountId: s.accountId,
    symbol: s.subject.symbol,
    side: 'buy',
    type: 'limit',
  });
  expect([
    order?.status,
    order?.quantity.toFixed(),
    order?.limitPrice?.toFixed(),
    order?.filledQty.toFixed(),
  ]).toEqual(['new', '10', '99.5', '0']);
  expect(order?.venueOrderId).toBeTruthy();
}

/** Two fills a second apart and a resting order: `since` splits them by venue time. */
export async function ordersAndFillsSince(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('early', 'buy', 'market', '10'));
  await s.advance(1_000);
  await s.place(s.request('late', 'buy', 'market', '5'));
  await s.place(s.request('waiting', 'buy', 'limit', '10', { limitPrice: '99.50' }));
  expect(ids(await s.broker.fillsSince(s.accountId, 0))).toEqual(ids(s.fills()));
  const afterEarly = Math.max(...s.fills('early').map((f) => f.ts)) + 1;
  expect(ids(await s.broker.fillsSince(s.accountId, afterEarly))).toEqual(ids(s.fills('late')));
  const orders = await s.broker.ordersSince(s.accountId, 0);
  const seen = orders.map((o) => `${o.clientOrderId} ${o.status} ${o.filledQty.toFixed()}`).sort();
  expect(seen).toEqual(['early filled 10', 'late filled 5', 'waiting new 0']);
  const afterAll = Math.max(...orders.map((o) => o.updatedAt)) + 1;
  expect(await s.broker.ordersSince(s.accountId, afterAll)).toEqual([]);
}

/** Fills with different paths (taker, ioc remainder, maker, stop) all come back from `fillsSince`. */
export async function fillsRecoverableByPolling(s: ContractSession): Promise<void> {
  await s.quote('100.00', '100.10', '50', '14');
  await s.place(s.request('taker', 'buy', 'market', '10'));
  await s.place(s.request('ioc', 'buy', 'limit', '10', { limitPrice: '100.10', timeInForce: 'ioc' }));
  await s.place(s.request('maker', 'buy', 'limit', '3', { limitPrice: '99.50' }));
  await s.place(s.request('stop', 'buy', 'stop', '2', { stopPrice: '100.50' }));
  await s.quote('99.40', '99.50');
  await s.quote('100.50', '100.60');
  expect(s.fills().map((f) => f.clientOrderId)).toEqual(['taker', 'ioc', 'maker', 'stop']);
  const polled = await s.broker.fillsSince(s.accountId, 0);
  expect(polled.map(fillRecord).sort()).toEqual(s.fills().map(fillRecord).sort());
}

const positionOf = async (s: ContractSession): Promise<string[]> =>
  (await s.broker.positions(s.accountId))
    .filter((p) => p.symbol === s.subject.symbol)
    .map((p) => `${p.quantity.toFixed()} @ ${p.avgEntryPrice.toFixed()}`);

/** 10 @ 100.10 + 5 @ 100.40 = 15 @ 100.20; selling 5 reduces at the same average (§6.2). */
export async function positionsReflectFills(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('buy-10', 'buy', 'market', '10'));
  await s.quote('100.30', '100.40');
  await s.place(s.request('buy-5', 'buy', 'market', '5'));
  expect(await positionOf(s)).toEqual(['15 @ 100.2']);
  await s.place(s.request('sell-5', 'sell', 'market', '5'));
  expect(s.fillSummary('sell-5')).toEqual(['5@100.3']);
  expect(await positionOf(s)).toEqual(['10 @ 100.2']);
}

/** A sell from flat opens a short: the quantity is signed, and a buy reduces it at the same average. */
export async function positionsSignedShort(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('short-10', 'sell', 'market', '10'));
  expect(await positionOf(s)).toEqual(['-10 @ 100']);
  await s.place(s.request('cover-4', 'buy', 'market', '4'));
  expect(await positionOf(s)).toEqual(['-6 @ 100']);
}

/** The fee of a fill at the declared rate for its liquidity side (§6.2). */
function declaredFee(s: ContractSession, f: Fill): Decimal {
  const bps =
    f.liquidity === 'maker' ? s.broker.capabilities.fees.makerBps : s.broker.capabilities.fees.takerBps;
  return f.quantity.times(f.price).times(bps).div(BPS);
}

/** One balance's total and available amount, as strings. */
async function balance(s: ContractSession, currency: string): Promise<{ total: string; available: string }> {
  const found = (await s.broker.balances(s.accountId)).find((b) => b.currency === currency);
  return { total: found?.total.toFixed() ?? 'none', available: found?.available.toFixed() ?? 'none' };
}

/**
 * Cash moves by notional plus fees; fees follow the declared rates; with no order open, available
 * equals total; the account's cash is that balance and its equity marks the position at the mid.
 */
export async function balancesAndAccountsConsistent(s: ContractSession): Promise<void> {
  await s.open();
  const before = await s.broker.balances(s.accountId);
  await s.place(s.request('hold', 'buy', 'limit', '10', { limitPrice: '99.50' }));
  await s.place(s.request('spend', 'buy', 'market', '10'));
  const fills = s.fills('spend');
  const currency = fills[0]?.feeCurrency ?? 'none';
  const holding = await balance(s, currency);
  expect(dec(holding.available).lessThanOrEqualTo(holding.total)).toBe(true);
  await s.cancel('hold');
  for (const f of fills) expect(f.fee.toFixed()).toBe(declaredFee(s, f).toFixed());
  const spent = sumDec(fills.map((f) => f.quantity.times(f.price).plus(f.fee)));
  const start = before.find((b) => b.currency === currency)?.total ?? ZERO;
  const after = await balance(s, currency);
  expect(after).toEqual({ total: start.minus(spent).toFixed(), available: start.minus(spent).toFixed() });
  const account = (await s.broker.accounts()).find((a) => a.accountId === s.accountId);
  expect([account?.currency, account?.cash.toFixed()]).toEqual([currency, after.total]);
  const mid = dec('100.05'); // of the opening quote, 100.00 / 100.10
  expect(account?.equity.toFixed()).toBe(dec(after.total).plus(mid.times(10)).toFixed());
}
