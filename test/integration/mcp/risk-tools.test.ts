/**
 * The risk tools of CONTRACT.md (performRiskCheck, getRiskLimits, setRiskLimits, emergencyStop,
 * resumeTrading, submitSignal) and the trading://risk/limits resource, driven through the SDK's own
 * Client over the in-memory transport against the real core (PGlite in memory, the paper venues on a
 * scripted market and a simulated clock that does not move by itself, so the quotes stay fresh):
 * scopes decide who may change limits and halt trading, a denial is an isError result with the
 * denial's code and the denied order's id (ORDER-SEMANTICS.md §7.1), and every figure is an exact
 * decimal string. Each test trades as its own agent id, so the default rate limit of 20 orders per
 * second per agent (the clock never leaves its second) is never reached.
 */
import { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TradingApp } from '../../../src/main/trading-app.js';
import { toolDeps } from '../../../src/mcp/deps.js';
import { ResourceChanges } from '../../../src/mcp/resources.js';
import { createMcpServer } from '../../../src/mcp/server.js';
import type { CallerAgent, Scope, ToolDeps } from '../../../src/mcp/tool-kit.js';
import { TOOLS } from '../../../src/mcp/tools.js';
import {
  type Structured,
  callTool as call,
  connectInMemory,
  resourceUpdates,
  startTestCore,
} from '../../support/core.js';
import { EXPECTED_CHECK_ORDER } from '../../../src/risk/test-support.js';

let app: TradingApp;
let deps: ToolDeps;
let changes: ResourceChanges;
/** The risk admin every test changes limits and the trading state through. */
let admin: Client;

const TRADER: readonly Scope[] = ['read', 'trade'];
const RISK_ADMIN: readonly Scope[] = ['read', 'trade', 'risk:admin'];
const ADMIN_TOOLS = ['setRiskLimits', 'emergencyStop', 'resumeTrading'];

const CHECK_NAMES = EXPECTED_CHECK_ORDER;

/** The defaults of ORDER-SEMANTICS.md §7.2, in force at the global level when nothing is set. */
const DEFAULT_GLOBAL = {
  priceBandPct: '10',
  maxQuoteAgeMs: 5000,
  maxOrdersPerSecond: 20,
  maxOrdersPerMinute: 300,
};

beforeAll(async () => {
  const core = await startTestCore();
  app = core.app;
  deps = toolDeps(app, core.registry);
  changes = new ResourceChanges(app.bus);
  // AAPL's reference (the mid) is 190: the 10% band tops out at 209 for a buy limit.
  core.feed.set('AAPL', { book: { bids: [['189.98', '5000']], asks: [['190.02', '5000']] } });
  core.feed.set('MSFT', { book: { bids: [['409.90', '5000']], asks: [['410.10', '5000']] } });
  admin = await connect(RISK_ADMIN, 'risk-admin-test');
});

afterEach(async () => {
  // Each test leaves the core as it found it: trading active, no global or account limits set.
  if (app.risk.tradingState().state !== 'active') {
    await app.riskControls.resumeTrading({ state: 'active', reason: 'test cleanup', actor: 'test' });
  }
  await app.risk.setLimits(
    'global',
    '*',
    { maxOrderNotional: null, maxOpenOrders: null, priceBandPct: null },
    'test cleanup',
  );
  await app.risk.setLimits('account', 'eq-margin', { maxOrderNotional: null }, 'test cleanup');
});

afterAll(async () => {
  await admin.close();
  changes.stop();
  await app.stop();
});

async function connect(scopes: readonly Scope[], id: string): Promise<Client> {
  const caller: CallerAgent = { id, scopes: new Set(scopes) };
  const server = createMcpServer(deps, caller, { version: 'test', changes });
  return connectInMemory(server, new Client({ name: 'risk-tools-test', version: '1.0.0' }));
}

interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly details?: Structured;
}
const errorOf = (answer: { structured: Structured }) => answer.structured['error'] as ErrorBody;

interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly skipped?: boolean;
  readonly level?: string;
  readonly limit?: string;
  readonly actual?: string;
  readonly message?: string;
}
const checksOf = (answer: { structured: Structured }) => answer.structured['checks'] as Check[];

interface Usage {
  readonly level: string;
  readonly scopeId: string;
  readonly openOrders: number;
}

async function orderCount(): Promise<number> {
  return (await app.service.listOrders({ status: 'all', limit: 200 })).orders.length;
}

const restingBuy = (quantity: string, limitPrice: string, symbol = 'AAPL') => ({
  symbol,
  side: 'buy',
  type: 'limit',
  quantity,
  limitPrice,
  timeInForce: 'gtc',
  reason: 'risk tools test',
});

async function setGlobal(limits: Structured): Promise<void> {
  const set = await call(admin, 'setRiskLimits', { level: 'global', limits, reason: 'risk tools test' });
  expect(set.isError, JSON.stringify(set.structured)).toBe(false);
}

describe('tools/list by scope', () => {
  it('shows a trader the read and trade risk tools only, and refuses it setRiskLimits FORBIDDEN', async () => {
    const trader = await connect(TRADER, 'list-trader');
    const names = (await trader.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(TOOLS.filter((t) => t.scope === 'read' || t.scope === 'trade').map((t) => t.name));
    for (const name of ['performRiskCheck', 'getRiskLimits', 'submitSignal']) expect(names).toContain(name);
    for (const name of ADMIN_TOOLS) expect(names).not.toContain(name);

    const refused = await call(trader, 'setRiskLimits', {
      level: 'global',
      limits: { maxOrderNotional: '1' },
      reason: 'not mine to set',
    });
    expect(refused.isError).toBe(true);
    expect(errorOf(refused)).toMatchObject({ code: 'FORBIDDEN', hint: expect.any(String) as unknown });
    expect(errorOf(refused).message).toContain('risk:admin');
    for (const name of ['emergencyStop', 'resumeTrading']) {
      const other = await call(trader, name, { reason: 'no', state: 'active' });
      expect(errorOf(other).code, name).toBe('FORBIDDEN');
    }
    // Nothing changed: the global level holds the defaults only, and trading is active.
    const limits = await call(trader, 'getRiskLimits');
    expect(limits.structured).toMatchObject({ tradingState: 'active', limits: { global: DEFAULT_GLOBAL } });
    expect((limits.structured['limits'] as { global: Structured }).global).toEqual(DEFAULT_GLOBAL);
    await trader.close();
  });

  it('shows a risk admin the admin tools, each with a title, four annotations and an output schema', async () => {
    const { tools } = await admin.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(TOOLS.filter((t) => RISK_ADMIN.includes(t.scope)).map((t) => t.name));
    for (const name of [...ADMIN_TOOLS, 'performRiskCheck', 'getRiskLimits', 'submitSignal']) {
      expect(names).toContain(name);
    }
    for (const tool of tools) {
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description, tool.name).toBeTruthy();
      expect(Object.keys(tool.annotations ?? {}).sort(), tool.name).toEqual([
        'destructiveHint',
        'idempotentHint',
        'openWorldHint',
        'readOnlyHint',
      ]);
      expect(tool.outputSchema, tool.name).toBeDefined();
      expect(tool.outputSchema?.['type'], tool.name).toBe('object');
    }
    const annotations = (name: string) => tools.find((t) => t.name === name)?.annotations;
    expect(annotations('performRiskCheck')).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(annotations('getRiskLimits')).toMatchObject({ readOnlyHint: true });
    expect(annotations('setRiskLimits')).toMatchObject({ readOnlyHint: false, idempotentHint: true });
    expect(annotations('emergencyStop')).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(annotations('resumeTrading')).toMatchObject({ readOnlyHint: false, destructiveHint: false });
  });
});

describe('performRiskCheck', () => {
  it('approves an order within the limits, listing every check in §7.2 order, and places nothing', async () => {
    const trader = await connect(TRADER, 'check-trader');
    const before = await orderCount();
    const checked = await call(trader, 'performRiskCheck', restingBuy('10', '189.50'));
    expect(checked.isError).toBe(false);
    expect(checked.structured).toMatchObject({ approved: true, tradingState: 'active' });
    expect(checked.structured['code']).toBeUndefined();
    const checks = checksOf(checked);
    expect(checks.map((c) => c.name)).toEqual(CHECK_NAMES);
    expect(checks[0]?.name).toBe('symbol_tradable');
    expect(checks.at(-1)?.name).toBe('rate_limit');
    for (const check of checks) expect(check.passed, check.name).toBe(true);
    expect(checked.text).toContain('Approved');
    expect(await orderCount()).toBe(before);
    await trader.close();
  });

  it('denies an order over a global maxOrderNotional set with setRiskLimits, naming level, limit and actual', async () => {
    const trader = await connect(TRADER, 'check-trader-2');
    await setGlobal({ maxOrderNotional: '10000' });
    const before = await orderCount();
    const openBefore = await call(trader, 'listOrders', { status: 'all', limit: 200 });

    // 100 × 189.50 = 18 950 > 10 000.
    const checked = await call(trader, 'performRiskCheck', restingBuy('100', '189.50'));
    expect(checked.isError).toBe(false);
    expect(checked.structured).toMatchObject({
      approved: false,
      code: 'ORDER_NOTIONAL_LIMIT',
      tradingState: 'active',
    });
    const checks = checksOf(checked);
    expect(checks.map((c) => c.name)).toEqual(CHECK_NAMES);
    const failed = checks.filter((c) => !c.passed);
    expect(failed.map((c) => c.name)).toEqual(['order_notional']);
    expect(failed[0]).toMatchObject({
      name: 'order_notional',
      passed: false,
      level: 'global',
      limit: '10000',
      actual: '18950',
    });
    expect(failed[0]?.message).toContain('maxOrderNotional');
    expect(checked.text).toContain('ORDER_NOTIONAL_LIMIT');

    // Under the limit it passes: 50 × 189.50 = 9 475.
    const under = await call(trader, 'performRiskCheck', restingBuy('50', '189.50'));
    expect(under.structured).toMatchObject({ approved: true });

    // Nothing was placed: the store and listOrders show no new order.
    expect(await orderCount()).toBe(before);
    const openAfter = await call(trader, 'listOrders', { status: 'all', limit: 200 });
    expect(openAfter.structured['orders']).toEqual(openBefore.structured['orders']);
    await trader.close();
  });

  it('reports a buy limit 20% above the quote as PRICE_BAND with the band top as the limit', async () => {
    const trader = await connect(TRADER, 'check-trader-3');
    const checked = await call(trader, 'performRiskCheck', restingBuy('1', '228'));
    expect(checked.structured).toMatchObject({ approved: false, code: 'PRICE_BAND' });
    const failed = checksOf(checked).find((c) => c.name === 'price_band');
    // Reference 190 (the mid of 189.98 / 190.02) + 10% = 209.
    expect(failed).toMatchObject({ passed: false, level: 'global', limit: '209', actual: '228' });
    await trader.close();
  });
});

describe('executeOrder denied by the risk engine', () => {
  it('answers isError with the denial code and the denied order id; the order is recorded as denied', async () => {
    const trader = await connect(TRADER, 'denied-trader');
    const before = await orderCount();
    const denied = await call(trader, 'executeOrder', { ...restingBuy('1', '228'), clientOrderId: 'band-1' });
    expect(denied.isError).toBe(true);
    const error = errorOf(denied);
    expect(error.code).toBe('PRICE_BAND');
    expect(error.hint).toBeTruthy();
    expect(error.message).toContain('228');
    expect(error.details).toMatchObject({ clientOrderId: 'band-1', status: 'denied' });
    const orderId = error.details?.['orderId'];
    expect(orderId).toEqual(expect.any(String));
    expect(denied.text).toMatch(/^PRICE_BAND: /);

    const shown = await call(trader, 'getOrder', { orderId });
    expect(shown.isError).toBe(false);
    expect(shown.structured).toMatchObject({
      orderId,
      clientOrderId: 'band-1',
      agentId: 'denied-trader',
      status: 'denied',
      quantity: '1',
      limitPrice: '228',
      filledQuantity: '0',
    });
    expect(shown.structured['rejectReason']).toMatch(/^PRICE_BAND: /);
    // Recorded, never sent: one more order in the store, none open.
    expect(await orderCount()).toBe(before + 1);
    const open = await call(trader, 'listOrders', { status: 'open' });
    expect(open.structured['orders']).toEqual([]);

    // The same clientOrderId again is the same denied order, still an error.
    const again = await call(trader, 'executeOrder', { ...restingBuy('1', '228'), clientOrderId: 'band-1' });
    expect(again.isError).toBe(true);
    expect(errorOf(again)).toMatchObject({ code: 'PRICE_BAND' });
    expect(await orderCount()).toBe(before + 1);
    await trader.close();
  });

  it('denies an order over maxOrderNotional with ORDER_NOTIONAL_LIMIT and the order id', async () => {
    const trader = await connect(TRADER, 'denied-trader-2');
    await setGlobal({ maxOrderNotional: '10000' });
    const denied = await call(trader, 'executeOrder', restingBuy('100', '189.50'));
    expect(denied.isError).toBe(true);
    expect(errorOf(denied)).toMatchObject({ code: 'ORDER_NOTIONAL_LIMIT', details: { status: 'denied' } });
    const orderId = errorOf(denied).details?.['orderId'] as string;
    const shown = await call(trader, 'getOrder', { orderId });
    expect(shown.structured).toMatchObject({ orderId, status: 'denied', quantity: '100' });
    expect(shown.structured['rejectReason']).toMatch(/^ORDER_NOTIONAL_LIMIT: /);
    await trader.close();
  });
});

describe('setRiskLimits and getRiskLimits', () => {
  it('shows a value set as a string beside the defaults, and null removes it', async () => {
    const set = await call(admin, 'setRiskLimits', {
      level: 'global',
      limits: { maxOrderNotional: '25000.50', maxOpenOrders: 50 },
      reason: 'tighten for the test',
    });
    expect(set.isError).toBe(false);
    expect(set.structured).toEqual({
      level: 'global',
      scopeId: '*',
      limits: { maxOrderNotional: '25000.5', maxOpenOrders: 50 },
    });

    const reader = await connect(['read'], 'limits-reader');
    const shown = await call(reader, 'getRiskLimits');
    expect(shown.isError).toBe(false);
    expect((shown.structured['limits'] as { global: Structured }).global).toEqual({
      ...DEFAULT_GLOBAL,
      maxOrderNotional: '25000.5',
      maxOpenOrders: 50,
    });
    expect(shown.structured).toMatchObject({
      tradingState: 'active',
      stateReason: expect.any(String) as unknown,
    });

    // null removes one limit; the field left out stays.
    const removed = await call(admin, 'setRiskLimits', {
      level: 'global',
      limits: { maxOrderNotional: null },
      reason: 'loosen again',
    });
    expect(removed.structured).toEqual({ level: 'global', scopeId: '*', limits: { maxOpenOrders: 50 } });
    const after = await call(reader, 'getRiskLimits');
    const global = (after.structured['limits'] as { global: Structured }).global;
    expect(global).toEqual({ ...DEFAULT_GLOBAL, maxOpenOrders: 50 });
    expect(global).not.toHaveProperty('maxOrderNotional');

    // A default can be tightened at the global level, and shows as set.
    await setGlobal({ priceBandPct: '5' });
    const banded = await call(reader, 'getRiskLimits');
    expect((banded.structured['limits'] as { global: Structured }).global).toMatchObject({
      priceBandPct: '5',
    });
    await reader.close();
  });

  it('sets an account level, and refuses the account level without scopeId as INVALID_ARGUMENT', async () => {
    const missing = await call(admin, 'setRiskLimits', {
      level: 'account',
      limits: { maxOrderNotional: '5000' },
      reason: 'no scope',
    });
    expect(missing.isError).toBe(true);
    expect(errorOf(missing)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'scopeId' } });
    expect(errorOf(missing).hint).toBeTruthy();

    const set = await call(admin, 'setRiskLimits', {
      level: 'account',
      scopeId: 'eq-margin',
      limits: { maxOrderNotional: 5000 },
      reason: 'account cap',
    });
    expect(set.structured).toEqual({
      level: 'account',
      scopeId: 'eq-margin',
      limits: { maxOrderNotional: '5000' },
    });
    const shown = await call(admin, 'getRiskLimits', { account: 'eq-margin' });
    expect(shown.structured['limits']).toMatchObject({
      global: DEFAULT_GLOBAL,
      account: { maxOrderNotional: '5000' },
    });
    const levels = (shown.structured['usage'] as Usage[]).map((u) => [u.level, u.scopeId]);
    expect(levels).toEqual([
      ['global', '*'],
      ['account', 'eq-margin'],
      ['agent', 'risk-admin-test'],
    ]);

    // The account level now denies what the global level allows: 30 × 189.50 = 5 685 > 5 000.
    const trader = await connect(TRADER, 'account-trader');
    const checked = await call(trader, 'performRiskCheck', restingBuy('30', '189.50'));
    expect(checked.structured).toMatchObject({ approved: false, code: 'ORDER_NOTIONAL_LIMIT' });
    expect(checksOf(checked).find((c) => !c.passed)).toMatchObject({
      level: 'account',
      limit: '5000',
      actual: '5685',
    });
    await trader.close();
  });

  it("refuses a non-admin another agent's limits FORBIDDEN, and shows its own", async () => {
    const trader = await connect(TRADER, 'nosy-trader');
    const refused = await call(trader, 'getRiskLimits', { agentId: 'someone-else' });
    expect(refused.isError).toBe(true);
    expect(errorOf(refused)).toMatchObject({ code: 'FORBIDDEN', hint: expect.any(String) as unknown });
    const own = await call(trader, 'getRiskLimits', { agentId: 'nosy-trader' });
    expect(own.isError).toBe(false);
    // A risk admin may read anyone's.
    const other = await call(admin, 'getRiskLimits', { agentId: 'nosy-trader' });
    expect(other.isError).toBe(false);
    expect((other.structured['usage'] as Usage[]).find((u) => u.level === 'agent')?.scopeId).toBe(
      'nosy-trader',
    );
    await trader.close();
  });

  it('counts a resting order in the usage of the global and the agent level', async () => {
    const trader = await connect(TRADER, 'usage-trader');
    const usageOf = async () => {
      const shown = await call(trader, 'getRiskLimits');
      expect(shown.isError).toBe(false);
      const usage = shown.structured['usage'] as Usage[];
      return {
        global: usage.find((u) => u.level === 'global'),
        agent: usage.find((u) => u.level === 'agent'),
      };
    };
    const before = await usageOf();
    expect(before.global).toMatchObject({ level: 'global', scopeId: '*' });
    expect(before.agent).toMatchObject({ level: 'agent', scopeId: 'usage-trader', openOrders: 0 });

    const placed = await call(trader, 'executeOrder', restingBuy('5', '180'));
    expect(placed.structured).toMatchObject({ status: 'new' });
    const after = await usageOf();
    const open = (await app.service.listOrders({ status: 'open', limit: 200 })).orders.length;
    expect(after.global?.openOrders).toBe((before.global?.openOrders ?? NaN) + 1);
    expect(after.global?.openOrders).toBe(open);
    expect(after.agent).toMatchObject({ openOrders: 1, ordersLastMinute: 1 });

    await call(trader, 'cancelOrder', { orderId: placed.structured['orderId'] });
    expect((await usageOf()).agent?.openOrders).toBe(0);
    await trader.close();
  });
});

describe('emergencyStop and resumeTrading', () => {
  it('halts trading and cancels a resting order; new orders are TRADING_HALTED until trading resumes', async () => {
    const trader = await connect(TRADER, 'halt-trader');
    const resting = await call(trader, 'executeOrder', restingBuy('3', '181'));
    expect(resting.structured).toMatchObject({ status: 'new' });
    const restingId = resting.structured['orderId'] as string;

    const stopped = await call(admin, 'emergencyStop', { reason: 'test kill switch' });
    expect(stopped.isError).toBe(false);
    expect(stopped.structured['tradingState']).toBe('halted');
    const canceled = stopped.structured['canceled'] as Structured[];
    expect(canceled.map((o) => o['orderId'])).toContain(restingId);
    expect(canceled.find((o) => o['orderId'] === restingId)).toMatchObject({ status: 'canceled' });
    expect(stopped.structured['closing']).toEqual([]);
    expect((await call(trader, 'getOrder', { orderId: restingId })).structured['status']).toBe('canceled');
    expect((await call(trader, 'listOrders', { status: 'open' })).structured['orders']).toEqual([]);

    const refused = await call(trader, 'executeOrder', restingBuy('1', '182'));
    expect(refused.isError).toBe(true);
    expect(errorOf(refused).code).toBe('TRADING_HALTED');
    const deniedId = errorOf(refused).details?.['orderId'];
    expect(deniedId).toEqual(expect.any(String));
    expect((await call(trader, 'getOrder', { orderId: deniedId })).structured['status']).toBe('denied');

    const account = await call(trader, 'getAccount');
    expect(account.structured['tradingState']).toBe('halted');
    const checked = await call(trader, 'performRiskCheck', restingBuy('1', '182'));
    expect(checked.structured).toMatchObject({
      approved: false,
      code: 'TRADING_HALTED',
      tradingState: 'halted',
    });
    const limits = await call(trader, 'getRiskLimits');
    expect(limits.structured['tradingState']).toBe('halted');
    expect(limits.structured['stateReason']).toContain('test kill switch');
    const alerts = limits.structured['alerts'] as { kind: string; severity: string; message: string }[];
    expect(alerts.at(-1)).toMatchObject({ kind: 'trading_state', severity: 'critical' });
    expect(alerts.at(-1)?.message).toContain('test kill switch');

    const resumed = await call(admin, 'resumeTrading', { state: 'active', reason: 'all clear' });
    expect(resumed.isError).toBe(false);
    expect(resumed.structured).toEqual({ tradingState: 'active' });
    expect((await call(trader, 'getAccount')).structured['tradingState']).toBe('active');
    const placed = await call(trader, 'executeOrder', restingBuy('1', '182'));
    expect(placed.isError).toBe(false);
    expect(placed.structured).toMatchObject({ status: 'new', quantity: '1', limitPrice: '182' });
    await call(trader, 'cancelOrder', { orderId: placed.structured['orderId'] });
    await trader.close();
  });

  it('refuses a resumeTrading state other than active or reducing as INVALID_ARGUMENT', async () => {
    const refused = await call(admin, 'resumeTrading', { state: 'halted', reason: 'wrong tool' });
    expect(refused.isError).toBe(true);
    expect(errorOf(refused)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'state' } });
    expect(app.risk.tradingState().state).toBe('active');
  });
});

describe('submitSignal', () => {
  // BUY at p = 0.6, entry 100, stop 95, take-profit 110: b = 10 / 5 = 2, f* = 0.6 − 0.4 / 2 = 0.4;
  // quarter Kelly risks 0.1 of equity. The signal's quantity 50 is the tightest cap.
  const signal = {
    signalId: 'risk-tools-sig-1',
    modelId: 'model-test',
    symbol: 'AAPL',
    action: 'BUY',
    confidence: 0.6,
    quantity: '50',
    entryPrice: '100',
    stopLoss: '95',
    takeProfit: '110',
  };

  it('sizes a BUY by fractional Kelly and places a limit at the entry; the same signalId replays it', async () => {
    const trader = await connect(TRADER, 'signal-trader');
    const before = await orderCount();
    const accepted = await call(trader, 'submitSignal', signal);
    expect(accepted.isError, JSON.stringify(accepted.structured)).toBe(false);
    expect(accepted.structured).toMatchObject({ signalId: 'risk-tools-sig-1', status: 'accepted' });
    const order = accepted.structured['order'] as Structured;
    expect(order).toMatchObject({
      agentId: 'signal-trader',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: '50',
      limitPrice: '100',
      timeInForce: 'gtc',
      status: 'new',
    });
    expect(order['reason']).toContain('risk-tools-sig-1');
    expect(order['reason']).toContain('stop 95, take profit 110');
    expect(accepted.structured['sizing']).toMatchObject({
      status: 'sized',
      side: 'buy',
      quantity: '50',
      kellyFraction: '0.4',
      appliedFraction: '0.1',
      payoffRatio: '2',
      riskPerUnit: '5',
      riskAmount: '250',
      notional: '5000',
      cappedBy: 'requested_quantity',
    });
    const sizing = accepted.structured['sizing'] as Structured;
    for (const key of ['quantity', 'kellyFraction', 'appliedFraction', 'riskAmount', 'notional']) {
      expect(typeof sizing[key], key).toBe('string');
    }
    expect(await orderCount()).toBe(before + 1);

    const again = await call(trader, 'submitSignal', signal);
    expect(again.isError).toBe(false);
    expect(again.structured).toMatchObject({ signalId: 'risk-tools-sig-1', status: 'accepted' });
    expect((again.structured['order'] as Structured)['orderId']).toBe(order['orderId']);
    expect(again.structured['sizing']).toEqual(accepted.structured['sizing']);
    expect(await orderCount()).toBe(before + 1);

    await call(trader, 'cancelOrder', { orderId: order['orderId'] });
    await trader.close();
  });

  it('refuses a confidence above 1 as INVALID_ARGUMENT and places nothing', async () => {
    const trader = await connect(TRADER, 'signal-trader-2');
    const before = await orderCount();
    const refused = await call(trader, 'submitSignal', {
      ...signal,
      signalId: 'risk-tools-sig-bad',
      confidence: 1.5,
    });
    expect(refused.isError).toBe(true);
    expect(errorOf(refused)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'confidence' } });
    expect(await orderCount()).toBe(before);
    await trader.close();
  });

  it('answers a signal the risk engine denies as the denial, with the order id', async () => {
    const trader = await connect(TRADER, 'signal-trader-3');
    await setGlobal({ maxOrderNotional: '1000' });
    const denied = await call(trader, 'submitSignal', { ...signal, signalId: 'risk-tools-sig-denied' });
    expect(denied.isError).toBe(true);
    // 50 × 100 = 5 000 > 1 000.
    expect(errorOf(denied)).toMatchObject({ code: 'ORDER_NOTIONAL_LIMIT', details: { status: 'denied' } });
    const orderId = errorOf(denied).details?.['orderId'];
    expect((await call(trader, 'getOrder', { orderId })).structured['status']).toBe('denied');
    await trader.close();
  });
});

describe('the trading://risk/limits resource', () => {
  it('is listed for a reader and reads as getRiskLimits answers', async () => {
    const reader = await connect(['read'], 'resource-reader');
    const { resources } = await reader.listResources();
    expect(resources.map((r) => r.uri)).toContain('trading://risk/limits');
    expect(resources.find((r) => r.uri === 'trading://risk/limits')).toMatchObject({
      mimeType: 'application/json',
      title: expect.any(String) as unknown,
    });
    const read = await reader.readResource({ uri: 'trading://risk/limits' });
    const content = read.contents[0] as { uri: string; mimeType?: string; text: string };
    expect(content.uri).toBe('trading://risk/limits');
    expect(content.mimeType).toBe('application/json');
    const tool = await call(reader, 'getRiskLimits');
    expect(JSON.parse(content.text)).toEqual(tool.structured);
    await reader.close();
  });

  it('notifies a subscriber when a limit changes, and the read shows the new limit', async () => {
    const reader = await connect(['read'], 'resource-subscriber');
    const updated = resourceUpdates(reader);
    await reader.subscribeResource({ uri: 'trading://risk/limits' });
    expect(updated).toEqual([]);

    await setGlobal({ maxOrderNotional: '77777.7' });
    await expect.poll(() => updated).toContain('trading://risk/limits');
    // Only what it subscribed to (a limit change touches trading://account too).
    expect(updated).not.toContain('trading://account');
    const read = await reader.readResource({ uri: 'trading://risk/limits' });
    const limits = JSON.parse((read.contents[0] as { text: string }).text) as {
      limits: { global: Structured };
    };
    expect(limits.limits.global).toMatchObject({ maxOrderNotional: '77777.7' });

    await reader.unsubscribeResource({ uri: 'trading://risk/limits' });
    updated.length = 0;
    await setGlobal({ maxOrderNotional: null });
    // Let the coalesced batch (delivered after the current task) go by.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(updated).toEqual([]);
    await reader.close();
  });
});
