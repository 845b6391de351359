import { describe, expect, it } from 'vitest';
import {
  type AccountValuation,
  PDT_EQUITY_THRESHOLD,
  dayTradeCount,
  recordDayTrade,
  valueAccount,
} from './account.js';
import { dec } from './decimal.js';
import { applyFillToPosition, flatPosition, marketValue } from './position.js';
import { makeAccount, makeFill } from './test-support.js';

const DAY = 86_400_000;
const NOW = 1_700_000_000_000;

function valuationStrings(valuation: AccountValuation): Record<keyof AccountValuation, string> {
  const { cash, longMarketValue, shortMarketValue, equity, buyingPower } = valuation;
  return {
    cash: cash.toFixed(),
    longMarketValue: longMarketValue.toFixed(),
    shortMarketValue: shortMarketValue.toFixed(),
    equity: equity.toFixed(),
    buyingPower: buyingPower.toFixed(),
  };
}

describe('valueAccount: cash account', () => {
  it('equity = cash + positions; buying power = cash', () => {
    const account = makeAccount({ type: 'cash', marginMultiplier: dec(1), cash: { USD: dec('10000.5') } });
    expect(valuationStrings(valueAccount(account, [dec('5000.25')]))).toEqual({
      cash: '10000.5',
      longMarketValue: '5000.25',
      shortMarketValue: '0',
      equity: '15000.75',
      buyingPower: '10000.5',
    });
  });

  it('buying power never below zero', () => {
    const account = makeAccount({ type: 'cash', cash: { USD: dec(-20) } });
    expect(valueAccount(account, []).buyingPower.toFixed()).toBe('0');
  });

  it('uses cash in the account currency only', () => {
    const account = makeAccount({ type: 'cash', cash: { USD: dec(100), USDT: dec(999) } });
    expect(valueAccount(account, []).cash.toFixed()).toBe('100');
  });
});

describe('valueAccount: margin account', () => {
  it('buying power = equity × multiplier − gross position value', () => {
    const account = makeAccount({ cash: { USD: dec(50_000) }, marginMultiplier: dec(2) });
    expect(valuationStrings(valueAccount(account, [dec(30_000), dec(-10_000)]))).toEqual({
      cash: '50000',
      longMarketValue: '30000',
      shortMarketValue: '-10000',
      equity: '70000',
      buyingPower: '100000',
    });
  });

  it('with no positions, buying power = cash × multiplier', () => {
    const account = makeAccount({ cash: { USD: dec('12345.67') }, marginMultiplier: dec(4) });
    expect(valueAccount(account, []).buyingPower.toFixed()).toBe('49382.68');
  });

  it('buying power is floored at 0', () => {
    const account = makeAccount({ cash: { USD: dec(-90_000) }, marginMultiplier: dec(1) });
    const valuation = valueAccount(account, [dec(100_000)]);
    expect(valuation.equity.toFixed()).toBe('10000');
    expect(valuation.buyingPower.toFixed()).toBe('0');
  });

  it('a short position has a negative market value that lowers equity', () => {
    const short = applyFillToPosition(
      flatPosition('acc-1', 'AAPL'),
      makeFill({ side: 'sell', quantity: 10, price: 100 }),
    ).position;
    const value = marketValue(short, dec('103.5'));
    expect(value.toFixed()).toBe('-1035');
    // Short proceeds of 1000 sit in cash: 101000 − 1035 = 99965 equity, a 35 loss.
    const account = makeAccount({ cash: { USD: dec(101_000) } });
    const valuation = valueAccount(account, [value]);
    expect(valuation.shortMarketValue.toFixed()).toBe('-1035');
    expect(valuation.longMarketValue.toFixed()).toBe('0');
    expect(valuation.equity.toFixed()).toBe('99965');
    expect(valuation.buyingPower.toFixed()).toBe('198895');
  });
});

describe('pattern day trader (FINRA 4210, §7.2 check 12)', () => {
  const since = NOW - 5 * DAY;
  const trades = [NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY];

  it('the threshold is 25 000', () => {
    expect(PDT_EQUITY_THRESHOLD.toFixed()).toBe('25000');
  });

  it('three day trades do not flag', () => {
    const account = recordDayTrade(makeAccount({ dayTrades: trades.slice(0, 2) }), NOW, since, dec(10_000));
    expect(account.patternDayTrader).toBe(false);
    expect(dayTradeCount(account, since)).toBe(3);
  });

  it('the fourth within the window flags when equity < 25 000', () => {
    const account = recordDayTrade(makeAccount({ dayTrades: trades }), NOW, since, dec('24999.99'));
    expect(account.patternDayTrader).toBe(true);
    expect(account.dayTrades).toEqual([...trades, NOW]);
  });

  it.each(['25000', '25000.01', '1000000'])('the fourth does not flag with equity %s', (equity) => {
    const account = recordDayTrade(makeAccount({ dayTrades: trades }), NOW, since, dec(equity));
    expect(account.patternDayTrader).toBe(false);
  });

  it('drops trades before `since` and does not count them', () => {
    const old = [since - 3 * DAY, since - 2 * DAY, since - 1];
    const account = recordDayTrade(makeAccount({ dayTrades: [...old, since] }), NOW, since, dec(1_000));
    expect(account.dayTrades).toEqual([since, NOW]);
    expect(account.patternDayTrader).toBe(false);
  });

  it('dayTradeCount counts trades at or after `since`', () => {
    const account = makeAccount({ dayTrades: [since - 1, since, ...trades] });
    expect(dayTradeCount(account, since)).toBe(4);
    expect(dayTradeCount(account, NOW)).toBe(0);
  });
});
