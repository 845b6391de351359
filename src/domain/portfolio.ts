import { type Decimal, ZERO, sumDec } from './decimal.js';
import type { Position } from './position.js';

export interface AccountPositionView {
  readonly accountId: string;
  readonly venue: string;
  readonly quantity: Decimal;
  readonly averageEntryPrice: Decimal;
  readonly unrealizedPnl?: Decimal;
  /** Net of fees. */
  readonly realizedPnl: Decimal;
}

export interface PositionView {
  readonly symbol: string;
  /** Net across accounts, signed: long > 0. */
  readonly quantity: Decimal;
  readonly side: 'long' | 'short' | 'flat';
  /** Weighted over the accounts on the net side. */
  readonly averageEntryPrice: Decimal;
  readonly currentPrice?: Decimal;
  readonly marketValue?: Decimal;
  readonly unrealizedPnl?: Decimal;
  readonly unrealizedPnlPercent?: Decimal;
  readonly realizedPnl: Decimal;
  readonly byAccount: readonly AccountPositionView[];
}

export interface PortfolioTotals {
  readonly marketValue: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly realizedPnl: Decimal;
  /** Symbols without a mark, left out of the market value and unrealized totals. */
  readonly unpriced: readonly string[];
}

/**
 * Positions aggregated per symbol across every account, with the per-account breakdown, valued at
 * one mark per symbol (ORDER-SEMANTICS.md §6.2). Flat rows are kept only for realized P&L.
 */
export function aggregatePositions(
  positions: readonly Position[],
  venueOf: (accountId: string) => string,
  mark: (symbol: string) => Decimal | undefined,
): { positions: PositionView[]; totals: PortfolioTotals } {
  const bySymbol = new Map<string, Position[]>();
  for (const p of positions) bySymbol.set(p.symbol, [...(bySymbol.get(p.symbol) ?? []), p]);
  const views = [...bySymbol.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([symbol, rows]) => view(symbol, rows, venueOf, mark(symbol)))
    .filter((v) => !v.quantity.isZero() || !v.realizedPnl.isZero());
  const priced = views.filter((v) => v.marketValue !== undefined);
  return {
    positions: views,
    totals: {
      marketValue: sumDec(priced.map((v) => v.marketValue ?? ZERO)),
      unrealizedPnl: sumDec(priced.map((v) => v.unrealizedPnl ?? ZERO)),
      realizedPnl: sumDec(views.map((v) => v.realizedPnl)),
      unpriced: views.filter((v) => v.marketValue === undefined && !v.quantity.isZero()).map((v) => v.symbol),
    },
  };
}

function view(
  symbol: string,
  rows: readonly Position[],
  venueOf: (accountId: string) => string,
  price: Decimal | undefined,
): PositionView {
  const quantity = sumDec(rows.map((r) => r.quantity));
  const sameSide = rows.filter(
    (r) => !r.quantity.isZero() && r.quantity.isNegative() === quantity.isNegative(),
  );
  const weight = sumDec(sameSide.map((r) => r.quantity.abs()));
  const averageEntryPrice = weight.isZero()
    ? ZERO
    : sumDec(sameSide.map((r) => r.quantity.abs().times(r.avgEntryPrice))).div(weight);
  const realizedPnl = sumDec(rows.map((r) => r.realizedPnl.minus(r.fees)));
  const byAccount = rows.map((r) => ({
    accountId: r.accountId,
    venue: venueOf(r.accountId),
    quantity: r.quantity,
    averageEntryPrice: r.avgEntryPrice,
    realizedPnl: r.realizedPnl.minus(r.fees),
    ...(price === undefined ? {} : { unrealizedPnl: price.minus(r.avgEntryPrice).times(r.quantity) }),
  }));
  const side = quantity.isZero() ? 'flat' : quantity.isPositive() ? 'long' : 'short';
  if (price === undefined) return { symbol, quantity, side, averageEntryPrice, realizedPnl, byAccount };
  const unrealizedPnl = price.minus(averageEntryPrice).times(quantity);
  const cost = averageEntryPrice.times(quantity).abs();
  return {
    symbol,
    quantity,
    side,
    averageEntryPrice,
    currentPrice: price,
    marketValue: price.times(quantity),
    unrealizedPnl,
    ...(cost.isZero() ? {} : { unrealizedPnlPercent: unrealizedPnl.div(cost).times(100) }),
    realizedPnl,
    byAccount,
  };
}
