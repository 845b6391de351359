import { type Decimal, ZERO } from './decimal.js';
import type { Fill } from './events.js';
import { extend } from './objects.js';

/** One net position per (account, instrument); hedging is not supported (ORDER-SEMANTICS.md §6.2). */
export interface Position {
  readonly accountId: string;
  readonly symbol: string;
  /** Signed: long > 0, short < 0. */
  readonly quantity: Decimal;
  /** Average entry price; zero while flat. */
  readonly avgEntryPrice: Decimal;
  /** Gross realized P&L, accumulated per instrument across position lifecycles. */
  readonly realizedPnl: Decimal;
  /** Fees charged on this instrument's fills, in quote currency. */
  readonly fees: Decimal;
  /** When the current (non-flat) position was opened, epoch ms; set by an open or a flip. */
  readonly openedAt?: number;
  readonly updatedAt: number;
}

export function flatPosition(accountId: string, symbol: string, at = 0): Position {
  return {
    accountId,
    symbol,
    quantity: ZERO,
    avgEntryPrice: ZERO,
    realizedPnl: ZERO,
    fees: ZERO,
    updatedAt: at,
  };
}

export type PositionChange = 'opened' | 'updated' | 'closed' | 'flipped';

export interface PositionUpdate {
  readonly position: Position;
  readonly change: PositionChange;
  /** Gross realized P&L this fill produced. */
  readonly realized: Decimal;
}

/** Applies a fill by the table of §6.2: open or add, reduce, or flip in one fill. */
export function applyFillToPosition(position: Position, fill: Fill): PositionUpdate {
  const q = position.quantity;
  const f = fill.side === 'buy' ? fill.quantity : fill.quantity.negated();
  const p = fill.price;
  const a = position.avgEntryPrice;
  const fees = position.fees.plus(fill.fee);
  const next = q.plus(f);
  const base = { ...position, quantity: next, fees, updatedAt: fill.ts };

  if (q.isZero() || q.isNegative() === f.isNegative()) {
    const avg = q.abs().times(a).plus(f.abs().times(p)).div(q.abs().plus(f.abs()));
    const opened = q.isZero();
    return {
      position: opened
        ? extend(base, { avgEntryPrice: avg, openedAt: fill.ts })
        : { ...base, avgEntryPrice: avg },
      change: opened ? 'opened' : 'updated',
      realized: ZERO,
    };
  }
  const sign = q.isNegative() ? -1 : 1;
  if (f.abs().lessThanOrEqualTo(q.abs())) {
    const realized = f.abs().times(p.minus(a)).times(sign);
    const flat = next.isZero();
    const { openedAt: _gone, ...rest } = base;
    return {
      position: flat
        ? { ...rest, avgEntryPrice: ZERO, realizedPnl: position.realizedPnl.plus(realized) }
        : { ...base, avgEntryPrice: a, realizedPnl: position.realizedPnl.plus(realized) },
      change: flat ? 'closed' : 'updated',
      realized,
    };
  }
  const realized = q.abs().times(p.minus(a)).times(sign);
  return {
    position: {
      ...base,
      avgEntryPrice: p,
      realizedPnl: position.realizedPnl.plus(realized),
      openedAt: fill.ts,
    },
    change: 'flipped',
    realized,
  };
}

/** Unrealized P&L at a mark: (mark − a) × q. */
export function unrealizedPnl(position: Position, mark: Decimal): Decimal {
  return mark.minus(position.avgEntryPrice).times(position.quantity);
}

export function marketValue(position: Position, mark: Decimal): Decimal {
  return position.quantity.times(mark);
}

/** Net realized P&L = gross − fees. */
export function netRealizedPnl(position: Position): Decimal {
  return position.realizedPnl.minus(position.fees);
}
