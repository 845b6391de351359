/**
 * The venue's native bracket (broker.ts `submitGroup`; ORDER-SEMANTICS.md §4): the exits are held
 * until the entry fills, then work; the take-profit's fill cancels the stop-loss (OCO).
 */
import { expect } from 'vitest';
import type { GroupLeg, GroupSubmitRequest } from '../../../src/brokers/broker.js';
import type { ContractSession, RequestExtra } from '../contract-session.js';

function leg(
  s: ContractSession,
  role: GroupLeg['role'],
  side: GroupLeg['side'],
  type: GroupLeg['type'],
  extra: RequestExtra,
): GroupLeg {
  return { ...s.request(role, side, type, '10', extra), role };
}

/** Buy 10 at 99.50; take profit at 105.00, stop loss at 95.00. */
function bracket(s: ContractSession): GroupSubmitRequest {
  return {
    orderClass: 'bracket',
    accountId: s.accountId,
    legs: [
      leg(s, 'entry', 'buy', 'limit', { limitPrice: '99.50' }),
      leg(s, 'take_profit', 'sell', 'limit', { limitPrice: '105.00', reduceOnly: true }),
      leg(s, 'stop_loss', 'sell', 'stop', { stopPrice: '95.00', reduceOnly: true }),
    ],
  };
}

export async function bracketEntryActivatesExitsAndTakeProfitCancelsStop(s: ContractSession): Promise<void> {
  const submitGroup = s.broker.submitGroup?.bind(s.broker);
  if (submitGroup === undefined || !s.broker.capabilities.nativeContingent.includes('bracket')) {
    throw new Error('the venue has no native bracket: declare a skip for this case');
  }
  await s.open();
  const receipts = await submitGroup(bracket(s));
  await s.subject.settle();
  expect(receipts.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
  expect((await s.order('take_profit')).held).toBe(true);
  expect((await s.order('stop_loss')).held).toBe(true);

  await s.quote('99.40', '99.50');
  expect(s.fillSummary('entry')).toEqual(['10@99.5']);
  for (const exit of ['take_profit', 'stop_loss']) {
    const order = await s.order(exit);
    expect([order.status, order.held ?? false, order.quantity.toFixed()]).toEqual(['new', false, '10']);
  }

  await s.quote('105.00', '105.10');
  expect(s.fillSummary('take_profit')).toEqual(['10@105']);
  expect(s.kinds('stop_loss').at(-1)).toBe('cxl');
  expect((await s.order('stop_loss')).status).toBe('canceled');
  expect((await s.broker.openOrders(s.accountId)).map((o) => o.clientOrderId)).toEqual([]);
  const open = (await s.broker.positions(s.accountId)).filter((p) => p.symbol === s.subject.symbol);
  expect(open.map((p) => p.quantity.toFixed()).filter((q) => q !== '0')).toEqual([]);
}
