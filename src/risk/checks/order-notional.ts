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

const NAME = 'order_notional';
const CODE = 'ORDER_NOTIONAL_LIMIT';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);
const NO_PRICE = skipped(NAME, CODE, NO_PRICE_NOTE);

/** §7.2 #13 ᴿ: the order's notional over any level's maxOrderNotional. */
export const orderNotional: RiskCheck = (input, { notional, reduces }) => {
  if (reduces) return REDUCES;
  if (notional === undefined) return NO_PRICE;
  for (const { level, limits } of input.levels) {
    const limit = limits.maxOrderNotional;
    if (limit === undefined || notional.lessThanOrEqualTo(limit)) continue;
    const advice = notionalAdvice(input.instrument, limit, input.orderPrice);
    return denied(NAME, CODE, {
      level,
      limit,
      actual: notional,
      message: `Order notional ${notional.toFixed()} exceeds ${limitName(level)} ${limit.toFixed()} (maxOrderNotional) by ${notional.minus(limit).toFixed()}; ${advice}, or ask a risk admin to raise maxOrderNotional.`,
    });
  }
  return PASS;
};
