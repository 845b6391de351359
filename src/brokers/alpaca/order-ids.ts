/**
 * Which of our client order ids each Alpaca order stands for, and which Alpaca order is current.
 *
 * - Replaces: every revision is a new Alpaca order (`{ours}~r{n}`); the current one is tracked here
 *   and recovered after a restart by following `replaced_by` (see order-lookup.ts).
 * - Contingent exits: Alpaca names the legs of a bracket, OCO or OTO itself and takes no client id
 *   for them, so our leg ids cannot travel with the orders. A leg is linked to its parent's client
 *   order id and its role (take_profit: the limit exit, stop_loss: the stop exit); the Alpaca leg
 *   id is then found by reading the parent. The links live in a LegLinkStore: in memory by default,
 *   so after a restart they are lost until the caller re-registers its groups
 *   (AlpacaBroker.restoreGroup) or hands in a persistent store. Until then an exit is reported under
 *   Alpaca's own client order id, as an order the engine did not place.
 */
import { baseClientOrderId, revisionOf } from './client-ids.js';
import type { AlpacaOrder } from './wire.js';

export type ExitRole = 'take_profit' | 'stop_loss';

export interface LegLink {
  readonly parentClientOrderId: string;
  readonly role: ExitRole;
}

/** Where leg links are kept; hand in a persistent one to survive restarts without restoreGroup. */
export interface LegLinkStore {
  get(legClientOrderId: string): LegLink | undefined;
  set(legClientOrderId: string, link: LegLink): void;
  /** The legs linked to a parent, as [leg client order id, link]. */
  legsOf(parentClientOrderId: string): readonly (readonly [string, LegLink])[];
}

export class MemoryLegLinks implements LegLinkStore {
  private readonly links = new Map<string, LegLink>();

  get(legClientOrderId: string): LegLink | undefined {
    return this.links.get(legClientOrderId);
  }

  set(legClientOrderId: string, link: LegLink): void {
    this.links.set(legClientOrderId, link);
  }

  legsOf(parentClientOrderId: string): readonly (readonly [string, LegLink])[] {
    return [...this.links].filter(([, link]) => link.parentClientOrderId === parentClientOrderId);
  }
}

/** An Alpaca exit's role: the limit takes profit, the stop (or stop-limit) limits the loss. */
export function exitRoleOf(order: Pick<AlpacaOrder, 'type' | 'order_type'>): ExitRole | undefined {
  const type = order.type || order.order_type;
  if (type === 'limit') return 'take_profit';
  return type === 'stop' || type === 'stop_limit' ? 'stop_loss' : undefined;
}

/** The Alpaca order that carries one of our orders now, and its revision. */
export interface CurrentOrder {
  readonly venueOrderId: string;
  readonly revision: number;
}

const TERMINAL = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

export class OrderIds {
  readonly links: LegLinkStore;
  /** Alpaca order id → our client order id. */
  private readonly owners = new Map<string, string>();
  /** Our client order id → its current Alpaca order. */
  private readonly current = new Map<string, CurrentOrder>();
  /** Alpaca orders last seen open → our client order id: the catch-up re-reads them. */
  private readonly open = new Map<string, string>();

  constructor(links: LegLinkStore = new MemoryLegLinks()) {
    this.links = links;
  }

  /**
   * Our client order id for an Alpaca order: a known owner, else (for a leg read with its parent)
   * the linked leg of that role, else the base of Alpaca's client order id (a revision's `~rN`
   * stripped; an unknown exit keeps Alpaca's own id).
   */
  clientOrderIdOf(order: AlpacaOrder, parent?: AlpacaOrder): string {
    const known = this.owners.get(order.id);
    if (known !== undefined) return known;
    if (parent !== undefined) {
      const role = exitRoleOf(order);
      const parentId = this.clientOrderIdOf(parent);
      const linked = this.links.legsOf(parentId).find(([, link]) => link.role === role);
      if (linked !== undefined) return linked[0];
    }
    return baseClientOrderId(order.client_order_id);
  }

  /** Records what an Alpaca order says (owner, current revision, open or not); returns our id. */
  learn(order: AlpacaOrder, parent?: AlpacaOrder): string {
    const clientOrderId = this.clientOrderIdOf(order, parent);
    this.owners.set(order.id, clientOrderId);
    const revision = revisionOf(order.client_order_id);
    const known = this.current.get(clientOrderId);
    if (known === undefined || known.revision <= revision)
      this.current.set(clientOrderId, { venueOrderId: order.id, revision });
    if (TERMINAL.has(order.status)) this.open.delete(order.id);
    else this.open.set(order.id, clientOrderId);
    for (const leg of order.legs ?? []) this.learn(leg, order);
    return clientOrderId;
  }

  /** After a submit or replace: this Alpaca order now carries our order. */
  assign(clientOrderId: string, venueOrderId: string, revision: number): void {
    this.owners.set(venueOrderId, clientOrderId);
    this.current.set(clientOrderId, { venueOrderId, revision });
    this.open.set(venueOrderId, clientOrderId);
  }

  /** Marks an Alpaca order closed (terminal, or superseded by a replace). */
  closed(venueOrderId: string): void {
    this.open.delete(venueOrderId);
  }

  currentOf(clientOrderId: string): CurrentOrder | undefined {
    return this.current.get(clientOrderId);
  }

  ownerOf(venueOrderId: string): string | undefined {
    return this.owners.get(venueOrderId);
  }

  isLeg(clientOrderId: string): boolean {
    return this.links.get(clientOrderId) !== undefined;
  }

  /** Alpaca order ids last seen open. */
  openOrders(): string[] {
    return [...this.open.keys()];
  }
}
