/**
 * Rows read with raw SQL (`Store.query`), as either driver returns them: numeric and text columns
 * as strings (numerics selected as `::text`), counts as numbers, timestamptz as a Date or text.
 */
import { dec } from '../domain/decimal.js';
import type { Position } from '../domain/position.js';

/** A column value as text (numeric and text columns come back as strings, counts as numbers). */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return '';
}

/** A timestamptz as either driver returns it (a Date, or text). */
export function toMs(value: unknown): number {
  return value instanceof Date ? value.getTime() : new Date(text(value)).getTime();
}

/** The columns of a positions row that `rawPosition` reads, numerics as text. */
export const POSITION_COLUMNS_SQL = `account_id, symbol, quantity::text as quantity,
  avg_entry_price::text as avg_entry_price, realized_pnl::text as realized_pnl, fees::text as fees,
  opened_at, updated_at`;

/** A positions row selected with POSITION_COLUMNS_SQL. */
export function rawPosition(r: Readonly<Record<string, unknown>>): Position {
  return {
    accountId: text(r['account_id']),
    symbol: text(r['symbol']),
    quantity: dec(text(r['quantity'])),
    avgEntryPrice: dec(text(r['avg_entry_price'])),
    realizedPnl: dec(text(r['realized_pnl'])),
    fees: dec(text(r['fees'])),
    ...(r['opened_at'] === null || r['opened_at'] === undefined ? {} : { openedAt: toMs(r['opened_at']) }),
    updatedAt: toMs(r['updated_at']),
  };
}
