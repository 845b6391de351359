/**
 * Declared capabilities (STYLE.md habit 3) and what happens to a request outside them: a type or
 * time in force the venue lacks is a definitive INVALID_ORDER (§2.1, §3.1), and nothing is working.
 */
import { expect } from 'vitest';
import { ALLOWED_TIF } from '../../../src/domain/order-validation.js';
import { ORDER_TYPES, type OrderType, TIME_IN_FORCE } from '../../../src/domain/order.js';
import type { ContractSession, RequestExtra } from '../contract-session.js';
import { submitRefusal } from '../refusals.js';

/** Prices far from the opening quote, so that an accepted order would only rest. */
const FIELDS_BY_TYPE: Readonly<Record<OrderType, RequestExtra>> = {
  market: {},
  limit: { limitPrice: '90.00' },
  stop: { stopPrice: '110.00' },
  stop_limit: { stopPrice: '110.00', limitPrice: '110.50' },
  trailing_stop: { trailPrice: '5.00' },
  market_if_touched: { triggerPrice: '90.00' },
  limit_if_touched: { triggerPrice: '90.00', limitPrice: '89.50' },
};

export function capabilitiesDeclared(s: ContractSession): void {
  const caps = s.broker.capabilities;
  const declared = s.subject.declared ?? {};
  expect(caps.assetClasses.length).toBeGreaterThan(0);
  expect(caps.orderTypes).toEqual(expect.arrayContaining(['market', 'limit']));
  expect(ORDER_TYPES).toEqual(expect.arrayContaining([...caps.orderTypes]));
  expect(TIME_IN_FORCE).toEqual(expect.arrayContaining([...caps.timeInForce]));
  expect(new Set(caps.orderTypes).size).toBe(caps.orderTypes.length);
  expect(caps.fees.makerBps.isNegative() || caps.fees.takerBps.isNegative()).toBe(false);
  if (caps.symbols !== undefined) expect(caps.symbols).toContain(s.subject.symbol);
  if (declared.assetClasses) expect(caps.assetClasses).toEqual(declared.assetClasses);
  if (declared.orderTypes) expect(caps.orderTypes).toEqual(declared.orderTypes);
  if (declared.timeInForce) expect(caps.timeInForce).toEqual(declared.timeInForce);
  if (declared.fees) {
    const fees = { makerBps: caps.fees.makerBps.toFixed(), takerBps: caps.fees.takerBps.toFixed() };
    expect(fees).toEqual(declared.fees);
  }
}

export async function unsupportedOrderTypeRefused(s: ContractSession): Promise<void> {
  const type = ORDER_TYPES.find((t) => !s.broker.capabilities.orderTypes.includes(t));
  if (type === undefined)
    throw new Error('the venue declares every order type: declare a skip for this case');
  await s.open();
  const request = s.request('unsupported-type', 'buy', type, '1', FIELDS_BY_TYPE[type]);
  expect(await submitRefusal(s.broker.submit(request))).toMatchObject({ code: 'INVALID_ORDER' });
  await expectNothingWorking(s, 'unsupported-type');
}

/** A time in force the venue does not declare or, when it declares them all, one the type lacks (§3.1). */
export async function unsupportedTimeInForceRefused(s: ContractSession): Promise<void> {
  const undeclared = TIME_IN_FORCE.find((t) => !s.broker.capabilities.timeInForce.includes(t));
  const type: OrderType = undeclared === undefined ? 'stop' : 'limit';
  const tif = undeclared ?? TIME_IN_FORCE.find((t) => !ALLOWED_TIF.stop.includes(t));
  await s.open();
  const request = s.request('unsupported-tif', 'buy', type, '1', {
    ...FIELDS_BY_TYPE[type],
    ...(tif === undefined ? {} : { timeInForce: tif }),
  });
  expect(await submitRefusal(s.broker.submit(request))).toMatchObject({ code: 'INVALID_ORDER' });
  await expectNothingWorking(s, 'unsupported-tif');
}

/** A refused request left nothing working: no ack or fill, no open order. */
async function expectNothingWorking(s: ContractSession, clientOrderId: string): Promise<void> {
  await s.subject.settle();
  expect(s.kinds(clientOrderId).filter((k) => k === 'ack' || k === 'fill')).toEqual([]);
  expect((await s.broker.openOrders(s.accountId)).map((o) => o.clientOrderId)).not.toContain(clientOrderId);
  const order = await s.broker.getOrder(s.accountId, clientOrderId);
  if (order !== undefined) expect(order.status).toBe('rejected');
}
