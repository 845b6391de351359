import type { Broker, VenueAccount, VenueEvent, VenueOrder } from '../brokers/broker.js';
import { BrokerCallError, withDeadline } from '../brokers/broker.js';
import type { Clock } from '../domain/clock.js';
import { type Decimal, ZERO } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { Fill, OrderChanges, OrderEvent } from '../domain/events.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import type { Instrument } from '../domain/instrument.js';
import { type Order, type OrderSpec, createOrder, isOpen, isTerminal, orderSpecOf } from '../domain/order.js';
import { extend } from '../domain/objects.js';
import { applyEvent, applyOrderChanges, cancelRefusal, replaceRefusal } from '../domain/order-status.js';
import { validateOrderSpec } from '../domain/order-validation.js';
import { aggregatePositions } from '../domain/portfolio.js';
import { type Position, applyFillToPosition } from '../domain/position.js';
import { floorLot } from '../domain/instrument.js';
import type { EventBus } from './event-bus.js';
import type { IdGenerator } from './ids.js';
import { KeyedLock } from './keyed-lock.js';
import { OrderCache } from './order-cache.js';
import type {
  EventRecord,
  OrderFilter,
  OrderMeta,
  OrderPage,
  OrderRole,
  OrderStore,
  StoredOrder,
} from './ports.js';
import { type ContingentRequest, type LegPlan, planLegs } from './contingent.js';
import type { DecisionRecord, RoutingLog } from './routing-log.js';
import type { RoutePlan } from '../routing/types.js';
import { markOf } from './mark.js';
import { requestHash } from './request-hash.js';
import type { Admission, AdmissionRequest, ReplaceAdmission, ReplaceRequest } from './risk-engine.js';
import type { RiskDecision } from '../risk/run-checks.js';
import { raisesUsage } from '../risk/usage-book.js';

/** What a caller asks for; the engine fills in ids, venue and account. */
export interface SubmitInput extends OrderSpec {
  readonly clientOrderId?: string;
  readonly accountId?: string;
  readonly venue?: string;
  readonly agentId: string;
  readonly reason?: string;
  /** emergencyStop's flattening orders: let through a halt when they reduce exposure. */
  readonly flatten?: boolean;
  /** Makes the order the first leg of a bracket, OCO or OTO group (ORDER-SEMANTICS.md §4). */
  readonly contingent?: ContingentRequest;
  /** An algorithm's or a split's child: its parent order and part. */
  readonly parentId?: string;
  readonly role?: OrderRole;
  /** The accounts the calling agent may trade (its card); absent: any. */
  readonly allowedAccounts?: readonly string[];
}

/** Cancels a parent order (an algorithm or a split): the algorithm runner handles those. */
export type ParentCanceler = (stored: StoredOrder) => Promise<StoredOrder>;

/**
 * The pre-trade risk port (src/engine/risk-engine.ts): it checks an order and records it, accepted
 * or denied, atomically with the usage it read. Without one every valid order passes.
 */
export interface RiskPort {
  admit(request: AdmissionRequest): Promise<Admission>;
  evaluate(order: Order, agentId: string, instrument: Instrument): Promise<RiskDecision>;
  admitReplace(request: ReplaceRequest): Promise<ReplaceAdmission>;
  admitGroup(requests: readonly AdmissionRequest[]): Promise<Admission[]>;
  /** A committed write raised usage outside an admission (see raisesUsage). */
  usageRaised(): Promise<void>;
  /** An order left the open statuses: it counts for nothing in usage any more. */
  orderEnded(orderId: string): void;
}

/** The routing port; the routing issue fills it. Until then: the pinned venue, or the first that trades the symbol. */
export interface RouterPort {
  route(
    spec: OrderSpec,
    instrument: Instrument,
    pin: { venue?: string; accountId?: string; accounts?: readonly string[] },
  ): Promise<{ venue: string; accountId: string; plan?: RoutePlan }>;
}

export interface OrderServiceDeps {
  readonly store: OrderStore;
  readonly brokers: readonly Broker[];
  readonly instruments: InstrumentRegistry;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly bus: EventBus;
  readonly risk?: RiskPort;
  readonly router?: RouterPort;
  /** Where the router's decisions are recorded for audit. */
  readonly routingLog?: RoutingLog;
  /** Venue-call timeout: past it the outcome is unknown and the order stays in flight (§8.1). */
  readonly venueTimeoutMs?: number;
  readonly onAnomaly?: (message: string, details: Record<string, unknown>) => void;
}

export interface OrderDetails {
  readonly stored: StoredOrder;
  readonly fills: Fill[];
  readonly events: OrderEvent[];
}

/**
 * The order management service: one command flow for submit, modify and cancel — validate, risk,
 * route, persist the intent, send — and one path that applies every venue event through the
 * lifecycle table, durably, exactly once, then publishes it on the bus.
 */
export class OrderService {
  private readonly deps: OrderServiceDeps;
  private readonly brokers: ReadonlyMap<string, Broker>;
  private readonly locks = new KeyedLock();
  private readonly clientLocks = new KeyedLock();
  /** Venue events waiting for their order's lock, by order: those that meet there are applied together. */
  private readonly gathering = new Map<string, { events: VenueEvent[]; done: Promise<void> }>();
  private readonly risk: RiskPort | undefined;
  private readonly router: RouterPort;
  private readonly unsubscribes: (() => void)[] = [];
  /** This engine is the only writer of its orders: what it saved last is what the store holds. */
  private readonly cache = new OrderCache();

  constructor(deps: OrderServiceDeps) {
    this.deps = deps;
    this.brokers = new Map(deps.brokers.map((b) => [b.venue, b]));
    this.risk = deps.risk;
    this.router = deps.router ?? new FirstCapableVenue(deps.brokers);
  }

  /** Subscribes to every venue's order updates. */
  start(): void {
    for (const broker of this.brokers.values()) {
      this.unsubscribes.push(
        broker.subscribe((event) => {
          void this.onVenueEvent(event);
        }),
      );
    }
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  // ------------------------------------------------------------------ commands

  /**
   * Submits an order. Refusals of the request itself throw a TradingError and store nothing; a risk
   * denial stores the order as `denied` and returns it. The same client order id with the same
   * request returns the existing order and sends nothing; with another request it is refused.
   */
  submit(input: SubmitInput): Promise<StoredOrder> {
    return this.oncePerClientId(input, () => this.submitNow(input));
  }

  /**
   * Without an account pin, two submits of one client order id could be routed to different
   * accounts, where the store's uniqueness (per account) would not meet: they run one at a time.
   */
  private oncePerClientId<T>(input: SubmitInput, task: () => Promise<T>): Promise<T> {
    if (input.clientOrderId === undefined || input.accountId !== undefined) return task();
    return this.clientLocks.run(input.clientOrderId, task);
  }

  private async submitNow(input: SubmitInput): Promise<StoredOrder> {
    if (input.contingent !== undefined) return this.submitGroup(input, input.contingent);
    const { order, meta, instrument, known, plan } = await this.prepare(input);
    if (known !== undefined) return sameRequestOrRefuse(known, meta.requestHash);
    // The intent is durable before anything is sent (§8.1); a denial is recorded, never sent.
    // The router's decision is recorded with it where a risk admission records the order.
    const routing = this.decisionOf(order, plan);
    const { created, stored } = await this.record(order, meta, instrument, input.flatten === true, routing);
    if (!created) return sameRequestOrRefuse(stored, meta.requestHash);
    this.cache.put(stored);
    if (this.risk === undefined && routing !== undefined) this.deps.routingLog?.record(routing);
    if (stored.order.status === 'denied') return stored;
    this.deps.bus.publish('trade.order.submitted', { order: stored.order });
    if (stored.order.held) return stored;
    await this.send(stored);
    return this.reload(stored);
  }

  /**
   * Records an algorithm's or a split's parent order (§9): risk-checked once for its full
   * quantity, stored in `new` (or `denied`), never sent; its children are placed by the
   * algorithm runner. `algo` is part of the request: the same client order id with other
   * parameters is refused.
   */
  createParent(
    input: SubmitInput,
    algo: Readonly<Record<string, unknown>>,
    label: string,
  ): Promise<{ created: boolean; stored: StoredOrder }> {
    return this.oncePerClientId(input, () => this.createParentNow(input, algo, label));
  }

  private async createParentNow(
    input: SubmitInput,
    algo: Readonly<Record<string, unknown>>,
    label: string,
  ): Promise<{ created: boolean; stored: StoredOrder }> {
    const { order, meta, instrument, known } = await this.prepare({ ...input, role: 'parent' });
    const hash = requestHash({ request: meta.requestHash, algo: algo['request'] ?? null });
    if (known !== undefined) return { created: false, stored: sameRequestOrRefuse(known, hash) };
    const parent: Order = { ...order, venue: label, status: 'new' };
    const { created, stored } = await this.record(
      parent,
      { ...meta, requestHash: hash, algo },
      instrument,
      false,
    );
    if (!created) return { created: false, stored: sameRequestOrRefuse(stored, hash) };
    this.cache.put(stored);
    if (stored.order.status !== 'denied')
      this.deps.bus.publish('trade.order.submitted', { order: stored.order });
    return { created: true, stored };
  }

  /** Saves a parent's aggregate and progress (the algorithm runner); the cache follows. */
  async saveParent(
    stored: StoredOrder,
    order: Order,
    algo: Readonly<Record<string, unknown>>,
  ): Promise<StoredOrder> {
    await this.deps.store.saveParent(order, algo);
    const next: StoredOrder = { ...stored, order, meta: { ...stored.meta, algo } };
    this.cache.put(next);
    if (order.status !== stored.order.status || !order.filledQty.equals(stored.order.filledQty))
      this.publishParent(stored.order, order);
    return next;
  }

  private publishParent(before: Order, after: Order): void {
    const bus = this.deps.bus;
    if (after.status === before.status) bus.publish('trade.order.updated', { order: after });
    else if (after.status === 'canceled') bus.publish('trade.order.cancelled', { order: after });
    else if (after.status === 'expired') bus.publish('trade.order.expired', { order: after });
    else bus.publish('trade.order.updated', { order: after });
  }

  /**
   * Every pre-trade check for an order as submit would place it, without placing it
   * (performRiskCheck). Without a risk engine, an order that validates is approved.
   */
  async checkRisk(input: SubmitInput): Promise<RiskDecision> {
    const { order, meta, instrument } = await this.prepare(input);
    if (this.risk === undefined) return { approved: true, checks: [] };
    return this.risk.evaluate(order, meta.agentId, instrument);
  }

  /** Where an order for the symbol would go without a pin: its venue and account. */
  route(symbol: string): Promise<{ venue: string; accountId: string }> {
    const instrument = this.deps.instruments.get(symbol);
    return this.router.route(
      {
        symbol: instrument.symbol,
        side: 'buy',
        type: 'market',
        quantity: instrument.minQuantity,
        timeInForce: 'day',
      },
      instrument,
      {},
    );
  }

  /** Validates and routes a request into the order it would create. */
  private async prepare(input: SubmitInput): Promise<{
    order: Order;
    meta: OrderMeta;
    instrument: Instrument;
    known: StoredOrder | undefined;
    plan?: RoutePlan;
  }> {
    const instrument = this.deps.instruments.get(input.symbol);
    const spec = specOf(input, instrument);
    validateOrderSpec(spec, instrument, { now: this.deps.clock.now() });
    const clientOrderId = input.clientOrderId ?? this.deps.ids.clientOrderId();
    // One client order id is one order whatever the router would choose today: a retry finds
    // the order where it went, and the request it is compared with is the caller's (with the
    // caller's pins), not the route.
    const prior =
      input.clientOrderId === undefined ? undefined : await this.prior(clientOrderId, input.accountId);
    const { venue, accountId, plan } =
      prior === undefined
        ? await this.router.route(spec, instrument, pinOf(input))
        : { venue: prior.order.venue, accountId: prior.order.accountId, plan: undefined };
    // The hash's JSON sorts its keys; the agent goes first so that the literal does not start
    // with a spread (see `extend`).
    const hash = requestHash({
      agentId: input.agentId,
      ...canonicalSpec(spec),
      ...(input.venue === undefined ? {} : { venue: input.venue }),
      ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
      ...(input.contingent === undefined ? {} : { contingent: canonicalContingent(input.contingent) }),
      ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
    });
    const now = this.deps.clock.now();
    const created = newOrder(spec, {
      id: this.deps.ids.orderId(),
      clientOrderId,
      accountId,
      venue,
      now,
      ...(input.parentId === undefined ? {} : { parentId: input.parentId }),
    });
    // A trailing stop for a venue without them: the engine holds it and follows the quote
    // (TrailingEmulator); it is sent as a market order when its stop is hit.
    const emulate =
      spec.type === 'trailing_stop' &&
      this.brokers.get(venue)?.capabilities.orderTypes.includes('trailing_stop') === false;
    const order: Order = emulate ? { ...created, status: 'new', held: true, emulated: true } : created;
    const arrival = this.arrival(instrument.symbol);
    const meta: OrderMeta = {
      agentId: input.agentId,
      orderClass: input.contingent?.orderClass ?? 'simple',
      requestHash: hash,
      ...(input.reason === undefined ? {} : { reason: input.reason }),
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(arrival === undefined ? {} : { arrival }),
    };
    return {
      order,
      meta,
      instrument,
      known: prior ?? this.cache.byClient(accountId, clientOrderId),
      ...(plan === undefined ? {} : { plan }),
    };
  }

  /**
   * The order a client order id already names: in this account when the caller pinned one (the
   * insert's conflict catches the rest), else in any account.
   */
  private async prior(
    clientOrderId: string,
    accountId: string | undefined,
  ): Promise<StoredOrder | undefined> {
    if (accountId !== undefined) return this.cache.byClient(accountId, clientOrderId);
    return this.cache.byClientOnly(clientOrderId) ?? (await this.findClient(clientOrderId, undefined));
  }

  /** Records the router's decision for an order it placed (audit). */
  private logDecision(order: Order, plan: RoutePlan | undefined): void {
    const decision = this.decisionOf(order, plan);
    if (decision !== undefined) this.deps.routingLog?.record(decision);
  }

  /** The router's decision for an order, to record where a routing log is kept. */
  private decisionOf(order: Order, plan: RoutePlan | undefined): DecisionRecord | undefined {
    if (plan === undefined || this.deps.routingLog === undefined) return undefined;
    return {
      id: this.deps.ids.eventId(),
      orderId: order.id,
      symbol: order.symbol,
      quantity: order.quantity,
      plan,
      at: order.createdAt,
    };
  }

  /** The consolidated best bid and ask over every venue's book: the arrival quote (analytics). */
  private arrival(symbol: string): { bid?: Decimal; ask?: Decimal } | undefined {
    let bid: Decimal | undefined;
    let ask: Decimal | undefined;
    for (const broker of this.brokers.values()) {
      const book = broker.book(symbol);
      const b = book?.bids[0]?.price;
      const a = book?.asks[0]?.price;
      if (b !== undefined && (bid === undefined || b.greaterThan(bid))) bid = b;
      if (a !== undefined && (ask === undefined || a.lessThan(ask))) ask = a;
    }
    if (bid === undefined && ask === undefined) return undefined;
    return { ...(bid === undefined ? {} : { bid }), ...(ask === undefined ? {} : { ask }) };
  }

  /**
   * Places a contingent group (§4) as one request: every leg recorded together, risk-checked as a
   * unit (one denied, all denied), then sent as the venue's native group where it has one, else
   * emulated: the first leg is sent and the engine holds the others until the group activates
   * them (ContingentManager). Answers the first leg; `group()` lists them all.
   */
  private async submitGroup(input: SubmitInput, contingent: ContingentRequest): Promise<StoredOrder> {
    const { order: first, meta, instrument, known, plan } = await this.prepare(input);
    if (known !== undefined) return sameRequestOrRefuse(known, meta.requestHash);
    const plans = planLegs(orderSpecOf(first), contingent);
    const broker = this.brokers.get(first.venue);
    const nativeVenue =
      broker?.submitGroup !== undefined &&
      broker.capabilities.nativeContingent.includes(contingent.orderClass)
        ? broker
        : undefined;
    const native = nativeVenue !== undefined;
    const legs = plans.map((plan, i) => this.legOrder(first, meta, plan, i, native));
    for (const leg of legs.slice(1)) validateOrderSpec(leg.order, instrument, { now: this.deps.clock.now() });
    const recorded = await this.recordGroup(legs, instrument);
    const head = recorded[0];
    if (head === undefined) throw new Error('a group without legs');
    if (!head.created) return sameRequestOrRefuse(head.stored, meta.requestHash);
    for (const r of recorded) this.cache.put(r.stored);
    this.logDecision(head.stored.order, plan);
    if (head.stored.order.status === 'denied') return head.stored;
    this.deps.bus.publish('trade.order.submitted', { order: head.stored.order });
    if (nativeVenue !== undefined) await this.sendGroup(nativeVenue, contingent, recorded, plans);
    else for (const r of recorded) if (!r.stored.order.held) await this.send(r.stored);
    return this.reload(head.stored);
  }

  /** One leg as an order: the first is the request's own; later legs point at it (parent_id). */
  private legOrder(
    first: Order,
    meta: OrderMeta,
    plan: LegPlan,
    index: number,
    native: boolean,
  ): { order: Order; meta: OrderMeta; held: boolean } {
    const order: Order =
      index === 0
        ? { ...first, ...plan.spec, emulated: !native }
        : {
            // Emulated exits go to the venue as plain orders: it cannot know that the take-profit
            // and the stop-loss are one exit (OCO), so reduce-only would refuse the second; the
            // engine sizes them to the open quantity and cancels the other on a fill.
            ...newOrder(native ? plan.spec : withoutReduceOnly(plan.spec), {
              id: this.deps.ids.orderId(),
              clientOrderId: `${first.clientOrderId}${plan.suffix}`,
              accountId: first.accountId,
              venue: first.venue,
              now: first.createdAt,
              parentId: first.id,
            }),
            held: plan.held,
            emulated: !native,
            // An emulated held leg is not sent until its group activates it: it waits as `new`.
            ...(plan.held && !native ? { status: 'new' as const } : {}),
          };
    const legMeta: OrderMeta = {
      ...meta,
      role: plan.role,
      requestHash: index === 0 ? meta.requestHash : `${meta.requestHash}${plan.suffix}`,
    };
    return { order, meta: legMeta, held: plan.held };
  }

  private async recordGroup(
    legs: readonly { order: Order; meta: OrderMeta; held: boolean }[],
    instrument: Instrument,
  ): Promise<{ created: boolean; stored: StoredOrder }[]> {
    if (this.risk === undefined) {
      const out: { created: boolean; stored: StoredOrder }[] = [];
      for (const leg of legs) out.push(await this.deps.store.createOrder(leg.order, leg.meta));
      return out;
    }
    const admissions = await this.risk.admitGroup(
      legs.map((leg) => ({ order: leg.order, meta: leg.meta, instrument, held: leg.held })),
    );
    return Promise.all(
      admissions.map(async (a) => {
        if (a.created) return { created: true, stored: { order: a.order, meta: a.meta, eventSeq: 0 } };
        const existing = await this.deps.store.findByClientOrderId(a.order.accountId, a.order.clientOrderId);
        if (existing === undefined)
          throw new Error(`order ${a.order.clientOrderId} vanished after a conflict`);
        return { created: false, stored: existing };
      }),
    );
  }

  /** A native group: one venue call; a refused leg is rejected like a refused single order. */
  private async sendGroup(
    broker: Broker,
    contingent: ContingentRequest,
    recorded: readonly { stored: StoredOrder }[],
    plans: readonly LegPlan[],
  ): Promise<void> {
    const first = recorded[0]?.stored.order;
    if (first === undefined || broker.submitGroup === undefined) return;
    const submitGroup = broker.submitGroup.bind(broker);
    await this.call(first, async () => {
      const receipts = await submitGroup({
        orderClass: contingent.orderClass,
        accountId: first.accountId,
        legs: recorded.map((r, i) => ({
          ...orderSpecOf(r.stored.order),
          accountId: r.stored.order.accountId,
          clientOrderId: r.stored.order.clientOrderId,
          role: plans[i]?.role ?? 'member',
        })),
      });
      await Promise.all(
        receipts.map(async (receipt, i) => {
          const stored = recorded[i]?.stored;
          if (receipt.status !== 'rejected' || stored === undefined) return;
          await this.rejectUnanswered(stored, receipt.code, receipt.message);
        }),
      );
    });
  }

  /** A venue's refusal of a submit, unless the stream already answered it. */
  private async rejectUnanswered(stored: StoredOrder, code: string, message: string): Promise<void> {
    const order = stored.order;
    await this.locks.run(lockKey(order), async () => {
      const current = (await this.current(order.id)) ?? stored;
      if (current.order.status !== 'pending_new') return;
      await this.apply(
        current.order,
        this.event(current.order, { kind: 'rej', code, message }, `rej-${order.clientOrderId}`),
      );
    });
  }

  /** The members of an order's group (contingent legs, or an algorithm's children), first one first. */
  async group(stored: StoredOrder): Promise<StoredOrder[]> {
    // A plain order (no role, no parent) is a group of one: nothing to read.
    if (stored.meta.role === undefined && stored.order.parentId === undefined) return [stored];
    const headId =
      stored.order.parentId === undefined || stored.meta.role === 'child'
        ? stored.order.id
        : stored.order.parentId;
    const head = await this.deps.store.findById(headId);
    if (head === undefined) return [stored];
    return [head, ...(await this.deps.store.children(head.order.id)).sort(memberOrder)];
  }

  /**
   * Records the intent: through the risk engine (accepted or denied, with the router's decision
   * in the same transaction), else as it is.
   */
  private async record(
    order: Order,
    meta: OrderMeta,
    instrument: Instrument,
    flatten: boolean,
    routing?: DecisionRecord,
  ): Promise<{ created: boolean; stored: StoredOrder }> {
    if (this.risk === undefined) return this.deps.store.createOrder(order, meta);
    const admission = await this.risk.admit({
      order,
      meta,
      instrument,
      flatten,
      ...(routing === undefined ? {} : { routing }),
    });
    if (admission.created)
      return { created: true, stored: { order: admission.order, meta: admission.meta, eventSeq: 0 } };
    const existing = await this.deps.store.findByClientOrderId(order.accountId, order.clientOrderId);
    if (existing === undefined) throw new Error(`order ${order.clientOrderId} vanished after a conflict`);
    return { created: false, stored: existing };
  }

  /** The algorithm runner cancels parents (it is built on this service, so it registers itself). */
  private parentCanceler: ParentCanceler | undefined;

  setParentCanceler(canceler: ParentCanceler): void {
    this.parentCanceler = canceler;
  }

  /**
   * Activates an emulated held leg (§4): its quantity set and `held` cleared by a local `upd`
   * (durable first), then it is sent. After a crash between the two, `resendUnsent` sends it.
   */
  async activateHeld(orderId: string, quantity: Decimal): Promise<void> {
    const stored = await this.find({ orderId });
    if (!isUnsent(stored.order) || !stored.order.held) return;
    await this.locks.run(lockKey(stored.order), () =>
      this.applyLocal(stored.order, { kind: 'upd', changes: { held: false, quantity } }),
    );
    const current = (await this.current(orderId)) ?? stored;
    await this.send(current);
  }

  /**
   * Sends an emulated leg that was activated but may not have reached the venue (a crash between
   * the activation and the send): unless the venue knows its client order id already.
   */
  async resendUnsent(stored: StoredOrder): Promise<void> {
    const order = stored.order;
    if (!isUnsent(order) || order.held) return;
    const broker = this.brokers.get(order.venue);
    if (broker === undefined) return;
    const known = await broker.getOrder(order.accountId, order.clientOrderId);
    if (known === undefined) await this.send(stored);
  }

  /**
   * Sends an order the engine held (an emulated trailing stop whose stop was hit): `held` cleared
   * by a local `upd` first, then sent with `as` over its parameters (a market order).
   */
  async releaseHeld(orderId: string, as: Partial<OrderSpec>): Promise<void> {
    const stored = await this.find({ orderId });
    if (!isUnsent(stored.order) || !stored.order.held) return;
    await this.locks.run(lockKey(stored.order), () =>
      this.applyLocal(stored.order, { kind: 'upd', changes: { held: false } }),
    );
    const current = (await this.current(orderId)) ?? stored;
    await this.send(current, as);
  }

  /** Changes an order the engine holds (a trailing stop's ratchet): a local `upd`, nothing sent. */
  async updateHeld(orderId: string, changes: OrderChanges): Promise<void> {
    const stored = await this.find({ orderId });
    if (!isUnsent(stored.order) || !stored.order.held) return;
    await this.locks.run(lockKey(stored.order), () =>
      this.applyLocal(stored.order, { kind: 'upd', changes }),
    );
  }

  /** Ends an unsent held leg locally: canceled, or rejected with its primary (§4). */
  async dropHeld(orderId: string, reason: string, rejected: boolean): Promise<void> {
    const stored = await this.find({ orderId });
    if (!isUnsent(stored.order)) return;
    await this.locks.run(lockKey(stored.order), () =>
      this.applyLocal(
        stored.order,
        rejected ? { kind: 'rej', code: 'CONTINGENT_CANCELED', message: reason } : { kind: 'cxl', reason },
      ),
    );
  }

  /** Resolves once every venue event received so far has been applied (tests, shutdown). */
  idle(): Promise<void> {
    return this.locks.idle();
  }

  async cancel(ref: OrderRef): Promise<StoredOrder> {
    const stored = await this.find(ref);
    const refusal = cancelRefusal(stored.order);
    if (refusal !== undefined) throw notOpen(stored.order);
    if (stored.meta.role === 'parent') {
      if (this.parentCanceler === undefined) throw new Error('no algorithm runner to cancel a parent order');
      return this.parentCanceler(stored);
    }
    if (stored.order.held && isUnsent(stored.order)) {
      await this.dropHeld(stored.order.id, 'canceled on request', false);
      return this.reload(stored);
    }
    await this.locks.run(lockKey(stored.order), () =>
      this.applyLocal(stored.order, { kind: 'cxl_req', origin: 'local' }),
    );
    await this.call(stored.order, (broker) =>
      broker.cancel({ accountId: stored.order.accountId, clientOrderId: stored.order.clientOrderId }),
    );
    return this.reload(stored);
  }

  async replace(ref: OrderRef, changes: OrderChanges): Promise<StoredOrder> {
    const stored = await this.find(ref);
    const order = stored.order;
    const refusal = replaceRefusal(order);
    if (refusal === 'ORDER_PENDING') {
      throw new TradingError(
        'ORDER_PENDING',
        `Order ${order.clientOrderId} has a request in flight (${order.status}).`,
        {
          hint: 'Wait for the venue to answer, then try again.',
          details: { orderId: order.id, status: order.status },
        },
      );
    }
    if (refusal !== undefined) throw notOpen(order);
    if (stored.meta.role === 'parent') {
      throw new TradingError(
        'INVALID_ARGUMENT',
        `Order ${order.clientOrderId} is an algorithm's parent; parents cannot be replaced.`,
        {
          hint: 'Cancel the parent (its open children are canceled with it) and place a new order.',
          details: { orderId: order.id },
        },
      );
    }
    if (order.held && changes.quantity !== undefined && stored.meta.role !== undefined) {
      throw new TradingError(
        'INVALID_ARGUMENT',
        `Order ${order.clientOrderId} is a held contingent leg; its group sets its quantity.`,
        {
          hint: "Change its prices only, or replace the quantity of the group's entry.",
          details: { orderId: order.id, field: 'quantity' },
        },
      );
    }
    const next = applyOrderChanges(order, changes);
    if (next.quantity.lessThan(order.filledQty)) {
      throw new TradingError(
        'QUANTITY_BELOW_FILLED',
        `quantity ${next.quantity.toFixed()} is below the ${order.filledQty.toFixed()} already filled.`,
        {
          hint: `Send a quantity of at least ${order.filledQty.toFixed()}.`,
          details: { orderId: order.id, field: 'quantity' },
        },
      );
    }
    validateOrderSpec(
      next.quantity.equals(order.filledQty) ? { ...next, quantity: next.quantity.plus(1) } : next,
      this.deps.instruments.get(order.symbol),
      {
        now: this.deps.clock.now(),
      },
    );
    if (order.held && isUnsent(order)) {
      // Held by the engine, not the venue: the change is applied here, nothing is sent.
      await this.locks.run(lockKey(order), () => this.applyLocal(order, { kind: 'upd', changes }));
      return this.reload(stored);
    }
    await this.locks.run(lockKey(order), () =>
      this.risk === undefined
        ? this.applyLocal(order, { kind: 'rpl_req', origin: 'local', changes })
        : this.requestReplace(stored, next, changes),
    );
    await this.call(order, (broker) =>
      broker.replace({ accountId: order.accountId, clientOrderId: order.clientOrderId, changes }),
    );
    return this.reload(stored);
  }

  /**
   * The replace request through the risk engine (§7.3): checked and recorded in one admission, so
   * no order admitted meanwhile can take the room it needs. A refusal carries the failed check's
   * code; the order stays as it is.
   */
  private async requestReplace(stored: StoredOrder, next: Order, changes: OrderChanges): Promise<void> {
    if (this.risk === undefined) return;
    const current = (await this.current(stored.order.id))?.order ?? stored.order;
    const event = this.event(current, { kind: 'rpl_req', origin: 'local', changes }, this.deps.ids.eventId());
    const result = applyEvent(current, event);
    if (result.outcome !== 'applied') throw notOpen(current);
    const instrument = this.deps.instruments.get(current.symbol);
    const admission = await this.risk.admitReplace({
      order: current,
      next,
      agentId: stored.meta.agentId,
      instrument,
      record: { orderId: current.id, order: result.order, event },
    });
    if ('failed' in admission) {
      const failed = admission.failed;
      throw new TradingError(failed.code, failed.message ?? `The replace fails the ${failed.name} check.`, {
        hint: 'The order is unchanged. performRiskCheck shows the limits; change the request or ask a risk admin.',
        details: {
          orderId: current.id,
          check: failed.name,
          ...(failed.level === undefined ? {} : { level: failed.level }),
        },
      });
    }
    if (admission.outcome === 'duplicate') return;
    this.cache.advance(current.id, result.order);
    this.publish(current, result.order, undefined, undefined);
  }

  /**
   * Requests the cancel of every open order (of a symbol, of an account) at once; `onProgress`
   * hears each answer. Orders whose cancel fails are left out of the result.
   */
  async cancelAll(
    filter: { symbol?: string; accountId?: string } = {},
    options: LongCommandOptions = {},
  ): Promise<StoredOrder[]> {
    const open = await this.deps.store.openOrders(filter.accountId);
    const targets = open.filter(
      (s) =>
        (filter.symbol === undefined || s.order.symbol === filter.symbol) &&
        cancelRefusal(s.order) === undefined,
    );
    let done = 0;
    const results = await Promise.allSettled(
      targets.map(async (s) => {
        try {
          return await this.cancel({ orderId: s.order.id });
        } finally {
          options.onProgress?.(++done, targets.length);
        }
      }),
    );
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  // ------------------------------------------------------------------ queries

  async getOrder(ref: OrderRef): Promise<OrderDetails> {
    const stored = await this.find(ref);
    const [fills, events] = await Promise.all([
      this.deps.store.fills(stored.order.id),
      this.deps.store.events(stored.order.id),
    ]);
    return { stored, fills, events: events.map((e) => e.event) };
  }

  listOrders(filter: OrderFilter): Promise<OrderPage> {
    return this.deps.store.listOrders(filter);
  }

  positions(accountId?: string): Promise<Position[]> {
    return this.deps.store.positions(accountId);
  }

  /** Positions aggregated across every account, with the per-account breakdown, at the venues' marks. */
  async portfolio(
    filter: { symbol?: string; accountId?: string } = {},
  ): Promise<ReturnType<typeof aggregatePositions>> {
    const rows = (await this.deps.store.positions(filter.accountId, true)).filter(
      (p) => filter.symbol === undefined || p.symbol === filter.symbol,
    );
    const venues = new Map<string, string>();
    for (const broker of this.brokers.values())
      for (const a of await broker.accounts()) venues.set(a.accountId, broker.venue);
    return aggregatePositions(
      rows,
      (accountId) => venues.get(accountId) ?? 'unknown',
      (symbol) => this.mark(symbol),
    );
  }

  /** Every account at every venue, with totals in USD-quoted terms. */
  async accounts(accountId?: string): Promise<AccountsSummary> {
    const accounts: AccountSummary[] = [];
    for (const broker of this.brokers.values()) {
      for (const a of await broker.accounts())
        if (accountId === undefined || a.accountId === accountId)
          accounts.push({ ...a, venue: broker.venue, mode: broker.mode });
    }
    const total = (pick: (a: VenueAccount) => Decimal): Decimal =>
      accounts.reduce((sum, a) => sum.plus(pick(a)), ZERO);
    return {
      accounts,
      totals: {
        equity: total((a) => a.equity),
        cash: total((a) => a.cash),
        buyingPower: total((a) => a.buyingPower),
      },
    };
  }

  /**
   * Closes a position with reduce-only market orders, per account holding it: all of it, a
   * quantity, or a percentage (rounded down to the lot step).
   */
  async closePosition(input: {
    symbol: string;
    quantity?: Decimal;
    percentage?: Decimal;
    accountId?: string;
    agentId: string;
    reason?: string;
    /** emergencyStop's flattening: the orders pass a halt (they reduce exposure). */
    flatten?: boolean;
  }): Promise<StoredOrder[]> {
    const instrument = this.deps.instruments.get(input.symbol);
    const held = (await this.deps.store.positions(input.accountId)).filter(
      (p) => p.symbol === instrument.symbol && !p.quantity.isZero(),
    );
    if (held.length === 0) {
      throw new TradingError(
        'NOT_FOUND',
        `No open ${instrument.symbol} position${input.accountId === undefined ? '' : ` in ${input.accountId}`}.`,
        {
          hint: 'getPositions lists what is held.',
        },
      );
    }
    const orders: StoredOrder[] = [];
    for (const position of held) {
      // What open orders on the closing side already close is not closed twice (they would make
      // the close exceed the position, and reduce-only would refuse it).
      const closing = position.quantity.isPositive() ? 'sell' : 'buy';
      const pending = (await this.deps.store.openOrders(position.accountId))
        .filter((s) => s.order.symbol === instrument.symbol && s.order.side === closing)
        .reduce((sum, s) => sum.plus(s.order.quantity.minus(s.order.filledQty)), ZERO);
      const closable = position.quantity.abs().minus(pending);
      if (!closable.isPositive()) continue;
      const size = closeSize(closable, input, instrument);
      if (size.isZero()) continue;
      const venue = await this.venueOfAccount(position.accountId);
      orders.push(
        await this.submit({
          symbol: instrument.symbol,
          side: position.quantity.isPositive() ? 'sell' : 'buy',
          type: 'market',
          quantity: size,
          timeInForce: 'day',
          reduceOnly: true,
          accountId: position.accountId,
          ...(venue === undefined ? {} : { venue }),
          agentId: input.agentId,
          reason: input.reason ?? `close ${instrument.symbol}`,
          ...(input.flatten === true ? { flatten: true } : {}),
        }),
      );
    }
    return orders;
  }

  /**
   * Closes every position, symbol after symbol (optionally canceling open orders first).
   * `onProgress` hears each symbol done; an aborted `signal` stops before the next symbol, so
   * the positions not yet reached stay open.
   */
  async closeAllPositions(
    input: {
      cancelOrders?: boolean;
      agentId: string;
      reason?: string;
      flatten?: boolean;
    },
    options: LongCommandOptions = {},
  ): Promise<StoredOrder[]> {
    if (input.cancelOrders === true) await this.cancelAll();
    const symbols = [
      ...new Set(
        (await this.deps.store.positions()).filter((p) => !p.quantity.isZero()).map((p) => p.symbol),
      ),
    ];
    const orders: StoredOrder[] = [];
    for (const [done, symbol] of symbols.entries()) {
      if (options.signal?.aborted === true) break;
      orders.push(
        ...(await this.closePosition({
          symbol,
          agentId: input.agentId,
          reason: input.reason ?? 'close all positions',
          ...(input.flatten === true ? { flatten: true } : {}),
        })),
      );
      options.onProgress?.(done + 1, symbols.length);
    }
    return orders;
  }

  /** The mark: the mid of the first venue with a two-sided book, else its last trade (§6.2). */
  private mark(symbol: string): Decimal | undefined {
    return markOf(this.brokers.values(), symbol);
  }

  private async venueOfAccount(accountId: string): Promise<string | undefined> {
    for (const broker of this.brokers.values())
      if ((await broker.accounts()).some((a) => a.accountId === accountId)) return broker.venue;
    return undefined;
  }

  // ------------------------------------------------------------------ reconciliation

  /**
   * Applies an event reconciliation fetched or synthesized (§8.2, §8.3), under the order's lock, to
   * the order as stored now. `eventId` makes it idempotent: the same id is recorded once. A
   * synthesized event is given as a function of that order, returning undefined when the order no
   * longer needs it: the venue's own event may have arrived while the venue was being read.
   */
  reconcileEvent(
    ref: { orderId: string },
    body: ReconcileEventBody | ((current: Order) => ReconcileEventBody | undefined),
    eventId: string,
  ): Promise<void> {
    return this.find(ref).then((stored) =>
      this.locks.run(lockKey(stored.order), async () => {
        const current = (await this.current(stored.order.id))?.order ?? stored.order;
        const due = typeof body === 'function' ? body(current) : body;
        if (due !== undefined) await this.apply(current, this.event(current, due, eventId));
      }),
    );
  }

  /** Imports a venue order this engine does not know, as `external`: shown and cancelable, never managed (§8.3). */
  async importExternal(venueOrder: VenueOrder): Promise<StoredOrder> {
    const base = createOrder(venueOrder, {
      id: this.deps.ids.orderId(),
      clientOrderId: venueOrder.clientOrderId,
      accountId: venueOrder.accountId,
      venue: venueOrder.venue,
      venueOrderIds: [venueOrder.venueOrderId],
      held: false,
      createdAt: venueOrder.createdAt,
    });
    const order: Order = { ...base, status: 'new', external: true };
    const meta: OrderMeta = {
      agentId: 'external',
      orderClass: 'simple',
      requestHash: `external:${venueOrder.venueOrderId}`,
    };
    const { created, stored } = await this.deps.store.createOrder(order, meta);
    if (created) await this.usageRaised(order);
    return stored;
  }

  // ------------------------------------------------------------------ venue events

  /**
   * Applies one venue event through the table, durably and once, then publishes what changed.
   * Events of one order that arrive while an earlier one holds its lock wait together and are
   * applied in one go: a run ending with a fill (a market order's acknowledgement and its fill,
   * which the venue reports at once) is one transaction instead of one write per event.
   */
  onVenueEvent(venueEvent: VenueEvent): Promise<void> {
    const key = `${venueEvent.accountId}|${venueEvent.event.clientOrderId}`;
    const waiting = this.gathering.get(key);
    if (waiting !== undefined) {
      waiting.events.push(venueEvent);
      return waiting.done;
    }
    const events = [venueEvent];
    const done = this.locks.run(key, async () => {
      this.gathering.delete(key); // from here on, a new event waits for the next turn
      await this.applyVenueEvents(events);
    });
    this.gathering.set(key, { events, done });
    return done;
  }

  /** One order's venue events, in arrival order: runs ending with a fill together, the rest one by one. */
  private async applyVenueEvents(events: readonly VenueEvent[]): Promise<void> {
    let start = 0;
    while (start < events.length) {
      let end = start;
      while (end < events.length - 1 && events[end]?.event.kind !== 'fill') end++;
      const run = events.slice(start, events[end]?.event.kind === 'fill' ? end + 1 : start + 1);
      start += run.length;
      if (run.length > 1 && (await this.applyRun(run))) continue;
      for (const venueEvent of run) {
        const stored = await this.storedFor(venueEvent);
        if (stored === undefined) {
          this.anomaly('event for an order this engine does not know', {
            venue: venueEvent.venue,
            event: venueEvent.event.kind,
            clientOrderId: venueEvent.event.clientOrderId,
          });
        } else {
          await this.apply(stored.order, venueEvent.event);
        }
      }
    }
  }

  private async storedFor({ accountId, event }: VenueEvent): Promise<StoredOrder | undefined> {
    return (
      this.cache.byClient(accountId, event.clientOrderId) ??
      (await this.deps.store.findByClientOrderId(accountId, event.clientOrderId))
    );
  }

  /**
   * Applies events ending with a fill in one write. False, with nothing applied, unless each one
   * moves the order on the table and none was recorded before: the caller then applies them one
   * by one, which sorts out each case on its own.
   */
  private async applyRun(run: readonly VenueEvent[]): Promise<boolean> {
    const order = (await this.storedFor(run[0] as VenueEvent))?.order;
    if (order === undefined) return false;
    const steps: Omit<RecordedStep, 'saved' | 'position'>[] = [];
    const records: EventRecord[] = [];
    let position: Position | undefined;
    let current = order;
    for (const { event } of run) {
      const result = applyEvent(current, event);
      if (result.outcome !== 'applied' || result.positionOnly === true) return false;
      const fill = event.kind === 'fill' ? event.fill : undefined;
      records.push({
        orderId: order.id,
        order: result.order,
        event,
        ...fillPart(fill, (p) => (position = p)),
      });
      steps.push({
        before: current,
        after: result.order,
        event,
        ...(result.anomaly === undefined ? {} : { anomaly: result.anomaly }),
        ...(fill === undefined ? {} : { fill }),
      });
      current = result.order;
    }
    if ((await this.deps.store.recordRun(records)) === 'duplicate') return false;
    for (const step of steps)
      await this.recorded(
        extend(
          step,
          { saved: step.after },
          step.fill === undefined || position === undefined ? {} : { position },
        ),
      );
    return true;
  }

  private async apply(order: Order, event: OrderEvent): Promise<void> {
    const result = applyEvent(order, event);
    if (result.outcome !== 'applied') {
      this.anomaly(result.outcome === 'invalid' ? result.anomaly : `refused ${event.kind}`, {
        orderId: order.id,
        status: order.status,
        event: event.kind,
      });
      return;
    }
    let position: Position | undefined;
    const fill = event.kind === 'fill' ? event.fill : undefined;
    const outcome = await this.deps.store.recordEvent({
      orderId: order.id,
      order: result.positionOnly === true ? order : result.order,
      event,
      ...fillPart(fill, (p) => (position = p)),
    });
    if (outcome === 'duplicate') return; // a fill or event recorded before: nothing to tell either
    await this.recorded({
      before: order,
      saved: result.positionOnly === true ? order : result.order,
      after: result.order,
      event,
      ...(result.anomaly === undefined ? {} : { anomaly: result.anomaly }),
      ...(fill === undefined ? {} : { fill }),
      ...(position === undefined ? {} : { position }),
    });
  }

  /**
   * What follows a committed event: its anomaly noted, the cache advanced to the order as saved
   * (`saved`: unchanged by a fill that moves the position only), the risk engine told of raised
   * usage or an ended order, then the bus told of the change to `after`.
   */
  private async recorded(step: RecordedStep): Promise<void> {
    const { before, saved } = step;
    if (step.anomaly !== undefined)
      this.anomaly(step.anomaly, { orderId: before.id, event: step.event.kind });
    this.cache.advance(before.id, saved);
    if (raisesUsage(before, saved)) await this.usageRaised(before);
    if (isOpen(before.status) && !isOpen(saved.status)) this.risk?.orderEnded(before.id);
    this.publish(before, step.after, step.fill, step.position);
  }

  /** Tells the risk engine a committed write raised usage (its kept usage is read afresh). */
  private async usageRaised(order: Order): Promise<void> {
    try {
      await this.risk?.usageRaised();
    } catch (error) {
      // The write stands; admissions read usage afresh at the latest when their cache expires.
      this.anomaly('usage epoch not advanced', { orderId: order.id, error: String(error) });
    }
  }

  private publish(before: Order, after: Order, fill: Fill | undefined, position: Position | undefined): void {
    const bus = this.deps.bus;
    if (fill !== undefined) {
      bus.publish(after.status === 'filled' ? 'trade.order.filled' : 'trade.order.partial', {
        order: after,
        fill,
      });
    } else if (after.status !== before.status) {
      if (after.status === 'rejected') bus.publish('trade.order.rejected', { order: after });
      else if (after.status === 'canceled') bus.publish('trade.order.cancelled', { order: after });
      else if (after.status === 'expired') bus.publish('trade.order.expired', { order: after });
      else bus.publish('trade.order.updated', { order: after });
    } else {
      bus.publish('trade.order.updated', { order: after });
    }
    if (position !== undefined) {
      const topic = position.quantity.isZero()
        ? 'trade.position.closed'
        : position.openedAt === position.updatedAt
          ? 'trade.position.opened'
          : 'trade.position.updated';
      bus.publish(topic, { position });
    }
  }

  // ------------------------------------------------------------------ sending

  private async send(stored: StoredOrder, as: Partial<OrderSpec> = {}): Promise<void> {
    const order = stored.order;
    const { accountId, clientOrderId } = order;
    await this.call(order, async (broker) => {
      const spec = as.type === 'market' ? marketOf(order) : extend(orderSpecOf(order), as);
      const receipt = await broker.submit(extend(spec, { accountId, clientOrderId }));
      // The stream carries the rejection too; whichever arrives first is applied, the other is a duplicate.
      if (receipt.status === 'rejected') await this.rejectUnanswered(stored, receipt.code, receipt.message);
    });
  }

  /**
   * Calls the order's venue. A definitive refusal of a submit becomes `rejected`; an ambiguous
   * failure (timeout, dropped connection, 5xx) leaves the order in flight for reconciliation and
   * is never re-sent (§8.1).
   */
  private async call(order: Order, action: (broker: Broker) => Promise<void>): Promise<void> {
    const broker = this.brokers.get(order.venue);
    if (broker === undefined)
      throw new TradingError('BROKER_UNAVAILABLE', `Venue ${order.venue} is not connected.`);
    try {
      await withDeadline(
        order.venue,
        action(broker),
        this.deps.venueTimeoutMs ?? 10_000,
        `${order.venue} call for ${order.clientOrderId}`,
      );
    } catch (error) {
      if (!(error instanceof BrokerCallError)) throw error;
      if (error.outcome === 'ambiguous') {
        this.anomaly('venue call outcome unknown; left in flight for reconciliation', {
          orderId: order.id,
          venue: order.venue,
          error: error.message,
        });
        return;
      }
      const current = (await this.current(order.id))?.order ?? order;
      const event =
        current.status === 'pending_new'
          ? { kind: 'rej' as const, code: error.code, message: error.message }
          : current.status === 'pending_cancel'
            ? { kind: 'cxl_rej' as const, code: error.code, message: error.message }
            : current.status === 'pending_replace'
              ? { kind: 'rpl_rej' as const, code: error.code, message: error.message }
              : undefined;
      if (event !== undefined) await this.locks.run(lockKey(order), () => this.applyLocal(current, event));
      if (current.status !== 'pending_new') throw error;
    }
  }

  /** Applies an event the engine itself observed (a request sent, a call refused) to the latest order. */
  private async applyLocal(order: Order, body: LocalEventBody): Promise<void> {
    const current = (await this.current(order.id))?.order ?? order;
    await this.apply(current, this.event(current, body, this.deps.ids.eventId()));
  }

  private event(order: Order, body: LocalEventBody | ReconcileEventBody, eventId: string): OrderEvent {
    const now = this.deps.clock.now();
    return extend(body, { eventId, clientOrderId: order.clientOrderId, venueTime: now, receivedAt: now });
  }

  /** The order a reference names, without its fills and events; undefined when there is none. */
  findOrder(ref: OrderRef): Promise<StoredOrder | undefined> {
    return 'orderId' in ref
      ? this.deps.store.findById(ref.orderId)
      : this.findClient(ref.clientOrderId, ref.accountId);
  }

  private async find(ref: OrderRef): Promise<StoredOrder> {
    const stored = await this.findOrder(ref);
    if (stored === undefined) {
      throw new TradingError('NOT_FOUND', `No order ${'orderId' in ref ? ref.orderId : ref.clientOrderId}.`, {
        hint: 'Check the id; listOrders shows recent orders.',
      });
    }
    return stored;
  }

  private async findClient(
    clientOrderId: string,
    accountId: string | undefined,
  ): Promise<StoredOrder | undefined> {
    const accounts = accountId === undefined ? await this.allAccountIds() : [accountId];
    for (const account of accounts) {
      const found = await this.deps.store.findByClientOrderId(account, clientOrderId);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /**
   * Every venue's account ids. A venue that cannot list them is left out (with an anomaly) rather
   * than failing the lookup: its connection guard answers with its last report while it is down,
   * and reuses a real broker's report for a second, so this costs it at most a request a second.
   */
  private async allAccountIds(): Promise<string[]> {
    const lists = await Promise.all(
      [...this.brokers.values()].map(async (broker) => {
        try {
          return (await broker.accounts()).map((a) => a.accountId);
        } catch (error) {
          this.deps.onAnomaly?.(`${broker.venue} did not list its accounts; its orders were not searched`, {
            venue: broker.venue,
            error: error instanceof Error ? error.message : String(error),
          });
          return [];
        }
      }),
    );
    return lists.flat();
  }

  /**
   * The order as stored once the events the venue has streamed for it so far are applied: a
   * command answers with the venue's reaction (ack, immediate fills, cancel), not a stale copy.
   */
  private async reload(stored: StoredOrder): Promise<StoredOrder> {
    await this.locks.drain(lockKey(stored.order));
    return (await this.current(stored.order.id)) ?? stored;
  }

  /** The order as last saved by this engine (cached), else as stored. */
  private async current(orderId: string): Promise<StoredOrder | undefined> {
    return this.cache.get(orderId) ?? (await this.deps.store.findById(orderId));
  }

  private anomaly(message: string, details: Record<string, unknown>): void {
    this.deps.onAnomaly?.(message, details);
  }
}

export type AccountSummary = VenueAccount & { readonly venue: string; readonly mode: Broker['mode'] };

export interface AccountsSummary {
  readonly accounts: AccountSummary[];
  readonly totals: { readonly equity: Decimal; readonly cash: Decimal; readonly buyingPower: Decimal };
}

/** For commands over many orders: progress as they go, and a caller's signal to stop early. */
export interface LongCommandOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export type OrderRef =
  { readonly orderId: string } | { readonly clientOrderId: string; readonly accountId?: string };

/** What reconciliation may apply: an ack, a fill, or a venue-side end (§8.2, §8.3). */
export type ReconcileEventBody =
  | { kind: 'ack' }
  | { kind: 'fill'; fill: Fill }
  | { kind: 'cxl'; reason?: string; inferred?: boolean }
  | { kind: 'exp' }
  | { kind: 'rej'; code: string; message: string; inferred?: boolean };

type LocalEventBody =
  | { kind: 'cxl_req'; origin: 'local' }
  | { kind: 'upd'; changes: OrderChanges }
  | { kind: 'cxl'; reason: string }
  | { kind: 'rpl_req'; origin: 'local'; changes: OrderChanges }
  | { kind: 'rej'; code: string; message: string }
  | { kind: 'cxl_rej'; code: string; message: string }
  | { kind: 'rpl_rej'; code: string; message: string };

/** How much of |position| to close: a quantity (capped), a percentage, or all; on the lot step. */
function closeSize(
  held: Decimal,
  input: { quantity?: Decimal; percentage?: Decimal },
  instrument: Instrument,
): Decimal {
  if (input.quantity !== undefined && input.percentage !== undefined) {
    throw new TradingError('INVALID_ARGUMENT', 'Give quantity or percentage, not both.', {
      hint: 'Send one of them; omit both to close everything.',
    });
  }
  if (
    input.percentage !== undefined &&
    (input.percentage.lessThanOrEqualTo(0) || input.percentage.greaterThan(100))
  ) {
    throw new TradingError(
      'INVALID_ARGUMENT',
      `percentage must be in (0, 100], got ${input.percentage.toFixed()}.`,
      { hint: 'Send e.g. 50 for half the position.' },
    );
  }
  const wanted =
    input.quantity ?? (input.percentage === undefined ? held : held.times(input.percentage).div(100));
  return floorLot(instrument, wanted.greaterThan(held) ? held : wanted);
}

/** An emulated leg the venue has not seen: held by the engine, or activated and not yet acknowledged. */
export function isUnsent(order: Pick<Order, 'emulated' | 'status' | 'venueOrderIds' | 'external'>): boolean {
  return order.emulated && order.status === 'new' && order.venueOrderIds.length === 0 && !order.external;
}

/** One applied event, as `recorded` tells the rest of the engine about it. */
interface RecordedStep {
  readonly before: Order;
  readonly saved: Order;
  readonly after: Order;
  readonly event: OrderEvent;
  readonly anomaly?: string;
  readonly fill?: Fill;
  readonly position?: Position;
}

/** An event record's fill: the fill with its change to the position, which `changed` is told. */
function fillPart(fill: Fill | undefined, changed: (position: Position) => void): Pick<EventRecord, 'fill'> {
  if (fill === undefined) return {};
  return {
    fill: {
      fill,
      applyToPosition: (before) => {
        const { position } = applyFillToPosition(before, fill);
        changed(position);
        return position;
      },
    },
  };
}

function lockKey(order: Order): string {
  return `${order.accountId}|${order.clientOrderId}`;
}

export function pinOf(input: SubmitInput): {
  venue?: string;
  accountId?: string;
  accounts?: readonly string[];
} {
  return {
    ...(input.venue === undefined ? {} : { venue: input.venue }),
    ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
    ...(input.allowedAccounts === undefined ? {} : { accounts: input.allowedAccounts }),
  };
}

/** The order parameters of a request, on the instrument's own symbol. */
function specOf(input: SubmitInput, instrument: Instrument): OrderSpec {
  return orderSpecOf({ ...input, symbol: instrument.symbol });
}

const ROLE_RANK: Readonly<Record<string, number>> = {
  entry: 0,
  primary: 0,
  take_profit: 1,
  stop_loss: 2,
  secondary: 3,
  member: 4,
  child: 5,
};

/** Legs in their group's order (take-profit before stop-loss), children in the order placed (C1, C2, … C10). */
function memberOrder(a: StoredOrder, b: StoredOrder): number {
  const rank = (s: StoredOrder): number => ROLE_RANK[s.meta.role ?? ''] ?? 9;
  return (
    rank(a) - rank(b) ||
    a.order.createdAt - b.order.createdAt ||
    a.order.clientOrderId.length - b.order.clientOrderId.length ||
    a.order.clientOrderId.localeCompare(b.order.clientOrderId)
  );
}

/** An order's parameters as a market order (a held trailing stop whose stop was hit). */
function marketOf(order: Order): OrderSpec {
  return {
    symbol: order.symbol,
    side: order.side,
    type: 'market',
    quantity: order.quantity,
    timeInForce: order.timeInForce === 'gtc' || order.timeInForce === 'gtd' ? 'day' : order.timeInForce,
    ...(order.reduceOnly === true ? { reduceOnly: true } : {}),
  };
}

function withoutReduceOnly(spec: OrderSpec): OrderSpec {
  const { reduceOnly: _r, ...rest } = spec;
  return rest;
}

/** A contingent request as the hash sees it. */
function canonicalContingent(c: ContingentRequest): Record<string, unknown> {
  return {
    orderClass: c.orderClass,
    ...(c.takeProfit === undefined ? {} : { takeProfit: c.takeProfit.limitPrice.toFixed() }),
    ...(c.stopLoss === undefined
      ? {}
      : { stopLoss: [c.stopLoss.stopPrice.toFixed(), c.stopLoss.limitPrice?.toFixed() ?? null] }),
  };
}

/** The spec as the hash sees it: decimals as strings, false flags as absent. */
function canonicalSpec(spec: OrderSpec): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(spec as unknown as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== false)
      .map(([k, v]) => [
        k,
        typeof v === 'object' && v !== null && 'toFixed' in v ? (v as Decimal).toFixed() : v,
      ]),
  );
}

function newOrder(
  spec: OrderSpec,
  ids: {
    id: string;
    clientOrderId: string;
    accountId: string;
    venue: string;
    now: number;
    parentId?: string;
  },
): Order {
  return createOrder(spec, {
    id: ids.id,
    clientOrderId: ids.clientOrderId,
    accountId: ids.accountId,
    venue: ids.venue,
    venueOrderIds: [],
    held: false,
    createdAt: ids.now,
    ...(ids.parentId === undefined ? {} : { parentId: ids.parentId }),
  });
}

function sameRequestOrRefuse(existing: StoredOrder, hash: string): StoredOrder {
  if (existing.meta.requestHash === hash) return existing;
  throw new TradingError(
    'DUPLICATE_CLIENT_ORDER_ID',
    `clientOrderId ${existing.order.clientOrderId} was already used for a different order.`,
    {
      hint: 'Use a new clientOrderId for a new order; resend the exact same request to get the existing order back.',
      details: { orderId: existing.order.id, clientOrderId: existing.order.clientOrderId },
    },
  );
}

function notOpen(order: Order): TradingError {
  return new TradingError(
    'ORDER_NOT_OPEN',
    `Order ${order.clientOrderId} is ${order.status}; it accepts no requests.`,
    {
      hint: isTerminal(order.status)
        ? 'Place a new order instead.'
        : 'Wait for the pending request to finish.',
      details: { orderId: order.id, status: order.status },
    },
  );
}

/** Until the routing issue: the pinned venue, else the first venue that trades the instrument. */
class FirstCapableVenue implements RouterPort {
  constructor(private readonly brokers: readonly Broker[]) {}

  async route(
    _spec: OrderSpec,
    instrument: Instrument,
    pin: { venue?: string; accountId?: string },
  ): Promise<{ venue: string; accountId: string }> {
    const candidates = this.brokers.filter(
      (b) =>
        (pin.venue === undefined || b.venue === pin.venue) &&
        b.capabilities.assetClasses.includes(instrument.assetClass),
    );
    for (const broker of candidates) {
      const accounts = (await broker.accounts()).map((a) => a.accountId);
      if (pin.accountId === undefined && accounts[0] !== undefined)
        return { venue: broker.venue, accountId: accounts[0] };
      if (pin.accountId !== undefined && accounts.includes(pin.accountId))
        return { venue: broker.venue, accountId: pin.accountId };
    }
    throw new TradingError(
      'SYMBOL_NOT_TRADABLE',
      `No connected venue${pin.venue === undefined ? '' : ` named ${pin.venue}`} trades ${instrument.symbol}${pin.accountId === undefined ? '' : ` for account ${pin.accountId}`}.`,
      {
        hint: 'Omit venue and account to let the engine choose, or use listVenues to see what each venue trades.',
        details: { symbol: instrument.symbol, ...pin },
      },
    );
  }
}
