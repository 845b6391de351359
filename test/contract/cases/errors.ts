/**
 * Error mapping (ORDER-SEMANTICS.md §7.1, §7.2, §8.1): a request the venue cannot take is a
 * definitive refusal with the code an agent can act on, never a generic error or VENUE_REJECTED.
 */
import { expect } from 'vitest';
import type { ContractSession } from '../contract-session.js';
import { submitRefusal } from '../refusals.js';

export async function unknownSymbolRefused(s: ContractSession): Promise<void> {
  await s.open();
  const request = s.request('no-symbol', 'buy', 'market', '1', { symbol: 'NOSUCHSYMBOL' });
  expect(await submitRefusal(s.broker.submit(request))).toMatchObject({ code: 'INSTRUMENT_NOT_FOUND' });
  expect((await s.broker.openOrders(s.accountId)).map((o) => o.clientOrderId)).not.toContain('no-symbol');
}

/** Zero and negative quantities are malformed: INVALID_ORDER (§7.2 check 1). */
export async function invalidQuantityRefused(s: ContractSession): Promise<void> {
  await s.open();
  for (const quantity of ['0', '-5']) {
    const id = `qty${quantity}`;
    const request = s.request(id, 'buy', 'limit', quantity, { limitPrice: '99.50' });
    expect(await submitRefusal(s.broker.submit(request))).toMatchObject({ code: 'INVALID_ORDER' });
  }
  await s.subject.settle();
  expect(s.events.filter((e) => e.kind === 'ack' || e.kind === 'fill')).toEqual([]);
}
