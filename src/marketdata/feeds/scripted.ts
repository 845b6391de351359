import type { Clock } from '../../domain/clock.js';
import type { Instrument } from '../../domain/instrument.js';
import type { Bar, BookSnapshot, MarketFeed, MarketListener, MarketUpdate, TradePrint } from '../types.js';
import { assertBar } from './bars-csv.js';
import { FeedListeners } from './listeners.js';
import { barBook } from './replay.js';
import { BookBuilder, type ScriptedMarket } from './scripted-book.js';

export type { ScriptedLevel, ScriptedMarket } from './scripted-book.js';

export interface ScriptedOptions {
  readonly clock: Clock;
  /** When given, a listed symbol's prices must be on its tick and its sizes on its lot step. */
  readonly instruments?: readonly Instrument[];
}

/**
 * A market that moves only when told to, for tests and the simulateMarket tool. `set` replaces a
 * symbol's whole market (a side not given is empty) and notifies the listeners synchronously.
 * A locked book (best bid = best ask) is accepted, a crossed one is not.
 */
export class ScriptedFeed implements MarketFeed {
  readonly kind = 'scripted' as const;
  private readonly clock: Clock;
  private readonly instruments: ReadonlyMap<string, Instrument>;
  private readonly books = new Map<string, BookSnapshot>();
  private readonly listeners = new FeedListeners();

  constructor(options: ScriptedOptions) {
    this.clock = options.clock;
    this.instruments = new Map((options.instruments ?? []).map((i) => [i.symbol, i]));
  }

  subscribe(listener: MarketListener): () => void {
    return this.listeners.subscribe(listener);
  }

  snapshot(symbol: string): BookSnapshot | undefined {
    return this.books.get(symbol);
  }

  set(symbol: string, market: ScriptedMarket): BookSnapshot {
    const book = this.builder(symbol).build(market, this.clock.now());
    this.publish(book, { kind: 'book', book });
    return book;
  }

  /** Publishes a bar; its close becomes the symbol's book (one level, unlimited size), as in a replay. */
  bar(bar: Bar): void {
    assertBar(bar);
    const builder = this.builder(bar.symbol);
    for (const field of ['open', 'high', 'low', 'close'] as const) builder.price(field, bar[field]);
    this.publish(barBook(bar), { kind: 'bar', bar });
  }

  /** Publishes a trade print; it becomes the last trade of the symbol's book, if it has one. */
  trade(print: TradePrint): void {
    const builder = this.builder(print.symbol);
    const price = builder.price('price', print.price);
    const size = builder.size('size', print.size);
    const book = this.books.get(print.symbol);
    if (book !== undefined) this.books.set(print.symbol, { ...book, last: price, lastSize: size });
    this.listeners.emit([{ kind: 'trade', trade: print }]);
  }

  start(): void {
    // Nothing to run: only explicit updates move a scripted market.
  }

  stop(): void {
    // Nothing to stop.
  }

  private builder(symbol: string): BookBuilder {
    return new BookBuilder(symbol, this.instruments.get(symbol));
  }

  private publish(book: BookSnapshot, update: MarketUpdate): void {
    this.books.set(book.symbol, book);
    this.listeners.emit([update]);
  }
}
