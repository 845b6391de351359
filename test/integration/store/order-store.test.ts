/**
 * The order store's group-committed writes: new orders and non-fill events from many concurrent
 * callers share statements, yet each order is created once, each event is recorded once with its
 * order's next sequence number, and the order saved after an event reads back exactly.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { OrderEvent } from '../../../src/domain/events.js';
import { applyEvent } from '../../../src/domain/order-status.js';
import type { Order } from '../../../src/domain/order.js';
import { type Position, applyFillToPosition } from '../../../src/domain/position.js';
import { T0, ev, makeOrder } from '../../../src/domain/test-support.js';
import type { OrderMeta } from '../../../src/engine/ports.js';
import { type Store, openStore } from '../../../src/store/db.js';
import { DrizzleOrderStore, insertOrders, recordEventsWith } from '../../../src/store/order-store.js';
import { positions } from '../../../src/store/schema.js';
import { TEST_BACKENDS, createTestDatabase, useTestStore } from '../../support/databases.js';
import { positionRow, recordingProxy } from './helpers.js';

const META: OrderMeta = { agentId: 'agent-1', orderClass: 'simple', requestHash: 'h', reason: 'test' };

const pending = (i: number, prefix: string): Order =>
  makeOrder({
    id: `${prefix}-o${i}`,
    clientOrderId: `${prefix}-c${i}`,
    status: 'pending_new',
    venueOrderIds: [],
    createdAt: T0 + i,
    updatedAt: T0 + i,
  });

/** The event, stamped with an id of our choosing. */
const withId = <E extends OrderEvent>(event: E, eventId: string, clientOrderId: string): E => ({
  ...event,
  eventId,
  clientOrderId,
});

/** The order after the event, as the engine computes it. */
function after(order: Order, event: OrderEvent): Order {
  const result = applyEvent(order, event);
  if (result.outcome !== 'applied') throw new Error(`${event.kind} not applied to ${order.status}`);
  return result.order;
}

describe.each(TEST_BACKENDS)('order store on %s', (backend) => {
  const store = useTestStore(backend);

  it('creates 300 orders submitted at once, each once, and finds the existing one for a reused client id', async () => {
    const orders = new DrizzleOrderStore(store());
    const batch = Array.from({ length: 300 }, (_, i) => pending(i, 'burst'));
    // Every fifth request reuses an earlier client order id under a new order id.
    const reused = batch
      .filter((_, i) => i % 5 === 0)
      .map((o, i) => ({ ...o, id: `burst-dup${i}`, quantity: dec(99) }));
    const results = await Promise.all([...batch, ...reused].map((o) => orders.createOrder(o, META)));

    expect(results.filter((r) => r.created)).toHaveLength(300);
    // Of an order and the later one reusing its client id, exactly one is created: usually the
    // first, but two batches in flight at once may commit in either order. The other's answer
    // is the order that holds the id, as stored.
    reused.forEach((dup, i) => {
      const first = results[i * 5];
      const again = results[300 + i];
      if (first === undefined || again === undefined) throw new Error('a result is missing');
      expect([first.created, again.created].sort()).toEqual([false, true]);
      const [winner, loser] = first.created ? [first, again] : [again, first];
      expect(loser.stored.order.id).toBe(winner.stored.order.id);
      expect(loser.stored.order.quantity.toFixed()).toBe(first.created ? '10' : '99');
      expect(loser.stored.meta).toEqual(META);
      expect([`burst-o${String(i * 5)}`, dup.id]).toContain(winner.stored.order.id);
    });
    const page = await orders.listOrders({ status: 'all', limit: 500 });
    const created = results.filter((r) => r.created).map((r) => r.stored.order.id);
    expect(page.orders.map((s) => s.order.id).sort()).toEqual(created.sort());
  });

  it("glances at an account's open orders and the ones asked for by client order id, in one read, and only that account's", async () => {
    const orders = new DrizzleOrderStore(store());
    // An account and a symbol of their own: the other tests leave open orders and positions.
    const mine = (i: number): Order => ({
      ...pending(i, 'glance'),
      accountId: 'acct-glance',
      symbol: 'GLANCE',
    });
    const [open, done, asked] = [mine(1), mine(2), mine(3)];
    const theirs = {
      ...mine(4),
      id: 'glance-other',
      clientOrderId: 'glance-c1',
      accountId: 'acct-glance-2',
    };
    for (const o of [open, done, asked, theirs]) await orders.createOrder(o, META);
    // `open` acknowledged and partly filled; `done` and `asked` filled in full.
    const fillOf = (order: Order, quantity: string) =>
      fillRecord(order, `F-${order.id}-${quantity}`, quantity, '10');
    const ackOf = (order: Order) => {
      const ack = withId(ev.ack(`V-${order.id}`), `ack-${order.id}`, order.clientOrderId);
      return { orderId: order.id, order: after(order, ack), event: ack };
    };
    const runs = [open, done, asked].map((o, i) => {
      const acked = ackOf(o);
      return [acked, fillOf(acked.order, i === 0 ? '4' : '10')];
    });
    for (const run of runs) expect(await orders.recordRun(run)).toBe('recorded');
    await orders.recordEvent(ackOf(theirs));

    const seen = await orders.glances(open.accountId, ['glance-c1', 'glance-c3', 'glance-c1', 'nope']);
    expect([...seen.keys()].sort()).toEqual(['glance-c1', 'glance-c3']);
    expect(seen.get('glance-c1')).toEqual({
      id: open.id,
      clientOrderId: 'glance-c1',
      venue: open.venue,
      status: 'partially_filled',
      inferred: false,
      filledQty: dec('4'),
      updatedAt: runs[0]?.[1]?.order.updatedAt,
      emulated: false,
      external: false,
      venueOrderIds: [`V-${open.id}`],
    });
    expect(seen.get('glance-c3')?.status).toBe('filled');
    expect(seen.get('glance-c3')?.filledQty.toFixed()).toBe('10');
    // Another account's orders are its own: by id, and open.
    expect(
      [...(await orders.glances('acct-glance-2', ['glance-c1', 'glance-c3'])).values()].map((g) => g.id),
    ).toEqual(['glance-other']);
    expect((await orders.glances(open.accountId, [])).size).toBe(1);
  });

  it('records concurrent events once each, in per-order sequence, and a redelivery as a duplicate', async () => {
    const orders = new DrizzleOrderStore(store());
    const created = Array.from({ length: 100 }, (_, i) => pending(i, 'seq'));
    await Promise.all(created.map((o) => orders.createOrder(o, META)));

    // All acks at once, each sent twice (a redelivered venue event): one is recorded, one is not.
    const acks = created.map((o) => withId(ev.ack(`V-${o.id}`), `ack-${o.id}`, o.clientOrderId));
    const acked = created.map((o, i) => after(o, acks[i] as OrderEvent));
    const outcomes = await Promise.all(
      created.flatMap((o, i) => {
        const record = { orderId: o.id, order: acked[i] as Order, event: acks[i] as OrderEvent };
        return [orders.recordEvent(record), orders.recordEvent(record)];
      }),
    );
    for (let i = 0; i < outcomes.length; i += 2)
      expect([outcomes[i], outcomes[i + 1]].sort()).toEqual(['duplicate', 'recorded']);

    // Then, for every order at once, a cancel request and its refusal, each waiting for the last.
    await Promise.all(
      acked.map(async (order) => {
        const request = withId(ev.cxlReq(), `cxlreq-${order.id}`, order.clientOrderId);
        const pendingCancel = after(order, request);
        expect(await orders.recordEvent({ orderId: order.id, order: pendingCancel, event: request })).toBe(
          'recorded',
        );
        const refusal = withId(ev.cxlRej(), `cxlrej-${order.id}`, order.clientOrderId);
        const back = after(pendingCancel, refusal);
        expect(await orders.recordEvent({ orderId: order.id, order: back, event: refusal })).toBe('recorded');
      }),
    );

    for (const order of acked.slice(0, 10)) {
      const events = await orders.events(order.id);
      expect(events.map((e) => [e.seq, e.event.kind])).toEqual([
        [1, 'ack'],
        [2, 'cxl_req'],
        [3, 'cxl_rej'],
      ]);
      const stored = await orders.findById(order.id);
      expect(stored?.eventSeq).toBe(3);
      // Back to `new` after the refusal: the prior status column is null again.
      expect(stored?.order.status).toBe('new');
      expect(stored?.order.priorStatus).toBeUndefined();
      expect(stored?.order.venueOrderIds).toEqual([`V-${order.id}`]);
    }
  });

  it('applies a fill to its order and position once; a redelivery or a fill for no order changes nothing', async () => {
    const orders = new DrizzleOrderStore(store());
    const order = pending(0, 'fill');
    await orders.createOrder(order, META);
    const ack = withId(ev.ack('V-fill'), 'ack-fill', order.clientOrderId);
    const acked = after(order, ack);
    await orders.recordEvent({ orderId: order.id, order: acked, event: ack });
    const record = fillRecord(acked, 'F-fill-1', '4', '100.25');
    // Delivered twice at once: one transaction applies it, the other finds it applied.
    const outcomes = await Promise.all([orders.recordEvent(record), orders.recordEvent(record)]);
    expect(outcomes.sort()).toEqual(['duplicate', 'recorded']);

    const stored = await orders.findById(order.id);
    expect(stored?.order).toEqual(record.order);
    expect(stored?.eventSeq).toBe(2);
    expect((await orders.events(order.id)).map((e) => [e.seq, e.event.kind])).toEqual([
      [1, 'ack'],
      [2, 'fill'],
    ]);
    expect((await orders.fills(order.id)).map((f) => f.fillId)).toEqual(['F-fill-1']);
    const held = async () =>
      (await orders.positions(order.accountId)).map((p) => [
        p.symbol,
        p.quantity.toFixed(),
        p.avgEntryPrice.toFixed(),
        p.fees.toFixed(),
      ]);
    expect(await held()).toEqual([[order.symbol, '4', '100.25', '0.01']]);

    await expect(
      orders.recordEvent(fillRecord({ ...acked, id: 'no-such-order' }, 'F-stray', '4', '100.25')),
    ).rejects.toThrow(/foreign key/);
    expect(await held()).toEqual([[order.symbol, '4', '100.25', '0.01']]);

    // A new fill under a recorded event id: the event is a duplicate, and its fill is not applied.
    const reused = fillRecord(record.order, 'F-fill-3', '4', '100.75', 'ev-F-fill-1');
    expect(await orders.recordEvent(reused)).toBe('duplicate');
    expect((await orders.fills(order.id)).map((f) => f.fillId)).toEqual(['F-fill-1']);
    // A second fill is applied to the position as stored: 4 at 100.25 and 4 at 100.75.
    const second = fillRecord(record.order, 'F-fill-2', '4', '100.75');
    expect(await orders.recordEvent(second)).toBe('recorded');
    expect(await held()).toEqual([[order.symbol, '8', '100.5', '0.02']]);
    expect((await orders.findById(order.id))?.eventSeq).toBe(3);
  });

  it.runIf(backend === 'postgres')(
    "sends a fill's last statement and its COMMIT in one write, not a round trip apart",
    async () => {
      const database = await createTestDatabase('postgres');
      const proxy = await recordingProxy(database.url);
      const proxied = await openStore(proxy.url);
      try {
        const orders = new DrizzleOrderStore(proxied);
        const order = pending(0, 'commit');
        await orders.createOrder(order, META);
        const ack = withId(ev.ack('V-commit'), 'ack-commit', order.clientOrderId);
        const acked = after(order, ack);
        await orders.recordEvent({ orderId: order.id, order: acked, event: ack });
        const fillOf = (base: Order, fillId: string) => fillRecord(base, fillId, '4', '100.25');
        // The first fill prepares the transaction's statements on the connection (a fresh
        // connection learns each one's parameter types first); the second runs as every later one.
        const first = fillOf(acked, 'F-commit-1');
        expect(await orders.recordEvent(first)).toBe('recorded');
        const from = proxy.writes.length;
        expect(await orders.recordEvent(fillOf(first.order, 'F-commit-2'))).toBe('recorded');
        const ran = proxy.ranSince(from);
        // Two writes, two round trips: the position's upsert with the fill's event, and COMMIT
        // behind it, in the second.
        expect(ran).toEqual([
          ['begin', 'insert into positions', 'with inserted as'],
          ['with position as', 'commit'],
        ]);
        expect((await orders.findById(order.id))?.order.status).toBe('partially_filled');
        expect((await orders.fills(order.id)).map((f) => f.fillId)).toEqual(['F-commit-1', 'F-commit-2']);
      } finally {
        await proxied.close();
        await proxy.close();
        await database.drop();
      }
    },
  );

  it("records an order's acknowledgement and fill reported together in one go, or none of it", async () => {
    const orders = new DrizzleOrderStore(store());
    const fillOf = (order: Order, fillId: string, eventId: string) => {
      const made = ev.fill({
        quantity: '10',
        price: '50.5',
        fee: '0.02',
        fillId,
        venueOrderId: `V-${order.id}`,
      });
      const event = withId(
        { ...made, fill: { ...made.fill, symbol: order.symbol } },
        eventId,
        order.clientOrderId,
      );
      return {
        orderId: order.id,
        order: after(order, event),
        event,
        fill: {
          fill: event.fill,
          applyToPosition: (p: Position) => applyFillToPosition(p, event.fill).position,
        },
      };
    };
    const runOf = (order: Order, fillId: string, ackId = `ack-${order.id}`, fillEventId = `ev-${fillId}`) => {
      const ack = withId(ev.ack(`V-${order.id}`), ackId, order.clientOrderId);
      const acked = after(order, ack);
      return [{ orderId: order.id, order: acked, event: ack }, fillOf(acked, fillId, fillEventId)];
    };
    const held = async (accountId: string) =>
      (await orders.positions(accountId))
        .filter((p) => p.symbol === 'RUN1')
        .map((p) => [p.symbol, p.quantity.toFixed(), p.fees.toFixed()]);

    const first = { ...pending(0, 'run'), symbol: 'RUN1' };
    await orders.createOrder(first, META);
    const run = runOf(first, 'F-run-1');
    expect(await orders.recordRun(run)).toBe('recorded');
    const stored = await orders.findById(first.id);
    expect(stored?.order).toEqual(run[1]?.order);
    expect(stored?.order.status).toBe('filled');
    expect(stored?.eventSeq).toBe(2);
    expect((await orders.events(first.id)).map((e) => [e.seq, e.event.kind])).toEqual([
      [1, 'ack'],
      [2, 'fill'],
    ]);
    expect(await held(first.accountId)).toEqual([['RUN1', '10', '0.02']]);

    // The same run again (a redelivery): nothing changes.
    expect(await orders.recordRun(run)).toBe('duplicate');
    expect((await orders.events(first.id)).map((e) => e.seq)).toEqual([1, 2]);
    expect(await held(first.accountId)).toEqual([['RUN1', '10', '0.02']]);

    // A new order whose fill id is one recorded before: its acknowledgement is not kept either.
    const second = { ...pending(1, 'run'), symbol: 'RUN1' };
    await orders.createOrder(second, META);
    expect(await orders.recordRun(runOf(second, 'F-run-1'))).toBe('duplicate');
    expect(await orders.events(second.id)).toEqual([]);
    expect((await orders.findById(second.id))?.order).toEqual(second);

    // Its acknowledgement recorded alone first: the run holding it again is a duplicate, whole,
    // and its fill is not applied; the fill alone then is.
    const [ack, fill] = runOf(second, 'F-run-2');
    if (ack === undefined || fill === undefined) throw new Error('a run of two');
    expect(await orders.recordEvent(ack)).toBe('recorded');
    expect(await orders.recordRun([ack, fill])).toBe('duplicate');
    expect(await held(second.accountId)).toEqual([['RUN1', '10', '0.02']]);
    expect(await orders.recordEvent(fill)).toBe('recorded');
    expect(await held(second.accountId)).toEqual([['RUN1', '20', '0.04']]);
    expect((await orders.events(second.id)).map((e) => [e.seq, e.event.kind])).toEqual([
      [1, 'ack'],
      [2, 'fill'],
    ]);

    // A run is one order's events ending with its only fill.
    await expect(orders.recordRun([ack])).rejects.toThrow(/ending with its only fill/);
  });

  it('fills of two orders opening one position at once both count in it', async () => {
    // Two stores, as two server processes: each fill in a transaction of its own. Each round a
    // symbol never held: neither transaction finds a position row to lock.
    const [orders, other] = [new DrizzleOrderStore(store()), new DrizzleOrderStore(store())];
    for (let round = 0; round < 10; round++) {
      const symbol = `RACE${round.toString()}`;
      const both = [0, 1].map((i) => ({ ...pending(i, `race${round.toString()}`), symbol }));
      const records = await Promise.all(
        both.map(async (order) => {
          await orders.createOrder(order, META);
          const ack = withId(ev.ack(`V-race-${order.id}`), `ack-${order.id}`, order.clientOrderId);
          const acked = after(order, ack);
          await orders.recordEvent({ orderId: order.id, order: acked, event: ack });
          const event = withId(
            ev.fill({
              quantity: '4',
              price: '100',
              fillId: `F-${order.id}`,
              venueOrderId: `V-race-${order.id}`,
            }),
            `fill-${order.id}`,
            order.clientOrderId,
          );
          const fill = { ...event.fill, symbol };
          return {
            orderId: order.id,
            order: after(acked, event),
            event: { ...event, fill },
            fill: { fill, applyToPosition: (p: Position) => applyFillToPosition(p, fill).position },
          };
        }),
      );
      const [mine, theirs] = records;
      if (mine === undefined || theirs === undefined) throw new Error('two fills');
      expect(await Promise.all([orders.recordEvent(mine), other.recordEvent(theirs)])).toEqual([
        'recorded',
        'recorded',
      ]);
      const held = (await orders.positions(both[0]?.accountId)).find((p) => p.symbol === symbol);
      expect(held?.quantity.toFixed()).toBe('8');
    }
  });

  it('records fills of many orders arriving at once in one transaction, each on its position as the ones before left it', async () => {
    let transactions = 0;
    const counted: Store = {
      ...store(),
      transaction: (fn) => {
        transactions++;
        return store().transaction(fn);
      },
    };
    const orders = new DrizzleOrderStore(counted);
    // 30 orders on one symbol and 10 on another; half the first symbol's fills come with their
    // order's acknowledgement (a run), the rest after an acknowledgement recorded alone.
    const specs = Array.from({ length: 40 }, (_, i) => ({
      symbol: i < 30 ? 'BATCHA' : 'BATCHB',
      withAck: i < 15,
      quantity: String((i % 4) + 1),
      price: i < 30 ? '100.25' : '7.5',
    }));
    const runs = await Promise.all(
      specs.map(async (spec, i) => {
        const order = { ...pending(i, 'batch'), symbol: spec.symbol };
        await orders.createOrder(order, META);
        const ack = withId(ev.ack(`V-${order.id}`), `ack-${order.id}`, order.clientOrderId);
        const acked = after(order, ack);
        const ackRecord = { orderId: order.id, order: acked, event: ack };
        if (!spec.withAck) await orders.recordEvent(ackRecord);
        const fill = fillRecord(acked, `F-${order.id}`, spec.quantity, spec.price);
        return spec.withAck ? [ackRecord, fill] : [fill];
      }),
    );
    const before = transactions;
    const outcomes = await Promise.all(runs.map((run) => orders.recordRun(run)));
    expect(outcomes).toEqual(runs.map(() => 'recorded'));
    // One transaction for the forty: each fill alone took one of its own.
    expect(transactions - before).toBe(1);

    const held = await orders.positions(pending(0, 'batch').accountId);
    const total = (symbol: string) =>
      specs.filter((s) => s.symbol === symbol).reduce((sum, s) => sum.plus(s.quantity), dec(0));
    expect(
      held
        .filter((p) => p.symbol.startsWith('BATCH'))
        .map((p) => [p.symbol, p.quantity.toFixed(), p.avgEntryPrice.toFixed(), p.fees.toFixed()]),
    ).toEqual([
      ['BATCHA', total('BATCHA').toFixed(), '100.25', '0.3'],
      ['BATCHB', total('BATCHB').toFixed(), '7.5', '0.1'],
    ]);
    for (const [i, run] of runs.entries()) {
      const last = run.at(-1);
      if (last === undefined) throw new Error('a run');
      const stored = await orders.findById(last.orderId);
      expect(stored?.order).toEqual(last.order);
      expect(stored?.eventSeq).toBe(2);
      expect((await orders.events(last.orderId)).map((e) => [e.seq, e.event.kind])).toEqual([
        [1, 'ack'],
        [2, 'fill'],
      ]);
      expect((await orders.fills(last.orderId)).map((f) => f.fillId)).toEqual([`F-batch-o${String(i)}`]);
    }
  });

  it('records the new fills of a burst once each when others in it were recorded before or have no order', async () => {
    const orders = new DrizzleOrderStore(store());
    const made = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const order = { ...pending(i, 'mixed'), symbol: 'MIXED' };
        await orders.createOrder(order, META);
        const ack = withId(ev.ack(`V-${order.id}`), `ack-${order.id}`, order.clientOrderId);
        return { order, ack, acked: after(order, ack) };
      }),
    );
    const runOf = (i: number, fillId = `F-mixed-${String(i)}`) => {
      const { order, ack, acked } = made[i] ?? raise('an order');
      return [{ orderId: order.id, order: acked, event: ack }, fillRecord(acked, fillId, '2', '50')];
    };
    // Before the burst: order 1's run recorded whole, order 2's acknowledgement alone.
    expect(await orders.recordRun(runOf(1))).toBe('recorded');
    expect(await orders.recordEvent(runOf(2)[0] ?? raise('an ack'))).toBe('recorded');
    const stray = fillRecord(
      { ...pending(9, 'mixed'), id: 'mixed-none', symbol: 'MIXED' },
      'F-stray',
      '2',
      '50',
    );

    const settled = await Promise.allSettled([
      orders.recordRun(runOf(0)), // new
      orders.recordRun(runOf(1)), // redelivered whole
      orders.recordRun(runOf(2)), // its acknowledgement recorded before
      orders.recordRun(runOf(3, 'F-mixed-1')), // a fill id recorded before
      orders.recordRun([stray]), // no such order
      orders.recordRun(runOf(4)), // new
    ]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'rejected'))).toEqual([
      'recorded',
      'duplicate',
      'duplicate',
      'duplicate',
      'rejected',
      'recorded',
    ]);
    // A fill's order must exist (the fills table's foreign key): the database refuses it alone.
    expect(String((settled[4] as PromiseRejectedResult).reason)).toMatch(/foreign key/);
    // Orders 1, 0 and 4 filled 2 each; order 2's fill alone is then applied, once.
    const quantity = async () =>
      (await orders.positions(made[0]?.order.accountId))
        .find((p) => p.symbol === 'MIXED')
        ?.quantity.toFixed();
    expect(await quantity()).toBe('6');
    expect(await orders.recordRun(runOf(2).slice(1))).toBe('recorded');
    expect(await quantity()).toBe('8');
    expect(await orders.events(made[3]?.order.id ?? '')).toEqual([]);
    for (const i of [0, 1, 2, 4])
      expect((await orders.fills(made[i]?.order.id ?? '')).map((f) => f.fillId)).toEqual([
        `F-mixed-${String(i)}`,
      ]);
  });

  it("records an event by its order's key: the work does not grow with the orders table", async () => {
    // The statement once joined the orders table by hashing it whole: on a young table the
    // planner took a full scan for the cheapest plan, twice per event, and an ack took 2 to 6 ms
    // at a few thousand orders. It must read the order by its key, whatever the table holds.
    const plans: unknown[] = [];
    const buffersFor = async (count: number): Promise<number> => {
      const batch = Array.from({ length: count }, (_, i) => pending(i, `scan${count}`));
      await insertOrders(
        store().query,
        batch.map((order) => ({ order, meta: META })),
      );
      const order = batch[count - 1] as Order;
      const ack = withId(ev.ack(`V-${order.id}`), `ack-${order.id}`, order.clientOrderId);
      let hits = 0;
      await store()
        .transaction(async (query) => {
          await recordEventsWith(
            async (text, params) => {
              const [row] = await query(`explain (analyze, buffers, format json) ${text}`, params);
              const plan = row?.['QUERY PLAN'];
              plans.push(plan);
              hits = sharedHits(typeof plan === 'string' ? JSON.parse(plan) : plan);
              return [];
            },
            [{ orderId: order.id, order: after(order, ack), event: ack }],
          );
          throw new RolledBack();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RolledBack)) throw error;
        });
      return hits;
    };
    const small = await buffersFor(10);
    const large = await buffersFor(3_000);
    // 3,010 orders fill ~100 pages; a read by key touches a few index and heap pages either way.
    expect(large, JSON.stringify(plans[1])).toBeLessThan(small + 30);
  });

  it("locks a fill's position and order by their keys: the work does not grow with the tables", async () => {
    // The statements of a fill's transaction run on a plan kept from their first run, made on
    // tables nearly empty (see the event test above). Each must find its rows by key.
    const plans = new Map<string, unknown>();
    const explaining: Store = {
      ...store(),
      transaction: (fn) =>
        store().transaction((query) =>
          fn(async (text, params) => {
            const [row] = await query(`explain (analyze, buffers, format json) ${text}`, params);
            const plan = row?.['QUERY PLAN'];
            plans.set(
              text.trim().split(/\s+/).slice(0, 3).join(' '),
              typeof plan === 'string' ? JSON.parse(plan) : plan,
            );
            // The plan, not the statement's rows: the transaction aborts (a duplicate, it finds).
            return [];
          }),
        ),
    };
    const hitsFor = async (count: number): Promise<Map<string, number>> => {
      const batch = Array.from({ length: count }, (_, i) => ({
        ...pending(i, `lock${count}`),
        symbol: `L${count}-${i}`,
      }));
      await insertOrders(
        store().query,
        batch.map((order) => ({ order, meta: META })),
      );
      await store()
        .db.insert(positions)
        .values(batch.map((o) => positionRow(o.accountId, o.symbol, '1')));
      const order = batch[count - 1] as Order;
      plans.clear();
      expect(
        await new DrizzleOrderStore(explaining).recordRun([fillRecord(order, `F-lock${count}`, '1', '10')]),
      ).toBe('duplicate');
      return new Map([...plans].map(([text, plan]) => [text, sharedHits(plan)]));
    };
    const small = await hitsFor(10);
    const large = await hitsFor(3_000);
    expect([...large.keys()]).toEqual(['insert into positions', 'with inserted as']);
    // 3,010 orders and positions fill ~100 pages each; a lookup by key touches a few either way.
    for (const [text, hits] of large) expect(hits, text).toBeLessThan((small.get(text) ?? 0) + 30);
  });

  it('saves every lifecycle column an event changes, exactly, and clears what it removes', async () => {
    const orders = new DrizzleOrderStore(store());
    const order = pending(0, 'cols');
    await orders.createOrder(order, META);
    const ack = withId(ev.ack('V-cols'), 'ack-cols', order.clientOrderId);
    const acked = after(order, ack);
    await orders.recordEvent({ orderId: order.id, order: acked, event: ack });
    const replace = withId(
      ev.rpl({ quantity: dec('12.5'), limitPrice: dec('101.123456789') }, 'V-cols-2'),
      'rpl-cols',
      order.clientOrderId,
    );
    const request = withId(
      ev.rplReq({ quantity: dec('12.5'), limitPrice: dec('101.123456789') }),
      'rplreq-cols',
      order.clientOrderId,
    );
    const pendingReplace = after(acked, request);
    await orders.recordEvent({ orderId: order.id, order: pendingReplace, event: request });
    const replaced = after(pendingReplace, replace);
    await orders.recordEvent({ orderId: order.id, order: replaced, event: replace });

    const stored = await orders.findById(order.id);
    expect(stored?.order).toEqual(replaced);
    expect(stored?.order.limitPrice?.toFixed()).toBe('101.123456789');
    expect(stored?.order.venueOrderIds).toEqual(['V-cols', 'V-cols-2']);
    expect(stored?.meta).toEqual(META);
  });
});

class RolledBack extends Error {}

function raise(what: string): never {
  throw new Error(`${what} is missing`);
}

/** An order's fill as the engine records it: the fill, its event and the order after it. */
function fillRecord(base: Order, fillId: string, quantity: string, price: string, eventId = `ev-${fillId}`) {
  const made = ev.fill({ quantity, price, fee: '0.01', fillId, venueOrderId: `V-${base.id}` });
  const event = withId(
    { ...made, fill: { ...made.fill, symbol: base.symbol, accountId: base.accountId } },
    eventId,
    base.clientOrderId,
  );
  return {
    orderId: base.id,
    order: after(base, event),
    event,
    fill: {
      fill: event.fill,
      applyToPosition: (p: Position) => applyFillToPosition(p, event.fill).position,
    },
  };
}

/** Shared buffer hits over a JSON plan, its init plans and CTEs included (the top node sums them). */
function sharedHits(plan: unknown): number {
  const [top] = plan as [{ Plan: Record<string, unknown> }];
  return Number(top.Plan['Shared Hit Blocks'] ?? 0) + Number(top.Plan['Shared Read Blocks'] ?? 0);
}
