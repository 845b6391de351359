import type { Broker } from '../brokers/broker.js';
import type { Clock } from '../domain/clock.js';
import { BPS, type Decimal, ONE, ZERO, dec } from '../domain/decimal.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import type { Instrument } from '../domain/instrument.js';
import { type Order, type OrderSpec, orderSpecOf } from '../domain/order.js';
import { extend } from '../domain/objects.js';
import type { Position } from '../domain/position.js';
import { calendarFor } from '../marketdata/calendar/index.js';
import { type LimitsPatch, limitsFromJson, limitsToJson, patchLimits, withDefaults } from '../risk/limits.js';
import { type RiskDecision, runChecks } from '../risk/run-checks.js';
import type {
  CheckResult,
  LimitLevel,
  QuoteRisk,
  RiskInput,
  RiskLimits,
  TradingState,
} from '../risk/types.js';
import { type AccountFacts, type LimitTable, UsageBook } from '../risk/usage-book.js';
import type { EventBus } from './event-bus.js';
import { AtCommit, type EventRecord, type OrderMeta, type RecordOutcome } from './ports.js';
import type {
  AdmissionTx,
  LimitRow,
  OrderUsage,
  RiskStore,
  TradingStateRecord,
  UsageRows,
  UsageWindow,
} from './risk-ports.js';
import { markOf } from './mark.js';
import type { DecisionRecord } from './routing-log.js';
import { usageOfCreated } from './created-usage.js';
import { type CacheUpdate, UsageCache } from './usage-cache.js';
import { dayStartOf } from './trading-day.js';

export interface RiskEngineDeps {
  readonly store: RiskStore;
  readonly brokers: readonly Broker[];
  readonly instruments: InstrumentRegistry;
  readonly clock: Clock;
  readonly bus: EventBus;
  /** An agent's limits from its card (the agent level's defaults; setRiskLimits overrides them). */
  readonly agentLimits?: (agentId: string) => RiskLimits;
}

/** An order on its way in: what admission decides on. */
export interface AdmissionRequest {
  readonly order: Order;
  readonly meta: OrderMeta;
  readonly instrument: Instrument;
  /** emergencyStop's own flattening orders: they pass a halt when they reduce exposure. */
  readonly flatten?: boolean;
  /** A contingent leg held until its group activates it (§4): checked as exposure-reducing, counted nowhere. */
  readonly held?: boolean;
  /**
   * The router's decision for the order, recorded in the admission's transaction when the order
   * is (so it is durable with it, and costs no statement of its own). A group's is not: its
   * caller logs it.
   */
  readonly routing?: DecisionRecord;
}

export interface Admission {
  /** False when the (account, client order id) existed: the caller looks the existing order up. */
  readonly created: boolean;
  /** The order as admitted: `pending_new`, or `denied` with the first failed check's code. */
  readonly order: Order;
  readonly meta: OrderMeta;
  readonly decision: RiskDecision;
}

/** A replace on its way to the venue: the order now, the order it would become, its request event. */
export interface ReplaceRequest {
  readonly order: Order;
  readonly next: Order;
  readonly agentId: string;
  readonly instrument: Instrument;
  /** The `rpl_req` event with the order after it, recorded when the replace passes. */
  readonly record: EventRecord;
}

export type ReplaceAdmission = { readonly failed: CheckResult } | { readonly outcome: RecordOutcome };

type Pending =
  | {
      readonly kind: 'order';
      readonly request: AdmissionRequest;
      readonly resolve: (admission: Admission) => void;
      readonly reject: (error: unknown) => void;
    }
  | {
      readonly kind: 'group';
      readonly requests: readonly AdmissionRequest[];
      readonly resolve: (admissions: Admission[]) => void;
      readonly reject: (error: unknown) => void;
    }
  | {
      readonly kind: 'replace';
      readonly request: ReplaceRequest;
      readonly resolve: (admission: ReplaceAdmission) => void;
      readonly reject: (error: unknown) => void;
    };

/** The checks every replace passes (§7.3), and those it passes when it adds quantity. */
const REPLACE_ALWAYS = new Set(['trading_halted', 'price_band', 'reduce_only', 'order_notional']);
const REPLACE_RAISING = new Set([
  'position_limit',
  'open_positions',
  'exposure',
  'daily_loss',
  'buying_power',
]);

const INITIAL_STATE: TradingStateRecord = {
  state: 'active',
  reason: 'no trading state recorded yet',
  changedBy: 'system',
  changedAt: 0,
};

/**
 * The risk engine's I/O half: it gathers the usage of every limit level, runs the pure checks of
 * src/risk in §7.2 order and records the order, accepted or denied, in one transaction.
 *
 * Concurrency (issue 5, point 3): every admission holds one database-wide advisory lock
 * (RiskStore.admission) from reading usage to committing the orders it admitted. Admissions of
 * every server process on the database therefore run one after another, and each reads the open
 * orders and activity the previous ones committed: no two orders can each see room under a limit
 * that only one of them fits, whatever the level (global, account or agent). One lock, not one per
 * account, because the global and agent levels span accounts: per-account locks would need an
 * ordered lock set per batch and would still race on the global sums. The cost of serializing is
 * paid once per batch, not per order: orders that arrive while an admission runs are admitted
 * together by the next one, checked one after another against an in-memory UsageBook that counts
 * each accepted order before the next is checked.
 *
 * Reading the open orders and the last minute's orders costs more as they grow, so an order batch
 * uses the usage this process kept from its previous admission while the database's usage epoch
 * shows that nothing else raised usage since (UsageCache): what other processes admit, and what
 * raises usage outside an admission (RiskEngine.usageRaised), makes the next batch read it afresh.
 * Kept usage only errs high (what lowers usage is not tracked), and a batch that would deny an
 * order on it reads usage afresh and is decided again.
 */
export class RiskEngine {
  private readonly queue: Pending[] = [];
  private running = false;
  private current: TradingStateRecord = INITIAL_STATE;
  /** Each account's equity when its day started, by day start. */
  private readonly startOfDay = new Map<string, { dayStart: number; equity: Decimal }>();
  /** Kept usage: a snapshot replaces it once 5 s old; past 60 s without one it is read under the lock. */
  private readonly cache = new UsageCache(5_000, 60_000);
  private readonly reads = { cached: 0, read: 0, reread: 0 };
  private readonly refreshes = { used: 0, unused: 0, failed: 0 };
  /** The snapshot of the open orders being read, if any (refreshUsage). */
  private refreshing: Promise<void> | undefined;

  constructor(private readonly deps: RiskEngineDeps) {}

  /** Loads the recorded trading state. */
  async start(): Promise<void> {
    this.current = (await this.deps.store.tradingState()) ?? INITIAL_STATE;
  }

  /** The trading state as last read (every admission reads it afresh). */
  tradingState(): TradingStateRecord {
    return this.current;
  }

  /** Re-reads the trading state (another process may have changed it). */
  async refreshState(): Promise<TradingStateRecord> {
    this.current = (await this.deps.store.tradingState()) ?? INITIAL_STATE;
    return this.current;
  }

  async setTradingState(state: TradingState, reason: string, actor: string): Promise<TradingStateRecord> {
    const before = await this.refreshState();
    const record: TradingStateRecord = { state, reason, changedBy: actor, changedAt: this.deps.clock.now() };
    await this.deps.store.saveTradingState(record, {
      actor,
      action: 'trading_state.set',
      entity: 'trading_state',
      entityId: 'global',
      data: { from: before.state, to: state, reason },
      at: record.changedAt,
    });
    this.current = record;
    return record;
  }

  /**
   * Changes one level's limits (setRiskLimits): given fields replace, null fields are removed.
   * Recorded with the actor in the audit log; the next admission enforces them, in every process.
   */
  async setLimits(
    level: LimitLevel,
    scopeId: string,
    patch: LimitsPatch,
    actor: string,
  ): Promise<RiskLimits> {
    const scope = level === 'global' ? '*' : scopeId;
    const rows = await this.deps.store.limits();
    const before = limitsFromJson(rows.find((r) => r.level === level && r.scopeId === scope)?.limits);
    const next = patchLimits(before, patch);
    const now = this.deps.clock.now();
    await this.deps.store.saveLimits(
      { level, scopeId: scope, limits: limitsToJson(next), updatedBy: actor, updatedAt: now },
      {
        actor,
        action: 'risk_limits.set',
        entity: `risk_limits:${level}`,
        entityId: scope,
        data: { before: limitsToJson(before), after: limitsToJson(next) },
        at: now,
      },
    );
    this.deps.bus.publish('trade.risk.limits', { level, scopeId: scope });
    return next;
  }

  /** The limits set at each level (the agent level includes the card's), as stored. */
  async limitsInForce(
    accountId?: string,
    agentId?: string,
  ): Promise<{ global: RiskLimits; account?: RiskLimits; agent?: RiskLimits }> {
    const table = this.limitTable(await this.deps.store.limits());
    return {
      global: withDefaults(table.global),
      ...(accountId === undefined ? {} : { account: table.accounts.get(accountId) ?? {} }),
      ...(agentId === undefined ? {} : { agent: table.agent(agentId) }),
    };
  }

  /** Admits an order: checked and recorded (accepted or denied) in the next admission batch. */
  admit(request: AdmissionRequest): Promise<Admission> {
    return new Promise<Admission>((resolve, reject) => {
      this.queue.push({ kind: 'order', request, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /**
   * A contingent group (ORDER-SEMANTICS.md §4), checked as a unit in its own admission: every leg
   * against the same usage, held legs as exposure-reducing; if one is denied, all are, with that
   * code. Accepted legs are recorded together; an existing first leg means the group exists.
   */
  admitGroup(requests: readonly AdmissionRequest[]): Promise<Admission[]> {
    return new Promise<Admission[]>((resolve, reject) => {
      this.queue.push({ kind: 'group', requests, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async admitGroupNow(requests: readonly AdmissionRequest[]): Promise<Admission[]> {
    const now = this.deps.clock.now();
    const accounts = await this.accountFacts(now);
    return this.deps.store.admission(async (tx) => {
      const { state, book } = await this.lockedUsage(
        tx,
        now,
        accounts,
        requests.map((r) => r.meta.agentId),
      );
      const decided = requests.map((request) => {
        const input = this.input(
          request.order,
          request.meta.agentId,
          request.instrument,
          book,
          state.state,
          now,
        );
        const decision = runChecks(request.held === true ? extend(input, { held: true }) : input);
        const meta: OrderMeta =
          input.orderPrice === undefined
            ? request.meta
            : extend(request.meta, { riskPrice: input.orderPrice });
        return { request, decision, meta };
      });
      const failed = decided.find((d) => !d.decision.approved);
      const admissions: Admission[] = decided.map(({ request, decision, meta }) => {
        if (failed === undefined) return { created: false, order: request.order, meta, decision };
        const why = failed.decision.failed?.message ?? 'denied by the risk engine';
        const message =
          failed.request === request
            ? why
            : `Its group was denied: ${failed.request.meta.role ?? 'a leg'}: ${why}`;
        return {
          created: false,
          order: {
            ...request.order,
            status: 'denied',
            held: false,
            reject: { code: failed.decision.code ?? 'INVALID_ORDER', message },
          },
          meta,
          decision: failed.decision,
        };
      });
      return new AtCommit(
        tx
          .createOrders(admissions.map((a) => ({ order: a.order, meta: a.meta })))
          .then((created) => admissions.map((a, i) => ({ ...a, created: created[i] === true }))),
      );
    });
  }

  /**
   * A replace (ORDER-SEMANTICS.md §7.3), checked and its request recorded under the risk lock:
   * the trading state, the price band, reduce-only and the order notional on the order it would
   * produce; when it adds quantity, the position, exposure, loss and buying-power checks on the
   * added quantity. On a pass the `rpl_req` event is recorded in the same transaction, and from
   * then on the usage counts the order at the larger of its old and requested size and price
   * until the venue answers. Answers the failed check, or undefined with the record's outcome.
   */
  admitReplace(request: ReplaceRequest): Promise<ReplaceAdmission> {
    return new Promise<ReplaceAdmission>((resolve, reject) => {
      this.queue.push({ kind: 'replace', request, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async admitReplaceNow(request: ReplaceRequest): Promise<ReplaceAdmission> {
    const { order, next, agentId, instrument } = request;
    const now = this.deps.clock.now();
    const accounts = await this.accountFacts(now);
    return this.deps.store.admission(async (tx) => {
      const { state, book } = await this.lockedUsage(tx, now, accounts, [agentId]);
      const check = (o: Order) =>
        runChecks(this.input(o, agentId, instrument, book, state.state, now), { all: true });
      const lowers = next.quantity.lessThan(order.quantity);
      const failure = check(next).checks.find(
        (c) => REPLACE_ALWAYS.has(c.name) && !c.passed && !(c.name === 'reduce_only' && lowers),
      );
      if (failure !== undefined) return { failed: failure };
      const added = next.quantity.minus(order.quantity);
      if (added.isPositive()) {
        const raising = check({ ...next, quantity: added }).checks.find(
          (c) => REPLACE_RAISING.has(c.name) && !c.passed,
        );
        if (raising !== undefined) return { failed: raising };
      }
      return new AtCommit(
        tx.recordEvents([request.record]).then(([outcome]) => ({ outcome: outcome ?? 'duplicate' })),
      );
    });
  }

  /** Every check for an order, without recording it (performRiskCheck): the same checks admit runs. */
  async evaluate(order: Order, agentId: string, instrument: Instrument): Promise<RiskDecision> {
    const now = this.deps.clock.now();
    const [{ book }, state] = await Promise.all([this.currentUsage(now), this.refreshState()]);
    return runChecks(this.input(order, agentId, instrument, book, state.state, now), { all: true });
  }

  /**
   * Usage at each level that does not depend on an instrument (getRiskLimits): open orders and
   * positions, gross exposure, equity and the day's P&L, daily notional, recent order rate.
   */
  async usageReport(accountId: string | undefined, agentId: string | undefined): Promise<LevelReport[]> {
    const now = this.deps.clock.now();
    const { accounts, book } = await this.currentUsage(now);
    const instrument = this.deps.instruments.all()[0];
    const account = accountId ?? accounts[0]?.accountId;
    if (instrument === undefined || account === undefined) return [];
    const levels = book.levels(
      { accountId: account, agentId: agentId ?? '', symbol: '', side: 'buy' },
      instrument,
    );
    return levels
      .filter(
        (l) =>
          l.level === 'global' || (l.level === 'account' ? accountId !== undefined : agentId !== undefined),
      )
      .map((l) => ({
        level: l.level,
        scopeId: l.scopeId,
        openOrders: l.openOrders,
        openPositions: l.openPositions,
        grossExposure: l.grossExposure,
        equity: l.equity,
        ...(l.startOfDayEquity === undefined
          ? {}
          : { startOfDayEquity: l.startOfDayEquity, dailyPnl: l.equity.minus(l.startOfDayEquity) }),
        dailyNotional: l.dailyNotional,
        ordersLastMinute: l.ordersLastMinute,
      }));
  }

  /**
   * Buying power an order of this account can still use: the venue's figure less what its open
   * orders reserve, net of the taker fee the buying-power check adds (what submitSignal sizes to).
   */
  async availableBuyingPower(accountId: string): Promise<Decimal | undefined> {
    const now = this.deps.clock.now();
    const { accounts, book } = await this.currentUsage(now);
    if (!accounts.some((a) => a.accountId === accountId)) return undefined;
    const account = book.account({ accountId, symbol: '', side: 'buy' }, now);
    const free = account.buyingPower.minus(account.reserved);
    return free.isPositive() ? free.div(ONE.plus(account.takerFeeBps.div(BPS))) : ZERO;
  }

  /**
   * Where order batches' usage came from, since start: the kept usage (`cached`), a fresh read
   * (`read`), and fresh reads after the kept usage would have denied an order (`reread`).
   */
  usageReads(): { cached: number; read: number; reread: number } {
    return { ...this.reads };
  }

  /**
   * Snapshots of the open orders read off the admission path since start: used to replace the kept
   * usage, not used (an admission read afresh or another process admitted meanwhile), failed.
   */
  usageRefreshes(): { used: number; unused: number; failed: number } {
    return { ...this.refreshes };
  }

  /** Resolves once no snapshot of the open orders is being read (before the store closes). */
  async idle(): Promise<void> {
    await this.refreshing;
  }

  /**
   * A committed write raised usage outside an admission (an order inserted or re-opened, a held
   * leg released, a quantity or price raised): the usage kept in memory is dropped and the epoch
   * advanced, so that the next admission of every process reads usage afresh.
   */
  async usageRaised(): Promise<void> {
    this.cache.invalidate();
    await this.deps.store.advanceEpoch();
  }

  /**
   * An order this process admitted left the open statuses (filled, canceled, expired, rejected):
   * the usage kept for its admission is dropped once all of that admission's orders have.
   */
  orderEnded(orderId: string): void {
    this.cache.ended(orderId);
  }

  /** Usage as the store holds it now, read without the lock (checks and reports that record nothing). */
  private async currentUsage(now: number): Promise<{ accounts: AccountFacts[]; book: UsageBook }> {
    const accounts = await this.accountFacts(now);
    const [rows, limits] = await Promise.all([
      this.deps.store.usage(this.window(now, accounts)),
      this.deps.store.limits(),
    ]);
    return { accounts, book: this.book(rows, limits, accounts) };
  }

  /** The venues' accounts, each with its day start and start-of-day equity. */
  async accountFacts(now: number): Promise<AccountFacts[]> {
    const out: AccountFacts[] = [];
    for (const broker of this.deps.brokers) {
      const equities = broker.capabilities.assetClasses.includes('us_equity');
      const dayStart = dayStartOf(now, equities);
      for (const a of await broker.accounts()) {
        const start = this.startOfDay.get(a.accountId);
        out.push({
          accountId: a.accountId,
          type: a.type,
          equity: a.equity,
          buyingPower: a.buyingPower,
          takerFeeBps: broker.capabilities.fees.takerBps,
          dayTradeCount: a.dayTradeCount,
          patternDayTrader: a.patternDayTrader,
          dayStart,
          ...(start?.dayStart === dayStart ? { startOfDayEquity: start.equity } : {}),
        });
      }
    }
    return out;
  }

  /** An account's start-of-day equity for that day start, when the monitor has established it. */
  startOfDayEquity(accountId: string, dayStart: number): Decimal | undefined {
    const known = this.startOfDay.get(accountId);
    return known?.dayStart === dayStart ? known.equity : undefined;
  }

  /** Sets an account's start-of-day equity (the monitor reads it from the equity snapshots). */
  setStartOfDay(accountId: string, dayStart: number, equity: Decimal): void {
    this.startOfDay.set(accountId, { dayStart, equity });
  }

  // ------------------------------------------------------------------ admission batches

  /** Admissions one after another: the orders queued meanwhile as one batch, a replace alone. */
  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0];
        if (head?.kind === 'replace') {
          this.queue.shift();
          await this.admitReplaceNow(head.request).then(head.resolve, head.reject);
          continue;
        }
        if (head?.kind === 'group') {
          this.queue.shift();
          await this.admitGroupNow(head.requests).then(head.resolve, head.reject);
          continue;
        }
        const end = this.queue.findIndex((p) => p.kind !== 'order');
        const batch = this.queue.splice(0, Math.min(end === -1 ? this.queue.length : end, MAX_BATCH));
        const orders = batch.filter((p) => p.kind === 'order');
        try {
          const admissions = await this.admitBatch(orders.map((p) => p.request));
          orders.forEach((p, i) => {
            const admission = admissions[i];
            if (admission === undefined) p.reject(new Error('admission lost'));
            else p.resolve(admission);
          });
        } catch (error) {
          for (const p of orders) p.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * One batch of orders in one admission. Usage comes from the cache when no other write raised it
   * since this process's previous admission (UsageCache); a batch that would deny an order on
   * cached usage reads it afresh and is decided again. The cache learns what the batch added once
   * its transaction has committed.
   */
  private async admitBatch(requests: readonly AdmissionRequest[]): Promise<Admission[]> {
    const now = this.deps.clock.now();
    const accounts = await this.accountFacts(now);
    const token = this.cache.token();
    let update: CacheUpdate | undefined;
    const admissions = await this.deps.store.admission(async (tx) => {
      const facts = await this.lockedFacts(
        tx,
        now,
        accounts,
        requests.map((r) => r.meta.agentId),
      );
      const decideWith = (usage: OrderUsage): (Admission & { duplicate: boolean })[] =>
        this.decideBatch(
          requests,
          this.book({ ...usage, positions: facts.positions }, facts.limits, accounts),
          facts.state.state,
          now,
        );
      const cached = this.cache.usage(facts.epoch, facts.window, now);
      let read = cached === undefined ? await tx.orderUsage(facts.window) : undefined;
      this.reads[read === undefined ? 'cached' : 'read']++;
      let decided = decideWith(read ?? cached ?? NO_USAGE);
      if (read === undefined && decided.some((a) => a.order.status === 'denied')) {
        // The cache only errs high: no order is denied on it.
        read = await tx.orderUsage(facts.window);
        this.reads.reread++;
        decided = decideWith(read);
      }
      const fresh = decided.filter((a) => !a.duplicate);
      // The insert and the routing decisions of the orders it inserts are the admission's last
      // statements: COMMIT follows them at once, and the rest is worked out from the insert's
      // answer, which comes first.
      const creating = tx.createOrders(fresh.map((a) => ({ order: a.order, meta: a.meta })));
      const routing = requests.flatMap((r, i) =>
        r.routing === undefined || decided[i]?.duplicate !== false ? [] : [r.routing],
      );
      const logging = routing.length === 0 ? undefined : tx.recordDecisions(routing);
      return new AtCommit(
        Promise.all([creating, logging]).then(([created]) => {
          // What the accepted orders add: those inserted (an order whose client order id existed
          // was not), as inserted. In a shape usageOfCreated leaves to the store's read (a replace
          // in flight; a new order never is), the cache is not updated: the next batch finds the
          // epoch two past what it kept and reads usage afresh.
          const insertedOnes = fresh.filter((a, i) => created[i] === true && a.order.status !== 'denied');
          const accepted = insertedOnes.map((a) => a.order.id);
          const added = accepted.length === 0 ? NO_USAGE : usageOfCreated(insertedOnes, facts.window);
          if (added !== undefined)
            update = {
              generation: token,
              epoch: facts.epoch,
              now,
              window: facts.window,
              ...(read === undefined ? {} : { read }),
              added,
              addedIds: accepted,
            };
          const inserted = new Set(fresh.filter((_, i) => created[i] === true).map((a) => a.order.id));
          return decided.map(({ duplicate, ...a }) => ({
            ...a,
            created: !duplicate && inserted.has(a.order.id),
          }));
        }),
      );
    });
    // Applied once committed. A failed admission applies nothing: its advance of the epoch rolled
    // back with its orders, or (a commit whose outcome is unknown) it committed, and the next batch
    // finds the epoch two past and reads afresh, as after a group or replace admission.
    if (update !== undefined) this.cache.apply(update);
    this.refreshUsage();
    return admissions;
  }

  /**
   * Kept usage errs high as orders end unseen (in other processes, or counted by a fresh read):
   * once it is old enough (UsageCache.refreshDue), a snapshot of the open orders replaces it. The snapshot is
   * read without the risk lock, so admissions (of every process) go on meanwhile instead of
   * queueing behind a scan of every open order.
   */
  private refreshUsage(): void {
    const started = this.deps.clock.now();
    if (this.refreshing !== undefined || !this.cache.refreshDue(started)) return;
    const token = this.cache.token();
    this.refreshing = this.deps.store
      .openOrderSnapshot()
      .then(
        (snapshot) => {
          this.refreshes[this.cache.refreshed(token, snapshot, started) ? 'used' : 'unused']++;
        },
        () => {
          // Kept usage goes on erring high; past its maximum age admissions read it under the lock.
          this.refreshes.failed++;
        },
      )
      .finally(() => {
        this.refreshing = undefined;
      });
  }

  /** Decides a batch in order against one book; a client order id repeated in it is one order. */
  private decideBatch(
    requests: readonly AdmissionRequest[],
    book: UsageBook,
    state: TradingState,
    now: number,
  ): (Admission & { duplicate: boolean })[] {
    const first = new Map<string, Admission>();
    return requests.map((request) => {
      const key = `${request.order.accountId}|${request.order.clientOrderId}`;
      const seen = first.get(key);
      if (seen !== undefined) return { ...seen, created: false, duplicate: true };
      const admission = extend(this.decide(request, book, state, now), { duplicate: false });
      first.set(key, admission);
      return admission;
    });
  }

  /**
   * Inside an admission: the usage epoch (advanced), the trading state, the limits, the positions
   * and the usage window, as committed so far.
   */
  private async lockedFacts(
    tx: AdmissionTx,
    now: number,
    accounts: readonly AccountFacts[],
    agentIds: readonly string[],
  ): Promise<LockedFacts> {
    const { epoch, state: recorded, limits, positions } = await tx.facts();
    const state = recorded ?? INITIAL_STATE;
    this.current = state;
    // The day's notional is a scan of the day's orders: read it only when a limit needs it.
    const window = this.window(now, this.needsDailyNotional(limits, agentIds) ? accounts : []);
    return { epoch, state, limits, positions, window };
  }

  /** Inside a group or replace admission: the trading state and every level's usage, read afresh. */
  private async lockedUsage(
    tx: AdmissionTx,
    now: number,
    accounts: readonly AccountFacts[],
    agentIds: readonly string[],
  ): Promise<{ state: TradingStateRecord; book: UsageBook }> {
    const facts = await this.lockedFacts(tx, now, accounts, agentIds);
    const usage = await tx.orderUsage(facts.window);
    return {
      state: facts.state,
      book: this.book({ ...usage, positions: facts.positions }, facts.limits, accounts),
    };
  }

  private decide(request: AdmissionRequest, book: UsageBook, state: TradingState, now: number): Admission {
    const { order, meta, instrument } = request;
    const input = this.input(order, meta.agentId, instrument, book, state, now);
    const flattening = request.flatten === true && state === 'halted';
    const decision = runChecks(flattening ? { ...input, tradingState: 'reducing' } : input);
    const riskMeta: OrderMeta =
      input.orderPrice === undefined ? meta : extend(meta, { riskPrice: input.orderPrice });
    if (!decision.approved) {
      const failed = decision.failed;
      return {
        created: false,
        order: {
          ...order,
          status: 'denied',
          reject: {
            code: decision.code ?? 'INVALID_ORDER',
            message: failed?.message ?? 'denied by the risk engine',
          },
        },
        meta: riskMeta,
        decision,
      };
    }
    book.accept({
      accountId: order.accountId,
      agentId: meta.agentId,
      symbol: order.symbol,
      side: order.side,
      quantity: order.quantity,
      price: input.orderPrice ?? ZERO,
      ...(order.limitPrice === undefined ? {} : { limitPrice: order.limitPrice }),
    });
    return { created: false, order, meta: riskMeta, decision };
  }

  // ------------------------------------------------------------------ inputs

  /** Whether any level in force for these agents sets maxDailyNotional. */
  private needsDailyNotional(rows: readonly LimitRow[], agentIds: readonly string[]): boolean {
    const table = this.limitTable(rows);
    return (
      table.global.maxDailyNotional !== undefined ||
      [...table.accounts.values()].some((l) => l.maxDailyNotional !== undefined) ||
      agentIds.some((id) => table.agent(id).maxDailyNotional !== undefined)
    );
  }

  private window(now: number, accounts: readonly AccountFacts[]): UsageWindow {
    return {
      secondAgo: now - 1_000,
      minuteAgo: now - 60_000,
      dayStarts: new Map(accounts.map((a) => [a.accountId, a.dayStart])),
    };
  }

  private book(
    rows: UsageRows,
    limitRows: readonly LimitRow[],
    accounts: readonly AccountFacts[],
  ): UsageBook {
    return new UsageBook({
      ...rows,
      accounts,
      limits: this.limitTable(limitRows),
      instrumentOf: (symbol) => this.deps.instruments.find(symbol),
      reference: (symbol) => this.reference(symbol),
    });
  }

  /** The limit table: stored levels, with each agent's card limits under what was set for it. */
  limitTable(rows: readonly LimitRow[]): LimitTable {
    let global: RiskLimits = {};
    const accounts = new Map<string, RiskLimits>();
    const agents = new Map<string, RiskLimits>();
    for (const row of rows) {
      const limits = limitsFromJson(row.limits);
      if (row.level === 'global') global = limits;
      else if (row.level === 'account') accounts.set(row.scopeId, limits);
      else agents.set(row.scopeId, limits);
    }
    const card = this.deps.agentLimits ?? ((): RiskLimits => ({}));
    return { global, accounts, agent: (agentId) => ({ ...card(agentId), ...agents.get(agentId) }) };
  }

  private input(
    order: Order,
    agentId: string,
    instrument: Instrument,
    book: UsageBook,
    state: TradingState,
    now: number,
  ): RiskInput {
    const quote = this.quote(order.venue, instrument.symbol);
    const reference = this.reference(instrument.symbol);
    const orderPrice = orderPriceOf(order, quote, reference);
    const calendar = calendarFor(instrument.calendar);
    // The spec, its account and agent: a small object of its own, read by every check.
    const riskOrder = Object.assign(orderSpecOf(order), { accountId: order.accountId, agentId });
    return {
      order: riskOrder,
      instrument,
      now,
      tradingState: state,
      sessionOpen: calendar.isOpen(now, { extendedHours: order.extendedHours === true }),
      ...(quote === undefined ? {} : { quote }),
      ...(reference === undefined ? {} : { reference }),
      ...(orderPrice === undefined ? {} : { orderPrice }),
      account: book.account(order, now),
      levels: book.levels(riskOrder, instrument),
    };
  }

  /** The venue's quote for the symbol (else any venue's). */
  private quote(venue: string, symbol: string): QuoteRisk | undefined {
    const brokers = [...this.deps.brokers].sort(
      (a, b) => Number(b.venue === venue) - Number(a.venue === venue),
    );
    for (const broker of brokers) {
      const book = broker.book(symbol);
      if (book === undefined) continue;
      const bid = book.bids[0]?.price;
      const ask = book.asks[0]?.price;
      if (bid === undefined && ask === undefined && book.last === undefined) continue;
      return {
        ts: book.ts,
        ...(bid === undefined ? {} : { bid }),
        ...(ask === undefined ? {} : { ask }),
        ...(book.last === undefined ? {} : { last: book.last }),
      };
    }
    return undefined;
  }

  /** The mark (§6.2): the mid of the first two-sided book, else its last trade. */
  reference(symbol: string): Decimal | undefined {
    return markOf(this.deps.brokers, symbol);
  }
}

/** One level's instrument-independent usage. */
export interface LevelReport {
  readonly level: LimitLevel;
  readonly scopeId: string;
  readonly openOrders: number;
  readonly openPositions: number;
  readonly grossExposure: Decimal;
  readonly equity: Decimal;
  readonly startOfDayEquity?: Decimal;
  readonly dailyPnl?: Decimal;
  readonly dailyNotional: Decimal;
  readonly ordersLastMinute: number;
}

/** Orders admitted by one transaction at most. */
const MAX_BATCH = 500;

const NO_USAGE: OrderUsage = { groups: [], activity: [], priceless: 0 };

interface LockedFacts {
  readonly epoch: bigint;
  readonly state: TradingStateRecord;
  readonly limits: LimitRow[];
  readonly positions: Position[];
  readonly window: UsageWindow;
}

const HUNDRED = dec(100);

/**
 * The order price of ORDER-SEMANTICS.md §7.1: the limit; the stop or trigger for stop and
 * market-if-touched; the current stop for a trailing stop (else the basis ∓ the offset); else the
 * far touch (the ask for a buy, the bid for a sell), else the reference.
 */
export function orderPriceOf(
  order: OrderSpec & { currentStop?: Decimal },
  quote: QuoteRisk | undefined,
  reference: Decimal | undefined,
): Decimal | undefined {
  if (order.limitPrice !== undefined) return order.limitPrice;
  if (order.stopPrice !== undefined) return order.stopPrice;
  if (order.triggerPrice !== undefined) return order.triggerPrice;
  if (order.type === 'trailing_stop') {
    if (order.currentStop !== undefined) return order.currentStop;
    const basis = quote?.last ?? reference;
    if (basis !== undefined) {
      const offset =
        order.trailPrice ??
        (order.trailPercent === undefined ? ZERO : basis.times(order.trailPercent).div(HUNDRED));
      return order.side === 'sell' ? basis.minus(offset) : basis.plus(offset);
    }
  }
  const far = order.side === 'buy' ? quote?.ask : quote?.bid;
  return far ?? quote?.last ?? reference;
}
