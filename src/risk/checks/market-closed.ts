import type { RiskCheck } from '../types.js';
import { denied, passed } from './support.js';

const NAME = 'market_closed';
const CODE = 'MARKET_CLOSED';
const PASS = passed(NAME, CODE);

/** §7.2 #6: an immediate-or-cancel or fill-or-kill order cannot work while the session is closed. */
export const marketClosed: RiskCheck = (input) => {
  const { timeInForce } = input.order;
  if (input.sessionOpen || (timeInForce !== 'ioc' && timeInForce !== 'fok')) return PASS;
  return denied(NAME, CODE, {
    message: `The ${input.instrument.symbol} session is closed, so a ${timeInForce} order could only expire unfilled; send it as day or gtc to rest until the open, or wait for the session to open (getMarketStatus shows when).`,
  });
};
