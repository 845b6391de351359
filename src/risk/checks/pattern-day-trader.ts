import { PDT_EQUITY_THRESHOLD } from '../../domain/account.js';
import type { RiskCheck, RiskInput } from '../types.js';
import { denied, passed } from './support.js';

const NAME = 'pattern_day_trader';
const CODE = 'PATTERN_DAY_TRADER';
const PASS = passed(NAME, CODE);

/** FINRA rule 4210: a fourth day trade within five trading days marks the account. */
const MAX_DAY_TRADES = 3;

/**
 * §7.2 #12: a US equity margin account under 25 000 USD with 3 or more day trades in the last five
 * trading days may not close a position it opened today (that would be one more day trade).
 */
export const patternDayTrader: RiskCheck = (input) => {
  const { account, instrument } = input;
  if (instrument.assetClass !== 'us_equity' || account.type !== 'margin') return PASS;
  if (account.equity.greaterThanOrEqualTo(PDT_EQUITY_THRESHOLD)) return PASS;
  if (account.dayTradeCount < MAX_DAY_TRADES || !closesTodaysPosition(input)) return PASS;
  return denied(NAME, CODE, {
    limit: PDT_EQUITY_THRESHOLD,
    actual: account.equity,
    message: `Pattern day trader rule: this margin account has ${account.dayTradeCount} day trades in the last 5 trading days and equity ${account.equity.toFixed()} below ${PDT_EQUITY_THRESHOLD.toFixed()} USD, so closing the ${instrument.symbol} position opened today would be another day trade; keep the position until the next trading day, or bring equity to ${PDT_EQUITY_THRESHOLD.toFixed()} USD.`,
  });
};

function closesTodaysPosition(input: RiskInput): boolean {
  const { position, positionOpenedToday } = input.account;
  if (!positionOpenedToday || position.isZero()) return false;
  return input.order.side === 'sell' ? position.isPositive() : position.isNegative();
}
