import { type Decimal, ZERO, maxDec, minDec } from '../../domain/decimal.js';
import type { Bar, BookSnapshot, MarketUpdate } from '../types.js';
import { type Timeframe, bucketOf } from './timeframe.js';

/** One price observation (a trade, or a quote's mid) and the volume traded with it. */
export interface TapeSample {
  readonly symbol: string;
  /** Epoch ms on the trading clock. */
  readonly ts: number;
  readonly price: Decimal;
  /** Volume traded with this observation; a quote has none. */
  readonly volume?: Decimal;
}

export interface BarQuery {
  /** Earliest bar open time included (epoch ms). */
  readonly from?: number;
  /** Latest bar open time included (epoch ms). */
  readonly to?: number;
  readonly limit: number;
  /** When the range holds more than `limit` bars: page from the newest end (true) or the oldest (default). */
  readonly newest?: boolean;
}

/** Bars oldest first; `more` when the range holds bars left out of the page. */
export interface BarPage {
  readonly bars: Bar[];
  readonly more: boolean;
}

interface MinuteBar {
  ts: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
}

/** Two days of minutes: a full 24-hour crypto day and the day before. */
export const DEFAULT_WINDOW_MINUTES = 2_880;

/**
 * The tape the paper exchange keeps: every observation folded into 1-minute OHLCV bars (open time on
 * the minute, UTC), the newest `windowMinutes` bars per symbol kept in memory, and larger timeframes
 * rolled up from them on request. Only minutes that saw an observation have a bar.
 */
export class BarHistory {
  private readonly window: number;
  private readonly bySymbol = new Map<string, MinuteBar[]>();

  constructor(options: { readonly windowMinutes?: number } = {}) {
    const window = options.windowMinutes ?? DEFAULT_WINDOW_MINUTES;
    if (!Number.isInteger(window) || window < 1) throw new RangeError('windowMinutes must be at least 1.');
    this.window = window;
  }

  record(sample: TapeSample): void {
    const { price } = sample;
    const volume = sample.volume ?? ZERO;
    this.merge(sample.symbol, { ts: sample.ts, open: price, high: price, low: price, close: price, volume });
  }

  /** A 1-minute bar from the feed (a replay), folded into its minute. */
  recordBar(bar: Bar): void {
    const { open, high, low, close, volume } = bar;
    this.merge(bar.symbol, { ts: bar.ts, open, high, low, close, volume });
  }

  /** What a market-data update observed: a book's last trade (else its mid), a trade print, a bar. */
  recordUpdate(update: MarketUpdate): void {
    if (update.kind === 'bar') {
      this.recordBar(update.bar);
    } else if (update.kind === 'trade') {
      const { symbol, ts, price, size } = update.trade;
      this.record({ symbol, ts, price, volume: size });
    } else {
      const price = samplePrice(update.book);
      if (price === undefined) return;
      const volume = update.book.last === undefined ? undefined : update.book.lastSize;
      this.record({
        symbol: update.book.symbol,
        ts: update.book.ts,
        price,
        ...(volume === undefined ? {} : { volume }),
      });
    }
  }

  /** Whether any bar is kept for the symbol. */
  has(symbol: string): boolean {
    return (this.bySymbol.get(symbol)?.length ?? 0) > 0;
  }

  /** The symbol's bars of `timeframe` whose open time lies in [from, to], oldest first, one page. */
  query(symbol: string, timeframe: Timeframe, query: BarQuery): BarPage {
    const minutes = this.bySymbol.get(symbol) ?? [];
    const inRange = rollUp(minutes, timeframe).filter(
      (b) => (query.from === undefined || b.ts >= query.from) && (query.to === undefined || b.ts <= query.to),
    );
    const limit = Math.max(1, query.limit);
    if (inRange.length <= limit) return { bars: inRange.map((b) => toBar(symbol, b)), more: false };
    const page = query.newest === true ? inRange.slice(-limit) : inRange.slice(0, limit);
    return { bars: page.map((b) => toBar(symbol, b)), more: true };
  }

  private merge(symbol: string, part: MinuteBar): void {
    if (!Number.isFinite(part.ts)) return;
    const minute = { ...part, ts: bucketOf(part.ts, '1Min') };
    let bars = this.bySymbol.get(symbol);
    if (bars === undefined) {
      bars = [];
      this.bySymbol.set(symbol, bars);
    }
    const last = bars[bars.length - 1];
    if (last === undefined || minute.ts > last.ts) bars.push(minute);
    else if (minute.ts === last.ts) combine(last, minute);
    else this.mergeLate(bars, minute);
    if (bars.length > this.window) bars.splice(0, bars.length - this.window);
  }

  /** An observation older than the newest minute (out-of-order data): into its minute, if still kept. */
  private mergeLate(bars: MinuteBar[], minute: MinuteBar): void {
    const index = firstAtOrAfter(bars, minute.ts);
    const found = bars[index];
    if (found?.ts === minute.ts) combine(found, minute);
    else if (index > 0 || bars.length < this.window) bars.splice(index, 0, minute);
  }
}

/** The price a book observes: its last trade, else the mid, else the one side it has. */
export function samplePrice(book: BookSnapshot): Decimal | undefined {
  if (book.last !== undefined) return book.last;
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  if (bid !== undefined && ask !== undefined) return bid.plus(ask).div(2);
  return bid ?? ask;
}

function rollUp(minutes: readonly MinuteBar[], timeframe: Timeframe): MinuteBar[] {
  if (timeframe === '1Min') return [...minutes];
  const out: MinuteBar[] = [];
  for (const minute of minutes) {
    const ts = bucketOf(minute.ts, timeframe);
    const current = out[out.length - 1];
    if (current?.ts === ts) combine(current, minute);
    else out.push({ ...minute, ts });
  }
  return out;
}

/** Folds a later part of the same bar in: highs and lows widen, the close moves, volumes add. */
function combine(into: MinuteBar, later: MinuteBar): void {
  into.high = maxDec(into.high, later.high);
  into.low = minDec(into.low, later.low);
  into.close = later.close;
  into.volume = into.volume.plus(later.volume);
}

function firstAtOrAfter(bars: readonly MinuteBar[], ts: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bars[mid]?.ts ?? Infinity) < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function toBar(symbol: string, b: MinuteBar): Bar {
  return { symbol, ts: b.ts, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
}
