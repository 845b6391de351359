import { type Decimal, dec } from '../../domain/decimal.js';
import type { RiskCheck, RiskLimits } from '../types.js';
import { denied, passed, skipped, sourceName, tightestLevel } from './support.js';

const NAME = 'price_band';
const CODE = 'PRICE_BAND';
const PASS = passed(NAME, CODE);
const NO_LIMIT = skipped(NAME, CODE, 'skipped: the order has no limit price');
const NO_REFERENCE = skipped(NAME, CODE, 'skipped: there is no reference price to band around');

/** §7.2 default fat-finger band, in percent of the reference price. */
export const DEFAULT_PRICE_BAND_PCT = dec(10);
const HUNDRED = dec(100);

const pickBand = (limits: RiskLimits): Decimal | undefined => limits.priceBandPct;

/**
 * §7.2 #8: a buy limit above reference × (1 + band/100) or a sell limit below reference × (1 − band/100),
 * with the tightest band any level sets.
 */
export const priceBand: RiskCheck = (input) => {
  const { limitPrice, side } = input.order;
  const { reference } = input;
  if (limitPrice === undefined) return NO_LIMIT;
  if (reference === undefined) return NO_REFERENCE;
  const tightest = tightestLevel(input.levels, pickBand);
  const pct = tightest?.limits.priceBandPct ?? DEFAULT_PRICE_BAND_PCT;
  const level = tightest?.level ?? 'global';
  const buy = side === 'buy';
  // limit vs reference × (100 ± pct) / 100, compared without dividing (division is the slow operation).
  const scaledBound = reference.times(buy ? HUNDRED.plus(pct) : HUNDRED.minus(pct));
  const scaledLimit = limitPrice.times(HUNDRED);
  if (buy ? scaledLimit.lessThanOrEqualTo(scaledBound) : scaledLimit.greaterThanOrEqualTo(scaledBound)) {
    return PASS;
  }
  const bound = scaledBound.div(HUNDRED);
  const where = buy
    ? `above the band's top ${bound.toFixed()}`
    : `below the band's bottom ${bound.toFixed()}`;
  return denied(NAME, CODE, {
    level,
    limit: bound,
    actual: limitPrice,
    message: `The ${side} limit ${limitPrice.toFixed()} is ${where} (reference ${reference.toFixed()} ${buy ? '+' : '−'} ${pct.toFixed()}%, priceBandPct from ${sourceName(tightest)}); check the price for a typo and send a limit ${buy ? 'at or below' : 'at or above'} ${bound.toFixed()}.`,
  });
};
