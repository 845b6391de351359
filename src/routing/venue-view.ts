/**
 * A venue as the ranking sees it: eligible or why not, and a walk of its book in binary floating point.
 *
 * Floats are for ranking only (a Decimal operation costs ~0.1–0.5 µs, and 8 venues × 10 levels would
 * spend the whole latency budget): they decide which venue and in what order levels are taken. The
 * quantities and money of the chosen allocations are then computed exactly by book-walk.ts.
 */
import type { Decimal } from '../domain/decimal.js';
import type { OrderType, Side } from '../domain/order.js';
import type { BookLevel } from '../marketdata/types.js';
import { takingSide } from './book-walk.js';
import { toFloat } from './float.js';
import type { VenueCandidate } from './types.js';

export interface VenueView {
  readonly candidate: VenueCandidate;
  /** Input position: the identity of a candidate (one venue may appear with several accounts). */
  readonly index: number;
  /** undefined when eligible. */
  readonly reason: string | undefined;
  readonly levels: readonly BookLevel[];
  /** Fee-inclusive prices of the levels a walk of the full quantity takes (within the limit). */
  readonly effective: number[];
  /** Sizes of those levels (Infinity when unlimited). */
  readonly sizes: number[];
  /** min(quantity, displayed size within the limit). */
  readonly fillable: number;
  /** Σ price × size taken for `fillable`, fee-exclusive. */
  readonly takenNotional: number;
  /** Price of the last level taken; NaN when none. */
  readonly worst: number;
  /** All displayed size on the taking side, Infinity when a level is unlimited. */
  readonly depth: number;
  readonly takerRate: number;
  readonly makerRate: number;
}

/** What a view needs from the request, converted once. */
export interface ViewContext {
  readonly side: Side;
  readonly type: OrderType;
  readonly marketLike: boolean;
  readonly quantity: number;
  /** NaN for market-like types. */
  readonly limit: number;
}

const SIDE_NAME = { buy: 'asks to buy from', sell: 'bids to sell into' } as const;

function ineligibility(candidate: VenueCandidate, levels: readonly BookLevel[], ctx: ViewContext) {
  const { venue } = candidate;
  if (candidate.status === 'down') return `${venue} is down.`;
  if (candidate.circuitOpen) {
    return `${venue}'s circuit breaker is open after repeated failures; it is skipped until it recovers.`;
  }
  if (!ctx.marketLike) return undefined;
  if (candidate.book === undefined) return `${venue} has no book or quote to price a ${ctx.type} order.`;
  if (levels.length === 0) return `${venue} has no ${SIDE_NAME[ctx.side]} (NO_MARKET).`;
  return undefined;
}

const sizeOf = (level: BookLevel): number => (level.size === undefined ? Infinity : toFloat(level.size));

interface FloatWalk {
  readonly effective: number[];
  readonly sizes: number[];
  readonly remaining: number;
  readonly takenNotional: number;
  readonly worst: number;
  readonly depth: number;
}

/** One pass over the taking side: the walk of the quantity within the limit, and the whole depth. */
function floatWalk(levels: readonly BookLevel[], takerRate: number, ctx: ViewContext): FloatWalk {
  const sign = ctx.side === 'buy' ? 1 : -1;
  const effective: number[] = [];
  const sizes: number[] = [];
  let remaining = ctx.quantity;
  let takenNotional = 0;
  let worst = Number.NaN;
  let depth = 0;
  let walking = true;
  for (const level of levels) {
    const size = sizeOf(level);
    depth += size;
    if (!walking) continue;
    const price = toFloat(level.price);
    if (sign * (price - ctx.limit) > 0) {
      walking = false; // §2.4: stop at the first level worse than the limit
      continue;
    }
    const take = Math.min(remaining, size);
    takenNotional += price * take;
    remaining -= take;
    worst = price;
    effective.push(price * (1 + sign * takerRate));
    sizes.push(size);
    walking = remaining > 0;
  }
  return { effective, sizes, remaining, takenNotional, worst, depth };
}

const NO_WALK: FloatWalk = {
  effective: [],
  sizes: [],
  remaining: 0,
  takenNotional: 0,
  worst: Number.NaN,
  depth: 0,
};

/** Builds one venue's view; an ineligible venue is not walked. */
export function viewVenue(candidate: VenueCandidate, index: number, ctx: ViewContext): VenueView {
  const levels = takingSide(candidate.book, ctx.side);
  const reason = ineligibility(candidate, levels, ctx);
  const takerRate = toFloat(candidate.fees.takerBps) / 10_000;
  const result = reason === undefined ? floatWalk(levels, takerRate, ctx) : NO_WALK;
  return {
    candidate,
    index,
    reason,
    levels,
    effective: result.effective,
    sizes: result.sizes,
    fillable: reason === undefined ? ctx.quantity - result.remaining : 0,
    takenNotional: result.takenNotional,
    worst: result.worst,
    depth: result.depth,
    takerRate,
    makerRate: toFloat(candidate.fees.makerBps) / 10_000,
  };
}

/** Converts a request's decimal limit for the float walk; NaN compares false, so no limit. */
export function limitNumber(limit: Decimal | undefined): number {
  return limit === undefined ? Number.NaN : toFloat(limit);
}
