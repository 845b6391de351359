import { type Decimal, ZERO, maxDec, minDec } from '../domain/decimal.js';
import { type Order, isOpen } from '../domain/order.js';
import type { AgentActivity, OpenOrderGroup } from '../risk/usage-book.js';
import type { OrderMeta, OrderRole } from './ports.js';
import type { OrderUsage, UsageWindow } from './risk-ports.js';

/**
 * Orders the engine places for a request it already counted (an algorithm's children, a bracket's
 * or OTO's exits): the rate windows and the day's notional leave them out.
 */
const ENGINE_PLACED: ReadonlySet<OrderRole> = new Set(['child', 'take_profit', 'stop_loss', 'secondary']);

/**
 * The usage of orders an admission has just inserted, worked out from the orders as inserted: what
 * the store's usage read (RiskStore, `orderUsage` with their ids) would answer in the same
 * transaction, without the three statements. It follows that read clause for clause (open groups,
 * rate windows, the day's notional, priceless orders); test/integration/risk/created-usage.test.ts
 * holds the two equal on both databases. Undefined for an order in a shape the read would have to
 * look up elsewhere (a replace in flight reads its request's event): the caller reads it instead.
 */
export function usageOfCreated(
  items: readonly { readonly order: Order; readonly meta: OrderMeta }[],
  window: UsageWindow,
): OrderUsage | undefined {
  const groups = new Map<string, OpenOrderGroup>();
  const activity = new Map<string, AgentActivity>();
  let priceless = 0;
  for (const { order, meta } of items) {
    if (order.status === 'pending_replace') return undefined;
    const own = highest([
      meta.riskPrice,
      order.limitPrice,
      order.stopPrice,
      order.triggerPrice,
      order.currentStop,
    ]);
    const price = own ?? order.avgFillPrice ?? ZERO;
    const open = isOpen(order.status);
    if (open && own === undefined) priceless++;
    // The read values open leaves at the larger of this price and a replace's requested one, or 0.
    if (open && !order.held && meta.role !== 'parent')
      addGroup(groups, order, meta.agentId, maxDec(price, ZERO));
    const counted =
      order.status !== 'denied' &&
      !order.external &&
      (meta.role === undefined || !ENGINE_PLACED.has(meta.role));
    if (counted) addActivity(activity, order, meta.agentId, price, window);
  }
  return { groups: [...groups.values()], activity: [...activity.values()], priceless };
}

function highest(prices: readonly (Decimal | undefined)[]): Decimal | undefined {
  let best: Decimal | undefined;
  for (const p of prices) if (p !== undefined && (best === undefined || p.greaterThan(best))) best = p;
  return best;
}

function addGroup(groups: Map<string, OpenOrderGroup>, order: Order, agentId: string, price: Decimal): void {
  const key = [order.accountId, agentId, order.symbol, order.side].join('\u0000');
  const known = groups.get(key);
  const leaves = order.quantity.minus(order.filledQty);
  const limit = order.limitPrice;
  const best =
    limit === undefined
      ? known?.bestLimit
      : known?.bestLimit === undefined
        ? limit
        : order.side === 'buy'
          ? maxDec(known.bestLimit, limit)
          : minDec(known.bestLimit, limit);
  groups.set(key, {
    accountId: order.accountId,
    agentId,
    symbol: order.symbol,
    side: order.side,
    count: (known?.count ?? 0) + 1,
    leaves: (known?.leaves ?? ZERO).plus(leaves),
    notional: (known?.notional ?? ZERO).plus(leaves.times(price)),
    limitOrders: (known?.limitOrders ?? 0) + (limit === undefined ? 0 : 1),
    ...(best === undefined ? {} : { bestLimit: best }),
  });
}

function addActivity(
  activity: Map<string, AgentActivity>,
  order: Order,
  agentId: string,
  price: Decimal,
  window: UsageWindow,
): void {
  const at = order.createdAt;
  const recent = at > window.minuteAgo;
  const dayStart = window.dayStarts?.get(order.accountId);
  const today = dayStart !== undefined && at >= dayStart;
  if (!recent && !today) return;
  const key = `${agentId}\u0000${order.accountId}`;
  const known = activity.get(key);
  const latestAt = recent ? Math.max(known?.latestAt ?? at, at) : known?.latestAt;
  activity.set(key, {
    agentId,
    accountId: order.accountId,
    lastSecond: (known?.lastSecond ?? 0) + (recent && at > window.secondAgo ? 1 : 0),
    lastMinute: (known?.lastMinute ?? 0) + (recent ? 1 : 0),
    ...(latestAt === undefined ? {} : { latestAt }),
    dailyNotional: (known?.dailyNotional ?? ZERO).plus(today ? order.quantity.times(price) : ZERO),
  });
}
