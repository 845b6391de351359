import { type Decimal, type DecimalInput, parseDecimal, toWire } from '../../domain/decimal.js';
import { type ErrorCode, TradingError } from '../../domain/errors.js';
import { type Instrument, isOnStep } from '../../domain/instrument.js';
import type { BookLevel, BookSnapshot } from '../types.js';

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

/** How a builder words its refusals: the code for a malformed market, and what it calls the market. */
export interface BookBuilderWording {
  readonly invalid: ErrorCode;
  readonly label: string;
}

const SCRIPTED: BookBuilderWording = { invalid: 'INVALID_ORDER', label: 'Scripted market' };

/** Reads and checks one symbol's scripted market. */
export class BookBuilder {
  constructor(
    private readonly symbol: string,
    private readonly instrument: Instrument | undefined,
    private readonly wording: BookBuilderWording = SCRIPTED,
  ) {}

  build(market: ScriptedMarket, now: number): BookSnapshot {
    const quoted = [market.bid, market.ask, market.bidSize, market.askSize].some((v) => v !== undefined);
    if (market.book !== undefined && quoted) {
      throw this.error(
        this.wording.invalid,
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
        this.wording.invalid,
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
          this.wording.invalid,
          `${side} must be ${order} by price, best first`,
          `Sort ${side} ${order}, one level per price.`,
        );
      }
    }
  }

  private assertNotCrossed(bid: BookLevel | undefined, ask: BookLevel | undefined): void {
    if (bid === undefined || ask === undefined || bid.price.lessThanOrEqualTo(ask.price)) return;
    throw this.error(
      this.wording.invalid,
      `the book is crossed: best bid ${toWire(bid.price)} is above best ask ${toWire(ask.price)}`,
      'Set the best bid at or below the best ask.',
    );
  }

  private positive(field: string, input: DecimalInput): Decimal {
    const value = parseDecimal(input);
    if (value !== undefined && value.greaterThan(0)) return value;
    throw this.error(
      this.wording.invalid,
      `${field} must be a positive decimal, got ${String(input)}`,
      `Send a positive ${field}.`,
    );
  }

  private error(code: ErrorCode, problem: string, hint: string): TradingError {
    return new TradingError(code, `${this.wording.label} for ${this.symbol}: ${problem}.`, {
      hint,
      details: { symbol: this.symbol },
    });
  }
}
