/**
 * planRoute: where an order should go, without sending it.
 *
 * 1. Each candidate is checked for eligibility and its book walked in floats (venue-view.ts).
 * 2. Market impact is estimated for the full quantity (impact.ts) against the eligible venues' depth.
 * 3. Eligible venues are scored and ranked under the objective (score.ts); the top one is the best
 *    single venue, priced exactly for the full quantity (book-walk.ts).
 * 4. With allowSplit, a split is built (split.ts) and priced exactly; it is chosen only when its net
 *    cost is strictly lower than the best single venue's. `fastest` never splits: a split buys price
 *    with more venues and more messages, the opposite of what that objective asks for.
 *
 * Pure: no I/O, no clock. Money is exact Decimal; only the ranking uses floats.
 */
import { BPS, type Decimal, ONE, ZERO, sumDec } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import { type PricedFill, type PricingContext, isMarketLike, priceFill } from './book-walk.js';
import { floorToStep, toFloat } from './float.js';
import { impactBpsOf, toImpactDecimal } from './impact.js';
import { type ScoredVenue, rankVenues } from './score.js';
import { splitQuantity } from './split.js';
import type { Allocation, RoutePlan, RouteRequest, VenueCandidate } from './types.js';
import { venueScores } from './venue-scores.js';
import { type VenueView, type ViewContext, limitNumber, viewVenue } from './venue-view.js';

/** The caller validated the order; a request that breaks these is a bug upstream, so it throws. */
function validate(request: RouteRequest, marketLike: boolean): void {
  const { quantity, lotStep, minQuantity, limitPrice } = request;
  if (!lotStep.greaterThan(ZERO) || minQuantity.isNegative()) {
    throw new TradingError('INVALID_ORDER', 'lotStep must be positive and minQuantity not negative.', {
      hint: "Pass the instrument's lot size and minimum quantity.",
    });
  }
  if (
    !quantity.greaterThan(ZERO) ||
    !floorToStep(quantity, lotStep).equals(quantity) ||
    quantity.lessThan(minQuantity)
  ) {
    throw new TradingError(
      'QUANTITY_PRECISION',
      `quantity ${quantity.toFixed()} must be positive, a multiple of ${lotStep.toFixed()} and at least ${minQuantity.toFixed()}.`,
      { hint: 'Validate the order (assertQuantity) before routing it.' },
    );
  }
  if (!marketLike && (limitPrice === undefined || !limitPrice.greaterThan(ZERO))) {
    throw new TradingError('INVALID_ORDER', `A ${request.type} order needs a positive limitPrice.`, {
      hint: 'Send limitPrice.',
    });
  }
}

/** Impact of the full quantity against the eligible venues' displayed depth plus recent volume. */
function impactOf(request: RouteRequest, eligible: readonly VenueView[], quantity: number): Decimal {
  let liquidity = request.recentVolume === undefined ? 0 : toFloat(request.recentVolume);
  for (const view of eligible) liquidity += view.depth;
  return toImpactDecimal(impactBpsOf(quantity, liquidity));
}

function pricingContext(request: RouteRequest, marketLike: boolean, impactBps: Decimal): PricingContext {
  if (!marketLike) return { side: request.side, limit: request.limitPrice, beyondBookFactor: ONE };
  const moved = request.side === 'buy' ? BPS.plus(impactBps) : BPS.minus(impactBps);
  return { side: request.side, limit: undefined, beyondBookFactor: moved.div(BPS) };
}

interface Piece {
  readonly venue: ScoredVenue;
  readonly fill: PricedFill;
}

function priceOn(venue: ScoredVenue, quantity: Decimal, ctx: PricingContext): PricedFill {
  return priceFill(venue.view.levels, venue.view.candidate.fees, quantity, ctx);
}

/** The split, priced exactly, allocations in rank order; undefined when none is possible. */
function splitRoute(ranked: readonly ScoredVenue[], request: RouteRequest, ctx: PricingContext) {
  const best = ranked[0];
  if (best === undefined || ranked.length < 2) return undefined;
  const pieces = splitQuantity(ranked, best, request);
  if (pieces === undefined) return undefined;
  const rank = new Map(ranked.map((venue, i) => [venue, i]));
  return pieces
    .map((piece): Piece => ({ venue: piece.venue, fill: priceOn(piece.venue, piece.quantity, ctx) }))
    .sort((a, b) => (rank.get(a.venue) ?? 0) - (rank.get(b.venue) ?? 0));
}

function allocation({ venue, fill }: Piece): Allocation {
  const { candidate } = venue.view;
  return {
    venue: candidate.venue,
    accountId: candidate.accountId,
    quantity: fill.quantity,
    expectedPrice: fill.expectedPrice,
    fees: fill.fees,
    notional: fill.notional,
    beyondBookQuantity: fill.beyondBook,
    score: venue.total,
  };
}

const costOf = (pieces: readonly Piece[]): Decimal => sumDec(pieces.map((piece) => piece.fill.cost));

interface Ranking {
  readonly ranked: ScoredVenue[];
  readonly ineligible: VenueView[];
  readonly impact: Decimal;
  readonly ctx: PricingContext;
}

function rank(request: RouteRequest, candidates: readonly VenueCandidate[]): Ranking {
  const marketLike = isMarketLike(request.type);
  validate(request, marketLike);
  const quantity = toFloat(request.quantity);
  const limit = marketLike ? Number.NaN : limitNumber(request.limitPrice);
  const viewContext: ViewContext = { side: request.side, type: request.type, marketLike, quantity, limit };
  const views = candidates.map((candidate, i) => viewVenue(candidate, i, viewContext));
  const eligible = views.filter((view) => view.reason === undefined);
  const impact = impactOf(request, eligible, quantity);
  const impactRate = toFloat(impact) / 10_000;
  const ranked = rankVenues(eligible, {
    side: request.side,
    marketLike,
    quantity,
    limit,
    impactRate,
    objective: request.objective,
  });
  const ineligible = views.filter((view) => view.reason !== undefined);
  return { ranked, ineligible, impact, ctx: pricingContext(request, marketLike, impact) };
}

function emptyPlan(request: RouteRequest, ranking: Ranking): RoutePlan {
  return {
    objective: request.objective,
    side: request.side,
    allocations: [],
    split: false,
    scores: venueScores([], ranking.ineligible, request.quantity, 0, new Map()),
    expectedAveragePrice: undefined,
    notional: ZERO,
    fees: ZERO,
    estimatedCost: ZERO,
    marketImpactBps: ranking.impact,
    bestSingle: undefined,
  };
}

interface Choice {
  readonly best: ScoredVenue;
  readonly single: PricedFill;
  readonly split: readonly Piece[] | undefined;
  readonly splitCost: Decimal | undefined;
  readonly chosen: readonly Piece[];
}

function choose(request: RouteRequest, ranking: Ranking, best: ScoredVenue): Choice {
  const single = priceOn(best, request.quantity, ranking.ctx);
  const maySplit = request.allowSplit && request.objective !== 'fastest';
  const split = maySplit ? splitRoute(ranking.ranked, request, ranking.ctx) : undefined;
  const splitCost = split === undefined ? undefined : costOf(split);
  const better = split !== undefined && splitCost?.lessThan(single.cost) === true;
  return { best, single, split, splitCost, chosen: better ? split : [{ venue: best, fill: single }] };
}

function assemble(request: RouteRequest, ranking: Ranking, choice: Choice): RoutePlan {
  const { best, single, split, splitCost, chosen } = choice;
  const prices = new Map(chosen.map((piece) => [piece.venue, piece.fill.expectedPrice]));
  if (!prices.has(best)) prices.set(best, single.expectedPrice);
  const notional = sumDec(chosen.map((piece) => piece.fill.notional));
  const quantityFloat = toFloat(request.quantity);
  return {
    objective: request.objective,
    side: request.side,
    allocations: chosen.map(allocation),
    split: chosen === split,
    scores: venueScores(ranking.ranked, ranking.ineligible, request.quantity, quantityFloat, prices),
    expectedAveragePrice: notional.div(request.quantity),
    notional,
    fees: sumDec(chosen.map((piece) => piece.fill.fees)),
    estimatedCost: costOf(chosen),
    marketImpactBps: ranking.impact,
    bestSingle: {
      venue: best.view.candidate.venue,
      accountId: best.view.candidate.accountId,
      expectedAveragePrice: single.expectedPrice,
      estimatedCost: single.cost,
    },
    ...(splitCost === undefined ? {} : { splitEstimatedCost: splitCost }),
  };
}

/** Plans the route of one order across the candidates (see the file header). */
export function planRoute(request: RouteRequest, candidates: readonly VenueCandidate[]): RoutePlan {
  const ranking = rank(request, candidates);
  const best = ranking.ranked[0];
  return best === undefined
    ? emptyPlan(request, ranking)
    : assemble(request, ranking, choose(request, ranking, best));
}
