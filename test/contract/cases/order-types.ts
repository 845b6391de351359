/**
 * The order types through the port (ORDER-SEMANTICS.md §2): events in order (ack before fills,
 * trig before a stop_limit's fills), fill ids unique, quantities summing to the order's, prices
 * from the book the case set. Every order here is a buy, so no case needs shorting.
 */
import { expect } from 'vitest';
import { sumDec } from '../../../src/domain/decimal.js';
import type { Side } from '../../../src/domain/order.js';
import type { ContractSession } from '../contract-session.js';

/** The streamed fills of one order name it, its account, symbol and side, with distinct ids. */
export function expectFillIdentity(s: ContractSession, clientOrderId: string, side: Side): void {
  const fills = s.fills(clientOrderId);
  for (const f of fills) {
    expect(f).toMatchObject({ clientOrderId, accountId: s.accountId, symbol: s.subject.symbol, side });
  }
  expect(new Set(fills.map((f) => f.fillId)).size).toBe(fills.length);
}

export async function marketBuyFills(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('mkt', 'buy', 'market', '10'));
  expect(s.kinds('mkt')[0]).toBe('ack');
  expect(
    s
      .kinds('mkt')
      .slice(1)
      .every((k) => k === 'fill'),
  ).toBe(true);
  expect(sumDec(s.fills('mkt').map((f) => f.quantity)).toFixed()).toBe('10');
  expect(s.fills('mkt').map((f) => f.price.toFixed())).toEqual(s.fills('mkt').map(() => '100.1'));
  expectFillIdentity(s, 'mkt', 'buy');
  const order = await s.order('mkt');
  expect([order.status, order.filledQty.toFixed(), order.avgFillPrice?.toFixed()]).toEqual([
    'filled',
    '10',
    '100.1',
  ]);
}

export async function limitRestsThenFills(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('lmt', 'buy', 'limit', '10', { limitPrice: '99.50' }));
  await s.quote('99.50', '99.60'); // closer, not there yet
  expect(s.kinds('lmt')).toEqual(['ack']);
  expect((await s.order('lmt')).status).toBe('new');
  await s.quote('99.40', '99.50');
  expect(s.kinds('lmt')).toEqual(['ack', 'fill']);
  expect(s.fillSummary('lmt')).toEqual(['10@99.5']);
  expectFillIdentity(s, 'lmt', 'buy');
  expect((await s.order('lmt')).status).toBe('filled');
}

/** A buy stop triggers when the ask reaches it (§2.2) and fills as a market order. */
export async function stopTriggersAndFills(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('stp', 'buy', 'stop', '10', { stopPrice: '101.00' }));
  await s.quote('100.80', '100.90');
  expect(s.kinds('stp')).toEqual(['ack']);
  await s.quote('101.00', '101.10');
  // `trig` is optional for market-style stops (§1.1).
  expect(s.kinds('stp', ['trig'])).toEqual(['ack', 'fill']);
  expect(s.fillSummary('stp')).toEqual(['10@101.1']);
  expectFillIdentity(s, 'stp', 'buy');
  expect((await s.order('stp')).status).toBe('filled');
}

/** Triggered above its limit, it rests as `triggered`; it fills at its limit when the ask comes back. */
export async function stopLimitTriggersThenFills(s: ContractSession): Promise<void> {
  await s.open();
  const extra = { stopPrice: '101.00', limitPrice: '101.20' };
  await s.place(s.request('stl', 'buy', 'stop_limit', '10', extra));
  await s.quote('101.20', '101.30');
  expect(s.kinds('stl')).toEqual(['ack', 'trig']);
  expect((await s.order('stl')).status).toBe('triggered');
  await s.quote('101.00', '101.15');
  expect(s.kinds('stl')).toEqual(['ack', 'trig', 'fill']);
  expect(s.fillSummary('stl')).toEqual(['10@101.2']);
  expectFillIdentity(s, 'stl', 'buy');
  expect((await s.order('stl')).status).toBe('filled');
}

/**
 * A buy trailing 1.00 behind the ask (§2.3): its stop starts at 101.10, ratchets down to 100.10
 * when the ask falls to 99.10, then triggers when the ask rises to 100.20.
 */
export async function trailingStopTriggersAndFills(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('trl', 'buy', 'trailing_stop', '10', { trailPrice: '1.00' }));
  await s.quote('99.00', '99.10');
  expect(s.kinds('trl', ['upd'])).toEqual(['ack']);
  expect((await s.order('trl')).currentStop?.toFixed()).toBe('100.1');
  await s.quote('100.10', '100.20');
  expect(s.kinds('trl', ['upd', 'trig'])).toEqual(['ack', 'fill']);
  expect(s.fillSummary('trl')).toEqual(['10@100.2']);
  expectFillIdentity(s, 'trl', 'buy');
  expect((await s.order('trl')).status).toBe('filled');
}
