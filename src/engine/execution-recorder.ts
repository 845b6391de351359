import { LRUCache } from 'lru-cache';
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
import type { OrderHistory, OrderStore } from './ports.js';

export interface ExecutionRecorderDeps {
  readonly bus: Pick<EventBus, 'subscribe'>;
  readonly orders: Pick<OrderStore, 'histories'>;
  readonly analytics: Pick<AnalyticsPort, 'recordAll'>;
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
  /**
   * How long an ended order waits to be measured with the others that end meanwhile, in real ms
   * (default 250): one batch costs three reads and one write, where each order alone cost as many.
   */
  readonly batchMs?: number;
}

/**
 * Send times and recorded order ids kept in memory (kept after recording: a late fill recomputes
 * with the same send time); the least recently used are forgotten beyond this many.
 */
const REMEMBERED = 50_000;

/** Most orders measured by one batch. */
const MAX_BATCH = 500;

/**
 * Measures every order that ends (filled, canceled, expired, rejected) and records its metrics once.
 * Parents (they never reach a venue), orders no venue ever answered (a risk denial), and external
 * orders (not ours to measure) are skipped. A late fill on an order already recorded (a venue's
 * fill after its cancel, an overfill) recomputes its row without feeding the statistics again.
 *
 * Ended orders are measured in batches, off the order flow: on the embedded store every statement
 * waits for the one before it, so per-order reads of the order, its fills and its events queued
 * in front of the next order's own statements. A batch runs `batchMs` after the first order it
 * holds ended, one batch at a time; `idle()` runs what is waiting at once.
 */
export class ExecutionRecorder {
  private readonly sentAt = new LRUCache<string, number>({ max: REMEMBERED });
  private readonly recorded = new LRUCache<string, true>({ max: REMEMBERED });
  /** Ended orders waiting for the next batch, and whether each is its first recording. */
  private readonly waiting = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private unsubscribes: (() => void)[] = [];

  constructor(private readonly deps: ExecutionRecorderDeps) {}

  start(): void {
    const { bus, clock } = this.deps;
    if (clock !== undefined) {
      this.unsubscribes.push(
        bus.subscribe('trade.order.submitted', ({ order }) => {
          this.sentAt.set(order.id, clock.now());
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

  /** Measures what is waiting now and resolves once every recording started so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running !== undefined) await this.running;
      else if (this.waiting.size > 0) await this.runBatch();
      else return;
    }
  }

  private onEnded(order: Order, fill: boolean): void {
    if (!isTerminal(order.status)) return;
    const first = !this.recorded.has(order.id);
    if (!first && !fill) return;
    if (first) this.recorded.set(order.id, true);
    this.waiting.set(order.id, first || this.waiting.get(order.id) === true);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.running !== undefined || this.waiting.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runBatch();
    }, this.deps.batchMs ?? 250);
    this.timer.unref();
  }

  private runBatch(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.waiting].slice(0, MAX_BATCH);
    for (const [orderId] of batch) this.waiting.delete(orderId);
    const run = this.measure(new Map(batch)).finally(() => {
      this.running = undefined;
      this.schedule();
    });
    this.running = run;
    return run;
  }

  /** Measures a batch of ended orders (id → first recording) and records their metrics in one write. */
  private async measure(batch: ReadonlyMap<string, boolean>): Promise<void> {
    const ids = [...batch.keys()];
    const failed = (error: unknown, orderIds: readonly string[]): void => {
      for (const orderId of orderIds) {
        // A later event for the order may try again.
        if (batch.get(orderId) === true) this.recorded.delete(orderId);
        this.deps.onError?.(error, orderId);
      }
    };
    let histories: Awaited<ReturnType<ExecutionRecorderDeps['orders']['histories']>>;
    try {
      histories = await this.deps.orders.histories(ids);
    } catch (error) {
      failed(error, ids);
      return;
    }
    const measured: ExecutionMetrics[] = [];
    for (const orderId of ids) {
      const history = histories.get(orderId);
      if (history === undefined) {
        failed(new Error(`order ${orderId} ended but is not in the store`), [orderId]);
        continue;
      }
      const metrics = this.metricsOf(history);
      if (metrics !== undefined) measured.push(metrics);
    }
    if (measured.length === 0) return;
    let saved = measured;
    try {
      await this.deps.analytics.recordAll(measured);
    } catch (error) {
      if (measured.length === 1) {
        failed(
          error,
          measured.map((m) => m.orderId),
        );
        return;
      }
      // One row the database refuses must not cost the others theirs: each is tried alone.
      saved = [];
      for (const metrics of measured) {
        try {
          await this.deps.analytics.recordAll([metrics]);
          saved.push(metrics);
        } catch (alone) {
          failed(alone, [metrics.orderId]);
        }
      }
    }
    for (const metrics of saved) if (batch.get(metrics.orderId) === true) this.deps.onRecorded?.(metrics);
  }

  private metricsOf({ stored, fills, events }: OrderHistory): ExecutionMetrics | undefined {
    const { order, meta } = stored;
    if (meta.role === 'parent' || order.external || order.status === 'denied') return undefined;
    if (!reachedVenue(events)) return undefined;
    const finalMark = order.quantity.gt(order.filledQty) ? this.deps.mark?.(order.symbol) : undefined;
    return computeExecutionMetrics({
      order,
      agentId: meta.agentId,
      fills,
      ...(meta.arrival === undefined ? {} : { arrival: meta.arrival }),
      sentAt: this.sentAt.get(order.id) ?? order.createdAt,
      ...answerTimes(events),
      ...(finalMark === undefined ? {} : { finalMark }),
    });
  }
}
