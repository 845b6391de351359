import { type Decimal, ONE } from '../../domain/decimal.js';
import { type Instrument, roundToTick } from '../../domain/instrument.js';
import type { Order, Side } from '../../domain/order.js';

const HUNDRED = ONE.times(100);

/** The offset at a basis: `trail_price`, or basis × `trail_percent` / 100 (§2.3). */
export function trailOffset(order: Pick<Order, 'trailPrice' | 'trailPercent'>, basis: Decimal): Decimal {
  if (order.trailPrice !== undefined) return order.trailPrice;
  if (order.trailPercent !== undefined) return basis.times(order.trailPercent).div(HUNDRED);
  throw new Error('trailing stop without an offset');
}

/** Candidate stop: SELL = basis − offset rounded down to the tick; BUY = basis + offset rounded up. */
export function candidateStop(instrument: Instrument, order: Order, basis: Decimal): Decimal {
  const offset = trailOffset(order, basis);
  return order.side === 'sell'
    ? roundToTick(instrument, basis.minus(offset), 'down')
    : roundToTick(instrument, basis.plus(offset), 'up');
}

/** A candidate replaces the stop only if strictly better: higher for a SELL, lower for a BUY. */
export function isBetterStop(side: Side, candidate: Decimal, stop: Decimal): boolean {
  return side === 'sell' ? candidate.greaterThan(stop) : candidate.lessThan(stop);
}

/**
 * The index rank of the basis at which the stop would next ratchet: a SELL ratchets once
 * basis − offset ≥ stop + tick, a BUY once basis + offset ≤ stop − tick. The rank is a bound
 * (floor for sells, negated ceil for buys), so the index returns a superset that is then checked
 * exactly: no order is ever missed, and the few near the bound cost one extra comparison.
 */
export function ratchetRank(instrument: Instrument, order: Order, stop: Decimal): number {
  const tick = instrument.tickSize;
  if (order.side === 'sell') {
    const basis =
      order.trailPrice !== undefined
        ? stop.plus(tick).plus(order.trailPrice)
        : stop.plus(tick).div(ONE.minus(percentOf(order)));
    return tickKey(basis, tick, 'floor');
  }
  const basis =
    order.trailPrice !== undefined
      ? stop.minus(tick).minus(order.trailPrice)
      : stop.minus(tick).div(ONE.plus(percentOf(order)));
  return -tickKey(basis, tick, 'ceil');
}

/** A price in integer tick units, rounded down or up. */
function tickKey(price: Decimal, tick: Decimal, mode: 'floor' | 'ceil'): number {
  const ticks = price.div(tick);
  return (mode === 'floor' ? ticks.floor() : ticks.ceil()).toNumber();
}

function percentOf(order: Order): Decimal {
  if (order.trailPercent === undefined) throw new Error('trailing stop without an offset');
  return order.trailPercent.div(HUNDRED);
}

/**
 * A trailing offset in exact integer tick arithmetic: a whole number of ticks (`trail_price`), or
 * a ratio of integers (`trail_percent` p = P / 10^k gives (100·10^k ∓ P) / (100·10^k)). Undefined
 * when the offset does not fit: the Decimal path then serves.
 */
export type TickTrail =
  | { readonly kind: 'ticks'; readonly ticks: number }
  | { readonly kind: 'ratio'; readonly num: number; readonly den: number };

const MAX_EXACT = 2 ** 40;

export function tickTrail(instrument: Instrument, order: Order): TickTrail | undefined {
  if (order.trailPrice !== undefined) {
    const ticks = order.trailPrice.div(instrument.tickSize);
    return ticks.isInteger() && ticks.lessThan(MAX_EXACT)
      ? { kind: 'ticks', ticks: ticks.toNumber() }
      : undefined;
  }
  if (order.trailPercent === undefined) return undefined;
  const places = order.trailPercent.decimalPlaces();
  if (places > 6) return undefined;
  const den = 100 * 10 ** places;
  const p = order.trailPercent.times(10 ** places).toNumber();
  return { kind: 'ratio', num: order.side === 'sell' ? den - p : den + p, den };
}

/** The candidate stop in ticks at an on-tick basis (§2.3 rounding), or undefined if not exact. */
export function candidateTicks(trail: TickTrail, side: Side, basis: number): number | undefined {
  if (trail.kind === 'ticks') return side === 'sell' ? basis - trail.ticks : basis + trail.ticks;
  const product = basis * trail.num;
  if (!Number.isSafeInteger(product)) return undefined;
  return side === 'sell' ? floorDiv(product, trail.den) : -floorDiv(-product, trail.den);
}

/**
 * The exact ratchet rank in ticks: a SELL ratchets once floor(basis) ≥ the returned rank, a BUY
 * once −ceil(basis) ≥ ... i.e. ceil(basis) ≤ −rank. Undefined when not exact.
 */
export function ratchetRankTicks(trail: TickTrail, side: Side, stop: number): number | undefined {
  if (trail.kind === 'ticks') return side === 'sell' ? stop + 1 + trail.ticks : -(stop - 1 - trail.ticks);
  const target = (side === 'sell' ? stop + 1 : stop - 1) * trail.den;
  if (!Number.isSafeInteger(target)) return undefined;
  // SELL: smallest basis with basis·num ≥ (stop+1)·den; BUY: largest with basis·num ≤ (stop−1)·den.
  return side === 'sell' ? -floorDiv(-target, trail.num) : -floorDiv(target, trail.num);
}

/** ⌊a / b⌋ for safe integers, corrected for binary rounding of the quotient. */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  while (q * b > a) q -= 1;
  while ((q + 1) * b <= a) q += 1;
  return q;
}
