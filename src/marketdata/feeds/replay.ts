import type { Clock } from '../../domain/clock.js';
import type { Bar, BookSnapshot, MarketFeed, MarketListener, MarketUpdate } from '../types.js';
import { assertBar } from './bars-csv.js';
import { FeedListeners } from './listeners.js';

export { loadBarsCsv, formatBarsCsv } from './bars-csv.js';
export { loadBundledBars } from './bundled-bars.js';

/** The replayed bars are 1-minute bars: each is published when it completes, a minute after it opens. */
export const BAR_DURATION_MS = 60_000;

export interface ReplayOptions {
  readonly clock: Clock;
  readonly bars: readonly Bar[];
}

/**
 * Replays bars in time order (bars at the same time in the order given). Each bar also becomes the
 * symbol's snapshot: a one-level book with bid = ask = the close and no size, i.e. unlimited (§2.5).
 */
export class ReplayFeed implements MarketFeed {
  readonly kind = 'replay' as const;
  private readonly clock: Clock;
  private readonly bars: readonly Bar[];
  private readonly books = new Map<string, BookSnapshot>();
  private readonly listeners = new FeedListeners();
  private cursor = 0;
  /** Milliseconds added to every bar's time; fixed by the first start(). */
  private offset: number | undefined;
  private running = false;
  private cancelTimer: (() => void) | undefined;

  constructor(options: ReplayOptions) {
    this.clock = options.clock;
    for (const bar of options.bars) assertBar(bar, 'CONFIG_INVALID');
    // Array.prototype.sort is stable, so bars at the same time keep the order given.
    this.bars = [...options.bars].sort((a, b) => a.ts - b.ts);
  }

  subscribe(listener: MarketListener): () => void {
    return this.listeners.subscribe(listener);
  }

  snapshot(symbol: string): BookSnapshot | undefined {
    return this.books.get(symbol);
  }

  /** Bars not yet published. */
  remaining(): number {
    return this.bars.length - this.cursor;
  }

  /** Publishes the next bar now, whatever the clock says; undefined once the replay is over. */
  next(): MarketUpdate | undefined {
    const source = this.bars[this.cursor];
    if (source === undefined) return undefined;
    this.cursor += 1;
    const bar =
      this.offset === undefined || this.offset === 0 ? source : { ...source, ts: source.ts + this.offset };
    this.books.set(bar.symbol, barBook(bar));
    const update: MarketUpdate = { kind: 'bar', bar };
    this.listeners.emit([update]);
    return update;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.offset ??= this.replayOffset();
    this.scheduleNext();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /**
   * Bars keep their own times when they are still ahead of the clock. When the first bar is already in
   * the past (replaying a recorded day today), the whole replay is shifted so that the first bar is
   * published at now + 60 s, and every bar is re-stamped with its shifted time so that the published
   * data agrees with the clock (staleness checks, session calendars, order times).
   */
  private replayOffset(): number {
    const first = this.bars[this.cursor];
    const now = this.clock.now();
    return first !== undefined && first.ts < now ? now - first.ts : 0;
  }

  private dueTime(bar: Bar): number {
    return bar.ts + (this.offset ?? 0) + BAR_DURATION_MS;
  }

  private scheduleNext(): void {
    const bar = this.bars[this.cursor];
    this.cancelTimer = undefined;
    if (!this.running || bar === undefined) return;
    const due = this.dueTime(bar);
    this.cancelTimer = this.clock.schedule(due, () => {
      this.publishDue(due);
    });
  }

  /** One timer per distinct time: every bar due by then goes out, then the next time is scheduled. */
  private publishDue(due: number): void {
    try {
      for (let bar = this.bars[this.cursor]; this.running && bar !== undefined && this.dueTime(bar) <= due;) {
        this.next();
        bar = this.bars[this.cursor];
      }
    } finally {
      this.scheduleNext();
    }
  }
}

/** A bar's close as a one-level book with unlimited size, stamped when the bar completes. */
export function barBook(bar: Bar): BookSnapshot {
  const level = { price: bar.close };
  return {
    symbol: bar.symbol,
    ts: bar.ts + BAR_DURATION_MS,
    bids: [level],
    asks: [level],
    last: bar.close,
  };
}
