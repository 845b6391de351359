import type { RiskCheck } from '../types.js';
import { REDUCES_NOTE, denied, limitName, passed, skipped } from './support.js';

const NAME = 'daily_loss';
const CODE = 'DAILY_LOSS_LIMIT';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);

/** §7.2 #17 ᴿ: equity − start-of-day equity ≤ −dailyLossLimit at any level that knows its start. */
export const dailyLoss: RiskCheck = (input, { reduces }) => {
  if (reduces) return REDUCES;
  for (const { level, limits, equity, startOfDayEquity: start } of input.levels) {
    const limit = limits.dailyLossLimit;
    if (limit === undefined || start === undefined) continue;
    const loss = start.minus(equity);
    if (loss.lessThan(limit)) continue;
    return denied(NAME, CODE, {
      level,
      limit,
      actual: loss,
      message: `The loss since the day started is ${loss.toFixed()} (equity ${equity.toFixed()} from ${start.toFixed()}), at or over ${limitName(level)} ${limit.toFixed()} (dailyLossLimit); only orders that reduce exposure are accepted until the day resets or a risk admin raises dailyLossLimit.`,
    });
  }
  return PASS;
};
