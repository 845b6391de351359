import { describe, expect, it } from 'vitest';
import { dec } from './decimal.js';
import { aggregatePositions } from './portfolio.js';
import type { Position } from './position.js';

const pos = (
  accountId: string,
  symbol: string,
  quantity: string,
  avg: string,
  realized = '0',
  fees = '0',
): Position => ({
  accountId,
  symbol,
  quantity: dec(quantity),
  avgEntryPrice: dec(avg),
  realizedPnl: dec(realized),
  fees: dec(fees),
  updatedAt: 0,
});
const venueOf = (a: string): string => (a === 'a1' ? 'paper-value' : 'paper-prime');

describe('aggregatePositions', () => {
  it('nets one symbol across accounts, weights the average over the accounts on the net side, and breaks it down', () => {
    const { positions, totals } = aggregatePositions(
      [
        pos('a1', 'AAPL', '30', '100'),
        pos('a2', 'AAPL', '10', '104'),
        pos('a2', 'MSFT', '-5', '400', '12.5', '0.5'),
      ],
      venueOf,
      (s) => (s === 'AAPL' ? dec('105') : dec('390')),
    );
    const aapl = positions.find((p) => p.symbol === 'AAPL')!;
    expect(aapl.quantity.toFixed()).toBe('40');
    expect(aapl.side).toBe('long');
    expect(aapl.averageEntryPrice.toFixed()).toBe('101'); // (30×100 + 10×104) / 40
    expect(aapl.marketValue?.toFixed()).toBe('4200');
    expect(aapl.unrealizedPnl?.toFixed()).toBe('160'); // (105 − 101) × 40
    expect(aapl.unrealizedPnlPercent?.toFixed()).toBe('3.96039603960396039603960396039603960396');
    expect(aapl.byAccount.map((b) => [b.accountId, b.venue, b.unrealizedPnl?.toFixed()])).toEqual([
      ['a1', 'paper-value', '150'],
      ['a2', 'paper-prime', '10'],
    ]);
    const msft = positions.find((p) => p.symbol === 'MSFT')!;
    expect([msft.side, msft.unrealizedPnl?.toFixed(), msft.realizedPnl.toFixed()]).toEqual([
      'short',
      '50',
      '12',
    ]);
    expect([
      totals.marketValue.toFixed(),
      totals.unrealizedPnl.toFixed(),
      totals.realizedPnl.toFixed(),
    ]).toEqual(['2250', '210', '12']);
  });

  it('keeps a closed position for its realized P&L, drops an empty one, and lists symbols without a mark', () => {
    const { positions, totals } = aggregatePositions(
      [pos('a1', 'TSLA', '0', '0', '-20', '1'), pos('a1', 'NVDA', '0', '0'), pos('a1', 'SPY', '2', '500')],
      venueOf,
      () => undefined,
    );
    expect(positions.map((p) => [p.symbol, p.side])).toEqual([
      ['SPY', 'long'],
      ['TSLA', 'flat'],
    ]);
    expect(totals.realizedPnl.toFixed()).toBe('-21');
    expect(totals.unpriced).toEqual(['SPY']);
    expect(positions[0]?.marketValue).toBeUndefined();
  });

  it('a long in one account and a short in another net out; the average follows the net side', () => {
    const { positions } = aggregatePositions(
      [pos('a1', 'QQQ', '10', '500'), pos('a2', 'QQQ', '-4', '510')],
      venueOf,
      () => dec('505'),
    );
    expect(positions[0]?.quantity.toFixed()).toBe('6');
    expect(positions[0]?.averageEntryPrice.toFixed()).toBe('500');
  });
});
