import type { LegRole } from '../brokers/broker.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import { type Order, isTerminal } from '../domain/order.js';
import { TradingError } from '../domain/errors.js';
import { type GroupAction, type GroupMember, groupActions } from './contingent.js';
import { type EventBus, ORDER_CHANGE_TOPICS } from './event-bus.js';
import { KeyedLock } from './keyed-lock.js';
import { type OrderService, isUnsent } from './order-service.js';
import type { OrderStore, StoredOrder } from './ports.js';

export interface ContingentManagerDeps {
  readonly service: OrderService;
  readonly store: OrderStore;
  readonly bus: EventBus;
  readonly instruments: InstrumentRegistry;
  readonly onError?: (error: unknown, details: Record<string, unknown>) => void;
}

const LEG_ROLES: ReadonlySet<string> = new Set([
  'entry',
  'take_profit',
  'stop_loss',
  'primary',
  'secondary',
  'member',
]);

/**
 * Emulates bracket, OCO and OTO groups on venues without native ones (ORDER-SEMANTICS.md §4):
 * after any change to a member it works out the whole group's due actions from the stored state
 * (contingent.ts) and carries them out: activate held legs, resize, cancel. Working from state,
 * not from the event, makes it safe to run twice and lets `restore` pick every open group up
 * after a restart, including legs activated but not yet sent when the process died.
 */
export class ContingentManager {
  private readonly locks = new KeyedLock();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: ContingentManagerDeps) {}

  start(): void {
    for (const topic of ORDER_CHANGE_TOPICS) {
      this.unsubscribes.push(
        this.deps.bus.subscribe(topic, (payload) => {
          if ('order' in payload) this.onOrder(payload.order);
        }),
      );
    }
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  /** After a restart: every open emulated group is brought up to date, unsent legs are sent. */
  async restore(): Promise<number> {
    const heads = new Set<string>();
    for (const stored of await this.deps.store.openOrders()) {
      if (!stored.order.emulated || !LEG_ROLES.has(stored.meta.role ?? '')) continue;
      heads.add(stored.order.parentId ?? stored.order.id);
      if (isUnsent(stored.order) && !stored.order.held) await this.deps.service.resendUnsent(stored);
    }
    for (const head of heads) await this.reconcileGroup(head);
    return heads.size;
  }

  /** Resolves when the work started by events so far is done (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private onOrder(order: Order): void {
    if (!order.emulated) return;
    const task = this.reconcileGroup(order.parentId ?? order.id).catch((error: unknown) => {
      this.deps.onError?.(error, { orderId: order.id });
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  /** Brings one group to what its state calls for, one pass per group at a time. */
  private reconcileGroup(headId: string): Promise<void> {
    return this.locks.run(headId, async () => {
      const head = await this.deps.store.findById(headId);
      if (head === undefined || head.meta.orderClass === 'simple') return;
      const members = [head, ...(await this.deps.store.children(headId))].filter((m) =>
        LEG_ROLES.has(m.meta.role ?? ''),
      );
      if (!members.some((m) => m.order.emulated)) return;
      if (members.every((m) => isTerminal(m.order.status))) return;
      const instrument = this.deps.instruments.get(head.order.symbol);
      const actions = groupActions(head.meta.orderClass, members.map(memberOf), instrument);
      for (const action of actions) await this.carryOut(action);
    });
  }

  private async carryOut(action: GroupAction): Promise<void> {
    const service = this.deps.service;
    try {
      if (action.kind === 'activate') await service.activateHeld(action.order.id, action.quantity);
      else if (action.kind === 'drop')
        await service.dropHeld(action.order.id, action.reason, action.rejected);
      else if (action.kind === 'cancel') await service.cancel({ orderId: action.order.id });
      else await service.replace({ orderId: action.order.id }, { quantity: action.quantity });
    } catch (error) {
      // A leg with a request in flight, or already done: its next event brings the group back here.
      if (
        error instanceof TradingError &&
        (error.code === 'ORDER_PENDING' || error.code === 'ORDER_NOT_OPEN')
      )
        return;
      throw error;
    }
  }
}

function memberOf(stored: StoredOrder): GroupMember {
  return { order: stored.order, role: stored.meta.role as LegRole };
}
