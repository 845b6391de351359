import type { Decimal } from '../domain/decimal.js';
import type { Order } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { LimitsJson } from '../risk/limits.js';
import type { TradingState } from '../risk/types.js';
import type { AgentActivity, OpenOrderGroup } from '../risk/usage-book.js';
import type { AuditRecord, EventRecord, OrderMeta, RecordOutcome, TransactionResult } from './ports.js';
import type { DecisionRecord } from './routing-log.js';

/** The trading state as recorded, with who set it and why. */
export interface TradingStateRecord {
  readonly state: TradingState;
  readonly reason: string;
  readonly changedBy: string;
  readonly changedAt: number;
}

/** One level's limits as stored. */
export interface LimitRow {
  readonly level: 'global' | 'account' | 'agent';
  readonly scopeId: string;
  readonly limits: LimitsJson;
  readonly updatedBy?: string;
  readonly updatedAt: number;
}

/** The time windows usage is counted in. */
export interface UsageWindow {
  readonly secondAgo: number;
  readonly minuteAgo: number;
  /** Each account's day start (epoch ms); daily notional is summed only when this is given. */
  readonly dayStarts?: ReadonlyMap<string, number>;
}

/** The usage orders make: open orders, recent activity. */
export interface OrderUsage {
  readonly groups: OpenOrderGroup[];
  readonly activity: AgentActivity[];
  /**
   * Open orders (parents and held legs included) with no price of their own, valued at their
   * average fill: their notional changes with every fill, so usage that counts them cannot be kept.
   */
  readonly priceless: number;
}

/** The open-order groups as of one usage epoch (RiskStore.openOrderSnapshot). */
export interface OpenOrderSnapshot {
  readonly epoch: bigint;
  readonly groups: readonly OpenOrderGroup[];
}

/** What the store knows about usage: open orders, recent activity, positions. */
export interface UsageRows extends OrderUsage {
  readonly positions: Position[];
}

/** What an admission reads first, under the risk lock: one statement, so one snapshot. */
export interface AdmissionFacts {
  /**
   * The usage epoch, advanced (RiskStore.advanceEpoch): one past the value this process's previous
   * admission got when no other admission or usage-raising write came between them.
   */
  readonly epoch: bigint;
  readonly state: TradingStateRecord | undefined;
  readonly limits: LimitRow[];
  /** Positions that are not flat. */
  readonly positions: Position[];
}

/** The reads and writes of one admission, inside its transaction. */
export interface AdmissionTx {
  /** Advances the usage epoch and reads the trading state, the limits and the positions. */
  facts(): Promise<AdmissionFacts>;
  /** Usage of every order, or of these orders only. */
  orderUsage(window: UsageWindow, ids?: readonly string[]): Promise<OrderUsage>;
  /** Inserts each order unless its (account, client order id) exists; answers whether it was. */
  createOrders(items: readonly { order: Order; meta: OrderMeta }[]): Promise<boolean[]>;
  /** Records events without fills (a replace request), one per order. */
  recordEvents(records: readonly EventRecord[]): Promise<RecordOutcome[]>;
  /** Records the router's decisions for orders of this transaction (those it inserted). */
  recordDecisions(decisions: readonly DecisionRecord[]): Promise<void>;
}

export interface EquitySnapshot {
  readonly accountId: string;
  readonly at: number;
  readonly equity: Decimal;
  readonly cash: Decimal;
}

/** The risk engine's store port (src/store/risk-store.ts implements it). */
export interface RiskStore {
  /**
   * Runs one admission in a transaction that holds the database's risk lock: admissions of every
   * server process on this database run one at a time, so what one reads no other can change
   * before it commits.
   */
  admission<T>(fn: (tx: AdmissionTx) => Promise<TransactionResult<T>>): Promise<T>;
  /** The same reads without the lock (performRiskCheck, getRiskLimits). */
  usage(window: UsageWindow): Promise<UsageRows>;
  /**
   * Advances the usage epoch after a committed write that may raise usage outside an admission
   * (an order inserted or re-opened, a held leg released, a quantity or price raised), so that
   * every process's next admission reads usage afresh.
   */
  advanceEpoch(): Promise<void>;
  /**
   * The open-order usage and the usage epoch from one snapshot, without the risk lock (admissions
   * go on meanwhile): the groups are those of exactly the admissions up to that epoch.
   */
  openOrderSnapshot(): Promise<OpenOrderSnapshot>;
  limits(): Promise<LimitRow[]>;
  saveLimits(row: Omit<LimitRow, 'updatedAt'> & { updatedAt: number }, audit: AuditRecord): Promise<void>;
  tradingState(): Promise<TradingStateRecord | undefined>;
  saveTradingState(record: TradingStateRecord, audit: AuditRecord): Promise<void>;
  recordEquity(snapshots: readonly EquitySnapshot[]): Promise<void>;
  /** Snapshots at or after `since`, oldest first; of one account, or all. */
  equitySince(since: number, accountId?: string): Promise<EquitySnapshot[]>;
  /** Appends an entry to the audit log (alerts, signals). */
  audit(record: AuditRecord): Promise<void>;
  findSignal(signalId: string): Promise<SignalRecord | undefined>;
  /** Records a signal once: false when its id was recorded before. */
  saveSignal(record: SignalRecord): Promise<boolean>;
}

/** A trading signal as received and what became of it. */
export interface SignalRecord {
  readonly signalId: string;
  readonly modelId: string;
  readonly agentId: string;
  readonly symbol: string;
  readonly action: string;
  readonly confidence: Decimal;
  readonly status: 'accepted' | 'rejected' | 'ignored';
  readonly orderId?: string;
  /** The request, the sizing and the exit plan, as JSON. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}
