/**
 * Rows read and written with raw SQL (`Store.query`). Read, as either driver returns them: numeric
 * and text columns as strings (numerics selected as `::text`), counts as numbers, timestamptz as a
 * Date or text. Written, as JSON objects keyed by column name for jsonb_populate_record(set).
 */
import { getTableColumns } from 'drizzle-orm';
import { dec } from '../domain/decimal.js';
import { ORDER_STATUSES, TERMINAL_STATUSES } from '../domain/order.js';
import type { Position } from '../domain/position.js';

/**
 * The open statuses as an SQL list, in the words of the `orders_open` index's predicate
 * (drizzle/0004), so that a query naming them can use that index.
 */
export const OPEN_STATUSES_SQL = `(${ORDER_STATUSES.filter((s) => !TERMINAL_STATUSES.has(s))
  .map((s) => `'${s}'`)
  .join(',')})`;

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

/** A table's columns as [drizzle key, SQL name] pairs, for columnsOf. */
export const columnNames = (table: Parameters<typeof getTableColumns>[0]): (readonly [string, string])[] =>
  Object.entries(getTableColumns(table)).map(([key, column]) => [key, column.name] as const);

/**
 * The given columns of a row under their SQL names, for jsonb_populate_record(set): dates as ISO
 * text; nulls left out (a missing key is NULL there), which keeps the statement's payload small.
 */
export function columnsOf(
  row: Readonly<Record<string, unknown>>,
  columns: readonly (readonly [string, string])[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of columns) {
    const value = row[key];
    if (value === null || value === undefined) continue;
    out[column] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}
