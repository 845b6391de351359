/**
 * The contingent groups a venue runs natively and that are still working, rebuilt from the order
 * store: what a restarted adapter needs to know which of its venue's orders are our exit legs
 * (Alpaca takes no client order ids for legs, so the links live with us). Every leg's role and its
 * group's first order were recorded before the group was sent, so this is restart-safe.
 */
import type { GroupLeg, GroupSubmitRequest, LegRole } from '../brokers/broker.js';
import type { OrderRole, OrderStore, StoredOrder } from '../engine/ports.js';

const LEG_ROLES: ReadonlySet<OrderRole> = new Set<OrderRole>([
  'entry',
  'take_profit',
  'stop_loss',
  'primary',
  'secondary',
  'member',
]);

/** Legs in the order the Broker port expects them (broker.ts GroupSubmitRequest). */
const LEG_ORDER: Readonly<Record<LegRole, number>> = {
  entry: 0,
  take_profit: 1,
  stop_loss: 2,
  primary: 0,
  secondary: 1,
  member: 0,
};

export async function openNativeGroups(
  orders: Pick<OrderStore, 'openOrders' | 'findById' | 'children'>,
  venue: string,
  accountId: string,
): Promise<GroupSubmitRequest[]> {
  const roots = new Set<string>();
  for (const stored of await orders.openOrders(accountId)) {
    const { order, meta } = stored;
    if (order.venue !== venue || order.emulated || meta.role === undefined || !LEG_ROLES.has(meta.role))
      continue;
    roots.add(order.parentId ?? order.id);
  }
  const groups: GroupSubmitRequest[] = [];
  for (const rootId of roots) {
    const root = await orders.findById(rootId);
    if (root === undefined || root.meta.orderClass === 'simple') continue;
    const members = [root, ...(await orders.children(rootId))].filter((s) => s.order.venue === venue);
    groups.push({
      orderClass: root.meta.orderClass,
      accountId,
      legs: members
        .map(legOf)
        .filter((leg): leg is GroupLeg => leg !== undefined)
        .sort((a, b) => LEG_ORDER[a.role] - LEG_ORDER[b.role]),
    });
  }
  return groups;
}

function legOf(stored: StoredOrder): GroupLeg | undefined {
  const role = stored.meta.role;
  if (role === undefined || role === 'parent' || role === 'child') return undefined;
  return { ...stored.order, role };
}
