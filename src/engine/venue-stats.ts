import type { ExecutionAggregate } from '../analytics/execution-aggregates.js';
import type { ExecutionMetrics } from '../analytics/execution-metrics.js';
import type { Clock } from '../domain/clock.js';
import type { VenueStats } from '../routing/types.js';
import type { AnalyticsPort } from './analytics-ports.js';

/** The figures the smart router ranks venues by (src/routing/types.ts): plain numbers, not money. */
export type { VenueStats };

/**
 * What a venue without observations is assumed to be: no errors, no slippage, everything fills,
 * 100 ms. Optimistic on purpose: a new venue gets tried, and its own figures replace these at once.
 */
export const DEFAULT_VENUE_STATS: VenueStats = {
  latencyMs: 100,
  fillRate: 1,
  errorRate: 0,
  slippageBps: 0,
  samples: 0,
};

/** A sample's weight halves every 10 minutes of trading-clock time (an hour-old one weighs 1/64). */
export const DEFAULT_HALF_LIFE_MS = 10 * 60_000;
/** History read at start (seed) counts as at most this many fresh samples, so live ones soon dominate. */
export const SEED_WEIGHT = 20;
/** The history read at start: executions completed in the last day. */
export const SEED_LOOKBACK_MS = 24 * 60 * 60_000;

export interface VenueStatsOptions {
  readonly clock?: Pick<Clock, 'now'>;
  readonly halfLifeMs?: number;
  readonly defaults?: Partial<Omit<VenueStats, 'samples'>>;
}

type Figure = Exclude<keyof VenueStats, 'samples'>;
const FIGURES: readonly Figure[] = ['latencyMs', 'fillRate', 'errorRate', 'slippageBps'];

/**
 * An exponentially weighted mean over irregular samples: each sample weighs 1 when it arrives and
 * halves every half-life, so a burst of samples is averaged evenly and old ones fade with time.
 */
class Ewma {
  private sum = 0;
  private weight = 0;
  private at = 0;

  add(value: number, weight: number, now: number, halfLifeMs: number): void {
    const decay = this.weight === 0 ? 0 : 0.5 ** (Math.max(0, now - this.at) / halfLifeMs);
    this.sum = this.sum * decay + value * weight;
    this.weight = this.weight * decay + weight;
    this.at = now;
  }

  value(): number | undefined {
    return this.weight === 0 ? undefined : this.sum / this.weight;
  }
}

interface Book {
  readonly figures: Record<Figure, Ewma>;
  samples: number;
}

/**
 * Per-venue rolling statistics, kept current from our own executions (fill rate, slippage,
 * latency) and from every venue call (error rate, latency), seeded at start from the recorded
 * executions. A venue call and the same order's execution both count as latency samples.
 */
export class VenueStatsBook {
  private readonly books = new Map<string, Book>();
  private readonly clock: Pick<Clock, 'now'>;
  private readonly halfLifeMs: number;
  private readonly defaults: VenueStats;

  constructor(options: VenueStatsOptions = {}) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.halfLifeMs = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
    this.defaults = { ...DEFAULT_VENUE_STATS, ...options.defaults, samples: 0 };
  }

  /** The venue's figures now; the defaults for what it has no samples of. */
  stats(venue: string): VenueStats {
    const book = this.books.get(venue);
    if (book === undefined) return this.defaults;
    const current: { -readonly [K in keyof VenueStats]: VenueStats[K] } = {
      ...this.defaults,
      samples: book.samples,
    };
    for (const figure of FIGURES) current[figure] = book.figures[figure].value() ?? this.defaults[figure];
    return current;
  }

  /** One order's execution: its fill rate, and its slippage and latency when measured. */
  recordExecution(metrics: ExecutionMetrics): void {
    const book = this.book(metrics.venue);
    this.add(book, 'fillRate', metrics.fillRate.toNumber());
    if (metrics.slippageBps !== undefined) this.add(book, 'slippageBps', metrics.slippageBps.toNumber());
    if (metrics.latencyMs !== undefined) this.add(book, 'latencyMs', metrics.latencyMs);
    book.samples += 1;
  }

  /** One call to the venue: whether it succeeded, and how long it took. */
  recordCall(venue: string, call: { readonly ok: boolean; readonly ms: number }): void {
    const book = this.book(venue);
    this.add(book, 'errorRate', call.ok ? 0 : 1);
    this.add(book, 'latencyMs', call.ms);
    book.samples += 1;
  }

  /**
   * Starts venues from recorded history: each aggregate counts as min(orders, SEED_WEIGHT) samples
   * taken now. Only venues without live samples yet are seeded.
   */
  seed(aggregates: readonly (ExecutionAggregate & { readonly venue: string })[]): void {
    for (const a of aggregates) {
      if (a.orders === 0 || this.books.has(a.venue)) continue;
      const book = this.book(a.venue);
      const weight = Math.min(a.orders, SEED_WEIGHT);
      if (a.fillRate !== undefined) this.add(book, 'fillRate', a.fillRate.toNumber(), weight);
      if (a.avgSlippageBps !== undefined) this.add(book, 'slippageBps', a.avgSlippageBps.toNumber(), weight);
      if (a.avgLatencyMs !== undefined) this.add(book, 'latencyMs', a.avgLatencyMs.toNumber(), weight);
      book.samples += a.orders;
    }
  }

  /** Seeds from the port's aggregates of the last SEED_LOOKBACK_MS. */
  async seedFrom(port: Pick<AnalyticsPort, 'venueAggregates'>, lookbackMs = SEED_LOOKBACK_MS): Promise<void> {
    const { venues } = await port.venueAggregates({ since: this.clock.now() - lookbackMs });
    this.seed(venues);
  }

  private book(venue: string): Book {
    let book = this.books.get(venue);
    if (book === undefined) {
      const figures = Object.fromEntries(FIGURES.map((f) => [f, new Ewma()])) as Record<Figure, Ewma>;
      book = { figures, samples: 0 };
      this.books.set(venue, book);
    }
    return book;
  }

  private add(book: Book, figure: Figure, value: number, weight = 1): void {
    if (Number.isFinite(value)) book.figures[figure].add(value, weight, this.clock.now(), this.halfLifeMs);
  }
}
