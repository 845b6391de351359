/**
 * Venue scoring: five components normalised to 0..1 (1 is best), weighted by the objective.
 *
 * - price: the fee-inclusive average price of the full quantity (what the book does not fill priced as
 *   book-walk.ts says), relative to the best eligible venue: 1 − (bp worse than the best) / 50.
 * - cost: the same with the venue's realised slippage added: the all-in expected price.
 * - liquidity: share of the quantity the displayed book fills within the limit.
 * - latency: 1 / (1 + latencyMs / 50): 1 instant, 0.5 at 50 ms, 0.25 at 150 ms.
 * - reliability: fillRate × (1 − errorRate) / (1 + adverse slippage / 10 bp), halved when degraded.
 *
 * `stats.samples` is not read: the caller already supplies prior defaults for a venue without samples.
 *
 * Absolute scales (not min-max across candidates) so a 0.01 bp difference stays a 0.01 bp difference.
 * Ties on the total are broken by venue id, then account id, then input order: deterministic.
 */
import type { Side } from '../domain/order.js';
import type { RoutingObjective, VenueStats } from './types.js';
import type { VenueView } from './venue-view.js';

export interface ComponentWeights {
  readonly price: number;
  readonly cost: number;
  readonly liquidity: number;
  readonly latency: number;
  readonly reliability: number;
}

/**
 * best_price: the fee-inclusive price decides; liquidity and health only separate near-equal prices.
 * lowest_cost: the same on the all-in cost (fees, impact beyond the book, realised slippage).
 * fastest: latency first, then reliability (a fast venue that fails is not fast).
 * smart_balance: cost 40%, reliability 25%, latency 20%, liquidity 15%.
 */
export const OBJECTIVE_WEIGHTS: Readonly<Record<RoutingObjective, ComponentWeights>> = {
  best_price: { price: 0.8, cost: 0, liquidity: 0.1, latency: 0.05, reliability: 0.05 },
  lowest_cost: { price: 0, cost: 0.8, liquidity: 0.1, latency: 0.05, reliability: 0.05 },
  fastest: { price: 0.05, cost: 0, liquidity: 0.05, latency: 0.7, reliability: 0.2 },
  smart_balance: { price: 0, cost: 0.4, liquidity: 0.15, latency: 0.2, reliability: 0.25 },
};

/** A venue this many basis points worse than the best scores 0 on price and cost. */
export const PRICE_RANGE_BPS = 50;
export const LATENCY_REFERENCE_MS = 50;
export const SLIPPAGE_REFERENCE_BPS = 10;
export const DEGRADED_FACTOR = 0.5;

export interface ScoredVenue {
  readonly view: VenueView;
  readonly price: number;
  readonly cost: number;
  readonly liquidity: number;
  readonly latency: number;
  readonly reliability: number;
  readonly total: number;
}

/** What scoring needs from the request, converted once. */
export interface ScoreContext {
  readonly side: Side;
  readonly quantity: number;
  /** NaN for market-like types. */
  readonly limit: number;
  readonly marketLike: boolean;
  /** Impact estimate as a rate (bp / 10⁴). */
  readonly impactRate: number;
  readonly objective: RoutingObjective;
}

const clamp01 = (x: number): number => (x > 1 ? 1 : x > 0 ? x : 0);

export function latencyScore(stats: VenueStats): number {
  return 1 / (1 + Math.max(0, stats.latencyMs) / LATENCY_REFERENCE_MS);
}

export function reliabilityScore(stats: VenueStats, degraded: boolean): number {
  const slippage = 1 / (1 + Math.max(0, stats.slippageBps) / SLIPPAGE_REFERENCE_BPS);
  const health = degraded ? DEGRADED_FACTOR : 1;
  return clamp01(stats.fillRate) * (1 - clamp01(stats.errorRate)) * slippage * health;
}

/** Fee-inclusive average price of the full quantity on one venue (float, for ranking). */
export function effectivePrice(view: VenueView, ctx: ScoreContext): number {
  const sign = ctx.side === 'buy' ? 1 : -1;
  const taken = view.takenNotional * (1 + sign * view.takerRate);
  const rest = ctx.quantity - view.fillable;
  if (rest <= 0) return taken / ctx.quantity;
  const restPrice = ctx.marketLike
    ? view.worst * (1 + sign * ctx.impactRate) * (1 + sign * view.takerRate)
    : ctx.limit * (1 + sign * view.makerRate);
  return (taken + rest * restPrice) / ctx.quantity;
}

/** 1 at the best price, falling linearly to 0 at PRICE_RANGE_BPS worse. */
export function relativeScore(value: number, best: number, side: Side): number {
  if (!(best > 0)) return value === best ? 1 : 0;
  const worseBps = ((side === 'buy' ? value - best : best - value) / best) * 10_000;
  return clamp01(1 - worseBps / PRICE_RANGE_BPS);
}

function weigh(components: Omit<ScoredVenue, 'view' | 'total'>, weights: ComponentWeights): number {
  return (
    weights.price * components.price +
    weights.cost * components.cost +
    weights.liquidity * components.liquidity +
    weights.latency * components.latency +
    weights.reliability * components.reliability
  );
}

/** Deterministic order: higher total first, then venue id, account id, input position. */
export function compareScored(a: ScoredVenue, b: ScoredVenue): number {
  if (a.total !== b.total) return b.total - a.total;
  const [va, vb] = [a.view.candidate, b.view.candidate];
  if (va.venue !== vb.venue) return va.venue < vb.venue ? -1 : 1;
  if (va.accountId !== vb.accountId) return va.accountId < vb.accountId ? -1 : 1;
  return a.view.index - b.view.index;
}

/** Scores the eligible venues and returns them best first (plain loops: this runs per order). */
export function rankVenues(eligible: readonly VenueView[], ctx: ScoreContext): ScoredVenue[] {
  const sign = ctx.side === 'buy' ? 1 : -1;
  const prices = new Float64Array(eligible.length);
  const costs = new Float64Array(eligible.length);
  let bestPrice = Number.NaN;
  let bestCost = Number.NaN;
  for (let i = 0; i < eligible.length; i++) {
    const view = eligible[i] as VenueView;
    const price = effectivePrice(view, ctx);
    const cost = price * (1 + (sign * view.candidate.stats.slippageBps) / 10_000);
    prices[i] = price;
    costs[i] = cost;
    if (!(sign * (price - bestPrice) >= 0)) bestPrice = price;
    if (!(sign * (cost - bestCost) >= 0)) bestCost = cost;
  }
  const weights = OBJECTIVE_WEIGHTS[ctx.objective];
  const scored: ScoredVenue[] = [];
  for (let i = 0; i < eligible.length; i++) {
    const view = eligible[i] as VenueView;
    const { stats, status } = view.candidate;
    const components = {
      price: relativeScore(prices[i] ?? 0, bestPrice, ctx.side),
      cost: relativeScore(costs[i] ?? 0, bestCost, ctx.side),
      liquidity: clamp01(view.fillable / ctx.quantity),
      latency: latencyScore(stats),
      reliability: reliabilityScore(stats, status === 'degraded'),
    };
    scored.push({ view, ...components, total: weigh(components, weights) });
  }
  return scored.sort(compareScored);
}
