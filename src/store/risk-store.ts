import { and, asc, eq, gte } from 'drizzle-orm';
import { dec } from '../domain/decimal.js';
import type { Side } from '../domain/order.js';
import type { Position } from '../domain/position.js';
import type { AuditRecord, TransactionResult } from '../engine/ports.js';
import type {
  AdmissionFacts,
  AdmissionTx,
  EquitySnapshot,
  LimitRow,
  OpenOrderSnapshot,
  OrderUsage,
  RiskStore,
  SignalRecord,
  TradingStateRecord,
  UsageRows,
  UsageWindow,
} from '../engine/risk-ports.js';
import type { LimitsJson } from '../risk/limits.js';
import type { TradingState } from '../risk/types.js';
import type { AgentActivity, OpenOrderGroup } from '../risk/usage-book.js';
import { appendAudit } from './audit-log.js';
import type { SqlQuery, Store } from './db.js';
import { insertOrders, recordEventsWith } from './order-store.js';
import { OPEN_STATUSES_SQL, POSITION_COLUMNS_SQL, rawPosition, text, toMs } from './raw-rows.js';
import { recordDecisionsWith } from './routing-store.js';
import { equitySnapshots, riskLimits, signals, tradingState } from './schema.js';

/**
 * The key of the transaction-scoped advisory lock every admission holds: one admission at a time
 * on this database, from any number of server processes (see RiskStore.admission).
 */
export const RISK_LOCK = 7_214_003;
const GLOBAL = 'global';

/** The risk engine's tables: limits, the trading state, equity snapshots, and usage read from orders. */
export class DrizzleRiskStore implements RiskStore {
  constructor(private readonly store: Store) {}

  admission<T>(fn: (tx: AdmissionTx) => Promise<TransactionResult<T>>): Promise<T> {
    return this.store.transaction(async (query) => {
      // The lock is sent first and not awaited alone: a connection runs its statements in order,
      // so whatever `fn` sends runs once the lock is held, and its first reads share the round trip.
      const [, result] = await Promise.all([
        query(LOCK, [RISK_LOCK]),
        fn({
          facts: () => readFacts(query),
          orderUsage: (window, ids) => readOrderUsage(query, window, ids),
          createOrders: (items) => insertOrders(query, items),
          recordEvents: (records) => recordEventsWith(query, records),
          recordDecisions: (decisions) => recordDecisionsWith(query, decisions),
        }),
      ]);
      return result;
    });
  }

  async usage(window: UsageWindow): Promise<UsageRows> {
    const [orders, positions] = await Promise.all([
      readOrderUsage(this.store.query, window),
      readPositions(this.store.query),
    ]);
    return { ...orders, positions };
  }

  async advanceEpoch(): Promise<void> {
    await this.store.query(NEXT_EPOCH, []);
  }

  openOrderSnapshot(): Promise<OpenOrderSnapshot> {
    return this.store.transaction(async (query) => {
      // One snapshot for both reads, without the risk lock: the open orders of exactly the
      // admissions up to the epoch it shows (each admission's advance commits with its orders).
      await query('set transaction isolation level repeatable read, read only', []);
      const [[row], groups] = await Promise.all([query(EPOCH, []), query(openGroups(), [])]);
      return { epoch: BigInt(text(row?.['epoch'])), groups: groups.map(toGroup) };
    });
  }

  limits(): Promise<LimitRow[]> {
    return readLimits(this.store.query);
  }

  async saveLimits(row: LimitRow, audit: AuditRecord): Promise<void> {
    const values = {
      scope: row.level,
      scopeId: row.scopeId,
      limits: row.limits,
      updatedBy: row.updatedBy ?? null,
      updatedAt: new Date(row.updatedAt),
    };
    await this.store.db.transaction(async (tx) => {
      await tx
        .insert(riskLimits)
        .values(values)
        .onConflictDoUpdate({ target: [riskLimits.scope, riskLimits.scopeId], set: values });
      await appendAudit(tx, { ...audit, at: new Date(audit.at) });
    });
  }

  tradingState(): Promise<TradingStateRecord | undefined> {
    return readState(this.store.query);
  }

  async saveTradingState(record: TradingStateRecord, audit: AuditRecord): Promise<void> {
    const values = {
      scope: GLOBAL,
      state: record.state,
      reason: record.reason,
      changedBy: record.changedBy,
      changedAt: new Date(record.changedAt),
    };
    await this.store.db.transaction(async (tx) => {
      await tx
        .insert(tradingState)
        .values(values)
        .onConflictDoUpdate({ target: tradingState.scope, set: values });
      await appendAudit(tx, { ...audit, at: new Date(audit.at) });
    });
  }

  async recordEquity(snapshots: readonly EquitySnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    await this.store.db
      .insert(equitySnapshots)
      .values(
        snapshots.map((s) => ({
          accountId: s.accountId,
          at: new Date(s.at),
          equity: s.equity.toFixed(),
          cash: s.cash.toFixed(),
        })),
      )
      .onConflictDoNothing();
  }

  async equitySince(since: number, accountId?: string): Promise<EquitySnapshot[]> {
    const after = gte(equitySnapshots.at, new Date(since));
    const rows = await this.store.db
      .select()
      .from(equitySnapshots)
      .where(accountId === undefined ? after : and(after, eq(equitySnapshots.accountId, accountId)))
      .orderBy(asc(equitySnapshots.at), asc(equitySnapshots.accountId));
    return rows.map((r) => ({
      accountId: r.accountId,
      at: r.at.getTime(),
      equity: dec(r.equity),
      cash: dec(r.cash),
    }));
  }

  async findSignal(signalId: string): Promise<SignalRecord | undefined> {
    const [row] = await this.store.db.select().from(signals).where(eq(signals.signalId, signalId)).limit(1);
    if (row === undefined) return undefined;
    return {
      signalId: row.signalId,
      modelId: row.modelId,
      agentId: row.agentId,
      symbol: row.symbol,
      action: row.action,
      confidence: dec(row.confidence),
      status: row.status as SignalRecord['status'],
      ...(row.orderId === null ? {} : { orderId: row.orderId }),
      payload: row.payload as Record<string, unknown>,
      createdAt: row.createdAt.getTime(),
    };
  }

  async saveSignal(record: SignalRecord): Promise<boolean> {
    const inserted = await this.store.db
      .insert(signals)
      .values({
        signalId: record.signalId,
        modelId: record.modelId,
        agentId: record.agentId,
        symbol: record.symbol,
        action: record.action,
        confidence: record.confidence.toFixed(),
        payload: record.payload,
        status: record.status,
        orderId: record.orderId ?? null,
        createdAt: new Date(record.createdAt),
      })
      .onConflictDoNothing()
      .returning({ id: signals.signalId });
    return inserted.length > 0;
  }

  async audit(record: AuditRecord): Promise<void> {
    await this.store.db.transaction(async (tx) => {
      await appendAudit(tx, { ...record, at: new Date(record.at) });
    });
  }
}

const LOCK = 'select pg_advisory_xact_lock($1)';

/**
 * The price an order's quantity is valued at: the larger of the admission's and the order's own
 * (a confirmed replace may have raised it), else the average fill.
 */
const priceOf = (t = ''): string =>
  `coalesce(greatest(${['risk_price', 'limit_price', 'stop_price', 'trigger_price', 'current_stop']
    .map((c) => t + c)
    .join(', ')}), ${t}avg_fill_price, 0)`;

/**
 * Open orders per account, agent, instrument and side. An order with a replace in flight counts at
 * the larger of its quantity and price and the requested ones (its latest rpl_req event), so that
 * a replace admitted under the risk lock holds its room until the venue answers. `only` narrows
 * the scan to some orders (an id filter); every usage query below takes one the same way.
 */
const openGroups = (only = ''): string => `
  with open_orders as (
    select o.account_id, o.agent_id, o.symbol, o.side, o.limit_price, o.filled_qty,
           greatest(o.quantity, coalesce((r.changes->>'quantity')::numeric, o.quantity)) as quantity,
           greatest(${priceOf('o.')},
                    coalesce((r.changes->>'limitPrice')::numeric, (r.changes->>'stopPrice')::numeric, 0)) as price
    from orders o
    left join lateral (
      select e.payload->'changes' as changes from order_events e
      where o.status = 'pending_replace' and e.order_id = o.id and e.kind = 'rpl_req'
      order by e.seq desc limit 1
    ) r on true
    where o.status in ${OPEN_STATUSES_SQL} and not o.held and o.role is distinct from 'parent'${only}
  )
  select account_id, agent_id, symbol, side, count(*)::int as n,
         sum(quantity - filled_qty)::text as leaves,
         sum((quantity - filled_qty) * price)::text as notional,
         count(limit_price)::int as limit_orders,
         (case when side = 'buy' then max(limit_price) else min(limit_price) end)::text as best_limit
  from open_orders
  group by account_id, agent_id, symbol, side`;

/**
 * Orders the engine places for a request it already counted: an algorithm's children (the parent
 * counts in full) and the exits of a bracket or OTO (the entry counts).
 */
const ENGINE_PLACED = `('child','take_profit','stop_loss','secondary')`;

/** Accepted orders per agent and account in the rate windows ($1: a second ago, $2: a minute ago). */
const recent = (only = ''): string => `
  select o.agent_id, o.account_id,
         count(*) filter (where o.created_at > $1::timestamptz)::int as last_second,
         count(*)::int as last_minute,
         max(o.created_at) as latest_at
  from orders o
  where o.created_at > $2::timestamptz and o.status <> 'denied' and not o.external
    and coalesce(o.role, '') not in ${ENGINE_PLACED}${only}
  group by o.agent_id, o.account_id`;

/** Accepted notional per agent and account since each account's day start ($1: [{a, s}]). */
const daily = (only = ''): string => `
  with starts as (
    select x->>'a' as account_id, (x->>'s')::timestamptz as day_start from jsonb_array_elements($1::jsonb) x
  )
  select o.agent_id, o.account_id, sum(o.quantity * ${priceOf('o.')})::text as notional
  from orders o join starts s on s.account_id = o.account_id
  where o.created_at >= s.day_start and o.status <> 'denied' and not o.external
    and coalesce(o.role, '') not in ${ENGINE_PLACED}${only}
  group by o.agent_id, o.account_id`;

/**
 * Open orders (parents and held legs too) with no price of their own: valued at their average
 * fill, so every fill changes their notional. While there are any, usage is read at every admission.
 */
const priceless = (only = ''): string => `
  select count(*)::int as n from orders o
  where o.status in ${OPEN_STATUSES_SQL}
    and greatest(o.risk_price, o.limit_price, o.stop_price, o.trigger_price, o.current_stop) is null${only}`;

const POSITIONS = `select ${POSITION_COLUMNS_SQL} from positions where quantity <> 0`;

/** Advances the usage epoch; inside an admission, the advance commits with it. */
const NEXT_EPOCH = `update risk_usage_epoch set epoch = epoch + 1 where id = 1 returning epoch::text as epoch`;

const EPOCH = `select epoch::text as epoch from risk_usage_epoch where id = 1`;

/** The usage orders make (all of them, or only those with these ids): open groups and activity. */
async function readOrderUsage(
  query: SqlQuery,
  window: UsageWindow,
  ids?: readonly string[],
): Promise<OrderUsage> {
  const only = (n: number): string => (ids === undefined ? '' : ` and o.id = any($${n.toString()}::text[])`);
  const idParam = ids === undefined ? [] : [[...ids]];
  const starts = window.dayStarts === undefined ? [] : [...window.dayStarts];
  const [groups, recentRows, dailyRows, unpriced] = await Promise.all([
    query(openGroups(only(1)), idParam),
    query(recent(only(3)), [
      new Date(window.secondAgo).toISOString(),
      new Date(window.minuteAgo).toISOString(),
      ...idParam,
    ]),
    starts.length === 0
      ? Promise.resolve([])
      : query(daily(only(2)), [
          JSON.stringify(starts.map(([a, s]) => ({ a, s: new Date(s).toISOString() }))),
          ...idParam,
        ]),
    query(priceless(only(1)), idParam),
  ]);
  const activity = new Map<string, AgentActivity>();
  const keyOf = (agentId: string, accountId: string): string => `${agentId}\u0000${accountId}`;
  for (const r of recentRows) {
    const agentId = text(r['agent_id']);
    const accountId = text(r['account_id']);
    activity.set(keyOf(agentId, accountId), {
      agentId,
      accountId,
      lastSecond: Number(r['last_second']),
      lastMinute: Number(r['last_minute']),
      latestAt: toMs(r['latest_at']),
      dailyNotional: dec(0),
    });
  }
  for (const r of dailyRows) {
    const agentId = text(r['agent_id']);
    const accountId = text(r['account_id']);
    const known = activity.get(keyOf(agentId, accountId));
    activity.set(keyOf(agentId, accountId), {
      agentId,
      accountId,
      lastSecond: known?.lastSecond ?? 0,
      lastMinute: known?.lastMinute ?? 0,
      ...(known?.latestAt === undefined ? {} : { latestAt: known.latestAt }),
      dailyNotional: dec(text(r['notional']) || '0'),
    });
  }
  return {
    groups: groups.map(toGroup),
    activity: [...activity.values()],
    priceless: Number(unpriced[0]?.['n'] ?? 0),
  };
}

async function readPositions(query: SqlQuery): Promise<Position[]> {
  return (await query(POSITIONS, [])).map(rawPosition);
}

function toGroup(r: Record<string, unknown>): OpenOrderGroup {
  const best = r['best_limit'];
  return {
    accountId: text(r['account_id']),
    agentId: text(r['agent_id']),
    symbol: text(r['symbol']),
    side: text(r['side']) as Side,
    count: Number(r['n']),
    leaves: dec(text(r['leaves'])),
    notional: dec(text(r['notional'])),
    limitOrders: Number(r['limit_orders']),
    ...(best === null || best === undefined ? {} : { bestLimit: dec(text(best)) }),
  };
}

const STATE = 'select state, reason, changed_by, changed_at from trading_state where scope = $1';

async function readState(query: SqlQuery): Promise<TradingStateRecord | undefined> {
  const [row] = await query(STATE, [GLOBAL]);
  return row === undefined ? undefined : toState(row);
}

function toState(row: Readonly<Record<string, unknown>>): TradingStateRecord {
  return {
    state: text(row['state']) as TradingState,
    reason: text(row['reason']),
    changedBy: text(row['changed_by']),
    changedAt: toMs(row['changed_at']),
  };
}

const LIMITS = 'select scope, scope_id, limits, updated_by, updated_at from risk_limits';

async function readLimits(query: SqlQuery): Promise<LimitRow[]> {
  return (await query(LIMITS, [])).map(toLimit);
}

function toLimit(r: Readonly<Record<string, unknown>>): LimitRow {
  return {
    level: text(r['scope']) as LimitRow['level'],
    scopeId: text(r['scope_id']),
    limits: (typeof r['limits'] === 'string' ? JSON.parse(r['limits']) : r['limits']) as LimitsJson,
    ...(r['updated_by'] === null || r['updated_by'] === undefined
      ? {}
      : { updatedBy: text(r['updated_by']) }),
    updatedAt: toMs(r['updated_at']),
  };
}

/**
 * An admission's first reads as one statement: on PGlite each statement costs its own turn through
 * the engine, and four reads here were a fifth of an order's statements. Rows come back as JSON
 * text (numerics already selected as text inside), parsed alike whichever driver ran it. Sent after
 * the lock, so its snapshot holds every admission committed before this one.
 */
const FACTS = `
  with advanced as (${NEXT_EPOCH})
  select (select epoch from advanced) as epoch,
         (select row_to_json(s)::text from (${STATE}) s) as state,
         (select coalesce(json_agg(l), '[]')::text from (${LIMITS}) l) as limits,
         (select coalesce(json_agg(p), '[]')::text from (${POSITIONS}) p) as positions`;

async function readFacts(query: SqlQuery): Promise<AdmissionFacts> {
  const [row] = await query(FACTS, [GLOBAL]);
  const json = (key: string): unknown => {
    const value = row?.[key];
    return typeof value === 'string' ? JSON.parse(value) : null;
  };
  const state = json('state') as Record<string, unknown> | null;
  return {
    epoch: BigInt(text(row?.['epoch'])),
    state: state === null ? undefined : toState(state),
    limits: (json('limits') as Record<string, unknown>[]).map(toLimit),
    positions: (json('positions') as Record<string, unknown>[]).map(rawPosition),
  };
}
