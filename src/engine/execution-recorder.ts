import {
  type ExecutionMetrics,
  answerTimes,
  computeExecutionMetrics,
  reachedVenue,
} from '../analytics/execution-metrics.js';
import type { Clock } from '../domain/clock.js';
import type { Decimal } from '../domain/decimal.js';
import { type Order, isTerminal } from '../domain/order.js';
import type { AnalyticsPort } from './analytics-ports.js';
import type { EventBus } from './event-bus.js';
import type { OrderStore } from './ports.js';

export interface ExecutionRecorderDeps {
  readonly bus: Pick<EventBus, 'subscribe'>;
  readonly orders: Pick<OrderStore, 'findById' | 'fills' | 'events'>;
  readonly analytics: Pick<AnalyticsPort, 'record'>;
  /**
   * The trading clock: with it, an order's send time is when the engine published it as submitted
   * (just before the venue call); without it, or for an order submitted before this process
   * started, the order's creation time (which includes the risk admission's write).
   */
  readonly clock?: Pick<Clock, 'now'>;
  /** The mark of a symbol now: prices the unfilled part's opportunity cost (absent: not counted). */
  readonly mark?: (symbol: string) => Decimal | undefined;
  /** Hears each order's metrics the first time they are recorded (the venue statistics). */
  readonly onRecorded?: (metrics: ExecutionMetrics) => void;
  /** A recording that failed; it never reaches the bus or the order flow. */
  readonly onError?: (error: unknown, orderId: string) => void;
}

/**
 * Send times and recorded order ids kept in memory (kept after recording: a late fill recomputes
 * with the same send time); the oldest are forgotten beyond this many.
 */
const REMEMBERED = 50_000;

/**
 * Measures every order that ends (filled, canceled, expired, rejected) and records its metrics once.
 * Parents (they never reach a venue), orders no venue ever answered (a risk denial), and external
 * orders (not ours to measure) are skipped. A late fill on an order already recorded (a venue's
 * fill after its cancel, an overfill) recomputes its row without feeding the statistics again.
 */
export class ExecutionRecorder {
  private readonly sentAt = new Map<string, number>();
  private readonly recorded = new Set<string>();
  private readonly tails = new Map<string, Promise<void>>();
  private unsubscribes: (() => void)[] = [];

  constructor(private readonly deps: ExecutionRecorderDeps) {}

  start(): void {
    const { bus, clock } = this.deps;
    if (clock !== undefined) {
      this.unsubscribes.push(
        bus.subscribe('trade.order.submitted', ({ order }) => {
          remember(this.sentAt, order.id, clock.now());
        }),
      );
    }
    for (const topic of ['trade.order.cancelled', 'trade.order.expired', 'trade.order.rejected'] as const) {
      this.unsubscribes.push(
        bus.subscribe(topic, ({ order }) => {
          this.onEnded(order, false);
        }),
      );
    }
    for (const topic of ['trade.order.filled', 'trade.order.partial'] as const) {
      this.unsubscribes.push(
        bus.subscribe(topic, ({ order }) => {
          this.onEnded(order, true);
        }),
      );
    }
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  /** Resolves once every recording started so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }

  private onEnded(order: Order, fill: boolean): void {
    if (!isTerminal(order.status)) return;
    const first = !this.recorded.has(order.id);
    if (!first && !fill) return;
    if (first) remember(this.recorded, order.id);
    const previous = this.tails.get(order.id) ?? Promise.resolve();
    const tail = previous
      .then(() => this.measure(order.id, first))
      .catch((error: unknown) => {
        // A later event for the order may try again.
        if (first) this.recorded.delete(order.id);
        this.deps.onError?.(error, order.id);
      })
      .finally(() => {
        if (this.tails.get(order.id) === tail) this.tails.delete(order.id);
      });
    this.tails.set(order.id, tail);
  }

  private async measure(orderId: string, first: boolean): Promise<void> {
    const { orders, analytics } = this.deps;
    const stored = await orders.findById(orderId);
    if (stored === undefined) throw new Error(`order ${orderId} ended but is not in the store`);
    const { order, meta } = stored;
    if (meta.role === 'parent' || order.external || order.status === 'denied') return;
    const [fills, recorded] = await Promise.all([orders.fills(orderId), orders.events(orderId)]);
    const events = recorded.map((r) => r.event);
    if (!reachedVenue(events)) return;
    const finalMark = order.quantity.gt(order.filledQty) ? this.deps.mark?.(order.symbol) : undefined;
    const metrics = computeExecutionMetrics({
      order,
      agentId: meta.agentId,
      fills,
      ...(meta.arrival === undefined ? {} : { arrival: meta.arrival }),
      sentAt: this.sentAt.get(orderId) ?? order.createdAt,
      ...answerTimes(events),
      ...(finalMark === undefined ? {} : { finalMark }),
    });
    await analytics.record(metrics);
    if (first) this.deps.onRecorded?.(metrics);
  }
}

/** Adds to a map or set, forgetting the oldest entry beyond REMEMBERED. */
function remember(into: Map<string, number> | Set<string>, key: string, value = 0): void {
  if (into instanceof Map) into.set(key, value);
  else into.add(key);
  if (into.size > REMEMBERED) {
    const oldest = into.keys().next().value;
    if (oldest !== undefined) into.delete(oldest);
  }
}
