import type { Decimal } from '../../../domain/decimal.js';
import type { Side } from '../../../domain/order.js';
import { AlpacaFailure, invalid } from './alpaca-errors.js';

/** One execution as Alpaca's account activities report it (activity_type FILL). */
export interface FillActivity {
  /** `{yyyyMMddHHmmssSSS}::{execution_id}`: Alpaca's activity id format, sortable by time. */
  readonly id: string;
  readonly at: number;
  readonly type: 'fill' | 'partial_fill';
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly side: Side;
  readonly symbol: string;
  readonly leavesQty: Decimal;
  readonly orderId: string;
  readonly cumQty: Decimal;
  readonly orderStatus: string;
}

export interface ActivityQuery {
  readonly after?: string;
  readonly until?: string;
  readonly direction?: string;
  readonly pageSize?: string;
  readonly pageToken?: string;
}

const MAX_PAGE = 100;

export function activityId(at: number, executionId: string): string {
  const stamp = new Date(at).toISOString().replace(/[-:TZ.]/g, '');
  return `${stamp}::${executionId}`;
}

/**
 * GET /v2/account/activities/FILL: newest first unless `direction=asc`; `after`/`until` bound the
 * transaction time (exclusive); `page_token` is the id of the last activity of the previous page
 * (an unknown one is refused rather than silently restarting the listing);
 * `page_size` at most 100 (Alpaca's default and maximum).
 */
export function queryActivities(all: readonly FillActivity[], query: ActivityQuery): FillActivity[] {
  const after = time(query.after, 'after');
  const until = time(query.until, 'until');
  const ascending = query.direction === 'asc';
  if (query.direction !== undefined && !ascending && query.direction !== 'desc')
    throw new AlpacaFailure(invalid('invalid direction'));
  const size = query.pageSize === undefined ? MAX_PAGE : Number(query.pageSize);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
    throw new AlpacaFailure(invalid(`page_size must be between 1 and ${MAX_PAGE}`));
  // `all` is in execution order; fills of one moment keep it.
  const rows = all.filter(
    (a) => (after === undefined || a.at > after) && (until === undefined || a.at < until),
  );
  if (!ascending) rows.reverse();
  const start = query.pageToken === undefined ? 0 : rows.findIndex((a) => a.id === query.pageToken) + 1;
  if (start === 0 && query.pageToken !== undefined) throw new AlpacaFailure(invalid('invalid page_token'));
  return rows.slice(start, start + size);
}

export function activityJson(a: FillActivity): Record<string, unknown> {
  return {
    id: a.id,
    activity_type: 'FILL',
    transaction_time: new Date(a.at).toISOString(),
    type: a.type,
    price: a.price.toFixed(),
    qty: a.qty.toFixed(),
    side: a.side,
    symbol: a.symbol,
    leaves_qty: a.leavesQty.toFixed(),
    order_id: a.orderId,
    cum_qty: a.cumQty.toFixed(),
    order_status: a.orderStatus,
  };
}

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AlpacaFailure(invalid(`invalid ${field}: not an RFC 3339 time`));
  return ms;
}
