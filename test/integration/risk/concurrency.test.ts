/**
 * The risk engine's concurrency proof (issue 5): 1,000 concurrent orders from 10 agents totalling
 * five times the buying power, in one process (on both backends) and in two processes sharing this
 * machine's PostgreSQL, ten repetitions each. Everything is read back from the orders table, not
 * from the engine's memory: accepted notional (plus the taker fee) never exceeds buying power, no
 * limit at any level (global gross exposure, account open orders, agent open orders and daily
 * notional) is exceeded, every denial is justified by what was accepted, and the binding limit was
 * actually reached (within one order), so the repetition proves something.
 *
 * The plan: buy limits at 95.00 under a 99.99 / 100.01 quote (inside the 10% band, below the bid:
 * they rest and never fill), quantities 1 to 9 summing to 5,000 shares = 475,000 = 5 × the 95,000
 * cash of one cash account. Agents come in three kinds: count-capped (maxOpenOrders 8), notional-
 * capped (maxDailyNotional 3,500) and wide (maxOpenOrders 60, maxDailyNotional 25,000). The wide
 * agents can take more than any account-wide limit, so one account-wide limit binds in every
 * repetition: buying power, global maxGrossExposure or account maxOpenOrders, in rotation. In the
 * two-process half each process's five agents can take at most 61,100 together: less than any
 * account-wide limit, so both processes get orders accepted, and more than it together, so they
 * compete for it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { BPS, type Decimal, ZERO, dec, sumDec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import { RiskEngine } from '../../../src/engine/risk-engine.js';
import type { Store } from '../../../src/store/db.js';
import { DrizzleRiskStore } from '../../../src/store/risk-store.js';
import { TEST_BACKENDS, createTestDatabase, useTestStore } from '../../support/databases.js';
import {
  type ChildMessage,
  type ParentMessage,
  type PlannedOrder,
  type VenueSetup,
  startEngine,
  submitAll,
} from './admission-process.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'admission-process.ts');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const REPETITIONS = 10;
const ORDERS = 1_000;
const AGENTS = 10;
/** Thursday 2026-03-05 10:00 New York: the equity session is open (and every Thursday after it). */
const T0 = Date.UTC(2026, 2, 5, 15, 0);
const WEEK = 7 * 24 * 60 * 60 * 1000;

const VENUE = 'paper-risk';
const CASH = dec(95_000);
const FEE_BPS = dec(2);
const LIMIT_PRICE = dec('95.00');
/** The largest order's notional: every "reached" margin is one order. */
const MAX_ORDER_NOTIONAL = dec(9).times(LIMIT_PRICE);

/** Quantity of order i: 1 to 9, every agent cycling through all of them; 5,000 shares in all. */
function quantityOf(i: number): number {
  return i === ORDERS - 1 ? 5 : 1 + ((4 * i) % 9);
}

function plan(rep: number): PlannedOrder[] {
  return Array.from({ length: ORDERS }, (_, i) => ({
    clientOrderId: `r${rep}-o${i}`,
    agentId: `agent-${i % AGENTS}`,
    quantity: String(quantityOf(i)),
    limitPrice: LIMIT_PRICE.toFixed(2),
  }));
}

type AgentKind = 'count' | 'notional' | 'wide';
const KINDS: readonly AgentKind[] = ['count', 'count', 'notional', 'wide', 'wide'];
/** agent-0..4 and agent-5..9 (the two processes' halves) have the same mix of kinds. */
const kindOf = (agentId: string): AgentKind => KINDS[Number(agentId.slice('agent-'.length)) % 5]!;

interface AgentLimits {
  readonly maxOpenOrders: number;
  readonly maxDailyNotional: Decimal;
}
const AGENT_LIMITS: Record<AgentKind, AgentLimits> = {
  count: { maxOpenOrders: 8, maxDailyNotional: dec(1_000_000) },
  notional: { maxOpenOrders: 60, maxDailyNotional: dec(3_500) },
  wide: { maxOpenOrders: 60, maxDailyNotional: dec(25_000) },
};

type Binding = 'buying_power' | 'gross_exposure' | 'account_open_orders';
const ROTATION: readonly Binding[] = [
  'buying_power',
  'gross_exposure',
  'buying_power',
  'account_open_orders',
];

interface Scenario {
  readonly binding: Binding;
  readonly accountMaxOpenOrders: number;
  readonly globalMaxGrossExposure: Decimal;
}

function scenarioOf(rep: number): Scenario {
  const binding = ROTATION[rep % ROTATION.length]!;
  return {
    binding,
    accountMaxOpenOrders: binding === 'account_open_orders' ? 160 : 400,
    globalMaxGrossExposure: dec(binding === 'gross_exposure' ? 80_000 : 200_000),
  };
}

async function setLimits(risk: RiskEngine, accountId: string, scenario: Scenario): Promise<void> {
  const actor = 'risk-admin';
  await risk.setLimits(
    'global',
    '*',
    {
      maxOrdersPerSecond: 100_000,
      maxOrdersPerMinute: 100_000,
      maxGrossExposure: scenario.globalMaxGrossExposure,
    },
    actor,
  );
  await risk.setLimits('account', accountId, { maxOpenOrders: scenario.accountMaxOpenOrders }, actor);
  for (let a = 0; a < AGENTS; a++) {
    const agentId = `agent-${a}`;
    await risk.setLimits('agent', agentId, AGENT_LIMITS[kindOf(agentId)], actor);
  }
}

// ------------------------------------------------------------------ reading back and checking

const OPEN = `('pending_new','new','triggered','partially_filled','pending_cancel','pending_replace')`;

interface Row {
  readonly clientOrderId: string;
  readonly agentId: string;
  readonly status: string;
  readonly quantity: Decimal;
  readonly filledQty: Decimal;
  readonly limitPrice: Decimal;
  readonly riskPrice: Decimal | undefined;
  readonly rejectCode: string | undefined;
  readonly rejectMessage: string | undefined;
  readonly notional: Decimal;
}

async function readRows(store: Store, accountId: string): Promise<Row[]> {
  const rows = await store.query(
    `select client_order_id, agent_id, status, quantity::text as quantity, filled_qty::text as filled_qty,
            limit_price::text as limit_price, risk_price::text as risk_price, reject_code, reject_message
     from orders where account_id = $1`,
    [accountId],
  );
  return rows.map((r) => {
    const quantity = dec(text(r['quantity']));
    const limitPrice = dec(text(r['limit_price']));
    const riskPrice = optional(r['risk_price']);
    const rejectCode = optional(r['reject_code']);
    const rejectMessage = optional(r['reject_message']);
    return {
      clientOrderId: text(r['client_order_id']),
      agentId: text(r['agent_id']),
      status: text(r['status']),
      quantity,
      filledQty: dec(text(r['filled_qty'])),
      limitPrice,
      riskPrice: riskPrice === undefined ? undefined : dec(riskPrice),
      rejectCode,
      rejectMessage,
      notional: quantity.times(limitPrice),
    };
  });
}

/** A text or numeric column as a string. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`expected a text column, got ${typeof value}`);
}

function optional(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : text(value);
}

/** Gross exposure over every open order in the database (all accounts: the global level's scope). */
async function globalGross(store: Store): Promise<{ gross: Decimal; open: number }> {
  const [row] = await store.query(
    `select coalesce(sum((quantity - filled_qty) * coalesce(risk_price, limit_price)), 0)::text as gross,
            count(*)::int as open
     from orders where status in ${OPEN}`,
    [],
  );
  return { gross: dec(text(row?.['gross'] ?? '0')), open: Number(row?.['open'] ?? 0) };
}

/** The level a denial names ("over the agent limit ..."). */
function levelOf(message: string | undefined): string | undefined {
  return /over the (global|account|agent) limit/.exec(message ?? '')?.[1];
}

interface Outcome {
  readonly binding: Binding;
  readonly accepted: number;
  readonly denied: number;
  /** Σ accepted quantity × limit price × (1 + taker fee): what the orders hold of the buying power. */
  readonly cost: Decimal;
  readonly gross: Decimal;
  readonly accountOpen: number;
  /** What was left under the binding limit (amount, or orders for the count). */
  readonly headroom: string;
  readonly codes: Record<string, number>;
  readonly acceptedByAgent: Map<string, number>;
}

/**
 * Every invariant of the proof, from the database. `tightAgentsReached`: the count- and notional-
 * capped agents must each have reached their own limit (one process: the orders are admitted in
 * submission order, interleaved across agents, so they reach theirs before any account-wide limit).
 */
async function verify(
  store: Store,
  accountId: string,
  scenario: Scenario,
  orders: readonly PlannedOrder[],
  tightAgentsReached: boolean,
): Promise<Outcome> {
  const rows = await readRows(store, accountId);
  // Every planned order was recorded once, accepted (acknowledged, resting) or denied.
  expect(rows.map((r) => r.clientOrderId).sort()).toEqual(orders.map((o) => o.clientOrderId).sort());
  const statuses = new Set(rows.map((r) => r.status));
  expect([...statuses].filter((s) => s !== 'new' && s !== 'denied')).toEqual([]);
  const accepted = rows.filter((r) => r.status !== 'denied');
  const denied = rows.filter((r) => r.status === 'denied');
  for (const r of accepted) {
    expect(r.filledQty.isZero(), r.clientOrderId).toBe(true);
    expect(r.riskPrice?.equals(r.limitPrice), r.clientOrderId).toBe(true);
  }

  // Usage at every level, from the accepted orders.
  const agentOpen = new Map<string, number>();
  const agentNotional = new Map<string, Decimal>();
  for (const r of accepted) {
    agentOpen.set(r.agentId, (agentOpen.get(r.agentId) ?? 0) + 1);
    agentNotional.set(r.agentId, (agentNotional.get(r.agentId) ?? ZERO).plus(r.notional));
  }
  const notional = sumDec(accepted.map((r) => r.notional));
  const feeFactor = BPS.plus(FEE_BPS); // × 1/BPS
  const cost = notional.times(feeFactor).div(BPS);
  const { gross, open: globalOpen } = await globalGross(store);
  const accountOpen = accepted.length;
  expect(globalOpen).toBe(accountOpen); // nothing else is open: the repetitions are independent

  // 1. No limit at any level is exceeded.
  expect(notional.times(feeFactor).lessThanOrEqualTo(CASH.times(BPS)), `cost ${cost.toFixed()}`).toBe(true);
  expect(gross.lessThanOrEqualTo(scenario.globalMaxGrossExposure), `gross ${gross.toFixed()}`).toBe(true);
  expect(accountOpen).toBeLessThanOrEqual(scenario.accountMaxOpenOrders);
  for (let a = 0; a < AGENTS; a++) {
    const agentId = `agent-${a}`;
    const limits = AGENT_LIMITS[kindOf(agentId)];
    expect(agentOpen.get(agentId) ?? 0, agentId).toBeLessThanOrEqual(limits.maxOpenOrders);
    const used = agentNotional.get(agentId) ?? ZERO;
    expect(used.lessThanOrEqualTo(limits.maxDailyNotional), `${agentId} ${used.toFixed()}`).toBe(true);
  }

  // 2. Every denial carries the code of a limit that the accepted orders really leave no room under
  // (usage only grows during a repetition, so what denied an order then still denies it now).
  const codes: Record<string, number> = {};
  for (const r of denied) {
    const level = levelOf(r.rejectMessage);
    const key = `${r.rejectCode ?? '?'}${level === undefined ? '' : `@${level}`}`;
    codes[key] = (codes[key] ?? 0) + 1;
    const limits = AGENT_LIMITS[kindOf(r.agentId)];
    const why = `${r.clientOrderId} (${r.agentId}, ${r.quantity.toFixed()}): ${key} ${r.rejectMessage ?? ''}`;
    switch (key) {
      case 'DAILY_NOTIONAL_LIMIT@agent':
        expect(
          (agentNotional.get(r.agentId) ?? ZERO).plus(r.notional).greaterThan(limits.maxDailyNotional),
          why,
        ).toBe(true);
        break;
      case 'MAX_OPEN_ORDERS@agent':
        expect(agentOpen.get(r.agentId), why).toBe(limits.maxOpenOrders);
        break;
      case 'MAX_OPEN_ORDERS@account':
        expect(accountOpen, why).toBe(scenario.accountMaxOpenOrders);
        break;
      case 'EXPOSURE_LIMIT@global':
        expect(gross.plus(r.notional).greaterThan(scenario.globalMaxGrossExposure), why).toBe(true);
        break;
      case 'INSUFFICIENT_BUYING_POWER':
        expect(notional.plus(r.notional).times(feeFactor).greaterThan(CASH.times(BPS)), why).toBe(true);
        break;
      default:
        expect.fail(`unexpected denial ${why}`);
    }
  }

  // 3. The limits were reached: the binding account-wide one within one order, and the agents' own.
  let headroom: string;
  if (scenario.binding === 'buying_power') {
    const left = CASH.minus(cost);
    headroom = left.toFixed(4);
    expect(left.lessThan(MAX_ORDER_NOTIONAL.times(feeFactor).div(BPS)), `buying power left ${headroom}`).toBe(
      true,
    );
    expect(codes['INSUFFICIENT_BUYING_POWER']).toBeGreaterThan(0);
  } else if (scenario.binding === 'gross_exposure') {
    const left = scenario.globalMaxGrossExposure.minus(gross);
    headroom = left.toFixed();
    expect(left.lessThan(MAX_ORDER_NOTIONAL), `gross exposure left ${headroom}`).toBe(true);
    expect(codes['EXPOSURE_LIMIT@global']).toBeGreaterThan(0);
  } else {
    headroom = `${scenario.accountMaxOpenOrders - accountOpen} orders`;
    expect(accountOpen).toBe(scenario.accountMaxOpenOrders);
    expect(codes['MAX_OPEN_ORDERS@account']).toBeGreaterThan(0);
  }
  expect(codes['MAX_OPEN_ORDERS@agent']).toBeGreaterThan(0);
  expect(codes['DAILY_NOTIONAL_LIMIT@agent']).toBeGreaterThan(0);
  if (tightAgentsReached) {
    for (let a = 0; a < AGENTS; a++) {
      const agentId = `agent-${a}`;
      const kind = kindOf(agentId);
      if (kind === 'count') expect(agentOpen.get(agentId), agentId).toBe(AGENT_LIMITS.count.maxOpenOrders);
      if (kind === 'notional') {
        const left = AGENT_LIMITS.notional.maxDailyNotional.minus(agentNotional.get(agentId) ?? ZERO);
        expect(left.lessThan(MAX_ORDER_NOTIONAL), `${agentId} left ${left.toFixed()}`).toBe(true);
      }
    }
  }

  return {
    binding: scenario.binding,
    accepted: accepted.length,
    denied: denied.length,
    cost,
    gross,
    accountOpen,
    headroom,
    codes,
    acceptedByAgent: agentOpen,
  };
}

interface Report {
  readonly rep: number;
  readonly outcome: Outcome;
  readonly ms: number;
  readonly extra?: string;
}

function line(label: string, { rep, outcome, ms, extra }: Report): string {
  const pct = outcome.cost.div(CASH).times(100).toFixed(2);
  return (
    `${label} rep ${rep} [${outcome.binding}]: ${outcome.accepted} accepted, ${outcome.denied} denied; ` +
    `held ${outcome.cost.toFixed(4)} of buying power ${CASH.toFixed()} (${pct}%), gross ${outcome.gross.toFixed()}, ` +
    `${outcome.accountOpen} open; left under the binding limit ${outcome.headroom}; ` +
    `denials ${JSON.stringify(outcome.codes)}; ${ms.toFixed(0)} ms${extra === undefined ? '' : `; ${extra}`}`
  );
}

function summary(label: string, reports: readonly Report[]): void {
  if (reports.length === 0) return;
  const ratios = reports.map((r) => r.outcome.cost.div(CASH));
  const bp = reports.filter((r) => r.outcome.binding === 'buying_power').map((r) => r.outcome.cost);
  const min = (xs: Decimal[]): string => xs.reduce((m, x) => (x.lessThan(m) ? x : m)).toFixed(4);
  const max = (xs: Decimal[]): string => xs.reduce((m, x) => (x.greaterThan(m) ? x : m)).toFixed(4);
  console.log(
    `${label}: ${reports.length} repetitions; held / buying power min ${min(ratios)} max ${max(ratios)}; ` +
      (bp.length === 0
        ? ''
        : `when buying power binds: held min ${min(bp)} max ${max(bp)} of ${CASH.toFixed()}; `) +
      `ms per repetition min ${Math.min(...reports.map((r) => r.ms)).toFixed(0)} max ${Math.max(...reports.map((r) => r.ms)).toFixed(0)}`,
  );
}

const REPS = Array.from({ length: REPETITIONS }, (_, i) => i);

// ------------------------------------------------------------------ one process

describe.each(TEST_BACKENDS)('risk admission under concurrency, one process on %s', (backend) => {
  const store = useTestStore(backend);
  const reports: Report[] = [];
  afterAll(() => {
    summary(`one process on ${backend}`, reports);
  });

  it.each(REPS)(
    'repetition %i: 1,000 concurrent orders from 10 agents at 5× the buying power exceed no limit',
    async (rep) => {
      // A fresh account on its own trading day (a week after the last): independent of the others,
      // whose orders were all canceled.
      const venue: VenueSetup = {
        venue: VENUE,
        accountId: `acct-1p-${rep}`,
        cash: CASH.toFixed(),
        takerFeeBps: FEE_BPS.toFixed(),
        now: T0 + rep * WEEK,
      };
      const scenario = scenarioOf(rep);
      const orders = plan(rep);
      const engine = await startEngine(store(), venue);
      try {
        await setLimits(engine.risk, venue.accountId, scenario);
        const started = performance.now();
        const results = await submitAll(engine, venue, orders);
        const ms = performance.now() - started;
        expect(results).toHaveLength(ORDERS);
        const outcome = await verify(store(), venue.accountId, scenario, orders, true);
        // What submit answered agrees with what the database holds.
        expect(results.filter((r) => r.order.status === 'denied')).toHaveLength(outcome.denied);
        const report = { rep, outcome, ms };
        reports.push(report);
        console.log(line(`one process on ${backend}`, report));
      } finally {
        await engine.service.cancelAll({ accountId: venue.accountId });
        await engine.service.idle();
        engine.stop();
      }
      expect((await globalGross(store())).open).toBe(0);
    },
    120_000,
  );
});

// ------------------------------------------------------------------ two processes

/** An engine process (admission-process.ts), kept running across the repetitions. */
class EngineProcess {
  private readonly child: ChildProcess;
  private readonly inbox: ChildMessage[] = [];
  private waiting: { resolve: (m: ChildMessage) => void; reject: (e: Error) => void } | undefined;
  private exited: Error | undefined;
  private stderr = '';
  private readonly exit: Promise<void>;

  constructor(readonly name: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      cwd: ROOT,
      env: { ...process.env },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('message', (message: ChildMessage) => {
      if (this.waiting === undefined) this.inbox.push(message);
      else {
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve(message);
      }
    });
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = new Error(`${name} exited (${code ?? signal ?? '?'}): ${this.stderr}`);
        this.waiting?.reject(this.exited);
        this.waiting = undefined;
        resolve();
      });
    });
  }

  send(message: ParentMessage): void {
    this.child.send(message);
  }

  /** The next message, which must be of `type` (a `failed` one throws the child's error). */
  async expect<T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
    const message = await this.next();
    if (message.type === 'failed') throw new Error(`${this.name} failed: ${message.error}`);
    if (message.type !== type) throw new Error(`${this.name}: expected ${type}, got ${message.type}`);
    return message as Extract<ChildMessage, { type: T }>;
  }

  private next(): Promise<ChildMessage> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.exited !== undefined) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  async stop(): Promise<void> {
    if (this.exited === undefined) {
      if (this.child.connected) this.child.disconnect();
      else this.child.kill();
    }
    await this.exit;
  }
}

describe('risk admission under concurrency, two processes on one PostgreSQL', () => {
  let engines: EngineProcess[] = [];
  const reports: Report[] = [];

  beforeAll(async () => {
    engines = [new EngineProcess('process A'), new EngineProcess('process B')];
    await Promise.all(engines.map((e) => e.expect('started')));
  }, 60_000);

  afterAll(async () => {
    summary('two processes on postgres', reports);
    await Promise.all(engines.map((e) => e.stop()));
  });

  it.each(REPS)(
    'repetition %i: two engines admit 500 orders each at once on one database and exceed no limit together',
    async (rep) => {
      const database = await createTestDatabase('postgres');
      try {
        const venue: VenueSetup = {
          venue: VENUE,
          accountId: `acct-2p-${rep}`,
          cash: CASH.toFixed(),
          takerFeeBps: FEE_BPS.toFixed(),
          now: T0,
        };
        const scenario = scenarioOf(rep);
        const orders = plan(rep);
        // The limits first, in the shared database.
        const admin = await database.open();
        try {
          const risk = new RiskEngine({
            store: new DrizzleRiskStore(admin),
            brokers: [],
            instruments: new InstrumentRegistry(),
            clock: new SimulatedClock(T0),
            bus: new EventBus(),
          });
          await setLimits(risk, venue.accountId, scenario);
        } finally {
          await admin.close();
        }
        // Agents 0-4 in one process, 5-9 in the other: 500 orders each.
        const halves = [
          orders.filter((o) => Number(o.agentId.slice('agent-'.length)) < AGENTS / 2),
          orders.filter((o) => Number(o.agentId.slice('agent-'.length)) >= AGENTS / 2),
        ];
        engines.forEach((e, i) => {
          e.send({ type: 'prepare', url: database.url, venue, orders: halves[i]! });
        });
        await Promise.all(engines.map((e) => e.expect('ready')));
        const started = performance.now();
        for (const e of engines) e.send({ type: 'go' });
        const done = await Promise.all(engines.map((e) => e.expect('done')));
        const ms = performance.now() - started;

        const store = await database.open();
        try {
          const outcome = await verify(store, venue.accountId, scenario, orders, false);
          // Both processes had orders accepted and orders denied: they really competed.
          done.forEach((d, i) => {
            expect(d.accepted + d.denied, engines[i]!.name).toBe(ORDERS / 2);
            expect(d.accepted, engines[i]!.name).toBeGreaterThan(0);
            expect(d.denied, engines[i]!.name).toBeGreaterThan(0);
          });
          // And each reported what the database holds for its agents.
          const acceptedOf = (half: readonly PlannedOrder[]): number =>
            [...new Set(half.map((o) => o.agentId))].reduce(
              (sum, agentId) => sum + (outcome.acceptedByAgent.get(agentId) ?? 0),
              0,
            );
          expect(done.map((d) => d.accepted)).toEqual(halves.map(acceptedOf));
          const report = {
            rep,
            outcome,
            ms,
            extra: `accepted A ${done[0]!.accepted} B ${done[1]!.accepted}`,
          };
          reports.push(report);
          console.log(line('two processes on postgres', report));
        } finally {
          await store.close();
        }
      } finally {
        await database.drop();
      }
    },
    120_000,
  );
});
