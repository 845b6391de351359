import type { RiskCheck } from '../types.js';
import { REDUCES_NOTE, denied, limitName, passed, skipped } from './support.js';

const NAME = 'open_positions';
const CODE = 'MAX_OPEN_POSITIONS';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);

/** §7.2 #15 ᴿ: an order that would open one more instrument while a level already holds its maximum. */
export const openPositions: RiskCheck = (input, { reduces }) => {
  if (reduces) return REDUCES;
  for (const { level, limits, openPositions: held, holdsInstrument } of input.levels) {
    const limit = limits.maxOpenPositions;
    if (limit === undefined || holdsInstrument || held < limit) continue;
    return denied(NAME, CODE, {
      level,
      limit,
      actual: held + 1,
      message: `This order would open a position in ${input.instrument.symbol} while ${held} instruments are already held or being opened, at ${limitName(level)} of ${limit} (maxOpenPositions); close a position first (closePosition), trade an instrument already held, or ask a risk admin to raise maxOpenPositions.`,
    });
  }
  return PASS;
};
