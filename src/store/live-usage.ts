import { and, eq, gte, isNull, ne, notInArray, or, sql } from 'drizzle-orm';
import { type Decimal, ZERO, parseDecimal } from '../domain/decimal.js';
import type { Database } from './db.js';
import { orders } from './schema.js';

/**
 * The notional already sent to a venue since a time: what a live connection's daily cap has used
 * (src/brokers/live-caps.ts), so that a restart does not give the day back. Every order the venue
 * may have seen counts, filled or not (denied and venue-rejected ones never reached it; parents
 * are never sent), at its own price, else the price the risk engine admitted it at.
 */
export async function sentNotionalSince(db: Database, venue: string, since: number): Promise<Decimal> {
  const price = sql`coalesce(${orders.limitPrice}, ${orders.stopPrice}, ${orders.triggerPrice}, ${orders.riskPrice}, ${orders.avgFillPrice}, 0)`;
  const [row] = await db
    .select({ total: sql<string | null>`sum(${orders.quantity} * ${price})` })
    .from(orders)
    .where(
      and(
        eq(orders.venue, venue),
        gte(orders.createdAt, new Date(since)),
        notInArray(orders.status, ['denied', 'rejected']),
        or(isNull(orders.role), ne(orders.role, 'parent')),
      ),
    );
  return parseDecimal(row?.total) ?? ZERO;
}
