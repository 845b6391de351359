import { type Decimal, ZERO, sumDec } from '../../domain/decimal.js';
import type { OrderChanges } from '../../domain/events.js';
import { floorLot } from '../../domain/instrument.js';
import { type OrderSpec, isTerminal, leavesQty } from '../../domain/order.js';
import type { ContingentClass, GroupSubmitRequest } from '../broker.js';
import { type Refusal, bracketPriceRefusal } from './contingent-shape.js';
import type { WorkingOrder } from './working-order.js';

/**
 * What a group asks of the matching engine. Every change is an event the engine folds into the
 * leg and publishes, so the group never edits an order itself.
 */
export interface GroupActions {
  /** A held leg starts working: `upd { held: false, quantity }`, then it arrives like a new order. */
  activate(w: WorkingOrder, quantity: Decimal): void;
  /** The group sets a leg's quantity (filled + new leaves): `upd { quantity }`. */
  resize(w: WorkingOrder, quantity: Decimal): void;
  cancel(w: WorkingOrder, reason: string): void;
  reject(w: WorkingOrder, code: string, message: string): void;
  /** The leg's group link changed: it must be saved again. */
  touch(w: WorkingOrder): void;
  otoTrigger(w: WorkingOrder): 'partial' | 'full';
}

interface Group {
  readonly id: string;
  readonly orderClass: ContingentClass;
  /** In the group's order: bracket entry, take-profit, stop-loss; OTO primary first. */
  readonly legs: readonly WorkingOrder[];
}

const open = (w: WorkingOrder): boolean => !isTerminal(w.order.status);

/**
 * The paper venue's contingent groups (ORDER-SEMANTICS.md §4): bracket, OCO and OTO. The engine
 * tells it about every fill, every end and every replace of a leg; it answers with the activations,
 * resizes, cancels and rejections the group's rules call for, through {@link GroupActions}.
 */
export class ContingentGroups {
  private readonly groups = new Map<string, Group>();
  private readonly act: GroupActions;

  constructor(act: GroupActions) {
    this.act = act;
  }

  /** Links a new group's legs (already recorded, in request order) under one group id. */
  register(request: GroupSubmitRequest, legs: readonly WorkingOrder[]): void {
    const first = legs[0];
    if (first === undefined) return;
    const groupId = `g-${first.order.id}`;
    const ids = legs.map((w) => w.order.clientOrderId);
    legs.forEach((w, i) => {
      const leg = request.legs[i];
      if (leg === undefined) return;
      w.group = {
        groupId,
        orderClass: request.orderClass,
        role: leg.role,
        legs: ids,
        quantity: leg.quantity,
      };
    });
    this.groups.set(groupId, { id: groupId, orderClass: request.orderClass, legs });
  }

  /** Takes back the groups of restored orders from their saved links (terminal legs included). */
  restore(orders: Iterable<WorkingOrder>): void {
    const found = new Map<string, WorkingOrder[]>();
    for (const w of orders) {
      if (w.group === undefined) continue;
      const legs = found.get(w.group.groupId) ?? [];
      legs.push(w);
      found.set(w.group.groupId, legs);
    }
    for (const [id, legs] of found) {
      const rank = (w: WorkingOrder): number => w.group?.legs.indexOf(w.order.clientOrderId) ?? 0;
      legs.sort((a, b) => rank(a) - rank(b));
      const orderClass = legs[0]?.group?.orderClass;
      if (orderClass !== undefined) this.groups.set(id, { id, orderClass, legs });
    }
  }

  /**
   * Groups whose members count once in exposure sums: OCO members, and a bracket's take-profit
   * and stop-loss (OCO to each other, §7.1).
   */
  ocoKey(w: WorkingOrder): string | undefined {
    const link = w.group;
    if (link === undefined) return undefined;
    if (link.orderClass === 'oco') return link.groupId;
    return link.role === 'take_profit' || link.role === 'stop_loss' ? link.groupId : undefined;
  }

  // ---------------------------------------------------------------- fills and ends

  /** After any fill of a leg. */
  afterFill(w: WorkingOrder): void {
    const group = this.groupOf(w);
    if (group === undefined) return;
    if (group.orderClass === 'oco') this.ocoFollow(group, w);
    else if (group.orderClass === 'oto') {
      if (w === group.legs[0]) this.otoFollow(group);
    } else if (w === group.legs[0]) this.bracketFollowEntry(group);
    else this.bracketAfterChildFill(group, w);
  }

  /**
   * After a leg ended (canceled, expired, rejected, or filled by a replace). An entry or primary
   * ending with no fill takes its held legs with it (rejected if it was); one that ended after
   * fills leaves them working, activating them if they were still held.
   */
  afterEnd(w: WorkingOrder): void {
    const group = this.groupOf(w);
    if (group === undefined || group.orderClass === 'oco' || w !== group.legs[0]) return;
    if (w.order.filledQty.isZero()) {
      this.endDependents(group, w);
      return;
    }
    if (group.orderClass === 'oto') this.otoFollow(group);
    else this.bracketFollowEntry(group);
  }

  // ---------------------------------------------------------------- replaces

  /**
   * §4/§5: held legs may change prices only (their group sets their quantities); a bracket keeps
   * its price order. `next` is the leg as the replace would make it.
   */
  replaceRefusal(w: WorkingOrder, changes: OrderChanges, next: OrderSpec): Refusal | undefined {
    const group = this.groupOf(w);
    if (group === undefined) return undefined;
    if (w.order.held && changes.quantity !== undefined && !changes.quantity.equals(w.order.quantity)) {
      return {
        code: 'INVALID_ORDER',
        message: 'a held contingent leg may change its prices only; its group sets its quantity.',
      };
    }
    const [entry, tp, sl] = group.legs;
    if (group.orderClass !== 'bracket' || entry === undefined) return undefined;
    const live = (leg: WorkingOrder | undefined): OrderSpec | undefined =>
      leg === w ? next : leg === undefined || !open(leg) ? undefined : leg.order;
    return bracketPriceRefusal(entry.order.side, live(entry), live(tp), live(sl));
  }

  /**
   * After a confirmed replace, before the leg works again. An OCO quantity replace on one member
   * (a bracket child's, on the other child) is applied to all; a bracket entry's new quantity
   * becomes its held children's; an entry or primary that the replace filled acts as ended.
   */
  afterReplace(w: WorkingOrder, changes: OrderChanges): void {
    const group = this.groupOf(w);
    if (group === undefined || changes.quantity === undefined) return;
    if (this.ocoKey(w) !== undefined) {
      this.ocoReplace(group, w);
      return;
    }
    if (w !== group.legs[0]) return;
    if (isTerminal(w.order.status)) {
      this.afterEnd(w);
      return;
    }
    if (group.orderClass !== 'bracket') return;
    for (const child of group.legs.slice(1)) {
      if (open(child) && child.order.held && !child.order.quantity.equals(w.order.quantity))
        this.act.resize(child, w.order.quantity);
    }
  }

  // ---------------------------------------------------------------- OCO

  /** G = the group's quantity − Σ members' filled; every other open member's leaves become G (0: cancel). */
  private ocoFollow(group: Group, filled: WorkingOrder): void {
    const quantity = filled.group?.quantity ?? filled.order.quantity;
    const remaining = quantity.minus(sumDec(group.legs.map((m) => m.order.filledQty)));
    this.setLeaves(
      group.legs.filter((m) => m !== filled),
      remaining,
      'oco: another member of the group filled',
    );
  }

  /** The replaced member's leaves are the group's new open quantity: the others follow. */
  private ocoReplace(group: Group, w: WorkingOrder): void {
    const remaining = leavesQty(w.order);
    const siblings = group.legs.filter((m) => m !== w && this.ocoKey(m) !== undefined);
    if (group.orderClass === 'oco') {
      const quantity = remaining.plus(sumDec(group.legs.map((m) => m.order.filledQty)));
      for (const m of group.legs) {
        if (m.group === undefined || m.group.quantity.equals(quantity)) continue;
        m.group = { ...m.group, quantity };
        this.act.touch(m);
      }
    }
    this.setLeaves(siblings, remaining, 'oco: the group was reduced to nothing');
  }

  /** Sets each open leg's leaves to `leaves` by upd, or cancels it when nothing is left. */
  private setLeaves(legs: readonly WorkingOrder[], leaves: Decimal, reason: string): void {
    for (const m of legs) {
      if (!open(m)) continue;
      if (leaves.lessThanOrEqualTo(ZERO)) this.act.cancel(m, reason);
      else if (!leavesQty(m.order).equals(leaves)) this.act.resize(m, m.order.filledQty.plus(leaves));
    }
  }

  // ---------------------------------------------------------------- bracket

  /** B = entry filled − take-profit filled − stop-loss filled. */
  private bracketOpen(group: Group): Decimal {
    const [entry, ...children] = group.legs;
    const entered = entry?.order.filledQty ?? ZERO;
    return entered.minus(sumDec(children.map((c) => c.order.filledQty)));
  }

  /**
   * After an entry fill or end: once the children are due (the first entry fill; with
   * oto_trigger = full the entry's completion, or its end after fills) each open child works
   * with leaves B.
   */
  private bracketFollowEntry(group: Group): void {
    const entry = group.legs[0];
    if (entry === undefined || !this.due(entry)) return;
    const remaining = this.bracketOpen(group);
    if (remaining.lessThanOrEqualTo(ZERO)) return;
    for (const child of group.legs.slice(1)) {
      if (!open(child)) continue;
      if (child.order.held) this.act.activate(child, child.order.filledQty.plus(remaining));
      else if (!leavesQty(child.order).equals(remaining))
        this.act.resize(child, child.order.filledQty.plus(remaining));
    }
  }

  /** A child fill: the other child follows B; at B = 0 it and any open rest of the entry are canceled. */
  private bracketAfterChildFill(group: Group, w: WorkingOrder): void {
    const [entry, ...children] = group.legs;
    const remaining = this.bracketOpen(group);
    if (remaining.greaterThan(ZERO)) {
      this.setLeaves(children, remaining, 'oco');
      return;
    }
    for (const child of children)
      if (child !== w && open(child)) this.act.cancel(child, 'oco: the other bracket child filled');
    if (entry !== undefined && open(entry))
      this.act.cancel(entry, 'bracket: its take-profit or stop-loss closed the position');
  }

  // ---------------------------------------------------------------- OTO

  /**
   * After a primary fill or end: with oto_trigger = partial each secondary works at
   * floor_lot(primary filled × its requested quantity / primary quantity), growing with every
   * fill; with `full` at its requested quantity once the primary is filled. A primary that ended
   * after fills leaves its secondaries working at their share (none left: canceled).
   */
  private otoFollow(group: Group): void {
    const [primary, ...secondaries] = group.legs;
    if (primary === undefined || !this.due(primary)) return;
    const ended = isTerminal(primary.order.status);
    for (const s of secondaries) {
      if (!open(s)) continue;
      const target = this.otoShare(primary, s);
      if (target.lessThanOrEqualTo(ZERO)) {
        if (ended) this.act.cancel(s, `primary ${primary.order.status} with too little filled`);
      } else if (s.order.held) this.act.activate(s, target);
      else if (target.greaterThan(s.order.quantity)) this.act.resize(s, target);
    }
  }

  private otoShare(primary: WorkingOrder, s: WorkingOrder): Decimal {
    const requested = s.group?.quantity ?? s.order.quantity;
    const p = primary.order;
    if (p.filledQty.greaterThanOrEqualTo(p.quantity)) return requested;
    const product = p.filledQty.times(requested);
    let share = floorLot(s.instrument, product.div(p.quantity));
    // Division rounds at 40 digits; step back one lot if it rounded up past the exact share.
    if (share.times(p.quantity).greaterThan(product)) share = share.minus(s.instrument.lotSize);
    return share;
  }

  // ---------------------------------------------------------------- shared

  /** Whether an entry's or primary's fills put its held legs to work (oto_trigger, §10). */
  private due(parent: WorkingOrder): boolean {
    const o = parent.order;
    if (o.filledQty.isZero()) return false;
    // full: the parent's completion, or its end after fills.
    return this.act.otoTrigger(parent) === 'partial' || isTerminal(o.status);
  }

  /** The entry or primary ended with no fill: its other legs are canceled, or rejected with it. */
  private endDependents(group: Group, parent: WorkingOrder): void {
    const o = parent.order;
    const name = group.orderClass === 'bracket' ? 'entry' : 'primary';
    for (const leg of group.legs.slice(1)) {
      if (!open(leg)) continue;
      if (o.status === 'rejected') {
        const code = o.reject?.code ?? 'VENUE_REJECTED';
        this.act.reject(leg, code, `${name} ${o.clientOrderId} was rejected: ${o.reject?.message ?? code}`);
      } else this.act.cancel(leg, `${name} ${o.status}`);
    }
  }

  private groupOf(w: WorkingOrder): Group | undefined {
    return w.group === undefined ? undefined : this.groups.get(w.group.groupId);
  }
}
