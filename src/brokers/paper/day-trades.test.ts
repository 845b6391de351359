import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { makeAccount, makeEngine } from './test-support.js';

/** 2026-03-02 (Mon) .. 2026-03-06 (Fri) are trading days; 2026-03-09 starts the next week. */
const at = (day: number, hh: number, mm = 0): number => Date.UTC(2026, 2, day, hh + 5, mm);

function roundTrip(h: ReturnType<typeof makeEngine>, id: string, day: number): void {
  const t = at(day, 10);
  h.book('AAPL', [['100.00', '1000']], [['100.02', '1000']], t);
  h.submit(
    {
      clientOrderId: `${id}-open`,
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      quantity: dec(10),
      timeInForce: 'day',
    },
    t,
  );
  h.submit(
    {
      clientOrderId: `${id}-close`,
      symbol: 'AAPL',
      side: 'sell',
      type: 'market',
      quantity: dec(10),
      timeInForce: 'day',
    },
    t + 60_000,
  );
}

describe('day trades and the pattern-day-trader flag (FINRA 4210)', () => {
  it('counts a round trip within one session as a day trade, and flags the fourth within five days under $25,000', () => {
    const h = makeEngine({ accounts: [makeAccount({ cash: { USD: dec(20_000) } })] });
    roundTrip(h, 'a', 2);
    roundTrip(h, 'b', 3);
    roundTrip(h, 'c', 4);
    expect(h.ledger.account('A1').dayTrades).toHaveLength(3);
    expect(h.ledger.account('A1').patternDayTrader).toBe(false);
    roundTrip(h, 'd', 5);
    expect(h.ledger.account('A1').dayTrades).toHaveLength(4);
    expect(h.ledger.account('A1').patternDayTrader).toBe(true);
  });

  it('does not flag an account with $25,000 or more of equity', () => {
    const h = makeEngine({ accounts: [makeAccount({ cash: { USD: dec(30_000) } })] });
    for (const [i, day] of [2, 3, 4, 5].entries()) roundTrip(h, `r${i}`, day);
    expect(h.ledger.account('A1').dayTrades).toHaveLength(4);
    expect(h.ledger.account('A1').patternDayTrader).toBe(false);
  });

  it('does not count a position closed on a later session, and drops trades older than five trading days', () => {
    const h = makeEngine({ accounts: [makeAccount({ cash: { USD: dec(20_000) } })] });
    h.book('AAPL', [['100.00', '1000']], [['100.02', '1000']], at(2, 10));
    h.submit(
      {
        clientOrderId: 'o',
        symbol: 'AAPL',
        side: 'buy',
        type: 'market',
        quantity: dec(10),
        timeInForce: 'day',
      },
      at(2, 10),
    );
    h.book('AAPL', [['100.00', '1000']], [['100.02', '1000']], at(3, 10));
    h.submit(
      {
        clientOrderId: 'c',
        symbol: 'AAPL',
        side: 'sell',
        type: 'market',
        quantity: dec(10),
        timeInForce: 'day',
      },
      at(3, 10),
    );
    expect(h.ledger.account('A1').dayTrades).toHaveLength(0);
    roundTrip(h, 'x', 3);
    roundTrip(h, 'y', 10); // Tue of the next week: Tue 3rd is outside Wed 4th .. Tue 10th
    expect(h.ledger.account('A1').dayTrades).toHaveLength(1);
  });

  it('does not count crypto round trips', () => {
    const h = makeEngine();
    const t = at(2, 10);
    h.book('BTC/USD', [['60000.00', '10']], [['60000.50', '10']], t);
    h.submit(
      {
        clientOrderId: 'b',
        symbol: 'BTC/USD',
        side: 'buy',
        type: 'market',
        quantity: dec(1),
        timeInForce: 'ioc',
      },
      t,
    );
    h.submit(
      {
        clientOrderId: 's',
        symbol: 'BTC/USD',
        side: 'sell',
        type: 'market',
        quantity: dec(1),
        timeInForce: 'ioc',
      },
      t + 1,
    );
    expect(h.ledger.account('A1').dayTrades).toHaveLength(0);
  });
});
