import { describe, expect, it, vi } from 'vitest';
import type { ExecutionMetrics } from '../analytics/execution-metrics.js';
import { SimulatedClock } from '../domain/clock.js';
import { dec } from '../domain/decimal.js';
import type { OrderEvent } from '../domain/events.js';
import type { Order } from '../domain/order.js';
import { T0, ev, makeFill, makeOrder } from '../domain/test-support.js';
import { EventBus } from './event-bus.js';
import { ExecutionRecorder } from './execution-recorder.js';
import type { OrderMeta, OrderStore, StoredOrder } from './ports.js';

const META: OrderMeta = { agentId: 'agent-1', orderClass: 'simple', requestHash: 'h' };

/** An order store holding what the test puts in it. */
function memoryOrders() {
  const orders = new Map<string, StoredOrder>();
  const events = new Map<string, OrderEvent[]>();
  const store: Pick<OrderStore, 'histories'> = {
    histories: (ids) =>
      Promise.resolve(
        new Map(
          ids.flatMap((id) => {
            const stored = orders.get(id);
            const recorded = events.get(id) ?? [];
            const fills = recorded.flatMap((e) => (e.kind === 'fill' ? [e.fill] : []));
            return stored === undefined ? [] : [[id, { stored, fills, events: recorded }] as const];
          }),
        ),
      ),
  };
  const put = (order: Order, orderEvents: OrderEvent[], meta: Partial<OrderMeta> = {}): Order => {
    orders.set(order.id, { order, meta: { ...META, ...meta }, eventSeq: orderEvents.length });
    events.set(order.id, orderEvents);
    return order;
  };
  return { store, put };
}

function setup(options: { failRecord?: boolean | ((orderId: string) => boolean); batchMs?: number } = {}) {
  const bus = new EventBus();
  const clock = new SimulatedClock(T0);
  const memory = memoryOrders();
  const { put } = memory;
  const reads: string[][] = [];
  const writes: number[] = [];
  const store: typeof memory.store = {
    histories: (ids) => {
      reads.push([...ids]);
      return memory.store.histories(ids);
    },
  };
  const recorded: ExecutionMetrics[] = [];
  const heard: ExecutionMetrics[] = [];
  const errors: string[] = [];
  const recorder = new ExecutionRecorder({
    bus,
    orders: store,
    clock,
    analytics: {
      recordAll: (metrics) => {
        const refuses = options.failRecord;
        if (refuses === true) return Promise.reject(new Error('database down'));
        if (typeof refuses === 'function' && metrics.some((m) => refuses(m.orderId)))
          return Promise.reject(new Error('row refused'));
        writes.push(metrics.length);
        recorded.push(...metrics);
        return Promise.resolve();
      },
    },
    mark: () => dec('101'),
    onRecorded: (m) => heard.push(m),
    onError: (error, orderId) => errors.push(`${orderId}: ${(error as Error).message}`),
    ...(options.batchMs === undefined ? {} : { batchMs: options.batchMs }),
  });
  recorder.start();
  return { bus, clock, put, recorder, recorded, heard, errors, reads, writes };
}

const filledBuy = (id: string): Order =>
  makeOrder({
    id,
    type: 'market',
    quantity: dec(10),
    filledQty: dec(10),
    avgFillPrice: dec('100.05'),
    status: 'filled',
  });

describe('ExecutionRecorder', () => {
  it('measures an order that ends, once, with its send time from the submitted event', async () => {
    const { bus, clock, put, recorder, recorded, heard } = setup();
    const order = filledBuy('o1');
    clock.advanceTo(T0 + 40);
    bus.publish('trade.order.submitted', { order: { ...order, status: 'pending_new' } });
    put(
      order,
      [
        { ...ev.ack('V1'), receivedAt: T0 + 45 },
        { ...ev.fill({ quantity: 10, price: '100.05', fee: '0.5' }), receivedAt: T0 + 60 },
      ],
      { arrival: { bid: dec('99.98'), ask: dec('100.02') } },
    );
    const fill = makeFill({ quantity: 10, price: '100.05' });
    bus.publish('trade.order.filled', { order, fill });
    bus.publish('trade.order.filled', { order, fill });
    await recorder.idle();
    // Sent at T0 + 40 (the submitted event), not at its creation (T0); the two fills heard before
    // the batch ran are one measurement.
    expect(recorded.map((m) => [m.orderId, m.latencyMs, m.fillLatencyMs])).toEqual([['o1', 5, 20]]);
    expect(recorded[0]?.slippageBps?.toFixed()).toBe('5'); // (100.05 − 100) / 100 × 10⁴
    expect(recorded[0]?.implementationShortfall?.toFixed()).toBe('1'); // 0.5 of price + 0.5 of fees
    expect(recorded[0]?.agentId).toBe('agent-1');
    // The statistics hear it once; a repeated cancel is not measured again.
    expect(heard).toHaveLength(1);
    bus.publish('trade.order.cancelled', { order });
    await recorder.idle();
    expect(recorded).toHaveLength(1);
  });

  it('measures the orders that end within batchMs together: one read of their histories, one write', async () => {
    vi.useFakeTimers();
    try {
      const { bus, put, recorder, recorded, reads, writes } = setup({ batchMs: 250 });
      const orders = ['b1', 'b2', 'b3'].map((id) =>
        put(filledBuy(id), [ev.ack(), ev.fill({ quantity: 10, price: '100.05' })]),
      );
      for (const order of orders)
        bus.publish('trade.order.filled', { order, fill: makeFill({ quantity: 10, price: '100.05' }) });
      await vi.advanceTimersByTimeAsync(249);
      expect(recorded).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(recorded.map((m) => m.orderId)).toEqual(['b1', 'b2', 'b3']);
      expect(reads).toEqual([['b1', 'b2', 'b3']]);
      expect(writes).toEqual([3]);
      // An order ending later waits for a batch of its own.
      const late = put(filledBuy('b4'), [ev.ack(), ev.fill({ quantity: 10, price: '100.05' })]);
      bus.publish('trade.order.filled', { order: late, fill: makeFill({ quantity: 10, price: '100.05' }) });
      await vi.advanceTimersByTimeAsync(250);
      expect(reads).toEqual([['b1', 'b2', 'b3'], ['b4']]);
      await recorder.idle();
    } finally {
      vi.useRealTimers();
    }
  });

  it('prices the unfilled part at the mark and falls back to the creation time without a submitted event', async () => {
    const { bus, put, recorder, recorded } = setup();
    const order = put(
      makeOrder({
        id: 'o2',
        quantity: dec(10),
        filledQty: dec(4),
        avgFillPrice: dec(100),
        status: 'canceled',
      }),
      [{ ...ev.ack('V1'), receivedAt: T0 + 7 }, ev.cxlReq('local'), ev.cxl()],
      { arrival: { bid: dec(99), ask: dec(101) } },
    );
    bus.publish('trade.order.cancelled', { order });
    await recorder.idle();
    expect(recorded[0]?.latencyMs).toBe(7);
    // 4 × (100 − 100) + 6 unfilled × (101 − 100).
    expect(recorded[0]?.implementationShortfall?.toFixed()).toBe('6');
    expect(recorded[0]?.fillRate.toFixed()).toBe('0.4');
  });

  it('skips parents, orders no venue answered, external orders and orders still open', async () => {
    const { bus, put, recorder, recorded, errors } = setup();
    const parent = put(filledBuy('parent'), [ev.ack()], { role: 'parent' });
    const child = put(filledBuy('child'), [ev.ack()], { role: 'child' });
    const untouched = put(makeOrder({ id: 'local', status: 'canceled' }), [ev.cxlReq('local')]);
    const external = put({ ...filledBuy('ext'), external: true }, [ev.ack()]);
    const open = put(makeOrder({ id: 'open', status: 'partially_filled' }), [ev.ack()]);
    bus.publish('trade.order.filled', { order: parent, fill: makeFill({ quantity: 1, price: 1 }) });
    bus.publish('trade.order.filled', { order: child, fill: makeFill({ quantity: 1, price: 1 }) });
    bus.publish('trade.order.cancelled', { order: untouched });
    bus.publish('trade.order.filled', { order: external, fill: makeFill({ quantity: 1, price: 1 }) });
    bus.publish('trade.order.partial', { order: open, fill: makeFill({ quantity: 1, price: 1 }) });
    await recorder.idle();
    expect(recorded.map((m) => m.orderId)).toEqual(['child']);
    expect(errors).toEqual([]);
  });

  it('recomputes an order after a late fill without feeding the statistics twice', async () => {
    const { bus, put, recorder, recorded, heard } = setup();
    const canceled = put(makeOrder({ id: 'o3', status: 'canceled' }), [ev.ack(), ev.cxl()]);
    bus.publish('trade.order.cancelled', { order: canceled });
    await recorder.idle();
    const late = put({ ...canceled, filledQty: dec(2), filledNotional: dec(200), avgFillPrice: dec(100) }, [
      ev.ack(),
      ev.cxl(),
      ev.fill({ quantity: 2, price: 100 }),
    ]);
    bus.publish('trade.order.partial', { order: late, fill: makeFill({ quantity: 2, price: 100 }) });
    await recorder.idle();
    expect(recorded.map((m) => m.filledQty.toFixed())).toEqual(['0', '2']);
    expect(heard).toHaveLength(1);
  });

  it('reports failures to onError, never to the bus, and tries again on a later event', async () => {
    const { bus, put, recorder, errors } = setup({ failRecord: true });
    const order = put(filledBuy('o4'), [ev.ack()]);
    const missing = filledBuy('gone');
    expect(() => {
      bus.publish('trade.order.filled', { order, fill: makeFill({ quantity: 1, price: 1 }) });
      bus.publish('trade.order.filled', { order: missing, fill: makeFill({ quantity: 1, price: 1 }) });
    }).not.toThrow();
    await recorder.idle();
    bus.publish('trade.order.cancelled', { order });
    await recorder.idle();
    expect([...errors].sort()).toEqual([
      'gone: order gone ended but is not in the store',
      'o4: database down',
      'o4: database down',
    ]);
  });

  it('records the rest of a batch when the database refuses one of its rows', async () => {
    const { bus, put, recorder, recorded, heard, errors } = setup({ failRecord: (id) => id === 'bad' });
    for (const id of ['ok1', 'bad', 'ok2']) {
      const order = put(filledBuy(id), [ev.ack()]);
      bus.publish('trade.order.filled', { order, fill: makeFill({ quantity: 1, price: 1 }) });
    }
    await recorder.idle();
    expect(recorded.map((m) => m.orderId)).toEqual(['ok1', 'ok2']);
    expect(heard.map((m) => m.orderId)).toEqual(['ok1', 'ok2']);
    expect(errors).toEqual(['bad: row refused']);
  });

  it('stops listening', async () => {
    const { bus, put, recorder, recorded } = setup();
    recorder.stop();
    bus.publish('trade.order.filled', {
      order: put(filledBuy('o5'), [ev.ack()]),
      fill: makeFill({ quantity: 1, price: 1 }),
    });
    await recorder.idle();
    expect(recorded).toEqual([]);
  });
});
