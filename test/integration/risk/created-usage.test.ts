import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { usageOfCreated } from '../../../src/engine/created-usage.js';
import type { StoredOrder } from '../../../src/engine/ports.js';
import type { OrderUsage, UsageWindow } from '../../../src/engine/risk-ports.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';
import { type RiskRig, T0, limit, market, openRig, outcome, resetRiskTables, unique } from './harness.js';

/** Usage with decimals as text and rows in a fixed order, for comparing two sources of it. */
function comparable(usage: OrderUsage) {
  const byKey = <T extends { key: string }>(rows: T[]): T[] =>
    rows.sort((a, b) => a.key.localeCompare(b.key));
  return {
    groups: byKey(
      usage.groups.map((g) => ({
        key: [g.accountId, g.agentId, g.symbol, g.side].join('/'),
        count: g.count,
        leaves: g.leaves.toFixed(),
        notional: g.notional.toFixed(),
        limitOrders: g.limitOrders,
        bestLimit: g.bestLimit?.toFixed(),
      })),
    ),
    activity: byKey(
      usage.activity.map((a) => ({
        key: `${a.agentId}/${a.accountId}`,
        lastSecond: a.lastSecond,
        lastMinute: a.lastMinute,
        latestAt: a.latestAt,
        dailyNotional: a.dailyNotional.toFixed(),
      })),
    ),
    priceless: usage.priceless,
  };
}

/**
 * The admission works out what the orders it inserted add to usage in memory (usageOfCreated)
 * instead of reading them back; the usage cache adds it to what it keeps. Here the two are held
 * equal over orders of every shape an admission creates, and in the states they move to after.
 */
describe.each(TEST_BACKENDS)('usage of created orders, in memory and as read, on %s', (backend) => {
  const store = useTestStore(backend);
  let rig: RiskRig;

  beforeEach(async () => {
    await resetRiskTables(store());
    rig = await openRig(store());
  });

  afterEach(async () => {
    await rig.close();
  });

  async function placeEveryKind(): Promise<StoredOrder[]> {
    const { service, clock, feed } = rig;
    const placed: StoredOrder[] = [];
    const place = async (submitted: Promise<StoredOrder>): Promise<StoredOrder> => {
      const stored = await submitted;
      placed.push(stored);
      return stored;
    };
    const filled = await place(service.submit(market('buy', 2)));
    await place(service.submit(limit('buy', 10, '99.00')));
    await place(service.submit(limit('buy', 5, '99.50')));
    await place(service.submit(limit('sell', 3, '101.00')));
    await place(
      service.submit(market('sell', 4, { type: 'stop', stopPrice: dec('95.00'), timeInForce: 'gtc' })),
    );
    await place(
      service.submit(
        market('sell', 1, {
          type: 'stop_limit',
          stopPrice: dec('95.00'),
          limitPrice: dec('100.50'), // above every buy: no wash trade
          timeInForce: 'gtc',
        }),
      ),
    );
    await place(
      service.submit(
        market('sell', 2, { type: 'trailing_stop', trailPrice: dec('1.00'), timeInForce: 'gtc' }),
      ),
    );
    clock.advanceBy(20_000);
    feed.set('AAPL', { bid: '100.00', ask: '100.02' }); // a fresh quote: a stale one is refused
    const oto = await place(
      service.submit(
        limit('buy', 1, '99.00', {
          contingent: { orderClass: 'oto', takeProfit: { limitPrice: dec('101.00') } },
        }),
      ),
    );
    for (const leg of await service.group(oto)) if (leg.order.id !== oto.order.id) placed.push(leg);
    await place(service.submit(limit('buy', 10, '150.00')));
    const canceled = await place(service.submit(limit('buy', 1, '98.00')));
    await service.cancel({ orderId: canceled.order.id });
    await place(service.submit(limit('buy', 1, '99.00', { accountId: 'acct-cash', agentId: 'agent-other' })));
    const parent = await service.createParent(limit('buy', 4, '99.00'), { request: {} }, 'algo');
    placed.push(parent.stored);
    await place(
      service.submit(
        limit('buy', 1, '99.00', {
          parentId: parent.stored.order.id,
          role: 'child',
          clientOrderId: unique('ch'),
        }),
      ),
    );
    clock.advanceBy(500);
    // The last: 3 at the ask fill it in part, and it rests for the other 7.
    feed.set('AAPL', { bid: '100.00', ask: '100.02', askSize: 3 });
    await place(service.submit(limit('buy', 10, '100.02')));
    await service.idle();
    // An order with no price of its own, as an imported one can be: valued at its average fill.
    await store().query('update orders set risk_price = null where id = $1', [filled.order.id]);
    return Promise.all(
      placed.map(async (p) => {
        const now = await rig.orders.findById(p.order.id);
        if (now === undefined) throw new Error(`order ${p.order.id} was not stored`);
        return now;
      }),
    );
  }

  it('agrees with the read for orders of every kind, status and role, in any window', async () => {
    const orders = await placeEveryKind();
    const statuses = new Set(orders.map(outcome));
    // The orders cover what the read tells apart.
    for (const expected of ['new', 'filled', 'canceled', 'partially_filled', 'denied:PRICE_BAND']) {
      expect(statuses).toContain(expected);
    }
    expect(orders.some((o) => o.order.held)).toBe(true);
    expect(new Set(orders.map((o) => o.meta.role))).toEqual(
      new Set([undefined, 'primary', 'secondary', 'parent', 'child']),
    );

    const now = rig.clock.now();
    const windows: UsageWindow[] = [
      { secondAgo: now - 1_000, minuteAgo: now - 60_000 },
      {
        secondAgo: now - 1_000,
        minuteAgo: now - 60_000,
        dayStarts: new Map([
          ['acct-1', T0 - 3_600_000],
          ['acct-cash', T0 - 3_600_000],
        ]),
      },
      // Windows that cut between the orders: the first seven are out of the minute and the day.
      {
        secondAgo: now - 200,
        minuteAgo: T0 + 10_000,
        dayStarts: new Map([['acct-1', T0 + 10_000]]),
      },
    ];
    const ids = orders.map((o) => o.order.id);
    for (const window of windows) {
      const read = await rig.riskStore.admission((tx) => tx.orderUsage(window, ids));
      const worked = usageOfCreated(orders, window);
      expect(worked).toBeDefined();
      if (worked === undefined) return;
      expect(comparable(worked)).toEqual(comparable(read));
    }

    // The read and the memory both see the partial fill, the daily notional and the rate windows.
    const read = comparable(
      await rig.riskStore.admission((tx) => tx.orderUsage(windows[1] as UsageWindow, ids)),
    );
    // 10 + 5 + the OTO's first leg 1 + the child 1 + the 7 left of the partly filled 10: the
    // parent, the held leg, the denied, canceled and filled orders count for nothing.
    expect(read.groups.find((g) => g.key === 'acct-1/agent-risk/AAPL/buy')?.leaves).toBe('24');
    // In the last second: the OTO's first leg, the canceled order, the parent and the partly filled
    // one; in the minute, the first seven too. Engine-placed orders and the denial count in neither.
    expect(read.activity.find((a) => a.key === 'agent-risk/acct-1')).toMatchObject({
      lastSecond: 4,
      lastMinute: 11,
    });
    expect(read.activity.every((a) => dec(a.dailyNotional).isPositive())).toBe(true);
  });

  it('leaves an order with a replace in flight to the read', async () => {
    const stored = await rig.service.submit(limit('buy', 1, '99.00'));
    const replacing = { ...stored, order: { ...stored.order, status: 'pending_replace' as const } };
    const window = { secondAgo: rig.clock.now() - 1_000, minuteAgo: rig.clock.now() - 60_000 };
    expect(usageOfCreated([stored], window)).toBeDefined();
    expect(usageOfCreated([stored, replacing], window)).toBeUndefined();
  });
});
