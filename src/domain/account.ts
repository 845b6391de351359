import { type Decimal, ZERO, dec, maxDec } from './decimal.js';

export type AccountType = 'cash' | 'margin';
export type AccountMode = 'paper' | 'live';

/** The pattern-day-trader threshold of FINRA rule 4210: $25,000 of equity. */
export const PDT_EQUITY_THRESHOLD = dec(25_000);

export interface Account {
  readonly id: string;
  readonly venue: string;
  readonly mode: AccountMode;
  readonly type: AccountType;
  /** Reporting currency: equity and buying power are stated in it. */
  readonly currency: string;
  /** Cash per currency (USD, USDT, ...). Negative on margin when borrowed. */
  readonly cash: Readonly<Record<string, Decimal>>;
  /** Buying power = equity × multiplier on margin accounts (e.g. 2 for Reg T, 4 intraday). */
  readonly marginMultiplier: Decimal;
  readonly allowShort: boolean;
  readonly patternDayTrader: boolean;
  /** Times (epoch ms) of day trades, newest last: the PDT rule counts those of the last 5 trading days. */
  readonly dayTrades: readonly number[];
  readonly tradingBlocked: boolean;
}

export interface AccountValuation {
  readonly cash: Decimal;
  readonly longMarketValue: Decimal;
  readonly shortMarketValue: Decimal;
  readonly equity: Decimal;
  readonly buyingPower: Decimal;
}

/**
 * Values an account from its cash and the market value of its positions (all stated in the
 * account currency: callers convert other quote currencies first).
 * - cash account: buying power = cash in the account currency, never below zero;
 * - margin account: buying power = equity × multiplier − gross position value, never below zero.
 */
export function valueAccount(account: Account, positionValues: readonly Decimal[]): AccountValuation {
  const cash = account.cash[account.currency] ?? ZERO;
  let longMv = ZERO;
  let shortMv = ZERO;
  for (const v of positionValues) {
    if (v.isNegative()) shortMv = shortMv.plus(v);
    else longMv = longMv.plus(v);
  }
  const equity = cash.plus(longMv).plus(shortMv);
  const gross = longMv.minus(shortMv);
  const buyingPower =
    account.type === 'margin'
      ? maxDec(ZERO, equity.times(account.marginMultiplier).minus(gross))
      : maxDec(ZERO, cash);
  return { cash, longMarketValue: longMv, shortMarketValue: shortMv, equity, buyingPower };
}

/** Adds a signed amount to one currency's cash. */
export function adjustCash(account: Account, currency: string, amount: Decimal): Account {
  const current = account.cash[currency] ?? ZERO;
  return { ...account, cash: { ...account.cash, [currency]: current.plus(amount) } };
}

/** Day trades within a window that starts at `since` (the open of the 5th trading day back). */
export function dayTradeCount(account: Account, since: number): number {
  return account.dayTrades.filter((t) => t >= since).length;
}

/** Records a day trade and refreshes the PDT flag: four within five business days with equity under $25k. */
export function recordDayTrade(account: Account, at: number, since: number, equity: Decimal): Account {
  const dayTrades = [...account.dayTrades.filter((t) => t >= since), at];
  const flagged =
    account.patternDayTrader || (dayTrades.length >= 4 && equity.lessThan(PDT_EQUITY_THRESHOLD));
  return { ...account, dayTrades, patternDayTrader: flagged };
}
