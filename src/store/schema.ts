import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The durable store. Money, prices and quantities are unbounded `numeric` (exact, read back as
 * strings); times are timestamptz with milliseconds. order_events, fills and audit_log are
 * append-only: a trigger in the migrations refuses UPDATE and DELETE on them.
 */
const money = (name: string) => numeric(name);
const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  venue: text('venue').notNull(),
  mode: text('mode').notNull(),
  type: text('type').notNull(),
  currency: text('currency').notNull(),
  marginMultiplier: money('margin_multiplier').notNull(),
  allowShort: boolean('allow_short').notNull(),
  patternDayTrader: boolean('pattern_day_trader').notNull().default(false),
  /** Epoch ms of recent day trades (the PDT window). */
  dayTrades: jsonb('day_trades').$type<number[]>().notNull().default([]),
  tradingBlocked: boolean('trading_blocked').notNull().default(false),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const balances = pgTable(
  'balances',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    currency: text('currency').notNull(),
    amount: money('amount').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.currency] })],
);

export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    clientOrderId: text('client_order_id').notNull(),
    accountId: text('account_id').notNull(),
    venue: text('venue').notNull(),
    agentId: text('agent_id').notNull(),
    reason: text('reason'),
    parentId: text('parent_id'),
    orderClass: text('order_class').notNull().default('simple'),
    /**
     * The order's part in a group: `parent` (an algorithm or split order: never sent, aggregates its
     * children), `child` (one of its slices), or a contingent leg (ORDER-SEMANTICS.md §4): `entry`,
     * `take_profit`, `stop_loss` (bracket), `primary`, `secondary` (OTO), `member` (OCO). Legs point
     * at the group's first order through parent_id.
     */
    role: text('role'),
    /** A parent's algorithm, its parameters and progress (src/engine/algos.ts). */
    algo: jsonb('algo'),
    /** The consolidated best bid and ask when the order was decided: the arrival price's source. */
    arrivalBid: money('arrival_bid'),
    arrivalAsk: money('arrival_ask'),
    symbol: text('symbol').notNull(),
    side: text('side').notNull(),
    type: text('type').notNull(),
    quantity: money('quantity').notNull(),
    limitPrice: money('limit_price'),
    stopPrice: money('stop_price'),
    triggerPrice: money('trigger_price'),
    trailPrice: money('trail_price'),
    trailPercent: money('trail_percent'),
    activationPrice: money('activation_price'),
    currentStop: money('current_stop'),
    timeInForce: text('time_in_force').notNull(),
    expireAt: at('expire_at'),
    extendedHours: boolean('extended_hours').notNull().default(false),
    postOnly: boolean('post_only').notNull().default(false),
    reduceOnly: boolean('reduce_only').notNull().default(false),
    displayQty: money('display_qty'),
    status: text('status').notNull(),
    priorStatus: text('prior_status'),
    filledQty: money('filled_qty').notNull(),
    filledNotional: money('filled_notional').notNull(),
    avgFillPrice: money('avg_fill_price'),
    overfillQty: money('overfill_qty').notNull(),
    venueOrderIds: jsonb('venue_order_ids').$type<string[]>().notNull().default([]),
    held: boolean('held').notNull().default(false),
    emulated: boolean('emulated').notNull().default(false),
    inferred: boolean('inferred').notNull().default(false),
    external: boolean('external').notNull().default(false),
    rejectCode: text('reject_code'),
    rejectMessage: text('reject_message'),
    /** Hash of the request's parameters: a reused client order id must carry the same request. */
    requestHash: text('request_hash').notNull(),
    /**
     * The order price the risk engine admitted the order at (ORDER-SEMANTICS.md §7.1): what its
     * open leaves reserve against buying power and count in exposure, in every server process.
     */
    riskPrice: money('risk_price'),
    /** The last applied event's sequence number. */
    eventSeq: integer('event_seq').notNull().default(0),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('orders_account_client_order_id').on(t.accountId, t.clientOrderId),
    index('orders_status_symbol').on(t.status, t.symbol),
    index('orders_created').on(t.createdAt, t.id),
    index('orders_parent').on(t.parentId),
    // The risk engine sums the open orders on every admission: only they are in this index.
    index('orders_open')
      .on(t.accountId, t.symbol)
      .where(
        sql`${t.status} in ('pending_new','new','triggered','partially_filled','pending_cancel','pending_replace')`,
      ),
  ],
);

export const orderEvents = pgTable(
  'order_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    seq: integer('seq').notNull(),
    eventId: text('event_id').notNull(),
    kind: text('kind').notNull(),
    /** The event as the domain knows it, decimals as strings. */
    payload: jsonb('payload').notNull(),
    venueTime: at('venue_time').notNull(),
    receivedAt: at('received_at').notNull(),
  },
  // One row per venue event: a redelivered event (same id) is recorded once.
  (t) => [
    uniqueIndex('order_events_order_seq').on(t.orderId, t.seq),
    uniqueIndex('order_events_event').on(t.orderId, t.eventId),
  ],
);

export const fills = pgTable(
  'fills',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    venue: text('venue').notNull(),
    accountId: text('account_id').notNull(),
    fillId: text('fill_id').notNull(),
    orderId: text('order_id').references(() => orders.id),
    clientOrderId: text('client_order_id').notNull(),
    venueOrderId: text('venue_order_id').notNull(),
    symbol: text('symbol').notNull(),
    side: text('side').notNull(),
    quantity: money('quantity').notNull(),
    price: money('price').notNull(),
    liquidity: text('liquidity').notNull(),
    fee: money('fee').notNull(),
    feeCurrency: text('fee_currency').notNull(),
    ts: at('ts').notNull(),
    recordedAt: at('recorded_at').notNull().defaultNow(),
  },
  // A fill is applied once: its key is (venue, account, fill id), ORDER-SEMANTICS.md §6.1.
  (t) => [uniqueIndex('fills_key').on(t.venue, t.accountId, t.fillId), index('fills_order').on(t.orderId)],
);

export const positions = pgTable(
  'positions',
  {
    accountId: text('account_id').notNull(),
    symbol: text('symbol').notNull(),
    quantity: money('quantity').notNull(),
    avgEntryPrice: money('avg_entry_price').notNull(),
    realizedPnl: money('realized_pnl').notNull(),
    fees: money('fees').notNull(),
    openedAt: at('opened_at'),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.symbol] })],
);

export const idempotencyKeys = pgTable('idempotency_keys', {
  /** `{scope}:{key}`, e.g. `order:{accountId}:{clientOrderId}`. */
  key: text('key').primaryKey(),
  requestHash: text('request_hash').notNull(),
  resourceId: text('resource_id').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const riskLimits = pgTable(
  'risk_limits',
  {
    scope: text('scope').notNull(),
    scopeId: text('scope_id').notNull(),
    limits: jsonb('limits').notNull(),
    updatedBy: text('updated_by'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.scopeId] })],
);

/**
 * The usage epoch (one row): advanced by every admission (under the risk lock) and after every
 * committed write that can raise usage outside one (an order inserted or re-opened, a leg
 * released, a quantity or price raised). A process whose admission finds it one past its own last
 * value knows no other write changed usage since, and uses the usage it keeps in memory
 * (src/engine/usage-cache.ts). A row, not a sequence: an admission's advance commits with it, so
 * a snapshot that reads the epoch and the open orders sees exactly the admissions up to that epoch.
 */
export const riskUsageEpoch = pgTable('risk_usage_epoch', {
  id: integer('id').primaryKey(),
  epoch: bigint('epoch', { mode: 'bigint' }).notNull(),
});

/** The trading state (ORDER-SEMANTICS.md §7.4), shared by every server process on this database. */
export const tradingState = pgTable('trading_state', {
  scope: text('scope').primaryKey(),
  state: text('state').notNull(),
  reason: text('reason').notNull(),
  changedBy: text('changed_by').notNull(),
  changedAt: at('changed_at').notNull(),
});

/** Equity per account over time: the start of the day, the drawdown monitor, VaR and Sharpe. */
export const equitySnapshots = pgTable(
  'equity_snapshots',
  {
    accountId: text('account_id').notNull(),
    at: at('at').notNull(),
    equity: money('equity').notNull(),
    cash: money('cash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.at] })],
);

export const routingDecisions = pgTable(
  'routing_decisions',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    objective: text('objective').notNull(),
    scores: jsonb('scores').notNull(),
    symbol: text('symbol'),
    side: text('side'),
    quantity: money('quantity'),
    split: boolean('split').notNull().default(false),
    expectedAveragePrice: money('expected_average_price'),
    estimatedCost: money('estimated_cost'),
    marketImpactBps: money('market_impact_bps'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('routing_decisions_order').on(t.orderId)],
);

export const routingAllocations = pgTable(
  'routing_allocations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    decisionId: text('decision_id')
      .notNull()
      .references(() => routingDecisions.id),
    venue: text('venue').notNull(),
    accountId: text('account_id').notNull(),
    quantity: money('quantity').notNull(),
    expectedPrice: money('expected_price'),
    fees: money('fees'),
    score: money('score'),
  },
  (t) => [index('routing_allocations_decision').on(t.decisionId)],
);

/** One row per finished order sent to a venue (src/analytics): what its execution cost and how fast. */
export const executionMetrics = pgTable(
  'execution_metrics',
  {
    orderId: text('order_id').primaryKey(),
    venue: text('venue').notNull(),
    accountId: text('account_id'),
    agentId: text('agent_id'),
    symbol: text('symbol'),
    side: text('side'),
    type: text('type'),
    quantity: money('quantity'),
    filledQty: money('filled_qty'),
    avgFillPrice: money('avg_fill_price'),
    fees: money('fees'),
    arrivalPrice: money('arrival_price'),
    slippageBps: money('slippage_bps'),
    implementationShortfall: money('implementation_shortfall'),
    priceImprovementBps: money('price_improvement_bps'),
    fillRate: money('fill_rate'),
    /** Sent to the venue's first answer (ack, fill or reject). */
    latencyMs: integer('latency_ms'),
    /** Sent to the first fill. */
    fillLatencyMs: integer('fill_latency_ms'),
    status: text('status'),
    completedAt: at('completed_at'),
    computedAt: at('computed_at').notNull().defaultNow(),
  },
  (t) => [index('execution_metrics_venue_completed').on(t.venue, t.completedAt)],
);

export const signals = pgTable('signals', {
  signalId: text('signal_id').primaryKey(),
  modelId: text('model_id').notNull(),
  agentId: text('agent_id').notNull(),
  symbol: text('symbol').notNull(),
  action: text('action').notNull(),
  confidence: money('confidence').notNull(),
  payload: jsonb('payload').notNull(),
  status: text('status').notNull(),
  orderId: text('order_id'),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const agents = pgTable('agents', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  card: jsonb('card').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    agentId: text('agent_id')
      .notNull()
      .references(() => agents.id),
    /** SHA-256 of the key; the key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    /** The first characters, to tell keys apart in listings. */
    prefix: text('prefix').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.keyHash)],
);

/** Where reconciliation last got to, per venue account (ORDER-SEMANTICS.md §8.3). */
export const reconcileCheckpoints = pgTable(
  'reconcile_checkpoints',
  {
    venue: text('venue').notNull(),
    accountId: text('account_id').notNull(),
    checkpoint: at('checkpoint').notNull(),
  },
  (t) => [primaryKey({ columns: [t.venue, t.accountId] })],
);

/**
 * The paper venues' own state (src/brokers/paper/paper-state.ts): each row a JSON snapshot with
 * decimals as strings. The paper exchange is a venue, not the engine: its tables are its own.
 */
export const paperVenues = pgTable('paper_venues', {
  venue: text('venue').primaryKey(),
  instanceId: text('instance_id').notNull(),
  counters: jsonb('counters').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const paperOrders = pgTable(
  'paper_orders',
  {
    venue: text('venue').notNull(),
    accountId: text('account_id').notNull(),
    clientOrderId: text('client_order_id').notNull(),
    status: text('status').notNull(),
    snapshot: jsonb('snapshot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.venue, t.accountId, t.clientOrderId] })],
);

export const paperAccounts = pgTable(
  'paper_accounts',
  {
    venue: text('venue').notNull(),
    accountId: text('account_id').notNull(),
    snapshot: jsonb('snapshot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.venue, t.accountId] })],
);

export const paperPositions = pgTable(
  'paper_positions',
  {
    venue: text('venue').notNull(),
    accountId: text('account_id').notNull(),
    symbol: text('symbol').notNull(),
    snapshot: jsonb('snapshot').notNull(),
  },
  (t) => [primaryKey({ columns: [t.venue, t.accountId, t.symbol] })],
);

export const paperFills = pgTable(
  'paper_fills',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    venue: text('venue').notNull(),
    fillId: text('fill_id').notNull(),
    snapshot: jsonb('snapshot').notNull(),
  },
  (t) => [uniqueIndex('paper_fills_key').on(t.venue, t.fillId)],
);

/**
 * The audit trail: each row carries the hash of the previous one, so a changed or deleted row
 * breaks the chain (hash = sha256(prev_hash | seq | at | actor | action | entity | entity_id | data)).
 */
export const auditLog = pgTable('audit_log', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: at('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entity: text('entity').notNull(),
  entityId: text('entity_id').notNull(),
  data: jsonb('data').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/**
 * Broker connections (src/store/connection-store.ts): `credentials` is AES-256-GCM ciphertext
 * (src/brokers/credentials.ts) bound to the row's id, `key_id` the key that made it. A live
 * connection trades only when opted in with caps (decimal strings), each change audited.
 */
export const brokerConnections = pgTable('broker_connections', {
  id: text('id').primaryKey(),
  kind: text('kind').$type<'alpaca' | 'ccxt'>().notNull(),
  exchangeId: text('exchange_id'),
  mode: text('mode').$type<'paper' | 'live'>().notNull(),
  credentials: text('credentials').notNull(),
  keyId: text('key_id').notNull(),
  liveOptIn: boolean('live_opt_in').notNull().default(false),
  liveCaps: jsonb('live_caps').$type<{ maxOrderNotional: string; maxDailyNotional?: string }>(),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});
