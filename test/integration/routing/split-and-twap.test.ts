import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import type { StoredOrder } from '../../../src/engine/ports.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import { type Rig, T0, order, startRig, venue } from './rig.js';

const MINUTE = 60_000;

describe.each(TEST_BACKENDS)('smart routing and algorithms on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  /** Two venues whose best levels are each thinner than the order: the split takes both. */
  async function twoVenues(): Promise<Rig> {
    const r = await startRig(store(), [venue('venue-a'), venue('venue-b')]);
    r.book(
      'venue-a',
      'AAPL',
      [['99.90', '1000']],
      [
        ['100.00', '300'],
        ['100.05', '300'],
        ['100.20', '5000'],
      ],
    );
    r.book(
      'venue-b',
      'AAPL',
      [['99.89', '1000']],
      [
        ['100.01', '300'],
        ['100.06', '300'],
        ['100.25', '5000'],
      ],
    );
    return r;
  }

  /** What a market buy of `quantity` pays on one book: its volume-weighted price. */
  const walk = (asks: [string, string][], quantity: number): string => {
    let left = dec(quantity);
    let notional = dec(0);
    for (const [price, size] of asks) {
      const take = left.lessThan(size) ? left : dec(size);
      notional = notional.plus(take.times(price));
      left = left.minus(take);
    }
    return notional.div(quantity).toFixed();
  };

  it('splits when it beats the best single venue, and the realized average beats every single venue', async () => {
    rig = await twoVenues();
    const request = {
      ...order({ quantity: dec(600), clientOrderId: 'split-1' }),
      routing: { allowSplit: true },
    };
    const { plan } = await rig.desk.plan(request);
    expect(plan.split).toBe(true);
    expect(plan.allocations.map((a) => `${a.venue}:${a.quantity.toFixed()}`).sort()).toEqual([
      'venue-a:300',
      'venue-b:300',
    ]);
    expect(plan.expectedAveragePrice?.toFixed()).toBe('100.005');
    expect(plan.bestSingle?.venue).toBe('venue-a');
    expect(plan.bestSingle?.expectedAveragePrice?.toFixed()).toBe('100.025');

    const parent = await rig.desk.execute(request);
    await rig.settle();
    const stored = (await rig.orders.findById(parent.order.id)) as StoredOrder;
    const children = await rig.orders.children(parent.order.id);
    expect(stored.meta.role).toBe('parent');
    expect(stored.order.status).toBe('filled');
    expect(children.map((c) => `${c.order.venue}:${c.order.filledQty.toFixed()}`).sort()).toEqual([
      'venue-a:300',
      'venue-b:300',
    ]);
    expect(children.map((c) => c.order.clientOrderId).sort()).toEqual(['split-1-C1', 'split-1-C2']);
    const filled = children.reduce((s, c) => s.plus(c.order.filledQty), dec(0));
    expect(stored.order.filledQty.toFixed()).toBe(filled.toFixed());
    const realized = stored.order.avgFillPrice;
    expect(realized?.toFixed()).toBe('100.005');
    // Each venue alone, for the whole 600:
    const singleA = walk(
      [
        ['100.00', '300'],
        ['100.05', '300'],
        ['100.20', '5000'],
      ],
      600,
    );
    const singleB = walk(
      [
        ['100.01', '300'],
        ['100.06', '300'],
        ['100.25', '5000'],
      ],
      600,
    );
    expect(singleA).toBe('100.025');
    expect(singleB).toBe('100.035');
    expect(realized?.lessThan(singleA)).toBe(true);
    expect(realized?.lessThan(singleB)).toBe(true);
    const decisions = await rig.routingLog.decisions([parent.order.id]);
    expect(decisions.some((d) => d.split && d.allocations.length === 2)).toBe(true);
    expect(rig.failures).toEqual([]);
  });

  it('stays on one venue when splitting is not cheaper, and honours a pinned venue', async () => {
    rig = await twoVenues();
    const small = { ...order({ quantity: dec(200) }), routing: { allowSplit: true } };
    const { plan } = await rig.desk.plan(small);
    expect(plan.split).toBe(false);
    expect(plan.allocations.map((a) => a.venue)).toEqual(['venue-a']);
    const placed = await rig.desk.execute(small);
    expect(placed.meta.role).toBeUndefined();
    expect(placed.order.venue).toBe('venue-a');
    const pinned = await rig.desk.execute({
      ...order({ quantity: dec(600), venue: 'venue-b' }),
      routing: { allowSplit: true },
    });
    expect(pinned.order.venue).toBe('venue-b');
    expect(pinned.meta.role).toBeUndefined();
  });

  it('a retried client order id returns its order even when the router would now choose another venue', async () => {
    rig = await twoVenues();
    const request = order({
      quantity: dec(10),
      type: 'limit',
      limitPrice: dec('99'),
      clientOrderId: 'retry-1',
    });
    const [first, concurrent] = await Promise.all([rig.service.submit(request), rig.service.submit(request)]);
    expect(concurrent.order.id).toBe(first.order.id);
    // venue-b becomes the better venue; the retry still names the order on venue-a.
    rig.book('venue-a', 'AAPL', [['98.00', '1000']], [['101.00', '1000']]);
    rig.book('venue-b', 'AAPL', [['98.50', '1000']], [['99.50', '1000']]);
    const retried = await rig.service.submit(request);
    expect(retried.order.id).toBe(first.order.id);
    expect(retried.order.venue).toBe(first.order.venue);
    await expect(rig.service.submit({ ...request, quantity: dec(11) })).rejects.toMatchObject({
      code: 'DUPLICATE_CLIENT_ORDER_ID',
    });
    const all = await rig.service.listOrders({ status: 'all', limit: 50 });
    expect(all.orders.filter((o) => o.order.clientOrderId === 'retry-1')).toHaveLength(1);
  });

  it('routes to the cheaper venue once fees are counted', async () => {
    rig = await startRig(store(), [venue('venue-a', { taker_fee_bps: '30' }), venue('venue-b')]);
    rig.book('venue-a', 'AAPL', [['99.90', '1000']], [['100.00', '1000']]);
    rig.book('venue-b', 'AAPL', [['99.90', '1000']], [['100.10', '1000']]);
    const placed = await rig.service.submit(order({ quantity: dec(100) }));
    // 100.00 + 30 bp = 100.30 > 100.10 + 0 bp.
    expect(placed.order.venue).toBe('venue-b');
  });

  it('TWAP over a simulated hour: 12 children of exact sizes at exact times; the parent sums them', async () => {
    rig = await startRig(store(), [venue('venue-a')]);
    rig.book('venue-a', 'AAPL', [['99.99', '100000']], [['100.00', '100000']]);
    const parent = await rig.desk.execute({
      ...order({ quantity: dec(1000), clientOrderId: 'twap-1' }),
      algo: { type: 'twap', durationSeconds: 3600, slices: 12 },
    });
    await rig.settle();
    for (let k = 2; k <= 12; k += 1) {
      rig.clock.advanceTo(T0 + (k - 1) * 5 * MINUTE);
      await rig.settle();
    }
    rig.clock.advanceTo(T0 + 60 * MINUTE);
    await rig.settle();
    const children = (await rig.orders.children(parent.order.id)).map((c) => c.order);
    expect(children).toHaveLength(12);
    // AAPL trades in lots of 0.0001: slice = floor_lot(1000 / 12), the last slice the rest.
    expect(children.map((c) => c.quantity.toFixed())).toEqual([
      ...Array<string>(11).fill('83.3333'),
      '83.3337',
    ]);
    expect(children.map((c) => c.createdAt - T0)).toEqual(
      Array.from({ length: 12 }, (_, i) => i * 5 * MINUTE),
    );
    expect(children.map((c) => c.clientOrderId)).toEqual(
      Array.from({ length: 12 }, (_, i) => `twap-1-C${i + 1}`),
    );
    const final = (await rig.orders.findById(parent.order.id)) as StoredOrder;
    const sum = children.reduce((s, c) => s.plus(c.filledQty), dec(0));
    expect(final.order.filledQty.toFixed()).toBe(sum.toFixed());
    expect(final.order.filledQty.toFixed()).toBe('1000');
    expect(final.order.status).toBe('filled');
    expect(final.order.avgFillPrice?.toFixed()).toBe('100');
  });

  it('a TWAP resumes after a restart where it stood, without placing a slice twice', async () => {
    const clock = new SimulatedClock(T0);
    rig = await startRig(store(), [venue('venue-a')], { clock });
    rig.book('venue-a', 'AAPL', [['99.99', '100000']], [['100.00', '100000']]);
    const parent = await rig.desk.execute({
      ...order({ quantity: dec(600), clientOrderId: 'twap-restart' }),
      algo: { type: 'twap', durationSeconds: 600, slices: 6 },
    });
    await rig.settle();
    clock.advanceTo(T0 + 2 * MINUTE);
    await rig.settle();
    await rig.stop();
    // Down for three slices' worth of time: the restart catches up at once, then keeps the schedule.
    clock.advanceTo(T0 + 5 * MINUTE);
    rig = await startRig(store(), [venue('venue-a')], { clock });
    rig.book('venue-a', 'AAPL', [['99.99', '100000']], [['100.00', '100000']]);
    expect(await rig.algos.restore()).toBeGreaterThanOrEqual(1);
    await rig.settle();
    for (const minute of [6, 7, 8, 9, 10]) {
      clock.advanceTo(T0 + minute * MINUTE);
      await rig.settle();
    }
    const children = (await rig.orders.children(parent.order.id)).map((c) => c.order);
    const ids = children.map((c) => c.clientOrderId);
    expect(new Set(ids).size).toBe(ids.length);
    const final = (await rig.orders.findById(parent.order.id)) as StoredOrder;
    expect(final.order.filledQty.toFixed()).toBe('600');
    expect(final.order.status).toBe('filled');
    expect(children.reduce((s, c) => s.plus(c.filledQty), dec(0)).toFixed()).toBe('600');
  });

  it('canceling the parent cancels its open children and keeps its fills', async () => {
    rig = await startRig(store(), [venue('venue-a')]);
    rig.book('venue-a', 'AAPL', [['99.00', '100000']], [['101.00', '100000']]);
    const parent = await rig.desk.execute({
      ...order({ quantity: dec(100), type: 'limit', limitPrice: dec('100'), clientOrderId: 'ice-1' }),
      algo: { type: 'twap', durationSeconds: 600, slices: 2 },
    });
    await rig.settle();
    const open = (await rig.orders.children(parent.order.id)).filter((c) => c.order.status === 'new');
    expect(open).toHaveLength(1);
    const canceled = await rig.service.cancel({ orderId: parent.order.id });
    await rig.settle();
    const after = (await rig.orders.findById(parent.order.id)) as StoredOrder;
    expect(['canceled', 'pending_cancel']).toContain(canceled.order.status);
    expect(after.order.status).toBe('canceled');
    const children = await rig.orders.children(parent.order.id);
    expect(children.every((c) => c.order.status === 'canceled')).toBe(true);
    // No further slice after the cancel.
    rig.clock.advanceTo(T0 + 10 * MINUTE);
    await rig.settle();
    expect(await rig.orders.children(parent.order.id)).toHaveLength(children.length);
  });
});
