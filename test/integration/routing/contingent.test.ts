import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { dec } from '../../../src/domain/decimal.js';
import type { OrderStatus } from '../../../src/domain/order.js';
import type { StoredOrder } from '../../../src/engine/ports.js';
import { Reconciler } from '../../../src/engine/reconciler.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { DrizzlePaperStateStore } from '../../../src/store/paper-state-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import { type Rig, T0, order, startRig, venue } from './rig.js';

/** The venue with native groups (the paper default) and one where the engine emulates them. */
const MODES = [
  { mode: 'native', profile: () => venue('groups-native') },
  { mode: 'emulated', profile: () => venue('groups-emulated', {}, { nativeContingent: [] }) },
] as const;

describe.each(TEST_BACKENDS)('contingent orders on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  const market = (r: Rig, id: string, bid: string, ask: string): void => {
    r.book(id, 'AAPL', [[bid, '10000']], [[ask, '10000']]);
  };

  /** The bracket's legs by role, as stored now. */
  async function legs(r: Rig, entry: StoredOrder): Promise<Record<string, StoredOrder['order']>> {
    const group = await r.service.group(entry);
    return Object.fromEntries(group.map((g) => [g.meta.role ?? 'none', g.order]));
  }

  const statuses = (l: Record<string, { status: OrderStatus }>): Record<string, OrderStatus> =>
    Object.fromEntries(Object.entries(l).map(([role, o]) => [role, o.status]));

  const bracket = (clientOrderId: string) =>
    order({
      quantity: dec(100),
      type: 'limit',
      limitPrice: dec('100'),
      clientOrderId,
      contingent: {
        orderClass: 'bracket',
        takeProfit: { limitPrice: dec('105') },
        stopLoss: { stopPrice: dec('95') },
      },
    });

  describe.each(MODES)('$mode', ({ mode, profile }) => {
    it('the entry fill activates both exits; the take-profit fill cancels the stop-loss', async () => {
      const p = profile();
      rig = await startRig(store(), [p]);
      market(rig, p.id, '101', '102');
      const entry = await rig.service.submit(bracket(`br-tp-${mode}`));
      await rig.settle();
      let l = await legs(rig, entry);
      expect(statuses(l)).toEqual({ entry: 'new', take_profit: 'new', stop_loss: 'new' });
      expect([l['take_profit']?.held, l['stop_loss']?.held]).toEqual([true, true]);
      expect(l['take_profit']?.emulated).toBe(mode === 'emulated');

      market(rig, p.id, '99.5', '100'); // the entry (buy 100 @ 100) fills
      await rig.settle();
      l = await legs(rig, entry);
      expect(statuses(l)).toEqual({ entry: 'filled', take_profit: 'new', stop_loss: 'new' });
      expect([l['take_profit']?.held, l['stop_loss']?.held]).toEqual([false, false]);
      expect(l['take_profit']?.quantity.toFixed()).toBe('100');

      market(rig, p.id, '105.5', '106'); // the take-profit (sell 100 @ 105) fills
      await rig.settle();
      l = await legs(rig, entry);
      expect(statuses(l)).toEqual({ entry: 'filled', take_profit: 'filled', stop_loss: 'canceled' });
      const position = (await rig.orders.positions(`${p.id}-acct`)).find((x) => x.symbol === 'AAPL');
      expect(position?.quantity.toFixed() ?? '0').toBe('0');
    });

    it('the stop-loss trigger cancels the take-profit', async () => {
      const p = profile();
      rig = await startRig(store(), [p]);
      market(rig, p.id, '99.5', '100');
      const entry = await rig.service.submit(bracket(`br-sl-${mode}`));
      await rig.settle();
      market(rig, p.id, '94', '94.5'); // through the stop at 95
      await rig.settle();
      const l = await legs(rig, entry);
      expect(statuses(l)).toEqual({ entry: 'filled', take_profit: 'canceled', stop_loss: 'filled' });
    });

    it('a partial entry fill sizes the exits to what it bought', async () => {
      const p = profile();
      rig = await startRig(store(), [p]);
      rig.book(
        p.id,
        'AAPL',
        [['99', '10000']],
        [
          ['100', '40'],
          ['100.5', '10000'],
        ],
      );
      const entry = await rig.service.submit(bracket(`br-part-${mode}`));
      await rig.settle();
      const l = await legs(rig, entry);
      expect(l['entry']?.filledQty.toFixed()).toBe('40');
      expect([l['take_profit']?.quantity.toFixed(), l['stop_loss']?.quantity.toFixed()]).toEqual([
        '40',
        '40',
      ]);
      expect([l['take_profit']?.held, l['stop_loss']?.held]).toEqual([false, false]);
    });

    it('an entry canceled unfilled cancels its held exits', async () => {
      const p = profile();
      rig = await startRig(store(), [p]);
      market(rig, p.id, '101', '102');
      const entry = await rig.service.submit(bracket(`br-cxl-${mode}`));
      await rig.settle();
      await rig.service.cancel({ orderId: entry.order.id });
      await rig.settle();
      const l = await legs(rig, entry);
      expect(statuses(l)).toEqual({ entry: 'canceled', take_profit: 'canceled', stop_loss: 'canceled' });
    });

    it('OCO: one member filling cancels the other', async () => {
      const p = profile();
      rig = await startRig(store(), [p]);
      market(rig, p.id, '100', '100.5');
      // Long 100 first, then protect it with an OCO exit: sell limit 105 / sell stop 95.
      await rig.service.submit(order({ quantity: dec(100) }));
      await rig.settle();
      const first = await rig.service.submit(
        order({
          side: 'sell',
          quantity: dec(100),
          type: 'limit',
          limitPrice: dec('105'),
          clientOrderId: `oco-${mode}`,
          contingent: {
            orderClass: 'oco',
            takeProfit: { limitPrice: dec('105') },
            stopLoss: { stopPrice: dec('95') },
          },
        }),
      );
      await rig.settle();
      market(rig, p.id, '105.5', '106');
      await rig.settle();
      const group = await rig.service.group(first);
      expect(group.map((g) => g.order.status).sort()).toEqual(['canceled', 'filled']);
    });

    it('a bracket with prices out of order is refused and nothing is stored', async () => {
      const p = profile();
      rig = await startRig(store(), [p]);
      market(rig, p.id, '99.5', '100');
      const bad = order({
        quantity: dec(10),
        type: 'limit',
        limitPrice: dec('100'),
        clientOrderId: `br-bad-${mode}`,
        contingent: {
          orderClass: 'bracket',
          takeProfit: { limitPrice: dec('99') },
          stopLoss: { stopPrice: dec('95') },
        },
      });
      await expect(rig.service.submit(bad)).rejects.toMatchObject({ code: 'INVALID_ORDER' });
      expect(await rig.service.findOrder({ clientOrderId: `br-bad-${mode}` })).toBeUndefined();
    });
  });

  /**
   * A crash in the middle of a bracket: the entry rests at a durable venue, the process dies, a new
   * one starts on the same database and venue state. The links come back from the store: the entry
   * fill activates the exits and the take-profit fill cancels the stop-loss.
   */
  describe.each(MODES)('restart mid-bracket ($mode)', ({ mode, profile }) => {
    it('restores the links', async () => {
      const clock = new SimulatedClock(T0);
      const state = new DrizzlePaperStateStore(store());
      const p = profile();
      rig = await startRig(store(), [p], { clock, state, instanceId: `i-${mode}` });
      market(rig, p.id, '101', '102');
      const entry = await rig.service.submit(bracket(`br-crash-${mode}`));
      await rig.settle();
      // The process dies: nothing of this engine survives but the database and the venue's state.
      rig.algos.stop();
      rig.contingent.stop();
      rig.service.stop();
      for (const broker of rig.brokers) await broker.close();
      rig = await startRig(store(), [p], { clock, state });
      await new Reconciler({
        store: rig.orders,
        service: rig.service,
        brokers: rig.brokers,
        instruments: new InstrumentRegistry(),
        clock,
      }).reconcileAll();
      await rig.contingent.restore();
      await rig.settle();
      market(rig, p.id, '99.5', '100');
      await rig.settle();
      let l = await legs(rig, entry);
      expect(statuses(l)).toEqual({ entry: 'filled', take_profit: 'new', stop_loss: 'new' });
      expect([l['take_profit']?.held, l['stop_loss']?.held]).toEqual([false, false]);
      market(rig, p.id, '105.5', '106');
      await rig.settle();
      l = await legs(rig, entry);
      expect(statuses(l)).toEqual({ entry: 'filled', take_profit: 'filled', stop_loss: 'canceled' });
    });
  });
});

describe.each(TEST_BACKENDS)('trailing stops emulated on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.stop();
    rig = undefined;
  });

  it('holds the order, ratchets the stop with the bid, and sells at market when it is hit', async () => {
    const p = venue('no-trailing', {}, { orderTypes: ['market', 'limit', 'stop', 'stop_limit'] });
    rig = await startRig(store(), [p]);
    const quote = (bid: string): void => {
      rig?.book(p.id, 'AAPL', [[bid, '10000']], [[dec(bid).plus('0.5').toFixed(), '10000']]);
    };
    quote('100');
    await rig.service.submit(order({ quantity: dec(50) }));
    await rig.settle();
    const trailing = await rig.service.submit(
      order({
        side: 'sell',
        type: 'trailing_stop',
        trailPrice: dec('2'),
        quantity: dec(50),
        timeInForce: 'gtc',
      }),
    );
    expect(trailing.order).toMatchObject({ status: 'new', held: true, emulated: true });
    expect(rig.brokers[0]?.workingOrderCount()).toBe(0); // the venue has nothing to trail

    const tick = async (): Promise<StoredOrder['order']> => {
      rig?.clock.advanceBy(1_000);
      await rig?.settle();
      return ((await rig?.orders.findById(trailing.order.id)) as StoredOrder).order;
    };
    expect((await tick()).currentStop?.toFixed()).toBe('98');
    quote('103');
    expect((await tick()).currentStop?.toFixed()).toBe('101'); // up with the bid
    quote('102');
    expect((await tick()).currentStop?.toFixed()).toBe('101'); // never back
    quote('100.9');
    const done = await tick(); // hit: sent as a market order, filled at the bid
    expect(done.status).toBe('filled');
    expect(done.avgFillPrice?.toFixed()).toBe('100.9');
    expect(done.type).toBe('trailing_stop');
  });
});
