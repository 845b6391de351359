/**
 * Cancel, replace and lookups by client order id (broker.ts; ORDER-SEMANTICS.md §1.3, §5, §8.1).
 */
import { expect } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { ContractSession } from '../contract-session.js';
import { requestRefusal, submitRefusal } from '../refusals.js';

/** A buy limit at 99.50 that rests under the opening quote. */
async function restingBuy(s: ContractSession, clientOrderId: string): Promise<void> {
  await s.open();
  await s.place(s.request(clientOrderId, 'buy', 'limit', '10', { limitPrice: '99.50' }));
  expect(s.kinds(clientOrderId)).toEqual(['ack']);
}

export async function cancelRestingYieldsCxl(s: ContractSession): Promise<void> {
  await restingBuy(s, 'rest');
  await s.cancel('rest');
  // A venue may report the cancel as pending first (§1.3 cxl_req).
  expect(s.kinds('rest', ['cxl_req'])).toEqual(['ack', 'cxl']);
  const order = await s.order('rest');
  expect([order.status, order.filledQty.toFixed()]).toEqual(['canceled', '0']);
  expect((await s.broker.openOrders(s.accountId)).map((o) => o.clientOrderId)).not.toContain('rest');
}

/**
 * Canceling a filled order is refused: `cxl_rej` on the stream or a definitive BrokerCallError
 * (which the order service turns into `cxl_rej`), code ORDER_NOT_OPEN; the order stays filled.
 */
export async function cancelFilledRefused(s: ContractSession): Promise<void> {
  await s.open();
  await s.place(s.request('done', 'buy', 'market', '10'));
  const cancel = s.broker.cancel({ accountId: s.accountId, clientOrderId: 'done' });
  expect(await requestRefusal(s, 'done', 'cxl_rej', cancel)).toMatchObject({ code: 'ORDER_NOT_OPEN' });
  expect(s.kinds('done')).not.toContain('cxl');
  const order = await s.order('done');
  expect([order.status, order.filledQty.toFixed()]).toEqual(['filled', '10']);
}

/** Quantity 10 → 6 and price 99.50 → 99.60: `rpl`, the new parameters are the venue's, and they fill. */
export async function replaceRestingLimit(s: ContractSession): Promise<void> {
  await restingBuy(s, 'rpl');
  const changes = { quantity: dec('6'), limitPrice: dec('99.60') };
  await s.broker.replace({ accountId: s.accountId, clientOrderId: 'rpl', changes });
  await s.subject.settle();
  expect(s.kinds('rpl', ['rpl_req'])).toEqual(['ack', 'rpl']);
  const order = await s.order('rpl');
  expect([order.status, order.quantity.toFixed(), order.limitPrice?.toFixed()]).toEqual(['new', '6', '99.6']);
  await s.quote('99.50', '99.60');
  expect(s.fillSummary('rpl')).toEqual(['6@99.6']);
  expect((await s.order('rpl')).status).toBe('filled');
}

export async function getOrderUnknownIsUndefined(s: ContractSession): Promise<void> {
  await restingBuy(s, 'known');
  expect(await s.broker.getOrder(s.accountId, 'never-sent')).toBeUndefined();
  expect((await s.order('known')).clientOrderId).toBe('known');
}

/** A second submit under a used client order id is refused and leaves the first order as it was. */
export async function duplicateClientOrderIdRefused(s: ContractSession): Promise<void> {
  await restingBuy(s, 'dup');
  const again = s.request('dup', 'buy', 'market', '5');
  expect(await submitRefusal(s.broker.submit(again))).toMatchObject({ code: 'DUPLICATE_CLIENT_ORDER_ID' });
  await s.subject.settle();
  expect(s.kinds('dup')).toEqual(['ack']);
  const order = await s.order('dup');
  expect([order.status, order.type, order.quantity.toFixed()]).toEqual(['new', 'limit', '10']);
}
