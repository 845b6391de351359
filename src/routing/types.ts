/**
 * The routing core's inputs and outputs: pure values, no I/O. The caller (the engine) has already
 * filtered candidates by capability (order types, time in force, asset class, account permissions)
 * and supplies each venue's book, fees, health and execution statistics.
 *
 * Money and quantities are Decimal and exact; component scores are dimensionless ranking numbers.
 */
import type { Decimal } from '../domain/decimal.js';
import type { OrderType, Side } from '../domain/order.js';
import type { BookSnapshot } from '../marketdata/types.js';

export const ROUTING_OBJECTIVES = ['best_price', 'fastest', 'lowest_cost', 'smart_balance'] as const;
export type RoutingObjective = (typeof ROUTING_OBJECTIVES)[number];

/** Measured from our own executions and venue health; the caller supplies defaults when samples = 0. */
export interface VenueStats {
  /** Round-trip order latency, milliseconds. */
  readonly latencyMs: number;
  /** Share of sent orders that filled, 0..1. */
  readonly fillRate: number;
  /** Share of venue calls that failed, 0..1. */
  readonly errorRate: number;
  /** Average realised slippage against the expected price, basis points; positive is adverse. */
  readonly slippageBps: number;
  readonly samples: number;
}

export type VenueStatus = 'connected' | 'degraded' | 'down';

export interface VenueFees {
  readonly makerBps: Decimal;
  readonly takerBps: Decimal;
}

export interface VenueCandidate {
  readonly venue: string;
  readonly accountId: string;
  /** Decimal prices and sizes; a level without size is unlimited (ORDER-SEMANTICS §2.5). */
  readonly book: BookSnapshot | undefined;
  readonly fees: VenueFees;
  readonly stats: VenueStats;
  readonly status: VenueStatus;
  readonly circuitOpen: boolean;
}

export interface RouteRequest {
  readonly side: Side;
  /** Positive, a multiple of lotStep and at least minQuantity (the caller validated it). */
  readonly quantity: Decimal;
  readonly type: OrderType;
  /** Required for limit, stop_limit and limit_if_touched. */
  readonly limitPrice?: Decimal;
  readonly objective: RoutingObjective;
  /** May the order be split across venues? Ignored by `fastest`, which always uses one venue. */
  readonly allowSplit: boolean;
  /** Allocations are multiples of lotStep and at least minQuantity. */
  readonly lotStep: Decimal;
  readonly minQuantity: Decimal;
  /** Recent traded volume (same unit as quantity), for the impact model. */
  readonly recentVolume?: Decimal;
}

export interface Allocation {
  readonly venue: string;
  readonly accountId: string;
  readonly quantity: Decimal;
  /** Fee-exclusive expected average price of this allocation. */
  readonly expectedPrice: Decimal | undefined;
  /** Expected fees, in the quote currency (taker on what takes, maker on what rests). */
  readonly fees: Decimal;
  /** quantity × expectedPrice, fee-exclusive. */
  readonly notional: Decimal;
  /**
   * The part the displayed book (within the limit) cannot fill: it rests at the limit for a limit
   * order, and for a market order it is priced at the venue's worst displayed level moved by the
   * impact estimate.
   */
  readonly beyondBookQuantity: Decimal;
  /** The venue's total score under the objective. */
  readonly score: number;
}

export interface VenueScore {
  readonly venue: string;
  readonly accountId: string;
  readonly eligible: boolean;
  /** Why the venue is not eligible, written for an LLM reader. */
  readonly reason?: string;
  /** Fee-inclusive price of the full quantity relative to the best venue: 1 = best, 0 = far worse. */
  readonly price: number;
  /** Like price, but also counting the venue's realised slippage (the lowest_cost view). */
  readonly cost: number;
  /** Share of the quantity the displayed book fills within the limit, 0..1. */
  readonly liquidity: number;
  /** 1 for instant, 0.5 at LATENCY_REFERENCE_MS, towards 0 when slow. */
  readonly latency: number;
  /** Fill rate × (1 − error rate), discounted for slippage and a degraded status, 0..1. */
  readonly reliability: number;
  /** Weighted sum of the components under the objective (OBJECTIVE_WEIGHTS); 0 when ineligible. */
  readonly total: number;
  /**
   * Exact fee-exclusive expected price, for the venues that were priced: of the venue's allocation, or
   * of the full quantity for the best single venue when the split gave it none. Absent for the others.
   */
  readonly expectedPrice?: Decimal;
  /** How much of the quantity the displayed book fills within the limit. */
  readonly fillableQuantity: Decimal;
}

export interface SingleRoute {
  readonly venue: string;
  readonly accountId: string;
  readonly expectedAveragePrice: Decimal | undefined;
  readonly estimatedCost: Decimal;
}

/**
 * Cost convention (both sides: lower is better): `estimatedCost` is the expected net cash paid.
 * A buy pays notional + fees (positive); a sell receives notional − fees, so its estimatedCost is
 * fees − notional (negative: −estimatedCost is the net proceeds).
 */
export interface RoutePlan {
  readonly objective: RoutingObjective;
  readonly side: Side;
  /** One for a single-venue route, several when split; empty when no venue is eligible. */
  readonly allocations: Allocation[];
  readonly split: boolean;
  /** Every candidate: eligible ones by rank (best first), then the ineligible ones with a reason. */
  readonly scores: VenueScore[];
  /** Fee-exclusive volume-weighted price over the allocations. */
  readonly expectedAveragePrice: Decimal | undefined;
  /** Fee-exclusive notional over the allocations. */
  readonly notional: Decimal;
  readonly fees: Decimal;
  /** Net cash paid: notional + fees for a buy, fees − notional for a sell (see above). */
  readonly estimatedCost: Decimal;
  /** Square-root estimate for the full quantity (impact.ts), rounded to 0.01 bp. */
  readonly marketImpactBps: Decimal;
  /** The objective's top venue for the full quantity: what a route without a split does. */
  readonly bestSingle: SingleRoute | undefined;
  /** The cost of the split that was evaluated, chosen or not; absent when none was evaluated. */
  readonly splitEstimatedCost?: Decimal;
}
