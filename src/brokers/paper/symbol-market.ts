import { BPS, Decimal, ZERO, minDec } from '../../domain/decimal.js';
import { type Instrument, roundToTick } from '../../domain/instrument.js';
import type { Side } from '../../domain/order.js';
import type { BookLevel, BookSnapshot } from '../../marketdata/types.js';
import type { PaperOptions } from './options.js';

/** A price and quantity the venue would execute. */
export interface Execution {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/**
 * One symbol's market data as the paper venue matches against it (ORDER-SEMANTICS.md §2.4):
 * the data book, the liquidity this venue already took from it, and the best prices as integer
 * tick keys for the order indexes. The venue never changes the data book.
 */
export class SymbolMarket {
  readonly instrument: Instrument;
  private readonly options: PaperOptions;
  private bids: readonly BookLevel[] = [];
  private asks: readonly BookLevel[] = [];
  /** Size already taken per price level ("b:187.42"), forgotten when the data reports a new size there. */
  private consumed = new Map<number | string, Decimal>();
  last: Decimal | undefined;
  ts = 0;
  /** Whether only bars have been seen (bar mode, §2.5). */
  barMode = false;
  private readonly perTick: Decimal;
  /** Tick keys of the prices seen in this update, by Decimal instance: each is converted once. */
  private keys = new Map<Decimal, { floor: number; ceil: number }>();

  constructor(instrument: Instrument, options: PaperOptions) {
    this.instrument = instrument;
    this.options = options;
    this.perTick = new Decimal(1).div(instrument.tickSize);
  }

  /** A price in integer tick units, rounded down or up (exact for prices on the tick). */
  tickKey(price: Decimal, mode: 'floor' | 'ceil'): number {
    let key = this.keys.get(price);
    if (key === undefined) {
      const ticks = price.times(this.perTick);
      const floor = ticks.floor().toNumber();
      key = { floor, ceil: ticks.isInteger() ? floor : floor + 1 };
      if (this.keys.size > 64) this.keys.clear();
      this.keys.set(price, key);
    }
    return mode === 'floor' ? key.floor : key.ceil;
  }

  get hasData(): boolean {
    return this.bids.length > 0 || this.asks.length > 0;
  }

  get bid(): Decimal | undefined {
    return this.bids[0]?.price;
  }

  get ask(): Decimal | undefined {
    return this.asks[0]?.price;
  }

  /** The mid when both sides exist, else the last trade. */
  mid(): Decimal | undefined {
    const { bid, ask } = this;
    if (bid !== undefined && ask !== undefined) return bid.plus(ask).div(2);
    return this.last;
  }

  /** Replaces the data book; consumption survives only at prices whose size the data did not change. */
  update(book: BookSnapshot): void {
    if (this.consumed.size > 0) this.forgetConsumption(book);
    this.keys.clear();
    this.bids = book.bids;
    this.asks = book.asks;
    if (book.last !== undefined) this.last = book.last;
    this.ts = book.ts;
  }

  snapshot(): BookSnapshot {
    return {
      symbol: this.instrument.symbol,
      ts: this.ts,
      bids: this.bids,
      asks: this.asks,
      ...(this.last === undefined ? {} : { last: this.last }),
    };
  }

  private forgetConsumption(book: BookSnapshot): void {
    const kept = new Map<number | string, Decimal>();
    const keep = (side: Side, before: readonly BookLevel[], after: readonly BookLevel[]): void => {
      for (const level of after) {
        const key = this.levelKey(side, level.price);
        const used = this.consumed.get(key);
        if (used === undefined) continue;
        const old = before.find((l) => l.price.equals(level.price));
        if (old !== undefined && sameSize(old.size, level.size)) kept.set(key, used);
      }
    };
    keep('sell', this.bids, book.bids);
    keep('buy', this.asks, book.asks);
    this.consumed = kept;
  }

  /** The opposite levels for a taker on `side`, best first, with what is still available at each. */
  /**
   * The consumption key of a level on the side a taker of `side` meets: the tick count (negated
   * for bids), or the exact price text for an off-tick price.
   */
  private levelKey(side: Side, price: Decimal): number | string {
    const floor = this.tickKey(price, 'floor');
    if (floor !== this.tickKey(price, 'ceil')) return `${side}:${price.toFixed()}`;
    return side === 'buy' ? floor : -floor - 1;
  }

  private *levels(
    side: Side,
  ): Generator<{ price: Decimal; available: Decimal | undefined; key: number | string }> {
    const levels = side === 'buy' ? this.asks : this.bids;
    for (const level of levels) {
      const key = this.levelKey(side, level.price);
      if (level.size === undefined) {
        yield { price: level.price, available: undefined, key };
        continue;
      }
      const used = this.options.liquidityConsumption ? (this.consumed.get(key) ?? ZERO) : ZERO;
      const available = level.size.minus(used);
      if (available.greaterThan(ZERO)) yield { price: level.price, available, key };
    }
  }

  /** Whether a price is at or better than the limit for `side` (BUY: price ≤ limit). */
  private within(side: Side, price: Decimal, limit: Decimal | undefined): boolean {
    if (limit === undefined) return true;
    return side === 'buy' ? price.lessThanOrEqualTo(limit) : price.greaterThanOrEqualTo(limit);
  }

  /** Total available at or better than the limit; undefined means unlimited. */
  availableWithin(side: Side, limit: Decimal | undefined): Decimal | undefined {
    let total = ZERO;
    for (const level of this.levels(side)) {
      if (!this.within(side, level.price, limit)) break;
      if (level.available === undefined) return undefined;
      total = total.plus(level.available);
    }
    return total;
  }

  /**
   * Taker walk (§2.4): from the best opposite level, one execution per level, until done, the side
   * is exhausted, or a level is worse than the limit. Consumes liquidity when so configured.
   */
  walk(side: Side, quantity: Decimal, limit: Decimal | undefined): Execution[] {
    const out: Execution[] = [];
    let remaining = quantity;
    for (const level of this.levels(side)) {
      if (remaining.isZero() || !this.within(side, level.price, limit)) break;
      if (level.available === undefined) {
        out.push({ price: this.slipped(side, level.price, limit), quantity: remaining });
        remaining = ZERO;
        break;
      }
      const take = minDec(remaining, level.available);
      out.push({ price: level.price, quantity: take });
      this.consume(level.key, take);
      remaining = remaining.minus(take);
    }
    return out;
  }

  /**
   * Maker fill (§2.4): a resting limit reached by the market fills at its own price for what is
   * available at prices at or better than it; the liquidity it takes is consumed best first.
   */
  makerFill(side: Side, quantity: Decimal, limit: Decimal): Decimal {
    let remaining = quantity;
    for (const level of this.levels(side)) {
      if (remaining.isZero() || !this.within(side, level.price, limit)) break;
      if (level.available === undefined) return quantity;
      const take = minDec(remaining, level.available);
      this.consume(level.key, take);
      remaining = remaining.minus(take);
    }
    return quantity.minus(remaining);
  }

  private consume(key: number | string, quantity: Decimal): void {
    if (!this.options.liquidityConsumption) return;
    this.consumed.set(key, (this.consumed.get(key) ?? ZERO).plus(quantity));
  }

  /** Where depth is unknown, market-style fills move `no_depth_slippage_bps` against the order. */
  private slipped(side: Side, price: Decimal, limit: Decimal | undefined): Decimal {
    const bps = this.options.noDepthSlippageBps;
    if (bps.isZero()) return price;
    const factor = side === 'buy' ? BPS.plus(bps).div(BPS) : BPS.minus(bps).div(BPS);
    const moved = roundToTick(this.instrument, price.times(factor), side === 'buy' ? 'up' : 'down');
    if (limit === undefined) return moved;
    return side === 'buy' ? minDec(moved, limit) : moved.greaterThan(limit) ? moved : limit;
  }

  /** The far touch for `side` as seen by a taker (ask for a buy), if any liquidity is there. */
  farTouch(side: Side): Decimal | undefined {
    if (this.consumed.size === 0) return (side === 'buy' ? this.asks : this.bids)[0]?.price;
    for (const level of this.levels(side)) return level.price;
    return undefined;
  }

  /**
   * The displayed size at a price on the side a resting order of `side` joins (bids for a buy),
   * zero when no level shows that price.
   */
  displayedAt(side: Side, price: Decimal): Decimal {
    const level = (side === 'buy' ? this.bids : this.asks).find((l) => l.price.equals(price));
    return level?.size ?? ZERO;
  }

  /** The deepest displayed price on the side a resting order of `side` joins, if any. */
  deepestOwn(side: Side): Decimal | undefined {
    const levels = side === 'buy' ? this.bids : this.asks;
    return levels[levels.length - 1]?.price;
  }

  /** The near side's best price (the basis of a SELL trailing stop is the bid: §2.3). */
  touch(side: Side): Decimal | undefined {
    return side === 'buy' ? this.ask : this.bid;
  }
}

function sameSize(a: Decimal | undefined, b: Decimal | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}
