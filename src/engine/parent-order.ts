/**
 * A parent order's state from its children (ORDER-SEMANTICS.md §9), pure: Σ children filled_qty =
 * parent filled_qty, the average over the children's fills, and the status that follows.
 */
import { ZERO } from '../domain/decimal.js';
import { type Order, isTerminal, leavesQty } from '../domain/order.js';

/** The parent with its children's fills summed; its status moves with them. */
export function aggregateParent(parent: Order, children: readonly Order[], now: number): Order {
  const filledQty = children.reduce((sum, c) => sum.plus(c.filledQty), ZERO);
  const filledNotional = children.reduce((sum, c) => sum.plus(c.filledNotional), ZERO);
  const { avgFillPrice: _avg, ...rest } = parent;
  const next: Order = {
    ...rest,
    filledQty,
    filledNotional,
    ...(filledQty.isZero() ? {} : { avgFillPrice: filledNotional.div(filledQty) }),
    updatedAt: Math.max(parent.updatedAt, now),
  };
  if (isTerminal(parent.status)) return next;
  if (filledQty.greaterThanOrEqualTo(parent.quantity)) return { ...withoutPrior(next), status: 'filled' };
  if (parent.status === 'pending_cancel')
    return children.every((c) => isTerminal(c.status)) ? { ...withoutPrior(next), status: 'canceled' } : next;
  return { ...next, status: filledQty.isZero() ? 'new' : 'partially_filled' };
}

/** What the parent still has to place: leaves less what open children are working. */
export function unplaced(parent: Order, children: readonly Order[]): Order['quantity'] {
  const working = children.reduce((sum, c) => sum.plus(leavesQty(c)), ZERO);
  const rest = parent.quantity.minus(parent.filledQty).minus(working);
  return rest.isNegative() ? ZERO : rest;
}

/** Ends a parent: `filled` when everything filled, else the given end with its fills kept. */
export function endParent(parent: Order, end: 'canceled' | 'expired', now: number, reason?: string): Order {
  const base = withoutPrior({ ...parent, updatedAt: Math.max(parent.updatedAt, now) });
  if (parent.filledQty.greaterThanOrEqualTo(parent.quantity)) return { ...base, status: 'filled' };
  return {
    ...base,
    status: end,
    ...(reason === undefined ? {} : { reject: { code: 'ALGO_ENDED', message: reason } }),
  };
}

function withoutPrior(order: Order): Order {
  const { priorStatus: _p, ...rest } = order;
  return rest;
}
