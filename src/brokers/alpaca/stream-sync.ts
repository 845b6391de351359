/**
 * From trade updates to VenueEvents, gap-free across reconnects. Every update is checked, mapped
 * under our client order id and offered once (SeenEvents). After each reconnect a catch-up reads
 * what the gap may have hidden: orders submitted since the last event (less a margin for clock
 * skew), the orders last seen open (an order submitted earlier can have been canceled or filled
 * meanwhile) and FILL activities since then. While it runs, live updates wait in a buffer, so that
 * missed events come out before the newer ones.
 */
import type { OrderChanges, OrderEvent } from '../../domain/events.js';
import type { VenueEventListener } from '../broker.js';
import { catchUpEvents } from './catch-up.js';
import { eventOf, eventsOfTradeUpdate } from './mapping.js';
import type { OrderIds } from './order-ids.js';
import type { OrderLookup } from './order-lookup.js';
import { SeenEvents } from './seen-events.js';
import { revisionOf } from './client-ids.js';
import { optionalTimeOf, timeOf } from './values.js';
import { type AlpacaOrder, type AlpacaTradeUpdate, tradeUpdateSchema } from './wire.js';

/** How far before the last event a catch-up starts reading: venue and local clocks differ a little. */
export const CATCH_UP_MARGIN_MS = 5000;

export interface StreamSyncDeps {
  readonly venue: string;
  readonly accountId: string;
  readonly ids: OrderIds;
  readonly lookup: OrderLookup;
  /** The changes of replaces sent and not yet confirmed, by our client order id. */
  readonly pendingReplaces: Map<string, OrderChanges>;
  readonly now: () => number;
  readonly onError: (message: string) => void;
}

export class StreamSync {
  private readonly deps: StreamSyncDeps;
  private readonly listeners = new Set<VenueEventListener>();
  private readonly seen = new SeenEvents();
  /** Live updates held back while a catch-up runs. */
  private buffer: AlpacaTradeUpdate[] | undefined;
  /** Local time the stream first listened: where a catch-up starts when no event came yet. */
  private watermark: number | undefined;
  /**
   * Venue time of the last event heard. A catch-up starts from it when there is one, so that a venue
   * whose clock is not ours (a fake broker on a simulated clock, a skewed host) misses nothing.
   */
  private lastEventAt: number | undefined;
  private running: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;

  constructor(deps: StreamSyncDeps) {
    this.deps = deps;
  }

  subscribe(listener: VenueEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves once no catch-up is running or queued. */
  async idle(): Promise<void> {
    while (this.queued > 0) await this.running;
  }

  close(): void {
    this.closed = true;
  }

  /** One trade_updates frame's `data`, as the SDK handed it over. */
  onUpdate(data: unknown): void {
    if (this.closed) return;
    const parsed = tradeUpdateSchema.safeParse(data);
    if (!parsed.success) {
      this.deps.onError(`Alpaca sent a trade update this adapter cannot read: ${parsed.error.message}`);
      return;
    }
    if (this.buffer !== undefined) this.buffer.push(parsed.data);
    else this.apply(parsed.data);
  }

  /** The stream listens: the first time, the watermark starts; after a reconnect, a catch-up runs. */
  onListening(again: boolean): void {
    if (this.closed) return;
    if (!again) {
      this.watermark ??= this.deps.now();
      return;
    }
    const since = (this.lastEventAt ?? this.watermark ?? this.deps.now()) - CATCH_UP_MARGIN_MS;
    this.buffer ??= [];
    this.queued += 1;
    this.running = this.running.then(() => this.catchUp(since));
  }

  private async catchUp(since: number): Promise<void> {
    try {
      const events = await this.missed(since);
      if (!this.closed) this.publish(events);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.onError(
        `Alpaca catch-up after a reconnect failed; reconciliation will resolve the gap: ${message}`,
      );
    } finally {
      this.queued -= 1;
      if (this.queued === 0) this.flush();
    }
  }

  private flush(): void {
    const held = this.buffer ?? [];
    this.buffer = undefined;
    for (const update of held) if (!this.closed) this.apply(update);
  }

  private async missed(since: number): Promise<OrderEvent[]> {
    const { lookup, ids } = this.deps;
    const byId = await lookup.changedSince(since);
    const resolved = [...byId.values()].map(({ order, parent }) => {
      const clientOrderId = ids.learn(order, parent);
      return { order, clientOrderId, leg: ids.isLeg(clientOrderId) };
    });
    const fills = await lookup.fillsSince(since, byId);
    return catchUpEvents(resolved, fills, this.deps.now());
  }

  private apply(update: AlpacaTradeUpdate): void {
    const { ids, pendingReplaces } = this.deps;
    const { order } = update;
    const clientOrderId = ids.learn(order);
    const ctx = {
      venue: this.deps.venue,
      accountId: this.deps.accountId,
      clientOrderId,
      receivedAt: this.deps.now(),
      leg: ids.isLeg(clientOrderId),
      ...pendingOf(pendingReplaces, clientOrderId),
    };
    let events: OrderEvent[];
    try {
      events = eventsOfTradeUpdate(update, ctx);
    } catch (error) {
      this.deps.onError(`Alpaca trade update for ${order.id} not mapped: ${(error as Error).message}`);
      return;
    }
    if (settlesReplace(update)) pendingReplaces.delete(clientOrderId);
    if (update.event === 'new' && revisionOf(order.client_order_id) === 0)
      events.push(...this.legAcks(order, ctx));
    const at =
      optionalTimeOf(update.timestamp, 'timestamp') ??
      timeOf(order.updated_at ?? order.created_at, 'updated_at');
    this.lastEventAt = Math.max(this.lastEventAt ?? at, at);
    this.publish(events);
  }

  /**
   * A group's exits are acknowledged with it (broker.ts submitGroup): when the parent's `new`
   * arrives, each linked leg is acked too (held until its own `new`), found in the payload's `legs`
   * or by the Alpaca id remembered from the submit.
   */
  private legAcks(parent: AlpacaOrder, ref: { clientOrderId: string; receivedAt: number }): OrderEvent[] {
    const { ids } = this.deps;
    for (const leg of parent.legs ?? []) ids.learn(leg, parent);
    return ids.links.legsOf(ref.clientOrderId).flatMap(([legId]) => {
      const current = ids.currentOf(legId);
      if (current === undefined) return [];
      const at = timeOf(parent.submitted_at ?? parent.created_at, 'submitted_at');
      return [
        eventOf({ clientOrderId: legId, receivedAt: ref.receivedAt }, current.venueOrderId, at, {
          kind: 'ack',
        }),
      ];
    });
  }

  private publish(events: readonly OrderEvent[]): void {
    for (const event of events) {
      if (!this.seen.first(event)) continue;
      const venueEvent = { venue: this.deps.venue, accountId: this.deps.accountId, event };
      for (const listener of this.listeners) {
        try {
          listener(venueEvent);
        } catch (error) {
          this.deps.onError(`a trade update listener failed: ${(error as Error).message}`);
        }
      }
    }
  }
}

function pendingOf(
  pending: ReadonlyMap<string, OrderChanges>,
  clientOrderId: string,
): { pendingChanges?: OrderChanges } {
  const changes = pending.get(clientOrderId);
  return changes === undefined ? {} : { pendingChanges: changes };
}

/** Updates that end a pending replace: confirmed (replaced, the successor's new) or refused. */
function settlesReplace(update: AlpacaTradeUpdate): boolean {
  const revision = revisionOf(update.order.client_order_id);
  if (update.event === 'replaced' || update.event === 'order_replace_rejected') return true;
  return revision > 0 && (update.event === 'new' || update.event === 'rejected');
}
