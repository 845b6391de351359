/**
 * Immediate time in force and post-only (ORDER-SEMANTICS.md §2.4, §3.1, §3.3): ioc fills what is
 * there and cancels the rest; fok fills everything or nothing; a post-only order that would take
 * is refused, never re-priced.
 */
import { expect } from 'vitest';
import type { ContractSession } from '../contract-session.js';
import { submitRefusal } from '../refusals.js';
import { expectFillIdentity } from './order-types.js';

/** Only 4 offered: an ioc for 10 takes the 4 and cancels the other 6. */
export async function iocPartialFillCancelsRest(s: ContractSession): Promise<void> {
  await s.quote('100.00', '100.10', '50', '4');
  await s.place(s.request('ioc', 'buy', 'limit', '10', { limitPrice: '100.10', timeInForce: 'ioc' }));
  expect(s.kinds('ioc')).toEqual(['ack', 'fill', 'cxl']);
  expect(s.fillSummary('ioc')).toEqual(['4@100.1']);
  expectFillIdentity(s, 'ioc', 'buy');
  const order = await s.order('ioc');
  expect([order.status, order.filledQty.toFixed()]).toEqual(['canceled', '4']);
}

/** Only 4 offered: a fok for 10 is canceled with no fill; a fok for 4 fills whole. */
export async function fokAllOrNothing(s: ContractSession): Promise<void> {
  await s.quote('100.00', '100.10', '50', '4');
  const fok = { limitPrice: '100.10', timeInForce: 'fok' } as const;
  await s.place(s.request('fok-10', 'buy', 'limit', '10', fok));
  expect(s.kinds('fok-10')).toEqual(['ack', 'cxl']);
  const none = await s.order('fok-10');
  expect([none.status, none.filledQty.toFixed()]).toEqual(['canceled', '0']);
  await s.place(s.request('fok-4', 'buy', 'limit', '4', fok));
  expect(s.kinds('fok-4')).toEqual(['ack', 'fill']);
  expect(s.fillSummary('fok-4')).toEqual(['4@100.1']);
  expect((await s.order('fok-4')).status).toBe('filled');
}

/** A post-only buy at the ask would take: refused POST_ONLY_WOULD_TAKE; one below the ask rests. */
export async function postOnlyWouldTakeRejected(s: ContractSession): Promise<void> {
  await s.open();
  const taking = s.request('po-take', 'buy', 'limit', '10', { limitPrice: '100.10', postOnly: true });
  expect(await submitRefusal(s.broker.submit(taking))).toMatchObject({ code: 'POST_ONLY_WOULD_TAKE' });
  await s.subject.settle();
  expect(s.kinds('po-take').filter((k) => k !== 'rej')).toEqual([]);
  const refused = await s.broker.getOrder(s.accountId, 'po-take');
  if (refused !== undefined) expect([refused.status, refused.filledQty.toFixed()]).toEqual(['rejected', '0']);
  await s.place(s.request('po-rest', 'buy', 'limit', '10', { limitPrice: '100.00', postOnly: true }));
  expect(s.kinds('po-rest')).toEqual(['ack']);
  expect((await s.order('po-rest')).status).toBe('new');
}
