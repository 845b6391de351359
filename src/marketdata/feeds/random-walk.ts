import type { Clock } from '../../domain/clock.js';
import type { Decimal } from '../../domain/decimal.js';
import { TradingError } from '../../domain/errors.js';
import type { Instrument } from '../../domain/instrument.js';
import type { BookLevel, BookSnapshot, MarketFeed, MarketListener, MarketUpdate } from '../types.js';
import { FeedListeners } from './listeners.js';
import { type TickRange, type WalkProfile, profileFor, startPriceFor } from './random-walk-profile.js';
import { type Rng, streamFor } from './seeded-rng.js';

export interface RandomWalkOptions {
  readonly clock: Clock;
  readonly instruments: readonly Instrument[];
  readonly seed: number;
  /** Milliseconds between steps once started; default 250. */
  readonly intervalMs?: number;
  /** Levels per side; default 10. */
  readonly depth?: number;
  /** Start prices by symbol, overriding DEFAULT_START_PRICES. */
  readonly startPrices?: Readonly<Record<string, string>>;
}

/** One symbol's walk. Prices are integer tick counts until they become Decimals in a book. */
interface SymbolWalk {
  readonly instrument: Instrument;
  readonly profile: WalkProfile;
  readonly rng: Rng;
  readonly minUnits: number;
  readonly maxUnits: number;
  midTicks: number;
  book: BookSnapshot;
}

/**
 * A synthetic L2 market: each symbol's mid walks by whole ticks, with a fresh book of `depth` levels per
 * side and a last trade inside the spread at every step. The same seed gives the same books, and each
 * symbol draws from its own stream, so adding a symbol leaves the others' books unchanged.
 */
export class RandomWalkFeed implements MarketFeed {
  readonly kind = 'random' as const;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly depth: number;
  private readonly walks: readonly SymbolWalk[];
  private readonly bySymbol: ReadonlyMap<string, SymbolWalk>;
  private readonly listeners = new FeedListeners();
  private cancelTimer: (() => void) | undefined;

  constructor(options: RandomWalkOptions) {
    this.clock = options.clock;
    this.intervalMs = positiveInteger('intervalMs', options.intervalMs ?? 250);
    this.depth = positiveInteger('depth', options.depth ?? 10);
    const now = this.clock.now();
    this.walks = options.instruments.map((instrument) =>
      createWalk(instrument, options.seed, options.startPrices ?? {}, this.depth, now),
    );
    this.bySymbol = indexBySymbol(this.walks);
  }

  subscribe(listener: MarketListener): () => void {
    return this.listeners.subscribe(listener);
  }

  snapshot(symbol: string): BookSnapshot | undefined {
    return this.bySymbol.get(symbol)?.book;
  }

  /** Advances every symbol one step stamped `ts`, updates the snapshots and notifies the listeners. */
  step(ts: number): MarketUpdate[] {
    const updates = this.walks.map((walk): MarketUpdate => {
      walk.midTicks = nextMid(walk);
      walk.book = drawBook(walk, this.depth, ts);
      return { kind: 'book', book: walk.book };
    });
    this.listeners.emit(updates);
    return updates;
  }

  start(): void {
    if (this.cancelTimer === undefined) this.scheduleAfter(this.clock.now());
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private scheduleAfter(previous: number): void {
    // Chained from the previous due time so steps do not drift; after a long stall (a sleeping laptop)
    // the walk resumes from now instead of replaying every missed step in a burst.
    const due = Math.max(previous + this.intervalMs, this.clock.now());
    this.cancelTimer = this.clock.schedule(due, () => {
      this.scheduleAfter(due);
      this.step(this.clock.now());
    });
  }
}

function createWalk(
  instrument: Instrument,
  seed: number,
  startPrices: Readonly<Record<string, string>>,
  depth: number,
  ts: number,
): SymbolWalk {
  const start = startPriceFor(instrument, startPrices);
  const profile = profileFor(instrument, start);
  const midTicks = start.div(instrument.tickSize).toNumber();
  if (!Number.isSafeInteger(midTicks)) {
    throw new TradingError('CONFIG_INVALID', `The start price of ${instrument.symbol} is too large.`, {
      hint: 'Give a start price below 2^53 ticks.',
      details: { symbol: instrument.symbol },
    });
  }
  const walk: SymbolWalk = {
    instrument,
    profile,
    rng: streamFor(seed, instrument.symbol),
    minUnits: profile.sizeMin.div(profile.sizeStep).toNumber(),
    maxUnits: profile.sizeMax.div(profile.sizeStep).toNumber(),
    midTicks,
    book: { symbol: instrument.symbol, ts, bids: [], asks: [] },
  };
  walk.book = drawBook(walk, depth, ts);
  return walk;
}

/**
 * One step of the mid, in whole ticks, with a standard deviation of about `volBps` of the mid. A uniform
 * move on [-k, k] has a standard deviation of about k/sqrt(3); below one tick of volatility the mid moves
 * one tick with probability sigma^2, which keeps the variance right for cheap, coarse-ticked symbols.
 */
function nextMid(walk: SymbolWalk): number {
  const { rng, midTicks } = walk;
  const sigma = (midTicks * walk.profile.volBps) / 10_000;
  const reach = Math.round(sigma * Math.sqrt(3));
  let move: number;
  if (reach >= 1) move = rng.int(-reach, reach);
  else move = rng.int(0, 999_999) < Math.round(sigma * sigma * 1_000_000) ? 2 * rng.int(0, 1) - 1 : 0;
  // A walk that would reach zero bounces back instead.
  return midTicks + move >= 1 ? midTicks + move : midTicks - move;
}

function drawBook(walk: SymbolWalk, depth: number, ts: number): BookSnapshot {
  const { rng, midTicks, instrument } = walk;
  const spread = drawTicks(rng, walk.profile.spread, midTicks);
  const bestBid = Math.max(1, midTicks - Math.floor(spread / 2));
  const bestAsk = bestBid + spread;
  const bids = drawLevels(walk, depth, bestBid, -1);
  const asks = drawLevels(walk, depth, bestAsk, 1);
  const last = ticksToPrice(instrument, rng.int(bestBid, bestAsk));
  const lastSize = walk.profile.sizeStep.times(rng.int(1, walk.minUnits));
  return { symbol: instrument.symbol, ts, bids, asks, last, lastSize };
}

/** Levels from `best` outward (direction -1 for bids, +1 for asks), at least one tick apart, all positive. */
function drawLevels(walk: SymbolWalk, depth: number, best: number, direction: -1 | 1): BookLevel[] {
  const levels: BookLevel[] = [];
  let ticks = best;
  while (levels.length < depth && ticks >= 1) {
    const size = walk.profile.sizeStep.times(walk.rng.int(walk.minUnits, walk.maxUnits));
    levels.push({ price: ticksToPrice(walk.instrument, ticks), size });
    ticks += direction * drawTicks(walk.rng, walk.profile.gap, walk.midTicks);
  }
  return levels;
}

function drawTicks(rng: Rng, range: TickRange, midTicks: number): number {
  const drawn = rng.int(range.min, range.max);
  return range.unit === 'ticks' ? drawn : Math.max(1, Math.round((midTicks * drawn) / 100_000));
}

function ticksToPrice(instrument: Instrument, ticks: number): Decimal {
  return instrument.tickSize.times(ticks);
}

function indexBySymbol(walks: readonly SymbolWalk[]): ReadonlyMap<string, SymbolWalk> {
  const map = new Map<string, SymbolWalk>();
  for (const walk of walks) {
    if (map.has(walk.instrument.symbol)) {
      throw new TradingError(
        'CONFIG_INVALID',
        `${walk.instrument.symbol} is listed twice in the random-walk feed.`,
        {
          hint: 'List each instrument once.',
          details: { symbol: walk.instrument.symbol },
        },
      );
    }
    map.set(walk.instrument.symbol, walk);
  }
  return map;
}

function positiveInteger(field: string, value: number): number {
  if (Number.isInteger(value) && value > 0) return value;
  throw new TradingError('CONFIG_INVALID', `${field} must be a positive integer, got ${value}.`, {
    hint: `Set ${field} to a whole number of at least 1.`,
    details: { field },
  });
}
