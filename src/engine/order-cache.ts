import { LRUCache } from 'lru-cache';
import type { Order } from '../domain/order.js';
import type { StoredOrder } from './ports.js';

/**
 * The latest saved state of recently used orders, bounded (least recently saved or read first out).
 * Saves a store read on every command's reply and every venue event; a miss falls back to the store.
 * An LRU cache, not a Map trimmed from its front: V8 skips a Map's deleted leading entries on every
 * new iteration, so evicting its oldest key costs time in proportion to the keys evicted before
 * (15 µs a put at 20,000 orders, several times an order).
 */
export class OrderCache {
  private readonly byId: LRUCache<string, StoredOrder>;
  private readonly ids = new Map<string, string>();
  /** Client order id alone → order id (the newest order that used it, in any account). */
  private readonly clientIds = new Map<string, string>();

  constructor(capacity = 20_000) {
    this.byId = new LRUCache({
      max: capacity,
      dispose: (stored, orderId, reason) => {
        if (reason === 'evict') this.forget(orderId, stored);
      },
    });
  }

  get(orderId: string): StoredOrder | undefined {
    return this.byId.get(orderId);
  }

  byClientOnly(clientOrderId: string): StoredOrder | undefined {
    const id = this.clientIds.get(clientOrderId);
    return id === undefined ? undefined : this.byId.get(id);
  }

  byClient(accountId: string, clientOrderId: string): StoredOrder | undefined {
    const id = this.ids.get(`${accountId}|${clientOrderId}`);
    return id === undefined ? undefined : this.byId.get(id);
  }

  put(stored: StoredOrder): void {
    this.byId.set(stored.order.id, stored);
    this.ids.set(`${stored.order.accountId}|${stored.order.clientOrderId}`, stored.order.id);
    this.clientIds.set(stored.order.clientOrderId, stored.order.id);
  }

  /** After an event was saved: the new order state, one event further. */
  advance(orderId: string, order: Order): void {
    const known = this.byId.peek(orderId);
    if (known !== undefined) this.put({ ...known, order, eventSeq: known.eventSeq + 1 });
  }

  /** An evicted order's client order id entries, unless a newer order took them over. */
  private forget(orderId: string, stored: StoredOrder): void {
    const key = `${stored.order.accountId}|${stored.order.clientOrderId}`;
    if (this.ids.get(key) === orderId) this.ids.delete(key);
    if (this.clientIds.get(stored.order.clientOrderId) === orderId)
      this.clientIds.delete(stored.order.clientOrderId);
  }
}
