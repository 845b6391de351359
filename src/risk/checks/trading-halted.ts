import type { RiskCheck } from '../types.js';
import { denied, passed } from './support.js';

const NAME = 'trading_halted';
const CODE = 'TRADING_HALTED';
const PASS = passed(NAME, CODE);
const HALTED = Object.freeze(
  denied(NAME, CODE, {
    message:
      'Trading is halted (trading state halted): no new order is accepted, whatever it does to exposure. Cancels still work; wait for a risk admin to resume trading (resumeTrading).',
  }),
);

/** §7.2 #3 and §7.4: the halted trading state denies every new order. */
export const tradingHalted: RiskCheck = (input) => (input.tradingState === 'halted' ? HALTED : PASS);
