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
  /** Account → client order id → order id (one order each: the store's unique key). */
  private readonly ids = new Map<string, Map<string, string>>();
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
    const id = this.ids.get(accountId)?.get(clientOrderId);
    return id === undefined ? undefined : this.byId.get(id);
  }

  /**
   * Saves an order's latest state. Its client order id entries are written when it comes in
   * (an order's account and client order id never change): a later save of an older order leaves
   * the client order id alone naming the newest.
   */
  put(stored: StoredOrder): void {
    const { id, accountId, clientOrderId } = stored.order;
    const known = this.byId.peek(id) !== undefined;
    this.byId.set(id, stored);
    if (known) return;
    let account = this.ids.get(accountId);
    if (account === undefined) {
      account = new Map<string, string>();
      this.ids.set(accountId, account);
    }
    account.set(clientOrderId, id);
    this.clientIds.set(clientOrderId, id);
  }

  /** After an event was saved: the new order state, one event further. */
  advance(orderId: string, order: Order): void {
    const known = this.byId.peek(orderId);
    // Held already: its client order id entries stand; only its state changes.
    if (known !== undefined) this.byId.set(orderId, { ...known, order, eventSeq: known.eventSeq + 1 });
  }

  /** An evicted order's client order id entries, unless a newer order took them over. */
  private forget(orderId: string, stored: StoredOrder): void {
    const { accountId, clientOrderId } = stored.order;
    const account = this.ids.get(accountId);
    if (account?.get(clientOrderId) === orderId) {
      account.delete(clientOrderId);
      if (account.size === 0) this.ids.delete(accountId);
    }
    if (this.clientIds.get(clientOrderId) === orderId) this.clientIds.delete(clientOrderId);
  }
}
