/**
 * Exact pricing of a quantity on one venue's book, in Decimal (ORDER-SEMANTICS §2.4): walk the taking
 * side (asks for a buy, bids for a sell) best level first, min(remaining, size) per level, a level without
 * size being unlimited, and stop at the first level worse than a limit.
 *
 * What the displayed book cannot fill is priced too, so that every venue has a price for the full
 * quantity: a limit order rests the rest at its limit (maker fee); a market order is assumed to fill it
 * at the worst displayed level moved against the order by the impact estimate (taker fee).
 */
import { Decimal, ZERO } from '../domain/decimal.js';
import type { OrderType, Side } from '../domain/order.js';
import type { BookLevel, BookSnapshot } from '../marketdata/types.js';
import type { VenueFees } from './types.js';

/** 1 / 10⁴, exact: multiplying by it is the division by 10⁴ at a third of the cost. */
const PER_BPS = new Decimal('0.0001');

/** Types that execute as a market order (at once, or on trigger); the others are bounded by a limit. */
const MARKET_LIKE: ReadonlySet<OrderType> = new Set(['market', 'stop', 'trailing_stop', 'market_if_touched']);

export function isMarketLike(type: OrderType): boolean {
  return MARKET_LIKE.has(type);
}

/** What a route is priced with: fixed for one planRoute call. */
export interface PricingContext {
  readonly side: Side;
  /** The limit bounding the walk; undefined for market-like types. */
  readonly limit: Decimal | undefined;
  /** Multiplies the worst displayed price for the part of a market order beyond the book: 1 ± impact. */
  readonly beyondBookFactor: Decimal;
}

export interface PricedFill {
  readonly quantity: Decimal;
  /** Fee-exclusive. */
  readonly notional: Decimal;
  readonly fees: Decimal;
  readonly beyondBook: Decimal;
  readonly expectedPrice: Decimal;
  /** Net cash paid: notional + fees (buy), fees − notional (sell). */
  readonly cost: Decimal;
}

/** The opposite side of the book: asks for a buy, bids for a sell (best first). */
export function takingSide(book: BookSnapshot | undefined, side: Side): readonly BookLevel[] {
  if (book === undefined) return [];
  return side === 'buy' ? book.asks : book.bids;
}

/** A buy does not take above its limit, a sell not below it. */
export function beyondLimit(price: Decimal, limit: Decimal, side: Side): boolean {
  return side === 'buy' ? price.greaterThan(limit) : price.lessThan(limit);
}

/** Signed net cash of a trade: what a buy pays, minus what a sell receives. */
export function netCash(side: Side, notional: Decimal, fees: Decimal): Decimal {
  return side === 'buy' ? notional.plus(fees) : fees.minus(notional);
}

interface Walk {
  readonly taken: Decimal;
  readonly remaining: Decimal;
  readonly worst: Decimal | undefined;
}

function walk(levels: readonly BookLevel[], quantity: Decimal, ctx: PricingContext): Walk {
  let taken = ZERO;
  let remaining = quantity;
  let worst: Decimal | undefined;
  for (const level of levels) {
    if (remaining.isZero()) break;
    if (ctx.limit !== undefined && beyondLimit(level.price, ctx.limit, ctx.side)) break;
    const take = level.size === undefined || remaining.lessThanOrEqualTo(level.size) ? remaining : level.size;
    taken = taken.plus(level.price.times(take));
    remaining = remaining.minus(take);
    worst = level.price;
  }
  return { taken, remaining, worst };
}

/** Prices `quantity` on one venue exactly: the book walk plus the part beyond the book. */
export function priceFill(
  levels: readonly BookLevel[],
  fees: VenueFees,
  quantity: Decimal,
  ctx: PricingContext,
): PricedFill {
  const { taken, remaining, worst } = walk(levels, quantity, ctx);
  let notional = taken;
  let fee = taken.times(fees.takerBps).times(PER_BPS);
  if (!remaining.isZero()) {
    const restPrice = ctx.limit ?? worst?.times(ctx.beyondBookFactor);
    if (restPrice === undefined) throw new Error('priceFill: a market order needs at least one book level');
    const rest = restPrice.times(remaining);
    notional = notional.plus(rest);
    fee = fee.plus(rest.times(ctx.limit === undefined ? fees.takerBps : fees.makerBps).times(PER_BPS));
  }
  return {
    quantity,
    notional,
    fees: fee,
    beyondBook: remaining,
    expectedPrice: notional.div(quantity),
    cost: netCash(ctx.side, notional, fee),
  };
}
