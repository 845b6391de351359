/**
 * The events already reported, so that the stream and the catch-up after a reconnect never report
 * one fact twice. Event ids are deterministic (mapping.ts `eventOf`: Alpaca order id, kind, and the
 * fill's cumulative quantity or the pending request's time), so the key is (client order id,
 * event id): for a fill that is (client order id, kind, fill id). Bounded: the oldest keys go first;
 * a repeat older than that is harmless to the engine (fills are keyed by fill id there too).
 */
import { LRUCache } from 'lru-cache';
import type { OrderEvent } from '../../domain/events.js';

export class SeenEvents {
  private readonly keys: LRUCache<string, true>;

  constructor(capacity = 100_000) {
    this.keys = new LRUCache({ max: capacity });
  }

  /** True the first time an event is offered, false for every repeat. */
  first(event: OrderEvent): boolean {
    const key = `${event.clientOrderId}|${event.eventId}`;
    if (this.keys.has(key)) return false;
    this.keys.set(key, true);
    return true;
  }

  get size(): number {
    return this.keys.size;
  }
}
