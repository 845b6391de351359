import type { RiskCheck } from '../types.js';
import { denied, passed } from './support.js';

const NAME = 'symbol_tradable';
const CODE = 'SYMBOL_NOT_TRADABLE';
const PASS = passed(NAME, CODE);

/** §7.2 #2, the part left to the risk engine: a known instrument that is not tradable. */
export const symbolTradable: RiskCheck = (input) => {
  const { instrument } = input;
  if (instrument.tradable) return PASS;
  return denied(NAME, CODE, {
    message: `${instrument.symbol} is known but not tradable at this venue; choose another instrument or another venue that trades it (listVenues).`,
  });
};
