import type { Decimal } from '../domain/decimal.js';

/** One price level of an L2 book. */
export interface BookLevel {
  readonly price: Decimal;
  /** Displayed size; undefined means unlimited (a quote without sizes, or a bar point: §2.5). */
  readonly size?: Decimal;
}

/**
 * A full picture of one symbol's market at a moment: L2 levels (an L1 quote is a one-level book),
 * and the last trade. Bids best first (descending), asks best first (ascending).
 */
export interface BookSnapshot {
  readonly symbol: string;
  /** Epoch milliseconds. */
  readonly ts: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly last?: Decimal;
  readonly lastSize?: Decimal;
  /** The first update after a session opens or a halt ends (§2.5): resting orders fill as takers. */
  readonly discontinuity?: boolean;
}

/** A 1-minute (or longer) OHLCV bar; `ts` is the bar's open time. */
export interface Bar {
  readonly symbol: string;
  readonly ts: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

/** A trade print, used by the queue-position model and `trigger_source = last`. */
export interface TradePrint {
  readonly symbol: string;
  readonly ts: number;
  readonly price: Decimal;
  readonly size: Decimal;
  readonly aggressor?: 'buy' | 'sell';
}

export type MarketUpdate =
  | { readonly kind: 'book'; readonly book: BookSnapshot }
  | { readonly kind: 'bar'; readonly bar: Bar }
  | { readonly kind: 'trade'; readonly trade: TradePrint };

export type MarketListener = (update: MarketUpdate) => void;

/** A source of market data for the paper venues. */
export interface MarketFeed {
  readonly kind: 'random' | 'replay' | 'scripted';
  /** Subscribes to every update; returns an unsubscribe function. */
  subscribe(listener: MarketListener): () => void;
  /** The latest book for a symbol, if any. */
  snapshot(symbol: string): BookSnapshot | undefined;
  /** Starts emitting on the injected clock (random walk and replay); a no-op for the scripted feed. */
  start(): void;
  stop(): void;
}

/** The symbol an update is about. */
export function symbolOf(update: MarketUpdate): string {
  if (update.kind === 'book') return update.book.symbol;
  return update.kind === 'bar' ? update.bar.symbol : update.trade.symbol;
}
