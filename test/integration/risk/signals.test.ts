import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../../src/domain/decimal.js';
import type { SignalInput } from '../../../src/engine/signals.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import { type RiskRig, openRig, outcome, resetRiskTables, unique } from './harness.js';

/** BUY at p = 0.6 with entry 100, stop 95, take-profit 110: b = 10 / 5 = 2, f* = 0.6 − 0.4 / 2 = 0.4. */
function buySignal(overrides: Partial<SignalInput> = {}): SignalInput {
  return {
    signalId: unique('sig-'),
    modelId: 'model-kelly',
    symbol: 'AAPL',
    action: 'BUY',
    confidence: dec('0.6'),
    entryPrice: dec(100),
    stopLoss: dec(95),
    takeProfit: dec(110),
    ...overrides,
  };
}

/** A signal outcome's sizing with decimals as strings (fresh outcomes carry decimals, replays strings). */
function wire(sizing: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(sizing).map(([k, v]) => [k, v instanceof Decimal ? v.toFixed() : (v as unknown)]),
  );
}

const clientOrderIdOf = (signalId: string): string =>
  `sig-${createHash('sha256').update(signalId).digest('base64url').slice(0, 32)}`;

describe.each(TEST_BACKENDS)('signals on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: RiskRig;

  beforeEach(async () => {
    await resetRiskTables(store());
    rig = await openRig(store());
  });

  afterEach(async () => {
    await rig.close();
  });

  const venueOrders = async (accountId = 'acct-1'): Promise<string[]> =>
    (await rig.broker.ordersSince(accountId, 0)).map((o) => o.clientOrderId);

  it('sizes a BUY by quarter Kelly and places a limit at the entry with the exit plan', async () => {
    const signal = buySignal();
    const placed = await rig.signals.submit(signal, 'agent-signals');
    // acct-1 (the route's default): equity 1 000 000, buying power 4 000 000 (margin × 4).
    // Risk budget 1 000 000 × 0.4 × 0.25 = 100 000 at 5 per share: 20 000 shares (notional 2 000 000,
    // under the 4 000 000 / 100 = 40 000 buying power allows): Kelly decides.
    expect(placed.status).toBe('accepted');
    expect(placed.replayed).toBe(false);
    expect(wire(placed.sizing)).toMatchObject({
      status: 'sized',
      side: 'buy',
      quantity: '20000',
      kellyFraction: '0.4',
      appliedFraction: '0.1',
      payoffRatio: '2',
      riskPerUnit: '5',
      riskAmount: '100000',
      notional: '2000000',
      cappedBy: 'kelly',
    });
    const order = placed.order;
    expect(order === undefined ? undefined : outcome(order)).toBe('new'); // rests below the 100.02 ask
    expect(order?.order).toMatchObject({
      accountId: 'acct-1',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      timeInForce: 'gtc',
      clientOrderId: clientOrderIdOf(signal.signalId),
    });
    expect([order?.order.quantity.toFixed(), order?.order.limitPrice?.toFixed()]).toEqual(['20000', '100']);
    expect(order?.meta).toMatchObject({
      agentId: 'agent-signals',
      reason: `signal ${signal.signalId} from model-kelly: BUY at confidence 0.6; exit plan: stop 95, take profit 110`,
    });
    expect(await venueOrders()).toEqual([clientOrderIdOf(signal.signalId)]);

    const recorded = await rig.riskStore.findSignal(signal.signalId);
    expect(recorded).toMatchObject({
      signalId: signal.signalId,
      modelId: 'model-kelly',
      agentId: 'agent-signals',
      symbol: 'AAPL',
      action: 'BUY',
      status: 'accepted',
      orderId: order?.order.id,
    });
    expect(recorded?.confidence.toFixed()).toBe('0.6');
    expect(recorded?.payload).toMatchObject({
      exitPlan: { stopLoss: '95', takeProfit: '110' },
      entryPrice: '100',
      account: 'acct-1',
      sizing: { quantity: '20000', cappedBy: 'kelly' },
    });

    // The same signal id again is the same decision: nothing new is placed.
    const again = await rig.signals.submit({ ...signal, confidence: dec('0.9') }, 'agent-signals');
    expect(again.replayed).toBe(true);
    expect(again.status).toBe('accepted');
    expect(again.order?.order.id).toBe(order?.order.id);
    expect(again.sizing).toMatchObject({ quantity: '20000', cappedBy: 'kelly' });
    await rig.service.idle();
    expect(await venueOrders()).toEqual([clientOrderIdOf(signal.signalId)]);
  });

  it('caps the Kelly size by the tightest position limit in force', async () => {
    // Mid exactly 100, so the position check values the order at the entry price the sizing used.
    rig.feed.set('AAPL', { bid: '99.99', ask: '100.01' });
    await rig.risk.setLimits('global', '*', { maxPositionNotional: dec(800_000) }, 'ops');
    await rig.risk.setLimits('agent', 'agent-signals', { maxPositionNotional: dec(500_000) }, 'ops');
    const placed = await rig.signals.submit(buySignal(), 'agent-signals');
    expect(placed.status).toBe('accepted');
    expect(wire(placed.sizing)).toMatchObject({
      quantity: '5000', // 500 000 / 100, below the Kelly 20 000
      cappedBy: 'max_position_notional',
      notional: '500000',
    });
    expect(placed.order === undefined ? undefined : outcome(placed.order)).toBe('new');
    // One more share would now breach the agent's limit.
    const more = await rig.service.submit({
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      limitPrice: dec(100),
      quantity: dec(1),
      timeInForce: 'gtc',
      accountId: 'acct-1',
      agentId: 'agent-signals',
    });
    expect(outcome(more)).toBe('denied:POSITION_LIMIT');
  });

  it('a signal without an edge is ignored and places nothing', async () => {
    // p = 0.3 at b = 5 / 5 = 1: f* = 0.3 − 0.7 = −0.4.
    const signal = buySignal({ confidence: dec('0.3'), takeProfit: dec(105) });
    const result = await rig.signals.submit(signal, 'agent-signals');
    expect(result.status).toBe('ignored');
    expect(result.order).toBeUndefined();
    const sizing = wire(result.sizing);
    expect([sizing['status'], sizing['quantity'], sizing['kellyFraction']]).toEqual(['ignored', '0', '-0.4']);
    expect(sizing['reason']).toContain('no edge: win probability 0.3 at payoff ratio 1');
    await rig.service.idle();
    expect(await venueOrders()).toEqual([]);
    expect(
      await rig.service.findOrder({ clientOrderId: clientOrderIdOf(signal.signalId), accountId: 'acct-1' }),
    ).toBeUndefined();
    const recorded = await rig.riskStore.findSignal(signal.signalId);
    expect(recorded?.status).toBe('ignored');
    expect(recorded?.orderId).toBeUndefined();
    // Replayed as ignored.
    const again = await rig.signals.submit(signal, 'agent-signals');
    expect([again.status, again.replayed, again.order]).toEqual(['ignored', true, undefined]);
  });

  it('a signal whose order the risk engine denies is rejected, with the denied order', async () => {
    await rig.risk.setTradingState('halted', 'no new risk', 'ops');
    const signal = buySignal();
    const result = await rig.signals.submit(signal, 'agent-signals');
    expect(result.status).toBe('rejected');
    expect(result.order === undefined ? undefined : outcome(result.order)).toBe('denied:TRADING_HALTED');
    expect(result.order?.order.quantity.toFixed()).toBe('20000');
    await rig.service.idle();
    expect(await venueOrders()).toEqual([]);
    const recorded = await rig.riskStore.findSignal(signal.signalId);
    expect(recorded).toMatchObject({ status: 'rejected', orderId: result.order?.order.id });
    // Resuming does not revive it: the id is decided.
    await rig.risk.setTradingState('active', 'resumed', 'ops');
    const again = await rig.signals.submit(signal, 'agent-signals');
    expect([again.status, again.replayed, again.order?.order.status]).toEqual(['rejected', true, 'denied']);
    expect(await venueOrders()).toEqual([]);
  });

  // BUG (src/engine/signals.ts + src/risk/sizing.ts): the buying-power cap divides the broker's raw
  // buying power by the entry price, ignoring the taker fee (and buying power reserved by open
  // orders) that the engine's INSUFFICIENT_BUYING_POWER check adds. A signal capped by buying power
  // is therefore sized to an order its own risk check denies. acct-cash: equity = buying power
  // = 10 000; Kelly 10 000 × 0.1 / 5 = 200 shares, capped to 10 000 / 100 = 100; the order needs
  // 10 000 + 10 fee > 10 000 and is denied. Expected: a size that fits (at most 10 000 / 100.1 =
  // 99.9 shares) and an accepted signal. `it.fails` keeps the suite green while the bug stands;
  // make it `it` once fixed.
  it('a signal capped by buying power is sized to an order that fits the buying power', async () => {
    const result = await rig.signals.submit(buySignal({ account: 'acct-cash' }), 'agent-signals');
    expect(wire(result.sizing)['cappedBy']).toBe('buying_power');
    expect(result.order === undefined ? undefined : outcome(result.order)).toBe('new');
    expect(result.status).toBe('accepted');
  });

  // BUG (src/engine/signals.ts + src/risk/sizing.ts): the position caps value the position at the
  // signal's entry price, while the POSITION_LIMIT check values it at the reference (the mark,
  // ORDER-SEMANTICS.md §7.2 #14). A buy whose entry is below the mark is sized to exactly the limit
  // at the entry and denied at the mark: here 500 000 / 100 = 5000 shares, worth 5000 × 100.01 =
  // 500 050 > 500 000 at the mid of 100.00 / 100.02. Expected: an order the check accepts.
  it('a signal capped by a position limit is sized to an order within that limit', async () => {
    await rig.risk.setLimits('global', '*', { maxPositionNotional: dec(500_000) }, 'ops');
    const result = await rig.signals.submit(buySignal(), 'agent-signals');
    expect(wire(result.sizing)['cappedBy']).toBe('max_position_notional');
    expect(result.order === undefined ? undefined : outcome(result.order)).toBe('new');
    expect(result.status).toBe('accepted');
  });
});
