/** The routing core's public API: venue scoring and route planning, market impact, slicing plans. */
export { planRoute } from './plan.js';
export { marketImpactBps, IMPACT_COEFFICIENT, MAX_IMPACT_BPS } from './impact.js';
export {
  OBJECTIVE_WEIGHTS,
  PRICE_RANGE_BPS,
  LATENCY_REFERENCE_MS,
  SLIPPAGE_REFERENCE_BPS,
  DEGRADED_FACTOR,
} from './score.js';
export { priceFill, type PricedFill, type PricingContext } from './book-walk.js';
export {
  twapSlices,
  twapSliceCount,
  vwapSlices,
  icebergNext,
  weightsForHorizon,
  US_EQUITY_VOLUME_PROFILE,
  type Slice,
  type Jitter,
  type TwapInput,
  type VwapInput,
  type VolumeProfile,
} from './slicing.js';
export * from './types.js';
