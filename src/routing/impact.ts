/**
 * Square-root market impact: impactBps = Y × σ × sqrt(Q / V) × 10⁴.
 *
 * Q is the order's quantity and V the liquidity it meets: the displayed depth on the taking side across
 * the eligible venues plus recent traded volume when known. Empirical work (Almgren et al. 2005, Tóth et
 * al. 2011) finds Y of order 1; we take Y = 0.5 and a daily-volatility proxy σ = 2%, so the coefficient
 * Y × σ = 0.01: taking the whole of V costs 100 bp, 1% of V costs 10 bp. The estimate is capped at
 * 1,000 bp, which is also the answer when nothing is known about liquidity (V = 0).
 *
 * The result is a model estimate, not an amount of money: the square root is taken in binary floating
 * point from the exact inputs (a Decimal square root costs ~13 µs) and returned as a Decimal rounded to
 * 0.01 bp, so every price derived from it is exact Decimal arithmetic on that rounded value.
 */
import { Decimal } from '../domain/decimal.js';
import { toFloat } from './float.js';

/** Y × σ: Y = 0.5 times a 2% daily-volatility proxy. */
export const IMPACT_COEFFICIENT = 0.01;
/** The most the model ever predicts (10%), and its answer when V = 0. */
export const MAX_IMPACT_BPS = 1_000;

/** The model on plain numbers; `liquidity` may be Infinity (a level of unlimited size): 0 bp. */
export function impactBpsOf(quantity: number, liquidity: number, coefficient = IMPACT_COEFFICIENT): number {
  if (!(quantity > 0)) return 0;
  if (!(liquidity > 0)) return MAX_IMPACT_BPS;
  return Math.min(MAX_IMPACT_BPS, coefficient * Math.sqrt(quantity / liquidity) * 10_000);
}

/** Rounds a model estimate to 0.01 bp as a Decimal. */
export function toImpactDecimal(bps: number): Decimal {
  return new Decimal(bps.toFixed(2));
}

/**
 * Expected market impact in basis points of an order of `quantity` against `depth` displayed on the
 * taking side (undefined: unlimited, so no impact) plus `recentVolume` when given.
 */
export function marketImpactBps(
  quantity: Decimal,
  depth: Decimal | undefined,
  recentVolume?: Decimal,
  coefficient = IMPACT_COEFFICIENT,
): Decimal {
  if (depth === undefined) return toImpactDecimal(0);
  const liquidity = recentVolume === undefined ? depth : depth.plus(recentVolume);
  return toImpactDecimal(impactBpsOf(toFloat(quantity), toFloat(liquidity), coefficient));
}
