/** The plan's `scores`: every candidate, eligible ones by rank, ineligible ones with their reason. */
import { type Decimal, ZERO, minDec } from '../domain/decimal.js';
import { type ScoredVenue, latencyScore, reliabilityScore } from './score.js';
import type { VenueScore } from './types.js';
import type { VenueView } from './venue-view.js';

/** Exact: how much of the quantity the displayed book fills within the limit. */
export function fillableQuantity(view: VenueView, quantity: Decimal, quantityFloat: number): Decimal {
  if (view.fillable >= quantityFloat) return quantity;
  // The float walk fell short, so it covered every level within the limit: sum them exactly.
  let shown = ZERO;
  for (const level of view.levels.slice(0, view.sizes.length)) {
    if (level.size === undefined) return quantity;
    shown = shown.plus(level.size);
  }
  return minDec(shown, quantity);
}

function eligibleScore(
  venue: ScoredVenue,
  quantity: Decimal,
  quantityFloat: number,
  expectedPrice: Decimal | undefined,
): VenueScore {
  const { candidate } = venue.view;
  const { price, cost, liquidity, latency, reliability, total } = venue;
  return {
    venue: candidate.venue,
    accountId: candidate.accountId,
    eligible: true,
    price,
    cost,
    liquidity,
    latency,
    reliability,
    total,
    ...(expectedPrice === undefined ? {} : { expectedPrice }),
    fillableQuantity: fillableQuantity(venue.view, quantity, quantityFloat),
  };
}

function ineligibleScore(view: VenueView): VenueScore {
  const { candidate } = view;
  return {
    venue: candidate.venue,
    accountId: candidate.accountId,
    eligible: false,
    reason: view.reason ?? 'not eligible',
    price: 0,
    cost: 0,
    liquidity: 0,
    latency: latencyScore(candidate.stats),
    reliability: reliabilityScore(candidate.stats, candidate.status === 'degraded'),
    total: 0,
    fillableQuantity: ZERO,
  };
}

/**
 * Eligible venues best first, then the ineligible ones in input order. `prices` holds the exact
 * fee-exclusive expected price of the venues that were priced (allocations and the best single venue).
 */
export function venueScores(
  ranked: readonly ScoredVenue[],
  ineligible: readonly VenueView[],
  quantity: Decimal,
  quantityFloat: number,
  prices: ReadonlyMap<ScoredVenue, Decimal>,
): VenueScore[] {
  return [
    ...ranked.map((venue) => eligibleScore(venue, quantity, quantityFloat, prices.get(venue))),
    ...ineligible.map(ineligibleScore),
  ];
}
