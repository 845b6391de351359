import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { limitsToJson } from '../../../src/risk/limits.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import { type RiskRig, auditRows, limit, openRig, outcome, resetRiskTables, unique } from './harness.js';
import { EXPECTED_CHECK_ORDER } from '../../../src/risk/test-support.js';

const CHECK_ORDER = EXPECTED_CHECK_ORDER;

const DEFAULTS_JSON = {
  priceBandPct: '10',
  maxQuoteAgeMs: 5000,
  maxOrdersPerSecond: 20,
  maxOrdersPerMinute: 300,
};

describe.each(TEST_BACKENDS)('risk engine admission on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: RiskRig;

  beforeEach(async () => {
    await resetRiskTables(store());
    rig = await openRig(store());
  });

  afterEach(async () => {
    await rig.close();
  });

  describe('denials', () => {
    it('records a denial as denied with its code and a readable message, and never sends it', async () => {
      const submitted: string[] = [];
      rig.bus.subscribe('trade.order.submitted', ({ order }) => submitted.push(order.clientOrderId));
      const request = limit('buy', 10, '150.00');
      const denied = await rig.service.submit(request);
      expect(outcome(denied)).toBe('denied:PRICE_BAND');
      expect(denied.order.reject?.message).toBe(
        "The buy limit 150 is above the band's top 110.011 (reference 100.01 + 10%, priceBandPct from the default); check the price for a typo and send a limit at or below 110.011.",
      );
      expect(denied.order.venueOrderIds).toEqual([]);

      // Recorded as it was denied: no events, no fills.
      const details = await rig.service.getOrder({ orderId: denied.order.id });
      expect(outcome(details.stored)).toBe('denied:PRICE_BAND');
      expect(details.stored.meta).toMatchObject({ agentId: 'agent-risk', reason: 'integration test' });
      expect(details.events).toEqual([]);
      expect(details.fills).toEqual([]);

      // The venue never heard of it.
      await rig.service.idle();
      expect(await rig.broker.getOrder('acct-1', denied.order.clientOrderId)).toBeUndefined();
      expect((await rig.broker.ordersSince('acct-1', 0)).map((o) => o.clientOrderId)).toEqual([]);
      expect(rig.venueEvents).toEqual([]);
      expect(submitted).toEqual([]);

      // The same request again returns the recorded denial and sends nothing either.
      const again = await rig.service.submit(request);
      expect(again.order.id).toBe(denied.order.id);
      expect(rig.venueEvents).toEqual([]);
    });

    it('an open buy reserves buying power (with the taker fee); a denial reserves none', async () => {
      // acct-cash: 10 000 USD of buying power; the venue charges 10 bps taker fee (× 1.001).
      const cash = { accountId: 'acct-cash' };
      const first = await rig.service.submit(limit('buy', 50, '99.00', cash));
      expect(outcome(first)).toBe('new'); // rests below the 100.02 ask; reserves 50 × 99 × 1.001 = 4954.95

      // 51 × 99 = 5049 (+5.049 fee) = 5054.049 > 10 000 − 4954.95 = 5045.05: fits only without the first.
      const second = await rig.service.submit(limit('buy', 51, '99.00', cash));
      expect(outcome(second)).toBe('denied:INSUFFICIENT_BUYING_POWER');
      expect(second.order.reject?.message).toBe(
        'This order needs 5054.049 (notional 5049 plus estimated taker fee 5.049), but only 5045.05 of buying power is free (10000 less 4954.95 reserved by open orders); reduce quantity to at most 50.9091, or cancel open orders to free buying power.',
      );
      expect(await rig.broker.getOrder('acct-cash', second.order.clientOrderId)).toBeUndefined();

      // The denied order reserves nothing: another 50 (4954.95 ≤ 5045.05) still fits.
      const third = await rig.service.submit(limit('buy', 50, '99.00', cash));
      expect(outcome(third)).toBe('new');
      // Now only 10 000 − 2 × 4954.95 = 90.1 is free: one share at 99 (99.099) does not fit.
      const fourth = await rig.service.submit(limit('buy', 1, '99.00', cash));
      expect(outcome(fourth)).toBe('denied:INSUFFICIENT_BUYING_POWER');
      expect(fourth.order.reject?.message).toContain('only 90.1 of buying power is free');

      // Without the resting orders the 51 fits.
      await rig.service.cancel({ orderId: first.order.id });
      await rig.service.cancel({ orderId: third.order.id });
      await rig.service.idle();
      const alone = await rig.service.submit(limit('buy', 51, '99.00', cash));
      expect(outcome(alone)).toBe('new');
    });

    it('a replace that adds quantity beyond buying power is refused with the code; the order is unchanged', async () => {
      const cash = { accountId: 'acct-cash' };
      // 50 × 99 × 1.001 = 4954.95 reserved of 10 000.
      const resting = await rig.service.submit(limit('buy', 50, '99.00', cash));
      expect(outcome(resting)).toBe('new');
      // To 100: the added 50 needs 4954.95 more, and 5045.05 is free: it fits.
      const raised = await rig.service.replace({ orderId: resting.order.id }, { quantity: dec(100) });
      await rig.service.idle();
      expect(raised.order.quantity.toFixed()).toBe('100');
      // To 101: the added 1 share needs 99.099, and 10 000 − 9909.9 = 90.1 is free: refused.
      const refusal = await rig.service.replace({ orderId: resting.order.id }, { quantity: dec(101) }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toMatchObject({
        code: 'INSUFFICIENT_BUYING_POWER',
        details: { check: 'buying_power' },
      });
      const after = await rig.service.getOrder({ orderId: resting.order.id });
      expect([after.stored.order.status, after.stored.order.quantity.toFixed()]).toEqual(['new', '100']);
      // The refused request was never recorded (nor sent): no request for 101 in the history.
      const requested = after.events.flatMap((e) =>
        e.kind === 'rpl_req' ? [e.changes.quantity?.toFixed()] : [],
      );
      expect(requested).toContain('100');
      expect(requested).not.toContain('101');
      // A lower quantity always passes, and frees the room for a new order.
      await rig.service.replace({ orderId: resting.order.id }, { quantity: dec(60) });
      await rig.service.idle();
      expect(outcome(await rig.service.submit(limit('buy', 40, '99.00', cash)))).toBe('new');
    });

    it('a replace raising the limit price past the band or the notional limit is refused', async () => {
      await rig.risk.setLimits('global', '*', { maxOrderNotional: dec(10_000) }, 'risk-admin');
      const resting = await rig.service.submit(limit('buy', 100, '99.00'));
      expect(outcome(resting)).toBe('new');
      const band = await rig.service
        .replace({ orderId: resting.order.id }, { limitPrice: dec('110.02') })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(band).toMatchObject({ code: 'PRICE_BAND' });
      const notional = await rig.service.replace({ orderId: resting.order.id }, { quantity: dec(102) }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(notional).toMatchObject({ code: 'ORDER_NOTIONAL_LIMIT', details: { level: 'global' } });
      const ok = await rig.service.replace({ orderId: resting.order.id }, { quantity: dec(101) });
      await rig.service.idle();
      expect(ok.order.quantity.toFixed()).toBe('101');
    });

    it('replaces and submits racing for the same buying power never exceed it together', async () => {
      const cash = { accountId: 'acct-cash' };
      await rig.risk.setLimits(
        'global',
        '*',
        { maxOrdersPerSecond: 10_000, maxOrdersPerMinute: 100_000 },
        'risk-admin',
      );
      // Ten resting buys of 5 at 99 (4954.95 reserved), then at once: each raised to 10 and ten new
      // buys of 5, together asking for twice what is free.
      const resting = [];
      for (let i = 0; i < 10; i++) resting.push(await rig.service.submit(limit('buy', 5, '99.00', cash)));
      expect(resting.map(outcome)).toEqual(Array<string>(10).fill('new'));
      const raises = resting.map((r) =>
        rig.service.replace({ orderId: r.order.id }, { quantity: dec(10) }).then(
          () => 'replaced',
          (error: unknown) => (error as { code: string }).code,
        ),
      );
      const submits = Array.from({ length: 10 }, () =>
        rig.service.submit(limit('buy', 5, '99.00', cash)).then(outcome),
      );
      const results = await Promise.all([...raises, ...submits]);
      await rig.service.idle();
      expect(results.filter((r) => r === 'replaced' || r === 'new').length).toBeGreaterThan(0);
      expect(
        results.some((r) => r === 'INSUFFICIENT_BUYING_POWER' || r === 'denied:INSUFFICIENT_BUYING_POWER'),
      ).toBe(true);
      const rows = await store().query(
        `select coalesce(sum((quantity - filled_qty) * limit_price * 1.001), 0)::text as reserved
         from orders where account_id = 'acct-cash' and status in ('new', 'pending_new', 'pending_replace', 'partially_filled')`,
        [],
      );
      expect(dec(String(rows[0]?.['reserved'])).lessThanOrEqualTo(10_000)).toBe(true);
    });

    it('denied orders do not count against the rate limit', async () => {
      await rig.risk.setLimits('agent', 'agent-rate', { maxOrdersPerSecond: 2 }, 'risk-admin');
      const agent = { agentId: 'agent-rate' };
      const results = [];
      results.push(await rig.service.submit(limit('buy', 1, '99.00', agent)));
      results.push(await rig.service.submit(limit('buy', 1, '150.00', agent))); // fat finger
      results.push(await rig.service.submit(limit('buy', 1, '99.00', agent)));
      results.push(await rig.service.submit(limit('buy', 1, '99.00', agent)));
      results.push(await rig.service.submit(limit('buy', 1, '99.00', agent)));
      expect(results.map(outcome)).toEqual([
        'new',
        'denied:PRICE_BAND',
        'new',
        'denied:RATE_LIMITED',
        'denied:RATE_LIMITED',
      ]);
      expect(results[3]?.order.reject?.message).toBe(
        'This would be your order 3 within one second, over the agent limit of 2 per second per agent (maxOrdersPerSecond); wait a second and retry, and send fewer, larger orders (or ask a risk admin to raise maxOrdersPerSecond).',
      );
      // Another agent is not limited by agent-rate's limit.
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00')))).toBe('new');
      // A second later the window is empty again (the quote is refreshed so it is not stale).
      rig.clock.advanceBy(1_000);
      rig.feed.set('AAPL', { bid: '100.00', ask: '100.02' });
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00', agent)))).toBe('new');
    });

    it('denies STALE_QUOTE once the quote is older than 5 s while the session is open', async () => {
      rig.clock.advanceBy(5_000);
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00')))).toBe('new'); // exactly 5000 ms
      rig.clock.advanceBy(1);
      const stale = await rig.service.submit(limit('buy', 1, '99.00'));
      expect(outcome(stale)).toBe('denied:STALE_QUOTE');
      expect(stale.order.reject?.message).toContain(
        'The AAPL quote is 5001 ms old, over the 5000 ms allowed',
      );
    });
  });

  describe('limits', () => {
    it('limitsInForce shows the defaults under the global settings', async () => {
      expect(await json(rig, 'acct-1', 'agent-risk')).toEqual({
        global: DEFAULTS_JSON,
        account: {},
        agent: {},
      });
      await rig.risk.setLimits('global', '*', { priceBandPct: dec(5), maxOrderNotional: dec(10_000) }, 'ops');
      expect(await json(rig, 'acct-1', 'agent-risk')).toEqual({
        global: { ...DEFAULTS_JSON, priceBandPct: '5', maxOrderNotional: '10000' },
        account: {},
        agent: {},
      });
      // The tighter band applies at once: 105.02 > 100.01 × 1.05 = 105.0105.
      expect(outcome(await rig.service.submit(limit('buy', 1, '105.02')))).toBe('denied:PRICE_BAND');
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00')))).toBe('new');
    });

    it('maxOrderNotional at each level: at the limit passes, one tick above is denied naming the level', async () => {
      const actor = unique('admin-');
      await rig.risk.setLimits('global', '*', { maxOrderNotional: dec(10_000) }, actor);
      await rig.risk.setLimits('account', 'acct-1', { maxOrderNotional: dec(5_000) }, actor);
      await rig.risk.setLimits('agent', 'agent-small', { maxOrderNotional: dec(2_000) }, actor);

      const small = { agentId: 'agent-small' };
      const cases: [string, ReturnType<typeof limit>][] = [
        ['new', limit('buy', 20, '100.00', small)], // 2000 = agent limit
        ['denied:ORDER_NOTIONAL_LIMIT', limit('buy', 20, '100.01', small)], // 2000.2
        ['new', limit('buy', 20, '100.01')], // agent-risk has no agent limit
        ['new', limit('buy', 50, '100.00')], // 5000 = account limit
        ['denied:ORDER_NOTIONAL_LIMIT', limit('buy', 50, '100.01')], // 5000.5
      ];
      const results = [];
      for (const [, request] of cases) results.push(await rig.service.submit(request));
      expect(results.map(outcome)).toEqual(cases.map(([expected]) => expected));
      expect(results[1]?.order.reject?.message).toBe(
        'Order notional 2000.2 exceeds the agent limit 2000 (maxOrderNotional) by 0.2; reduce quantity to at most 19.998, or ask a risk admin to raise maxOrderNotional.',
      );
      expect(results[4]?.order.reject?.message).toContain(
        'Order notional 5000.5 exceeds the account limit 5000 (maxOrderNotional) by 0.5',
      );

      // The failed check names the level, the limit and the value.
      const agentCheck = await rig.service.checkRisk(limit('buy', 20, '100.01', small));
      expect(agentCheck.failed).toMatchObject({
        name: 'order_notional',
        code: 'ORDER_NOTIONAL_LIMIT',
        level: 'agent',
        limit: '2000',
        actual: '2000.2',
      });
      const accountCheck = await rig.service.checkRisk(limit('buy', 50, '100.01'));
      expect(accountCheck.failed).toMatchObject({ level: 'account', limit: '5000', actual: '5000.5' });

      // null removes the account limit (patch semantics): now the global one decides.
      await rig.risk.setLimits('account', 'acct-1', { maxOrderNotional: null }, actor);
      expect(outcome(await rig.service.submit(limit('buy', 50, '100.01')))).toBe('new');
      expect(outcome(await rig.service.submit(limit('buy', 100, '100.00')))).toBe('new'); // 10 000
      const overGlobal = await rig.service.submit(limit('buy', 100, '100.01')); // 10 001
      expect(outcome(overGlobal)).toBe('denied:ORDER_NOTIONAL_LIMIT');
      expect(overGlobal.order.reject?.message).toContain(
        'Order notional 10001 exceeds the global limit 10000 (maxOrderNotional) by 1',
      );
      expect((await rig.service.checkRisk(limit('buy', 100, '100.01'))).failed).toMatchObject({
        level: 'global',
        limit: '10000',
        actual: '10001',
      });

      // A patch without the field leaves it; null removes only what it names.
      await rig.risk.setLimits('global', '*', { maxOpenOrders: 100 }, actor);
      expect((await json(rig)).global).toEqual({
        ...DEFAULTS_JSON,
        maxOrderNotional: '10000',
        maxOpenOrders: 100,
      });
      await rig.risk.setLimits('global', '*', { maxOrderNotional: null }, actor);
      expect((await json(rig)).global).toEqual({ ...DEFAULTS_JSON, maxOpenOrders: 100 });
      expect(outcome(await rig.service.submit(limit('buy', 100, '100.01')))).toBe('new');

      // Every change is in the audit log, with the level, the scope and the before and after.
      const audit = await auditRows(store(), 'risk_limits.set', actor);
      expect(audit.map((a) => [a.entity, a.entityId, a.data])).toEqual([
        ['risk_limits:global', '*', { before: {}, after: { maxOrderNotional: '10000' } }],
        ['risk_limits:account', 'acct-1', { before: {}, after: { maxOrderNotional: '5000' } }],
        ['risk_limits:agent', 'agent-small', { before: {}, after: { maxOrderNotional: '2000' } }],
        ['risk_limits:account', 'acct-1', { before: { maxOrderNotional: '5000' }, after: {} }],
        [
          'risk_limits:global',
          '*',
          { before: { maxOrderNotional: '10000' }, after: { maxOrderNotional: '10000', maxOpenOrders: 100 } },
        ],
        [
          'risk_limits:global',
          '*',
          { before: { maxOrderNotional: '10000', maxOpenOrders: 100 }, after: { maxOpenOrders: 100 } },
        ],
      ]);
    });

    it("an agent card's limits apply; setLimits for the agent overrides them field by field", async () => {
      await rig.close();
      rig = await openRig(store(), {
        agentLimits: (id) => (id === 'agent-card' ? { maxOrderNotional: dec(3_000), maxOpenOrders: 5 } : {}),
      });
      const card = { agentId: 'agent-card' };
      expect((await json(rig, 'acct-1', 'agent-card')).agent).toEqual({
        maxOrderNotional: '3000',
        maxOpenOrders: 5,
      });
      expect(outcome(await rig.service.submit(limit('buy', 30, '100.00', card)))).toBe('new'); // 3000
      const over = await rig.service.submit(limit('buy', 30, '100.01', card)); // 3000.3
      expect(outcome(over)).toBe('denied:ORDER_NOTIONAL_LIMIT');
      expect(over.order.reject?.message).toContain('exceeds the agent limit 3000 (maxOrderNotional)');
      // Other agents have no card limit.
      expect(outcome(await rig.service.submit(limit('buy', 30, '100.01')))).toBe('new');

      const actor = unique('admin-');
      await rig.risk.setLimits('agent', 'agent-card', { maxOrderNotional: dec(4_000) }, actor);
      expect((await json(rig, 'acct-1', 'agent-card')).agent).toEqual({
        maxOrderNotional: '4000',
        maxOpenOrders: 5,
      });
      expect(outcome(await rig.service.submit(limit('buy', 30, '100.01', card)))).toBe('new');
      expect(outcome(await rig.service.submit(limit('buy', 40, '100.00', card)))).toBe('new'); // 4000
      const overNew = await rig.service.submit(limit('buy', 40, '100.01', card)); // 4000.4
      expect(outcome(overNew)).toBe('denied:ORDER_NOTIONAL_LIMIT');
      expect(overNew.order.reject?.message).toContain(
        'exceeds the agent limit 4000 (maxOrderNotional) by 0.4',
      );
      // The card's maxOpenOrders (5) still holds: agent-card has 3 open orders, so 2 more fit.
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00', card)))).toBe('new');
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00', card)))).toBe('new');
      expect(outcome(await rig.service.submit(limit('buy', 1, '99.00', card)))).toBe(
        'denied:MAX_OPEN_ORDERS',
      );
      expect(await auditRows(store(), 'risk_limits.set', actor)).toEqual([
        {
          entity: 'risk_limits:agent',
          entityId: 'agent-card',
          data: { before: {}, after: { maxOrderNotional: '4000' } },
        },
      ]);
    });
  });

  describe('performRiskCheck', () => {
    it('checkRisk lists every check in §7.2 order and records nothing', async () => {
      await rig.risk.setLimits('global', '*', { maxOrderNotional: dec(1_000) }, 'ops');
      const bad = limit('buy', 100, '150.00'); // outside the band, and 15 000 over the 1000 limit
      const decision = await rig.service.checkRisk(bad);
      expect(decision.approved).toBe(false);
      expect(decision.code).toBe('PRICE_BAND');
      expect(decision.checks.map((c) => c.name)).toEqual(CHECK_ORDER);
      expect(decision.checks.filter((c) => !c.passed).map((c) => [c.name, c.code, c.level])).toEqual([
        ['price_band', 'PRICE_BAND', 'global'],
        ['order_notional', 'ORDER_NOTIONAL_LIMIT', 'global'],
      ]);
      expect(decision.checks.find((c) => c.name === 'order_notional')).toMatchObject({
        limit: '1000',
        actual: '15000',
      });

      const good = limit('buy', 5, '100.00');
      const approved = await rig.service.checkRisk(good);
      expect(approved.approved).toBe(true);
      expect(approved.code).toBeUndefined();
      expect(approved.checks.map((c) => [c.name, c.passed])).toEqual(CHECK_ORDER.map((n) => [n, true]));

      // Nothing was recorded or sent.
      for (const request of [bad, good]) {
        expect(
          await rig.service.findOrder({ clientOrderId: request.clientOrderId ?? '', accountId: 'acct-1' }),
        ).toBeUndefined();
      }
      expect(await rig.broker.ordersSince('acct-1', 0)).toEqual([]);
      const page = await rig.service.listOrders({ status: 'all', accountId: 'acct-1', limit: 500 });
      expect(page.orders.filter((o) => o.order.createdAt >= rig.clock.now())).toEqual([]);
    });
  });
});

async function json(
  rig: RiskRig,
  accountId?: string,
  agentId?: string,
): Promise<{ global: unknown; account?: unknown; agent?: unknown }> {
  const limits = await rig.risk.limitsInForce(accountId, agentId);
  return {
    global: limitsToJson(limits.global),
    ...(limits.account === undefined ? {} : { account: limitsToJson(limits.account) }),
    ...(limits.agent === undefined ? {} : { agent: limitsToJson(limits.agent) }),
  };
}
