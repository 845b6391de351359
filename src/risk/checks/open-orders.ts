import type { RiskCheck } from '../types.js';
import { REDUCES_NOTE, denied, limitName, passed, skipped } from './support.js';

const NAME = 'open_orders';
const CODE = 'MAX_OPEN_ORDERS';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);

/** §7.2 #15b ᴿ: one more open order over any level's maxOpenOrders. */
export const openOrders: RiskCheck = (input, { reduces }) => {
  if (reduces) return REDUCES;
  for (const { level, limits, openOrders: open } of input.levels) {
    const limit = limits.maxOpenOrders;
    if (limit === undefined || open + 1 <= limit) continue;
    return denied(NAME, CODE, {
      level,
      limit,
      actual: open + 1,
      message: `This order would be open order ${open + 1}, over ${limitName(level)} of ${limit} (maxOpenOrders); cancel an open order first (cancelOrder), wait for some to fill, or ask a risk admin to raise maxOpenOrders.`,
    });
  }
  return PASS;
};
