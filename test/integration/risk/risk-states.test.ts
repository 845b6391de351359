import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { EventBus } from '../../../src/engine/event-bus.js';
import { RandomIds } from '../../../src/engine/ids.js';
import { OrderService } from '../../../src/engine/order-service.js';
import { RiskEngine } from '../../../src/engine/risk-engine.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { DrizzleRiskStore } from '../../../src/store/risk-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import {
  type RiskRig,
  T0,
  auditRows,
  expectPosition,
  limit,
  market,
  openRig,
  outcome,
  resetRiskTables,
  unique,
} from './harness.js';

const HALTED_MESSAGE =
  'Trading is halted (trading state halted): no new order is accepted, whatever it does to exposure. Cancels still work; wait for a risk admin to resume trading (resumeTrading).';

describe.each(TEST_BACKENDS)('risk trading states and controls on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: RiskRig;

  beforeEach(async () => {
    await resetRiskTables(store());
    rig = await openRig(store());
  });

  afterEach(async () => {
    await rig.close();
  });

  /** Buys `quantity` AAPL at the 100.02 ask on the account and waits for the position. */
  async function buyPosition(quantity: number, accountId = 'acct-1'): Promise<void> {
    const bought = await rig.service.submit(market('buy', quantity, { accountId }));
    expect(bought.order.status).toBe('filled');
    await expectPosition(rig, accountId, 'AAPL', String(quantity));
  }

  describe('trading states', () => {
    it('halted denies every new order, reducing or not; cancels still work', async () => {
      await buyPosition(100);
      const resting = await rig.service.submit(limit('buy', 10, '99.00'));
      expect(outcome(resting)).toBe('new');

      const actor = unique('ops-');
      const record = await rig.risk.setTradingState('halted', 'maintenance window', actor);
      expect(record).toEqual({
        state: 'halted',
        reason: 'maintenance window',
        changedBy: actor,
        changedAt: T0,
      });

      const buy = await rig.service.submit(limit('buy', 1, '99.00'));
      expect(outcome(buy)).toBe('denied:TRADING_HALTED');
      expect(buy.order.reject?.message).toBe(HALTED_MESSAGE);
      // A sell that would reduce the long position is denied as well.
      expect(outcome(await rig.service.submit(market('sell', 50)))).toBe('denied:TRADING_HALTED');
      expect(outcome(await rig.service.submit(market('sell', 50, { reduceOnly: true })))).toBe(
        'denied:TRADING_HALTED',
      );
      await rig.service.idle();
      expect(await rig.broker.getOrder('acct-1', buy.order.clientOrderId)).toBeUndefined();

      await rig.service.cancel({ orderId: resting.order.id });
      await rig.service.idle();
      expect((await rig.service.getOrder({ orderId: resting.order.id })).stored.order.status).toBe(
        'canceled',
      );
      await expectPosition(rig, 'acct-1', 'AAPL', '100');

      expect(await auditRows(store(), 'trading_state.set', actor)).toEqual([
        {
          entity: 'trading_state',
          entityId: 'global',
          data: { from: 'active', to: 'halted', reason: 'maintenance window' },
        },
      ]);
    });

    it('reducing lets through only orders that reduce the position, counting open orders', async () => {
      await buyPosition(100);
      await rig.risk.setTradingState('reducing', 'risk review', 'ops');

      const firstSell = await rig.service.submit(limit('sell', 60, '100.05')); // rests above the ask
      expect(outcome(firstSell)).toBe('new');
      // 41 more on top of the open 60 would sell 101 of a 100 long: it would flip the position.
      const tooMany = await rig.service.submit(limit('sell', 41, '100.05'));
      expect(outcome(tooMany)).toBe('denied:REDUCE_ONLY');
      expect(tooMany.order.reject?.message).toBe(
        "The trading state is reducing (trading_state reducing): only orders that reduce an existing position are accepted, and this sell of 41 AAPL would not reduce the account's position 100 (open sell orders already cover 60); send a sell of at most 40, or wait for a risk admin to resume active trading.",
      );
      const buy = await rig.service.submit(market('buy', 1));
      expect(outcome(buy)).toBe('denied:REDUCE_ONLY');
      expect(buy.order.reject?.message).toContain('this buy of 1 AAPL would not reduce');
      // Another account has nothing to reduce.
      expect(outcome(await rig.service.submit(market('sell', 1, { accountId: 'acct-cash' })))).toBe(
        'denied:REDUCE_ONLY',
      );

      const exact = await rig.service.submit(market('sell', 40)); // 40 + 60 open = 100
      expect(outcome(exact)).toBe('filled');
      await expectPosition(rig, 'acct-1', 'AAPL', '60');

      // Back to active, any order passes again; a reduceOnly flag still has to reduce.
      await rig.risk.setTradingState('active', 'review done', 'ops');
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00')))).toBe('new');
      expect(outcome(await rig.service.submit(market('buy', 1, { reduceOnly: true })))).toBe(
        'denied:REDUCE_ONLY',
      );
    });

    it('the trading state and the limits are shared through the database by every engine', async () => {
      const second = new RiskEngine({
        store: new DrizzleRiskStore(store()),
        brokers: [rig.broker],
        instruments: rig.instruments,
        clock: rig.clock,
        bus: new EventBus(),
      });
      await second.start();
      const secondService = new OrderService({
        store: new DrizzleOrderStore(store()),
        brokers: [rig.broker],
        instruments: rig.instruments,
        clock: rig.clock,
        ids: new RandomIds(() => rig.clock.now()),
        bus: new EventBus(),
        risk: second,
      });
      expect(second.tradingState().state).toBe('active');

      await rig.risk.setTradingState('halted', 'set by the first engine', 'ops-1');
      expect(second.tradingState().state).toBe('active'); // not told: it reads at its next admission
      const denied = await secondService.submit(limit('buy', 1, '99.00'));
      expect(outcome(denied)).toBe('denied:TRADING_HALTED');
      expect(second.tradingState()).toMatchObject({
        state: 'halted',
        reason: 'set by the first engine',
        changedBy: 'ops-1',
      });

      // And back: the second resumes, the first admits again.
      await second.setTradingState('active', 'resumed by the second engine', 'ops-2');
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00')))).toBe('new');
      expect(rig.risk.tradingState()).toMatchObject({ state: 'active', changedBy: 'ops-2' });

      // Limits set by one engine are enforced by the other on its next order.
      await second.setLimits('global', '*', { maxOrderNotional: dec(100) }, 'ops-2');
      expect(outcome(await rig.service.submit(limit('buy', 1, '100.00')))).toBe('new'); // 100
      expect(outcome(await rig.service.submit(limit('buy', 1, '100.01')))).toBe(
        'denied:ORDER_NOTIONAL_LIMIT',
      );
    });
  });

  describe('kill switch', () => {
    it('emergencyStop halts, cancels open orders and flattens with reduce-only orders that pass the halt', async () => {
      await buyPosition(100);
      await buyPosition(10, 'acct-cash');
      const restingBuy = await rig.service.submit(limit('buy', 10, '99.00'));
      const restingSell = await rig.service.submit(limit('sell', 5, '101.00'));
      expect([outcome(restingBuy), outcome(restingSell)]).toEqual(['new', 'new']);

      const stop = await rig.controls.emergencyStop({ reason: 'runaway agent', actor: 'ops', flatten: true });
      await rig.service.idle();
      expect(stop.tradingState).toEqual({
        state: 'halted',
        reason: 'emergency stop: runaway agent',
        changedBy: 'ops',
        changedAt: T0,
      });
      expect(stop.canceled.map((s) => s.order.id).sort()).toEqual(
        [restingBuy.order.id, restingSell.order.id].sort(),
      );
      for (const id of [restingBuy.order.id, restingSell.order.id]) {
        expect((await rig.service.getOrder({ orderId: id })).stored.order.status).toBe('canceled');
      }
      const closing = stop.closing
        .map((s) => [
          s.order.accountId,
          s.order.side,
          s.order.type,
          s.order.quantity.toFixed(),
          s.order.reduceOnly,
          s.order.status,
          s.meta.reason,
        ])
        .sort();
      expect(closing).toEqual([
        ['acct-1', 'sell', 'market', '100', true, 'filled', 'emergency stop: runaway agent'],
        ['acct-cash', 'sell', 'market', '10', true, 'filled', 'emergency stop: runaway agent'],
      ]);
      await expectPosition(rig, 'acct-1', 'AAPL', '0');
      await expectPosition(rig, 'acct-cash', 'AAPL', '0');

      // Nothing else passes the halt.
      const after = await rig.service.submit(market('buy', 1));
      expect(outcome(after)).toBe('denied:TRADING_HALTED');
      expect(rig.alerts.map((a) => [a.kind, a.severity, a.tradingState])).toEqual([
        ['trading_state', 'critical', 'halted'],
      ]);
      expect(rig.alerts[0]?.message).toBe(
        'Trading state active -> halted by ops: emergency stop: runaway agent',
      );

      const resumed = await rig.controls.resumeTrading({
        state: 'active',
        reason: 'all clear',
        actor: 'ops',
      });
      expect(resumed).toMatchObject({ state: 'active', reason: 'all clear', changedBy: 'ops' });
      expect(outcome(await rig.service.submit(market('buy', 1)))).toBe('filled');
      expect(rig.alerts.map((a) => [a.kind, a.severity, a.tradingState, a.message, a.details])).toEqual([
        [
          'trading_state',
          'critical',
          'halted',
          'Trading state active -> halted by ops: emergency stop: runaway agent',
          { from: 'active', to: 'halted', actor: 'ops' },
        ],
        [
          'trading_state',
          'warning',
          'active',
          'Trading state halted -> active by ops: all clear',
          { from: 'halted', to: 'active', actor: 'ops' },
        ],
      ]);
      expect(rig.controls.alerts()).toEqual(rig.alerts);
    });

    it('emergencyStop without flatten keeps positions; resuming to reducing lets only reductions through', async () => {
      await buyPosition(100);
      const resting = await rig.service.submit(limit('buy', 10, '99.00'));
      const stop = await rig.controls.emergencyStop({ reason: 'drill', actor: 'ops' });
      await rig.service.idle();
      expect(stop.closing).toEqual([]);
      expect(stop.canceled.map((s) => s.order.id)).toEqual([resting.order.id]);
      await expectPosition(rig, 'acct-1', 'AAPL', '100');
      // A reducing sell is denied while halted (only emergencyStop's own flattening passes).
      expect(outcome(await rig.service.submit(market('sell', 10, { reduceOnly: true })))).toBe(
        'denied:TRADING_HALTED',
      );

      await rig.controls.resumeTrading({ state: 'reducing', reason: 'unwind only', actor: 'ops' });
      expect(rig.alerts.map((a) => [a.kind, a.severity, a.tradingState])).toEqual([
        ['trading_state', 'critical', 'halted'],
        ['trading_state', 'warning', 'reducing'],
      ]);
      expect(outcome(await rig.service.submit(market('buy', 1)))).toBe('denied:REDUCE_ONLY');
      expect(outcome(await rig.service.submit(market('sell', 10)))).toBe('filled');
      await expectPosition(rig, 'acct-1', 'AAPL', '90');
    });
  });

  describe('monitor', () => {
    it('a daily loss beyond dailyLossLimit moves trading to reducing with a daily_loss alert', async () => {
      await rig.risk.setLimits('global', '*', { dailyLossLimit: dec(5_000) }, 'ops');
      await rig.controls.tick(); // the day starts at 1 000 000 + 10 000 = 1 010 000
      await buyPosition(1_000); // 100 020 + 100.02 fee: equity 899 879.98 + 1000 × 100.01 = 999 889.98
      await rig.controls.tick();
      expect(rig.risk.tradingState().state).toBe('active'); // a loss of 110.02
      expect(rig.alerts).toEqual([]);

      rig.feed.set('AAPL', { bid: '94.99', ask: '95.01' }); // mid 95: acct-1 equity 994 879.98
      await rig.controls.tick();
      expect(rig.risk.tradingState()).toMatchObject({ state: 'reducing', changedBy: 'risk-monitor' });
      expect(rig.alerts).toHaveLength(1);
      expect(rig.alerts[0]).toMatchObject({
        kind: 'daily_loss',
        severity: 'critical',
        tradingState: 'reducing',
        message:
          'Daily loss 5120.02 across all accounts reached the limit 5000: only exposure-reducing orders are accepted until a risk admin resumes trading.',
        details: {
          scope: '*',
          loss: '5120.02',
          limit: '5000',
          startOfDayEquity: '1010000',
          equity: '1004879.98',
        },
      });
      const [global] = await rig.risk.usageReport(undefined, undefined);
      expect([
        global?.level,
        global?.equity.toFixed(),
        global?.startOfDayEquity?.toFixed(),
        global?.dailyPnl?.toFixed(),
      ]).toEqual(['global', '1004879.98', '1010000', '-5120.02']);

      await rig.controls.tick(); // already reducing: no second alert
      expect(rig.alerts).toHaveLength(1);
      expect(outcome(await rig.service.submit(market('buy', 1)))).toBe('denied:REDUCE_ONLY');
      expect(outcome(await rig.service.submit(limit('sell', 500, '96.00')))).toBe('new');

      // Resumed by an operator, the daily loss check itself still denies what adds exposure.
      await rig.controls.resumeTrading({ state: 'active', reason: 'reviewed', actor: 'ops' });
      const buy = await rig.service.submit(limit('buy', 1, '95.00'));
      expect(outcome(buy)).toBe('denied:DAILY_LOSS_LIMIT');
      expect(buy.order.reject?.message).toContain(
        'The loss since the day started is 5120.02 (equity 1004879.98 from 1010000), at or over the global limit 5000 (dailyLossLimit)',
      );
      expect(outcome(await rig.service.submit(limit('sell', 500, '96.00')))).toBe('new'); // still reduces
    });

    it('a drawdown beyond maxIntradayDrawdownPct halts trading; automatic moves never loosen it', async () => {
      await rig.risk.setLimits(
        'global',
        '*',
        { maxIntradayDrawdownPct: dec(1), dailyLossLimit: dec(5_000) },
        'ops',
      );
      await rig.controls.tick(); // peak 1 010 000
      await buyPosition(1_000);
      rig.feed.set('AAPL', { bid: '89.99', ask: '90.01' }); // mid 90: acct-1 equity 989 879.98
      await rig.controls.tick();
      // 10 120.02 / 1 010 000 = 1.00198…%: over both limits; the halt is the stricter and stays.
      expect(rig.risk.tradingState()).toMatchObject({ state: 'halted', changedBy: 'risk-monitor' });
      expect(rig.alerts.map((a) => [a.kind, a.severity, a.tradingState])).toEqual([
        ['drawdown', 'critical', 'halted'],
      ]);
      expect(rig.alerts[0]?.message).toBe(
        'Intraday drawdown 1.002% across all accounts reached the limit 1%: trading is halted.',
      );
      expect(rig.alerts[0]?.details).toEqual({
        scope: '*',
        drawdownPct: dec('10120.02').div(1_010_000).times(100).toFixed(),
        limitPct: '1',
        peak: '1010000',
        equity: '999879.98',
      });
      expect(outcome(await rig.service.submit(market('sell', 1_000)))).toBe('denied:TRADING_HALTED');

      // The market recovers: nothing moves the state back by itself.
      rig.feed.set('AAPL', { bid: '100.00', ask: '100.02' });
      await rig.controls.tick();
      expect(rig.risk.tradingState().state).toBe('halted');
      expect(rig.alerts).toHaveLength(1);
    });

    it('a daily loss does not loosen a halt set by an operator', async () => {
      await rig.risk.setLimits('global', '*', { dailyLossLimit: dec(5_000) }, 'ops');
      await rig.controls.tick();
      await buyPosition(1_000);
      await rig.risk.setTradingState('halted', 'operator halt', 'ops');
      rig.feed.set('AAPL', { bid: '94.99', ask: '95.01' });
      await rig.controls.tick();
      expect(rig.risk.tradingState()).toMatchObject({ state: 'halted', reason: 'operator halt' });
      expect(rig.alerts).toEqual([]);
      // From reducing, a drawdown still tightens to halted.
      await rig.risk.setTradingState('reducing', 'operator eases', 'ops');
      await rig.risk.setLimits('global', '*', { maxIntradayDrawdownPct: dec('0.5') }, 'ops');
      await rig.controls.tick();
      expect(rig.risk.tradingState().state).toBe('halted');
      expect(rig.alerts.map((a) => [a.kind, a.tradingState])).toEqual([['drawdown', 'halted']]);
    });
  });
});
