import { randomUUID } from 'node:crypto';
import type { Decimal } from '../../../domain/decimal.js';
import { ZERO } from '../../../domain/decimal.js';
import { type Order, isTerminal, orderSpecOf } from '../../../domain/order.js';
import { isHeldRole } from '../../paper/contingent-shape.js';
import type { AlpacaOrderClass, LegPlan } from './order-request.js';

/**
 * One Alpaca order. Alpaca gives a replaced order a successor with a new id, while the paper venue
 * keeps one order and changes it in place, so several records can show one paper order (`key`,
 * the chain root's id): the newest is its head and moves with it; the older ones are `frozen` as
 * they were when replaced.
 */
export interface AlpacaOrderRecord {
  readonly id: string;
  readonly clientOrderId: string;
  readonly key: string;
  readonly orderClass: AlpacaOrderClass;
  readonly parentId?: string;
  readonly legIds: readonly string[];
  readonly replaces?: string;
  readonly submittedAt: number;
  replacedBy?: string;
  replacedAt?: number;
  frozen?: Order;
  filledAt?: number;
  canceledAt?: number;
  expiredAt?: number;
  failedAt?: number;
  /** A trailing stop's high-water mark: the basis its current stop was set from. */
  hwm?: Decimal;
}

/** Where the fake keeps its orders: Alpaca records by id and client id, and the paper orders they show. */
export class OrderLedger {
  private readonly records = new Map<string, AlpacaOrderRecord>();
  private readonly byClientId = new Map<string, string>();
  private readonly heads = new Map<string, string>();
  /** The paper venue's orders, folded from its events (§1.3), so that each event is seen as of its moment. */
  private readonly mirrors = new Map<string, Order>();

  constructor(
    private readonly accountId: string,
    private readonly venue: string,
  ) {}

  hasClientId(clientOrderId: string): boolean {
    return this.byClientId.has(clientOrderId);
  }

  /** Records a submit's orders before the venue sees them, so that its first events find them. */
  create(orderClass: AlpacaOrderClass, legs: readonly LegPlan[], now: number): AlpacaOrderRecord[] {
    const parentId = legs[0]?.id;
    return legs.map((leg, i) => {
      const record: AlpacaOrderRecord = {
        id: leg.id,
        clientOrderId: leg.clientOrderId,
        key: leg.id,
        orderClass,
        ...(i > 0 && parentId !== undefined ? { parentId } : {}),
        legIds: i === 0 ? legs.slice(1).map((l) => l.id) : [],
        submittedAt: now,
      };
      this.add(record);
      this.mirrors.set(leg.id, this.initialOrder(leg, now));
      return record;
    });
  }

  /** Forgets orders the venue refused outright: for Alpaca they never existed. */
  remove(ids: readonly string[]): void {
    for (const id of ids) {
      const record = this.records.get(id);
      if (record === undefined) continue;
      this.records.delete(id);
      this.byClientId.delete(record.clientOrderId);
      this.heads.delete(record.key);
      this.mirrors.delete(record.key);
    }
  }

  get(id: string): AlpacaOrderRecord | undefined {
    return this.records.get(id);
  }

  byClientOrderId(clientOrderId: string): AlpacaOrderRecord | undefined {
    const id = this.byClientId.get(clientOrderId);
    return id === undefined ? undefined : this.records.get(id);
  }

  /** The record that currently shows the paper order `key`. */
  head(key: string): AlpacaOrderRecord | undefined {
    const id = this.heads.get(key);
    return id === undefined ? undefined : this.records.get(id);
  }

  all(): AlpacaOrderRecord[] {
    return [...this.records.values()];
  }

  /** The order a record shows: frozen at its replacement, else the paper order now. */
  orderOf(record: AlpacaOrderRecord): Order {
    const order = record.frozen ?? this.mirrors.get(record.key);
    if (order === undefined) throw new Error(`fake Alpaca bug: no paper order behind ${record.id}`);
    return order;
  }

  mirror(key: string): Order | undefined {
    return this.mirrors.get(key);
  }

  setMirror(key: string, order: Order): void {
    this.mirrors.set(key, order);
  }

  isOpen(record: AlpacaOrderRecord): boolean {
    return record.frozen === undefined && !isTerminal(this.orderOf(record).status);
  }

  /**
   * The venue confirmed a replace: the head is frozen as it was before (`before`), and a successor
   * with a new id (and the new client id, or a generated one) takes the paper order on.
   */
  succeed(key: string, before: Order, clientOrderId: string | undefined, at: number): AlpacaOrderRecord {
    const old = this.head(key);
    if (old === undefined) throw new Error(`fake Alpaca bug: no head for ${key}`);
    const next: AlpacaOrderRecord = {
      id: randomUUID(),
      clientOrderId: clientOrderId ?? randomUUID(),
      key,
      orderClass: old.orderClass,
      ...(old.parentId === undefined ? {} : { parentId: old.parentId }),
      legIds: old.legIds,
      replaces: old.id,
      submittedAt: at,
      ...(old.hwm === undefined ? {} : { hwm: old.hwm }),
    };
    old.frozen = before;
    old.replacedBy = next.id;
    old.replacedAt = at;
    this.add(next);
    return next;
  }

  private add(record: AlpacaOrderRecord): void {
    this.records.set(record.id, record);
    this.byClientId.set(record.clientOrderId, record.id);
    this.heads.set(record.key, record.id);
  }

  /** The order as the paper venue creates it (pending_new), so that folding its events matches the venue. */
  private initialOrder(leg: LegPlan, now: number): Order {
    return {
      ...orderSpecOf(leg.spec),
      id: leg.id,
      clientOrderId: leg.id,
      accountId: this.accountId,
      venue: this.venue,
      status: 'pending_new',
      filledQty: ZERO,
      filledNotional: ZERO,
      overfillQty: ZERO,
      venueOrderIds: [],
      held: leg.role !== undefined && isHeldRole(leg.role),
      emulated: false,
      inferred: false,
      external: false,
      createdAt: now,
      updatedAt: now,
    };
  }
}
