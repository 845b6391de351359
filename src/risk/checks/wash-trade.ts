import type { RiskCheck } from '../types.js';
import { denied, passed } from './support.js';

const NAME = 'wash_trade';
const CODE = 'WASH_TRADE';
const PASS = passed(NAME, CODE);

/**
 * §7.2 #11: the order could trade with the account's own open order on the other side: a buy at or
 * above the lowest own sell limit, a sell at or below the highest own buy limit, or a market order
 * while any own limit order rests opposite. A stop without a limit is not a market order until it
 * triggers: it is not refused here (the venue's self-trade prevention is the last line).
 */
export const washTrade: RiskCheck = (input) => {
  const { side, limitPrice, type } = input.order;
  const { bestLimit, limitOrders } = input.account.opposite;
  const other = side === 'buy' ? 'sell' : 'buy';
  const symbol = input.instrument.symbol;
  if (limitPrice === undefined) {
    if (type !== 'market' || limitOrders === 0) return PASS;
    return denied(NAME, CODE, {
      actual: limitOrders,
      message: `A market ${side} could trade with the account's own ${limitOrders} open ${other} limit order(s) in ${symbol} (a wash trade); cancel them first, or send a limit ${side} that does not reach them.`,
    });
  }
  if (bestLimit === undefined) return PASS;
  const crosses =
    side === 'buy' ? limitPrice.greaterThanOrEqualTo(bestLimit) : limitPrice.lessThanOrEqualTo(bestLimit);
  if (!crosses) return PASS;
  return denied(NAME, CODE, {
    limit: bestLimit,
    actual: limitPrice,
    message: `The ${side} limit ${limitPrice.toFixed()} would trade with the account's own ${other} order at ${bestLimit.toFixed()} in ${symbol} (a wash trade); price the ${side} ${side === 'buy' ? 'below' : 'above'} ${bestLimit.toFixed()} or cancel the own ${other} order first.`,
  });
};
