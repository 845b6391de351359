import type { RiskCheck } from '../types.js';
import {
  NO_PRICE_NOTE,
  REDUCES_NOTE,
  denied,
  limitName,
  notionalAdvice,
  passed,
  skipped,
} from './support.js';

const NAME = 'daily_notional';
const CODE = 'DAILY_NOTIONAL_LIMIT';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);
const NO_PRICE = skipped(NAME, CODE, NO_PRICE_NOTE);

/** §7.2 #13b ᴿ: notional accepted today plus this order's over any level's maxDailyNotional. */
export const dailyNotional: RiskCheck = (input, { notional, reduces }) => {
  if (reduces) return REDUCES;
  if (notional === undefined) return NO_PRICE;
  for (const { level, limits, dailyNotional: used } of input.levels) {
    const limit = limits.maxDailyNotional;
    if (limit === undefined) continue;
    const total = used.plus(notional);
    if (total.lessThanOrEqualTo(limit)) continue;
    const advice = notionalAdvice(input.instrument, limit.minus(used), input.orderPrice);
    return denied(NAME, CODE, {
      level,
      limit,
      actual: total,
      message: `Today's notional would reach ${total.toFixed()} (${used.toFixed()} already accepted plus this order's ${notional.toFixed()}), over ${limitName(level)} ${limit.toFixed()} (maxDailyNotional) by ${total.minus(limit).toFixed()}; ${advice}, wait for the day to reset, or ask a risk admin to raise maxDailyNotional.`,
    });
  }
  return PASS;
};
