import { expect } from 'vitest';
import type { VenueEvent } from '../../../src/brokers/broker.js';
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import type { VenueProfile } from '../../../src/brokers/paper/venue-profiles.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { type DecimalInput, dec } from '../../../src/domain/decimal.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { EventBus, type RiskAlert } from '../../../src/engine/event-bus.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService, type SubmitInput } from '../../../src/engine/order-service.js';
import type { StoredOrder } from '../../../src/engine/ports.js';
import { RiskControls } from '../../../src/engine/risk-controls.js';
import { RiskEngine } from '../../../src/engine/risk-engine.js';
import { SignalDesk } from '../../../src/engine/signals.js';
import { ScriptedFeed } from '../../../src/marketdata/feeds/index.js';
import type { RiskLimits } from '../../../src/risk/types.js';
import type { Store } from '../../../src/store/db.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { DrizzleRiskStore } from '../../../src/store/risk-store.js';

/** Thursday 2026-03-05 10:00 New York: the US equity session is open. */
export const T0 = Date.UTC(2026, 2, 5, 15, 0);

/** Every equity fill pays 10 bps taker fee (equities default to 0; a fee makes buying power exact work). */
export const TAKER_FEE_BPS = '10';

/**
 * One paper venue with two accounts:
 * - `acct-1`: margin, 1 000 000 USD, multiplier 4 (buying power 4 000 000 while flat);
 * - `acct-cash`: cash, 10 000 USD (buying power = cash).
 */
export const PROFILE: VenueProfile = {
  id: 'paper-risk',
  name: 'risk test venue',
  description: '',
  assetClasses: ['us_equity'],
  depthScale: dec(1),
  options: { taker_fee_bps: TAKER_FEE_BPS },
  symbolOptions: {},
  accounts: [
    {
      id: 'acct-1',
      venue: 'paper-risk',
      mode: 'paper',
      type: 'margin',
      currency: 'USD',
      cash: { USD: dec(1_000_000) },
      marginMultiplier: dec(4),
      allowShort: true,
      patternDayTrader: false,
      dayTrades: [],
      tradingBlocked: false,
    },
    {
      id: 'acct-cash',
      venue: 'paper-risk',
      mode: 'paper',
      type: 'cash',
      currency: 'USD',
      cash: { USD: dec(10_000) },
      marginMultiplier: dec(1),
      allowShort: false,
      patternDayTrader: false,
      dayTrades: [],
      tradingBlocked: false,
    },
  ],
};

const OPEN_STATUSES = `('pending_new','new','triggered','partially_filled','pending_cancel','pending_replace')`;

/**
 * The suite's database outlives each test, and the risk engine reads everything in it (open orders
 * of every account for the global level, positions, recent activity for the rate limits, limits,
 * the one trading state). This leaves it as a fresh engine would find it: no open orders, no
 * positions, no limits, no trading state, no equity snapshots or signals, and every earlier order
 * moved a week back so that no rate window or trading day counts it. (Events, fills and the audit
 * log are append-only: they stay, and nothing here reads them across tests.)
 */
export async function resetRiskTables(store: Store): Promise<void> {
  await store.query(`update orders set status = 'canceled' where status in ${OPEN_STATUSES}`, []);
  await store.query(`update orders set created_at = created_at - interval '7 days'`, []);
  await store.query('delete from positions', []);
  await store.query('delete from risk_limits', []);
  await store.query('delete from trading_state', []);
  await store.query('delete from equity_snapshots', []);
  await store.query('delete from signals', []);
}

export interface RiskRig {
  readonly clock: SimulatedClock;
  readonly feed: ScriptedFeed;
  readonly broker: PaperBroker;
  readonly bus: EventBus;
  readonly instruments: InstrumentRegistry;
  readonly orders: DrizzleOrderStore;
  readonly riskStore: DrizzleRiskStore;
  readonly risk: RiskEngine;
  readonly service: OrderService;
  readonly controls: RiskControls;
  readonly signals: SignalDesk;
  /** Every 'trade.risk.alert' published, in order. */
  readonly alerts: RiskAlert[];
  /** Every event the venue streamed, in order. */
  readonly venueEvents: VenueEvent[];
  close(): Promise<void>;
}

/** The engine as src/main/trading-app.ts wires it, on a simulated clock and a scripted feed. */
export async function openRig(
  store: Store,
  options: { agentLimits?: (agentId: string) => RiskLimits; profile?: VenueProfile } = {},
): Promise<RiskRig> {
  const clock = new SimulatedClock(T0);
  const feed = new ScriptedFeed({ clock });
  const instruments = new InstrumentRegistry();
  const broker = new PaperBroker({ profile: options.profile ?? PROFILE, instruments, clock, feed });
  await broker.connect();
  const venueEvents: VenueEvent[] = [];
  broker.subscribe((event) => venueEvents.push(event));
  const bus = new EventBus();
  const alerts: RiskAlert[] = [];
  bus.subscribe('trade.risk.alert', ({ alert }) => alerts.push(alert));
  const orders = new DrizzleOrderStore(store);
  const riskStore = new DrizzleRiskStore(store);
  const risk = new RiskEngine({
    store: riskStore,
    brokers: [broker],
    instruments,
    clock,
    bus,
    ...(options.agentLimits === undefined ? {} : { agentLimits: options.agentLimits }),
  });
  await risk.start();
  const service = new OrderService({
    store: orders,
    brokers: [broker],
    instruments,
    clock,
    ids: new RandomIds(() => clock.now()),
    bus,
    risk,
  });
  service.start();
  const controls = new RiskControls({
    engine: risk,
    service,
    store: riskStore,
    brokers: [broker],
    clock,
    bus,
    snapshotEveryMs: 0,
  });
  const signals = new SignalDesk({ service, risk, store: riskStore, instruments, clock });
  // AAPL: bid 100.00 / ask 100.02 (mid 100.01), unlimited size at the touch.
  feed.set('AAPL', { bid: '100.00', ask: '100.02' });
  return {
    clock,
    feed,
    broker,
    bus,
    instruments,
    orders,
    riskStore,
    risk,
    service,
    controls,
    signals,
    alerts,
    venueEvents,
    close: async () => {
      await service.idle();
      await risk.idle();
      service.stop();
      await broker.close();
    },
  };
}

export const unique = (prefix = 'c'): string => `${prefix}${Math.random().toString(36).slice(2, 12)}`;

/** A day market order on acct-1 (override anything). */
export function market(
  side: 'buy' | 'sell',
  quantity: DecimalInput,
  overrides: Partial<SubmitInput> = {},
): SubmitInput {
  return {
    symbol: 'AAPL',
    side,
    type: 'market',
    quantity: dec(quantity),
    timeInForce: 'day',
    clientOrderId: unique(),
    accountId: 'acct-1',
    agentId: 'agent-risk',
    reason: 'integration test',
    ...overrides,
  };
}

/** A gtc limit order on acct-1 (override anything). */
export function limit(
  side: 'buy' | 'sell',
  quantity: DecimalInput,
  price: DecimalInput,
  overrides: Partial<SubmitInput> = {},
): SubmitInput {
  return market(side, quantity, {
    type: 'limit',
    limitPrice: dec(price),
    timeInForce: 'gtc',
    ...overrides,
  });
}

/** The order's status and denial code, as one comparable value. */
export function outcome(stored: StoredOrder): string {
  const reject = stored.order.reject;
  return reject === undefined ? stored.order.status : `${stored.order.status}:${reject.code}`;
}

/** Waits until the account's position in the symbol is as expected (fills apply on the engine's queue). */
export async function expectPosition(
  rig: RiskRig,
  accountId: string,
  symbol: string,
  quantity: string,
): Promise<void> {
  await rig.service.idle();
  await expect
    .poll(async () => {
      const held = (await rig.service.positions(accountId)).find((p) => p.symbol === symbol);
      return held?.quantity.toFixed() ?? '0';
    })
    .toBe(quantity);
}

/** Audit rows of one action by one actor, oldest first. */
export async function auditRows(
  store: Store,
  action: string,
  actor: string,
): Promise<{ entity: string; entityId: string; data: Record<string, unknown> }[]> {
  const rows = await store.query(
    'select entity, entity_id, data from audit_log where action = $1 and actor = $2 order by seq',
    [action, actor],
  );
  return rows.map((r) => ({
    entity: String(r['entity']),
    entityId: String(r['entity_id']),
    data: (typeof r['data'] === 'string' ? JSON.parse(r['data']) : r['data']) as Record<string, unknown>,
  }));
}
