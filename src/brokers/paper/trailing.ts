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
