import type { Clock } from '../../domain/clock.js';
import { type Decimal, type DecimalInput, parseDecimal, toWire } from '../../domain/decimal.js';
import { type ErrorCode, TradingError } from '../../domain/errors.js';
import { type Instrument, isOnStep } from '../../domain/instrument.js';
import type {
  Bar,
  BookLevel,
  BookSnapshot,
  MarketFeed,
  MarketListener,
  MarketUpdate,
  TradePrint,
} from '../types.js';
import { assertBar } from './bars-csv.js';
import { FeedListeners } from './listeners.js';
import { barBook } from './replay.js';

export interface ScriptedOptions {
  readonly clock: Clock;
  /** When given, a listed symbol's prices must be on its tick and its sizes on its lot step. */
  readonly instruments?: readonly Instrument[];
}

/** A [price, size] level. */
export type ScriptedLevel = readonly [DecimalInput, DecimalInput];

/** A whole market for one symbol: either `book` (L2) or `bid`/`ask` (an L1 quote, sizes optional). */
export interface ScriptedMarket {
  readonly bid?: DecimalInput;
  readonly ask?: DecimalInput;
  /** Omitted: unlimited size (§2.5). */
  readonly bidSize?: DecimalInput;
  readonly askSize?: DecimalInput;
  readonly last?: DecimalInput;
  /** Levels best first: bids strictly descending, asks strictly ascending. */
  readonly book?: { readonly bids: readonly ScriptedLevel[]; readonly asks: readonly ScriptedLevel[] };
  /** Epoch ms; defaults to the clock's now. */
  readonly ts?: number;
  readonly discontinuity?: boolean;
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

/** Reads and checks one symbol's scripted market. */
class BookBuilder {
  constructor(
    private readonly symbol: string,
    private readonly instrument: Instrument | undefined,
  ) {}

  build(market: ScriptedMarket, now: number): BookSnapshot {
    const quoted = [market.bid, market.ask, market.bidSize, market.askSize].some((v) => v !== undefined);
    if (market.book !== undefined && quoted) {
      throw this.error(
        'INVALID_ORDER',
        'give either book or bid/ask, not both',
        'Send the L2 levels in book only.',
      );
    }
    const bids = market.book
      ? this.levels('bids', market.book.bids)
      : this.quote('bid', market.bid, market.bidSize);
    const asks = market.book
      ? this.levels('asks', market.book.asks)
      : this.quote('ask', market.ask, market.askSize);
    this.assertOrdered('bids', bids, (a, b) => a.greaterThan(b));
    this.assertOrdered('asks', asks, (a, b) => a.lessThan(b));
    this.assertNotCrossed(bids[0], asks[0]);
    return {
      symbol: this.symbol,
      ts: market.ts ?? now,
      bids,
      asks,
      ...(market.last === undefined ? {} : { last: this.price('last', market.last) }),
      ...(market.discontinuity === true ? { discontinuity: true } : {}),
    };
  }

  price(field: string, input: DecimalInput): Decimal {
    const value = this.positive(field, input);
    if (this.instrument !== undefined && !isOnStep(value, this.instrument.tickSize)) {
      const tick = this.instrument.tickSize.toFixed();
      throw this.error(
        'PRICE_PRECISION',
        `${field} ${toWire(value)} is not on the tick ${tick}`,
        `Use multiples of ${tick}.`,
      );
    }
    return value;
  }

  size(field: string, input: DecimalInput): Decimal {
    const value = this.positive(field, input);
    if (this.instrument !== undefined && !isOnStep(value, this.instrument.lotSize)) {
      const lot = this.instrument.lotSize.toFixed();
      throw this.error(
        'QUANTITY_PRECISION',
        `${field} ${toWire(value)} is not on the lot step ${lot}`,
        `Use multiples of ${lot}.`,
      );
    }
    return value;
  }

  private levels(side: 'bids' | 'asks', levels: readonly ScriptedLevel[]): BookLevel[] {
    return levels.map(([price, size], index) => ({
      price: this.price(`${side}[${index}] price`, price),
      size: this.size(`${side}[${index}] size`, size),
    }));
  }

  private quote(
    side: 'bid' | 'ask',
    price: DecimalInput | undefined,
    size: DecimalInput | undefined,
  ): BookLevel[] {
    if (price === undefined) {
      if (size === undefined) return [];
      throw this.error(
        'INVALID_ORDER',
        `${side}Size was given without a ${side}`,
        `Send ${side} with ${side}Size.`,
      );
    }
    const level = { price: this.price(side, price) };
    return [size === undefined ? level : { ...level, size: this.size(`${side}Size`, size) }];
  }

  private assertOrdered(
    side: 'bids' | 'asks',
    levels: readonly BookLevel[],
    better: (a: Decimal, b: Decimal) => boolean,
  ): void {
    for (let i = 1; i < levels.length; i++) {
      const [previous, current] = [levels[i - 1], levels[i]];
      if (previous !== undefined && current !== undefined && !better(previous.price, current.price)) {
        const order = side === 'bids' ? 'strictly descending' : 'strictly ascending';
        throw this.error(
          'INVALID_ORDER',
          `${side} must be ${order} by price, best first`,
          `Sort ${side} ${order}, one level per price.`,
        );
      }
    }
  }

  private assertNotCrossed(bid: BookLevel | undefined, ask: BookLevel | undefined): void {
    if (bid === undefined || ask === undefined || bid.price.lessThanOrEqualTo(ask.price)) return;
    throw this.error(
      'INVALID_ORDER',
      `the book is crossed: best bid ${toWire(bid.price)} is above best ask ${toWire(ask.price)}`,
      'Set the best bid at or below the best ask.',
    );
  }

  private positive(field: string, input: DecimalInput): Decimal {
    const value = parseDecimal(input);
    if (value !== undefined && value.greaterThan(0)) return value;
    throw this.error(
      'INVALID_ORDER',
      `${field} must be a positive decimal, got ${String(input)}`,
      `Send a positive ${field}.`,
    );
  }

  private error(code: ErrorCode, problem: string, hint: string): TradingError {
    return new TradingError(code, `Scripted market for ${this.symbol}: ${problem}.`, {
      hint,
      details: { symbol: this.symbol },
    });
  }
}
