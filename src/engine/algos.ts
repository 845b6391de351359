import type { Clock } from '../domain/clock.js';
import { type Decimal, dec } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import { type Order, isTerminal, leavesQty } from '../domain/order.js';
import { type EventBus, ORDER_CHANGE_TOPICS } from './event-bus.js';
import { KeyedLock } from './keyed-lock.js';
import type { OrderService, SubmitInput } from './order-service.js';
import { aggregateParent, endParent, unplaced } from './parent-order.js';
import type { OrderStore, StoredOrder } from './ports.js';
import {
  type AlgoParameters,
  type AlgoState,
  type Slice,
  childSpec,
  planAlgo,
  stateOf,
} from './algo-plan.js';

/** An algorithm order's parameters (CONTRACT.md OrderRequest.algo). */
export type AlgoRequest = AlgoParameters;

export interface AlgoRunnerDeps {
  readonly service: OrderService;
  readonly store: OrderStore;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  /** Venues whose orders take a display quantity natively (an iceberg is then one child). */
  readonly nativeIceberg?: (venue: string) => boolean;
  readonly random?: () => number;
  readonly onError?: (error: unknown, details: Record<string, unknown>) => void;
}

/** Consecutive child failures (denied or rejected) after which the parent is canceled (§9). */
const MAX_FAILURES = 3;

/** The venue label of a parent order: it never goes to a venue. */
export const ALGO_VENUE = 'algo';
export const SPLIT_VENUE = 'split';

type Listener = (parent: Order) => void;

/**
 * Execution algorithms and splits as parent orders with child orders (ORDER-SEMANTICS.md §9):
 * TWAP and VWAP send their slices on the clock, an iceberg one display quantity at a time, a split
 * its allocations at once. The parent aggregates its children; canceling it cancels them. The
 * plan and progress live in the parent's `algo` column, and every decision is re-derived from the
 * stored children, so `restore` resumes each algorithm after a restart where it stood.
 */
export class AlgoRunner {
  private readonly locks = new KeyedLock();
  private readonly timers = new Map<string, () => void>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly unsubscribes: (() => void)[] = [];

  constructor(private readonly deps: AlgoRunnerDeps) {
    deps.service.setParentCanceler((stored) => this.cancel(stored));
  }

  start(): void {
    for (const topic of ORDER_CHANGE_TOPICS)
      this.unsubscribes.push(
        this.deps.bus.subscribe(topic, (payload) => {
          if ('order' in payload && payload.order.parentId !== undefined && !payload.order.emulated)
            this.track(this.refresh(payload.order.parentId));
        }),
      );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  /**
   * Places an algorithm order: the parent (risk-checked once for its full quantity), then its
   * first slice. The same client order id with the same request returns the existing parent.
   */
  async submit(input: SubmitInput, request: AlgoRequest): Promise<StoredOrder> {
    const instrument = this.deps.instruments.get(input.symbol);
    const state = planAlgo(input, request, instrument, this.deps.clock.now(), this.deps.random);
    const { created, stored } = await this.deps.service.createParent(input, state, ALGO_VENUE);
    if (!created || stored.order.status === 'denied') return stored;
    await this.locks.run(stored.order.id, () => this.advance(stored.order.id));
    return (await this.deps.store.findById(stored.order.id)) ?? stored;
  }

  /** Places a split (the router's allocations): the parent, then every allocation as a child at once. */
  async submitSplit(
    input: SubmitInput,
    allocations: readonly { venue: string; accountId: string; quantity: Decimal }[],
  ): Promise<StoredOrder> {
    const state: AlgoState = {
      type: 'split',
      request: {
        type: 'split',
        allocations: allocations.map((a) => [a.venue, a.accountId, a.quantity.toFixed()]),
      },
      allocations: allocations.map((a) => ({
        venue: a.venue,
        accountId: a.accountId,
        quantity: a.quantity.toFixed(),
      })),
      sent: 0,
      children: 0,
      failures: 0,
    };
    const { created, stored } = await this.deps.service.createParent(input, state, SPLIT_VENUE);
    if (!created || stored.order.status === 'denied') return stored;
    await this.locks.run(stored.order.id, () => this.advance(stored.order.id));
    return (await this.deps.store.findById(stored.order.id)) ?? stored;
  }

  /** Cancels a parent: pending_cancel until every open child is done, then canceled (or filled). */
  async cancel(stored: StoredOrder): Promise<StoredOrder> {
    await this.locks.run(stored.order.id, async () => {
      const current = await this.load(stored.order.id);
      if (current === undefined || isTerminal(current.stored.order.status)) return;
      this.clearTimer(stored.order.id);
      const pendingCancel: Order = {
        ...current.stored.order,
        status: 'pending_cancel',
        priorStatus: current.stored.order.status,
      };
      await this.save(current.stored, pendingCancel, current.children, current.state);
      await this.cancelChildren(current.children);
    });
    await this.refresh(stored.order.id);
    return (await this.deps.store.findById(stored.order.id)) ?? stored;
  }

  /** Resumes every open parent after a restart; answers how many. */
  async restore(): Promise<number> {
    const parents = (await this.deps.store.openOrders()).filter((s) => s.meta.role === 'parent');
    for (const parent of parents) {
      await this.locks.run(parent.order.id, async () => {
        const current = await this.load(parent.order.id);
        if (current === undefined) return;
        if (current.stored.order.status === 'pending_cancel') await this.cancelChildren(current.children);
      });
      await this.refresh(parent.order.id);
      await this.locks.run(parent.order.id, () => this.advance(parent.order.id));
    }
    return parents.length;
  }

  /** Calls `listener` with the parent after every change until it is done; returns the unsubscribe. */
  watch(parentId: string, listener: Listener): () => void {
    let set = this.listeners.get(parentId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(parentId, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Resolves when the work started by events and timers so far is done (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.all([...this.pending]);
      await this.deps.service.idle();
    }
  }

  // ------------------------------------------------------------------ progress

  private track(task: Promise<void>): void {
    const guarded = task.catch((error: unknown) => this.deps.onError?.(error, {}));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  private async load(
    parentId: string,
  ): Promise<{ stored: StoredOrder; children: Order[]; state: AlgoState } | undefined> {
    const stored = await this.deps.store.findById(parentId);
    if (stored?.meta.role !== 'parent' || stored.meta.algo === undefined) return undefined;
    const children = (await this.deps.store.children(parentId)).map((c) => c.order);
    return { stored, children, state: stateOf(stored.meta.algo, children.length) };
  }

  /** Re-aggregates a parent from its children; sends an iceberg's next child when one is due. */
  private refresh(parentId: string): Promise<void> {
    return this.locks.run(parentId, async () => {
      const current = await this.load(parentId);
      if (current === undefined) return;
      const { stored, children, state } = current;
      const next = aggregateParent(stored.order, children, this.deps.clock.now());
      await this.save(stored, next, children, state);
      if (isTerminal(next.status)) {
        this.clearTimer(parentId);
        return;
      }
      if (state.type === 'iceberg' && next.status !== 'pending_cancel') await this.advance(parentId);
      else if (state.type === 'split' && children.every((c) => isTerminal(c.status))) {
        await this.finish(parentId, children.some((c) => c.status === 'expired') ? 'expired' : 'canceled');
      }
    });
  }

  /** Does what is due now (the next slice, the horizon's end, an iceberg's next child) and arms the timer. */
  private async advance(parentId: string): Promise<void> {
    const current = await this.load(parentId);
    if (current === undefined || isTerminal(current.stored.order.status)) return;
    const { stored, state } = current;
    if (stored.order.status === 'pending_cancel') return;
    const now = this.deps.clock.now();
    if (state.type === 'split') {
      if (state.sent === 0) await this.sendAllocations(current.stored, current.state);
      return;
    }
    if (state.type === 'iceberg') {
      await this.sendIcebergChild(current.stored, current.children, current.state);
      return;
    }
    const schedule = state.schedule ?? [];
    const slice = schedule[state.sent];
    if (slice !== undefined && slice.at <= now) {
      await this.sendSlice(current.stored, current.children, state, slice);
      return this.advance(parentId);
    }
    if (slice === undefined) {
      if (state.endAt === undefined || state.endAt <= now) {
        await this.finish(parentId, 'expired');
        return;
      }
      this.arm(parentId, state.endAt);
      return;
    }
    this.arm(parentId, slice.at);
  }

  private arm(parentId: string, at: number): void {
    this.clearTimer(parentId);
    const cancel = this.deps.clock.schedule(at, () => {
      this.timers.delete(parentId);
      this.track(this.locks.run(parentId, () => this.advance(parentId)));
    });
    this.timers.set(parentId, cancel);
  }

  private clearTimer(parentId: string): void {
    this.timers.get(parentId)?.();
    this.timers.delete(parentId);
  }

  /**
   * One TWAP/VWAP slice: the previous child's unfilled rest is canceled and, with everything else
   * not filled, working or scheduled later, added to this slice (§9).
   */
  private async sendSlice(
    stored: StoredOrder,
    children: readonly Order[],
    state: AlgoState,
    slice: Slice,
  ): Promise<void> {
    await this.cancelChildren(children);
    const settled = (await this.deps.store.children(stored.order.id)).map((c) => c.order);
    const parent = aggregateParent(stored.order, settled, this.deps.clock.now());
    const later = (state.schedule ?? [])
      .slice(state.sent + 1)
      .reduce((sum, s) => sum.plus(dec(s.quantity)), dec(0));
    const quantity = unplaced(parent, settled).minus(later);
    const advanced: AlgoState = { ...state, sent: state.sent + 1 };
    if (!quantity.gt(0) || slice.quantity === '0') {
      await this.save(stored, parent, settled, advanced);
      return;
    }
    await this.sendChild(stored, parent, settled, advanced, quantity);
  }

  /** An iceberg: one child of min(display, leaves) at a time; natively one child with a display quantity. */
  private async sendIcebergChild(
    stored: StoredOrder,
    children: readonly Order[],
    state: AlgoState,
  ): Promise<void> {
    if (children.some((c) => !isTerminal(c.status))) return;
    const parent = aggregateParent(stored.order, children, this.deps.clock.now());
    const rest = unplaced(parent, children);
    if (!rest.gt(0) || isTerminal(parent.status)) return;
    const display = dec(state.displayQuantity ?? rest.toFixed());
    const native = this.deps.nativeIceberg?.(stored.order.venue) === true;
    const quantity = native || display.greaterThan(rest) ? rest : display;
    await this.sendChild(
      stored,
      parent,
      children,
      { ...state, sent: state.sent + 1 },
      quantity,
      native ? display : undefined,
    );
  }

  private async sendAllocations(stored: StoredOrder, state: AlgoState): Promise<void> {
    const advanced: AlgoState = { ...state, sent: 1 };
    for (const allocation of state.allocations ?? []) {
      const children = (await this.deps.store.children(stored.order.id)).map((c) => c.order);
      const parent = aggregateParent(stored.order, children, this.deps.clock.now());
      await this.sendChild(
        stored,
        parent,
        children,
        advanced,
        dec(allocation.quantity),
        undefined,
        allocation,
      );
    }
  }

  /** Places child n (crash-safe: a child already recorded under its id is not placed again). */
  private async sendChild(
    stored: StoredOrder,
    parent: Order,
    children: readonly Order[],
    state: AlgoState,
    quantity: Decimal,
    displayQty?: Decimal,
    pin?: { venue: string; accountId: string },
  ): Promise<void> {
    const n = children.length + 1;
    const spec = childSpec(parent, state, quantity, displayQty);
    // Why the child failed (denied, rejected, or refused outright), or undefined when it was placed.
    let failure: string | undefined;
    try {
      const child = await this.deps.service.submit({
        ...spec,
        clientOrderId: `${parent.clientOrderId}-C${n}`,
        parentId: parent.id,
        role: 'child',
        agentId: stored.meta.agentId,
        reason: `${state.type} child ${n} of ${parent.clientOrderId}`,
        ...(pin === undefined ? pinOf(state) : { venue: pin.venue, accountId: pin.accountId }),
      });
      if (child.order.status === 'denied' || child.order.status === 'rejected')
        failure = child.order.reject?.message ?? 'child refused';
    } catch (error) {
      // Refused outright (e.g. no venue trades it now): a failure like a denial.
      if (!(error instanceof TradingError)) throw error;
      failure = error.message;
    }
    const failures = failure === undefined ? 0 : state.failures + 1;
    const next: AlgoState = {
      ...state,
      children: n,
      failures,
      ...(failure === undefined ? {} : { lastFailure: failure }),
    };
    const settled = (await this.deps.store.children(parent.id)).map((c) => c.order);
    const aggregated = aggregateParent(parent, settled, this.deps.clock.now());
    await this.save(stored, aggregated, settled, next);
    if (failures >= MAX_FAILURES)
      await this.finish(
        parent.id,
        'canceled',
        `${MAX_FAILURES} children in a row failed: ${next.lastFailure ?? ''}`,
      );
  }

  /** Ends a parent: its open children canceled, then filled, or canceled/expired with its fills kept. */
  private async finish(parentId: string, end: 'canceled' | 'expired', reason?: string): Promise<void> {
    this.clearTimer(parentId);
    const current = await this.load(parentId);
    if (current === undefined || isTerminal(current.stored.order.status)) return;
    await this.cancelChildren(current.children);
    const children = (await this.deps.store.children(parentId)).map((c) => c.order);
    const aggregated = aggregateParent(current.stored.order, children, this.deps.clock.now());
    const ended = isTerminal(aggregated.status)
      ? aggregated
      : endParent(aggregated, end, this.deps.clock.now(), reason);
    await this.save(current.stored, ended, children, current.state);
  }

  private async cancelChildren(children: readonly Order[]): Promise<void> {
    for (const child of children) {
      if (isTerminal(child.status) || child.status === 'pending_cancel' || !leavesQty(child).gt(0)) continue;
      try {
        await this.deps.service.cancel({ orderId: child.id });
      } catch (error) {
        if (!(error instanceof TradingError)) throw error;
      }
    }
  }

  private async save(
    stored: StoredOrder,
    order: Order,
    children: readonly Order[],
    state: AlgoState,
  ): Promise<void> {
    const recorded: AlgoState = { ...state, children: Math.max(state.children, children.length) };
    const saved = await this.deps.service.saveParent(stored, order, recorded);
    for (const listener of this.listeners.get(order.id) ?? []) listener(saved.order);
    if (isTerminal(order.status)) this.listeners.delete(order.id);
  }
}

function pinOf(state: AlgoState): { venue?: string; accountId?: string } {
  const request = state.request as { venue?: string; accountId?: string };
  return {
    ...(request.venue === undefined ? {} : { venue: request.venue }),
    ...(request.accountId === undefined ? {} : { accountId: request.accountId }),
  };
}
