import { type Decimal, dec } from '../../domain/decimal.js';
import type { CheckResult, LevelUsage, RiskCheck, RiskInput } from '../types.js';
import {
  NO_PRICE_NOTE,
  REDUCES_NOTE,
  denied,
  limitName,
  notionalAdvice,
  passed,
  skipped,
} from './support.js';

const NAME = 'exposure';
const CODE = 'EXPOSURE_LIMIT';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);
const NO_PRICE = skipped(NAME, CODE, NO_PRICE_NOTE);
const HUNDRED = dec(100);

/**
 * §7.2 #16 ᴿ: exposure after the order over a level's limit: gross (maxGrossExposure), of the
 * instrument's asset class (maxAssetClassExposure), or of its sector as a share of the level's equity
 * (maxSectorExposurePct, instruments with a sector only).
 */
export const exposure: RiskCheck = (input, { notional, reduces }) => {
  if (reduces) return REDUCES;
  if (notional === undefined) return NO_PRICE;
  for (const usage of input.levels) {
    const result = checkLevel(input, usage, notional);
    if (result !== undefined) return result;
  }
  return PASS;
};

function checkLevel(input: RiskInput, usage: LevelUsage, notional: Decimal): CheckResult | undefined {
  const { limits } = usage;
  const { assetClass, sector } = input.instrument;
  const gross = limits.maxGrossExposure;
  if (gross !== undefined && usage.grossExposure.plus(notional).greaterThan(gross)) {
    return deny(input, usage, notional, 'gross exposure', usage.grossExposure, gross, 'maxGrossExposure');
  }
  const byClass = limits.maxAssetClassExposure?.[assetClass];
  if (byClass !== undefined && usage.assetClassExposure.plus(notional).greaterThan(byClass)) {
    const field = `maxAssetClassExposure.${assetClass}`;
    return deny(input, usage, notional, `${assetClass} exposure`, usage.assetClassExposure, byClass, field);
  }
  const pct = limits.maxSectorExposurePct;
  if (pct === undefined || sector === undefined) return undefined;
  // exposure > pct × equity / 100, compared without dividing (division is the slow operation).
  const scaledCap = pct.times(usage.equity);
  if (usage.sectorExposure.plus(notional).times(HUNDRED).lessThanOrEqualTo(scaledCap)) return undefined;
  const cap = scaledCap.div(HUNDRED);
  const field = `maxSectorExposurePct, ${pct.toFixed()}% of equity ${usage.equity.toFixed()}`;
  return deny(input, usage, notional, `${sector} sector exposure`, usage.sectorExposure, cap, field);
}

function deny(
  input: RiskInput,
  usage: LevelUsage,
  notional: Decimal,
  dimension: string,
  current: Decimal,
  limit: Decimal,
  field: string,
): CheckResult {
  const after = current.plus(notional);
  const advice = notionalAdvice(input.instrument, limit.minus(current), input.orderPrice);
  return denied(NAME, CODE, {
    level: usage.level,
    limit,
    actual: after,
    message: `The ${dimension} would reach ${after.toFixed()} (${current.toFixed()} now plus this order's ${notional.toFixed()}), over ${limitName(usage.level)} ${limit.toFixed()} (${field}) by ${after.minus(limit).toFixed()}; ${advice}, reduce other positions first, or ask a risk admin to raise the limit.`,
  });
}
