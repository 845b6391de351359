import { describe, expect, it } from 'vitest';
import { makeOrder } from '../domain/test-support.js';
import { OrderCache } from './order-cache.js';
import type { OrderMeta, StoredOrder } from './ports.js';

const META: OrderMeta = { agentId: 'agent-1', orderClass: 'simple', requestHash: 'h' };

const stored = (id: string, clientOrderId: string, accountId = 'acc-1'): StoredOrder => ({
  order: makeOrder({ id, clientOrderId, accountId }),
  meta: META,
  eventSeq: 1,
});

describe('OrderCache', () => {
  it('forgets the least recently used order past its capacity, with its client order ids', () => {
    const cache = new OrderCache(2);
    cache.put(stored('o1', 'c1'));
    cache.put(stored('o2', 'c2'));
    expect(cache.get('o1')?.order.id).toBe('o1'); // o1 is now the more recently used
    cache.put(stored('o3', 'c3'));

    expect(cache.get('o2')).toBeUndefined();
    expect(cache.byClient('acc-1', 'c2')).toBeUndefined();
    expect(cache.byClientOnly('c2')).toBeUndefined();
    expect(cache.byClient('acc-1', 'c1')?.order.id).toBe('o1');
    expect(cache.byClientOnly('c3')?.order.id).toBe('o3');
  });

  it('an evicted order leaves alone a client order id a newer order has taken over', () => {
    const cache = new OrderCache(2);
    cache.put(stored('o1', 'shared', 'acc-1'));
    cache.put(stored('o2', 'shared', 'acc-2'));
    cache.put(stored('o3', 'other'));

    // o1 is gone; "shared" alone now names o2 (acc-2), which is still cached.
    expect(cache.get('o1')).toBeUndefined();
    expect(cache.byClient('acc-1', 'shared')).toBeUndefined();
    expect(cache.byClientOnly('shared')?.order.id).toBe('o2');
    expect(cache.byClient('acc-2', 'shared')?.order.id).toBe('o2');
  });

  it('an order saved again is one entry, its newest state, and counts as recently used', () => {
    const cache = new OrderCache(2);
    cache.put(stored('o1', 'c1'));
    cache.put(stored('o2', 'c2'));
    cache.advance('o1', makeOrder({ id: 'o1', clientOrderId: 'c1', status: 'canceled' }));
    cache.put(stored('o3', 'c3'));

    expect(cache.get('o1')).toMatchObject({ order: { status: 'canceled' }, eventSeq: 2 });
    expect(cache.get('o2')).toBeUndefined();
    expect(cache.byClientOnly('c1')?.order.status).toBe('canceled');
  });

  it('a client order id alone names the newest order that used it, even after the older one is saved again', () => {
    const cache = new OrderCache(10);
    cache.put(stored('o1', 'shared', 'acc-1'));
    cache.put(stored('o2', 'shared', 'acc-2'));
    cache.advance(
      'o1',
      makeOrder({ id: 'o1', clientOrderId: 'shared', accountId: 'acc-1', status: 'filled' }),
    );

    expect(cache.byClientOnly('shared')?.order.id).toBe('o2');
    expect(cache.byClient('acc-1', 'shared')?.order.status).toBe('filled');
  });

  it('advance changes nothing for an order it does not hold', () => {
    const cache = new OrderCache(2);
    cache.advance('o9', makeOrder({ id: 'o9' }));
    expect(cache.get('o9')).toBeUndefined();
  });
});
