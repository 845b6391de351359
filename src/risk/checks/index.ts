import type { RiskCheck } from '../types.js';
import { buyingPower } from './buying-power.js';
import { dailyLoss } from './daily-loss.js';
import { dailyNotional } from './daily-notional.js';
import { exposure } from './exposure.js';
import { marketClosed } from './market-closed.js';
import { minNotional } from './min-notional.js';
import { openOrders } from './open-orders.js';
import { openPositions } from './open-positions.js';
import { orderNotional } from './order-notional.js';
import { patternDayTrader } from './pattern-day-trader.js';
import { positionLimit } from './position-limit.js';
import { priceBand } from './price-band.js';
import { rateLimit } from './rate-limit.js';
import { reduceOnly } from './reduce-only.js';
import { staleQuote } from './stale-quote.js';
import { symbolTradable } from './symbol-tradable.js';
import { tradingHalted } from './trading-halted.js';
import { washTrade } from './wash-trade.js';

/**
 * The pre-trade checks the risk engine runs, in the evaluation order of ORDER-SEMANTICS.md §7.2
 * (the first failure is reported). Checks 1, 4 and 5 and the unknown-symbol half of 2 belong to
 * order validation, which runs before these.
 */
export const CHECKS: readonly RiskCheck[] = Object.freeze([
  symbolTradable, // 2
  tradingHalted, // 3
  marketClosed, // 6
  staleQuote, // 7
  priceBand, // 8
  minNotional, // 9
  reduceOnly, // 10
  washTrade, // 11
  patternDayTrader, // 12
  orderNotional, // 13 ᴿ
  dailyNotional, // 13b ᴿ
  positionLimit, // 14 ᴿ
  openPositions, // 15 ᴿ
  openOrders, // 15b ᴿ
  exposure, // 16 ᴿ
  dailyLoss, // 17 ᴿ
  buyingPower, // 18 ᴿ
  rateLimit, // 19
]);

export {
  buyingPower,
  dailyLoss,
  dailyNotional,
  exposure,
  marketClosed,
  minNotional,
  openOrders,
  openPositions,
  orderNotional,
  patternDayTrader,
  positionLimit,
  priceBand,
  rateLimit,
  reduceOnly,
  staleQuote,
  symbolTradable,
  tradingHalted,
  washTrade,
};
