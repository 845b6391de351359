import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { OpenOrderSnapshot } from '../../../src/engine/risk-ports.js';
import { DrizzleRiskStore, RISK_LOCK } from '../../../src/store/risk-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import { PROFILE, type RiskRig, limit, openRig, outcome, resetRiskTables, unique } from './harness.js';

/**
 * The usage an engine keeps between admissions (src/engine/usage-cache.ts) against writes it did
 * not make: two engines on one database are two server processes. Every write that raises usage
 * makes the other engine read usage afresh; writes that lower it make a denial be decided again.
 */
describe.each(TEST_BACKENDS)('usage kept between admissions on %s', (backend) => {
  const store = useTestStore(backend);
  let a: RiskRig;
  let b: RiskRig;

  beforeEach(async () => {
    await resetRiskTables(store());
    a = await openRig(store());
    // The other process's venue emulates contingent groups: the engine holds and releases their legs.
    b = await openRig(store(), { profile: { ...PROFILE, nativeContingent: [] } });
    await a.risk.setLimits('global', '*', { maxOpenOrders: 3 }, 'test');
  });

  afterEach(async () => {
    await a.close();
    await b.close();
  });

  const buy = () => limit('buy', 1, '99.00');

  it("an engine uses its kept usage until another process's admission, then reads it afresh", async () => {
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(a.risk.usageReads()).toEqual({ read: 1, cached: 1, reread: 0 });

    expect(outcome(await b.service.submit(buy()))).toBe('new');
    expect(outcome(await a.service.submit(buy()))).toBe('denied:MAX_OPEN_ORDERS');
    expect(a.risk.usageReads()).toEqual({ read: 2, cached: 1, reread: 0 });
  });

  it('an order imported outside an admission counts at the next admission', async () => {
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    // An order placed at the venue behind the engine's back, then found by reconciliation.
    const clientOrderId = unique('ext');
    await a.broker.submit({ ...buy(), accountId: 'acct-1', clientOrderId });
    const venueOrder = await a.broker.getOrder('acct-1', clientOrderId);
    if (venueOrder === undefined) throw new Error('the venue lost the order');
    await a.service.importExternal(venueOrder);

    expect(outcome(await a.service.submit(buy()))).toBe('denied:MAX_OPEN_ORDERS');
    expect(a.risk.usageReads()).toEqual({ read: 2, cached: 1, reread: 0 });
  });

  it('a held leg another process releases counts at the next admission', async () => {
    const oto = await b.service.submit(
      limit('buy', 1, '99.00', {
        contingent: { orderClass: 'oto', takeProfit: { limitPrice: dec('101.00') } },
      }),
    );
    expect(outcome(oto)).toBe('new');
    const secondary = (await b.service.group(oto)).find((m) => m.meta.role === 'secondary');
    expect(secondary?.order.held).toBe(true);
    // Open: the primary and this one; the held secondary counts nowhere yet.
    expect(outcome(await a.service.submit(buy()))).toBe('new');

    await b.service.activateHeld(secondary?.order.id ?? '', dec(1));
    expect(outcome(await a.service.submit(buy()))).toBe('denied:MAX_OPEN_ORDERS');
  });

  it('room freed by a cancel this process applied is found without reading usage again', async () => {
    const first = await a.service.submit(buy());
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    await a.service.cancel({ orderId: first.order.id });
    await a.service.idle();

    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(a.risk.usageReads()).toEqual({ read: 1, cached: 3, reread: 0 });
    expect(outcome(await a.service.submit(buy()))).toBe('denied:MAX_OPEN_ORDERS');
  });

  it('room freed in another process is found: a denial on kept usage is decided again on a fresh read', async () => {
    const other = await b.service.submit(buy());
    expect(outcome(other)).toBe('new');
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    // Lowering usage advances no epoch: the first engine still counts the other's order.
    await b.service.cancel({ orderId: other.order.id });
    await b.service.idle();

    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(a.risk.usageReads()).toEqual({ read: 1, cached: 2, reread: 1 });
    expect(outcome(await a.service.submit(buy()))).toBe('denied:MAX_OPEN_ORDERS');
  });

  it('room freed in another process is found by the next snapshot of the open orders, with no read under the lock', async () => {
    await a.risk.setLimits('global', '*', { maxOpenOrders: 4 }, 'test');
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    const other = await b.service.submit(buy());
    expect(outcome(await a.service.submit(buy()))).toBe('new'); // reads afresh: counts the other's
    await b.service.cancel({ orderId: other.order.id });
    await b.service.idle();
    expect(a.risk.usageReads()).toEqual({ read: 2, cached: 0, reread: 0 });

    // Kept usage is 5 s old: this admission (3 kept + 1) uses it, then a snapshot replaces it.
    a.clock.advanceBy(5_000);
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    await a.risk.idle();
    expect(a.risk.usageRefreshes()).toEqual({ used: 1, unused: 0, failed: 0 });

    // Without the snapshot, kept usage (4) would deny this order and usage would be read again.
    expect(outcome(await a.service.submit(buy()))).toBe('new');
    expect(a.risk.usageReads()).toEqual({ read: 2, cached: 2, reread: 0 });
    expect(outcome(await a.service.submit(buy()))).toBe('denied:MAX_OPEN_ORDERS');
  });

  it.runIf(backend === 'postgres')(
    'the snapshot of the open orders is read while an admission holds the risk lock',
    async () => {
      expect(outcome(await a.service.submit(buy()))).toBe('new');
      const riskStore = new DrizzleRiskStore(store());
      let taken: OpenOrderSnapshot | undefined;
      let held = 0n;
      const admission = store().transaction(async (query) => {
        await query('select pg_advisory_xact_lock($1)', [RISK_LOCK]);
        const [row] = await query(
          'update risk_usage_epoch set epoch = epoch + 1 returning epoch::text as e',
          [],
        );
        held = BigInt(String(row?.['e']));
        await query(`update orders set quantity = 5 where status = 'new'`, []);
        // Another connection, meanwhile: what is committed, read without the lock.
        taken = await riskStore.openOrderSnapshot();
        throw new Error('rolled back');
      });
      await expect(admission).rejects.toThrow('rolled back');
      expect(taken?.epoch).toBe(held - 1n);
      expect(taken?.groups.map((g) => [g.count, g.leaves.toFixed()])).toEqual([[1, '1']]);
    },
  );
});
