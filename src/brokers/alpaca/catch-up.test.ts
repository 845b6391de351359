import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { OrderEvent } from '../../domain/events.js';
import { type ResolvedOrder, catchUpEvents } from './catch-up.js';
import { fillOfActivity } from './mapping.js';
import { OrderIds } from './order-ids.js';
import { SeenEvents } from './seen-events.js';
import { fillActivity, fixture } from './test-support.js';
import { type AlpacaOrder, fillActivitySchema, orderSchema } from './wire.js';

const RECEIVED = 1_750_000_000_000;

function order(id: string, fields: Record<string, unknown>): AlpacaOrder {
  return orderSchema.parse({ ...fixture('get_v2_orders_id.json'), id, ...fields });
}

const resolved = (o: AlpacaOrder, clientOrderId: string, leg = false): ResolvedOrder => ({
  order: o,
  clientOrderId,
  leg,
});

describe('catch-up events', () => {
  const filled = order('a', {
    client_order_id: 'a',
    status: 'filled',
    filled_qty: '2',
    submitted_at: '2024-01-01T10:00:01Z',
  });
  const canceled = order('b', {
    client_order_id: 'b',
    status: 'canceled',
    canceled_at: '2024-01-01T10:05:00Z',
    submitted_at: '2024-01-01T10:00:00Z',
  });
  const replacement = order('c2', { client_order_id: 'c~r1', status: 'new', qty: '6', limit_price: '99.6' });
  const replaced = order('c1', { client_order_id: 'c', status: 'replaced', replaced_by: 'c2' });
  const refusedReplace = order('d2', {
    client_order_id: 'd~r1',
    status: 'rejected',
    failed_at: '2024-01-01T10:06:00Z',
  });
  const pending = order('e', { client_order_id: 'e', status: 'pending_new' });
  const releasedLeg = order('f', {
    client_order_id: 'alpaca-leg',
    status: 'new',
    type: 'stop',
    order_type: 'stop',
    stop_price: '95',
    limit_price: null,
  });
  const heldLeg = order('g', { client_order_id: 'alpaca-leg-2', status: 'held' });
  const fill = fillOfActivity(
    fillActivitySchema.parse(
      fillActivity({
        orderId: 'a',
        cumQty: '2',
        qty: '2',
        price: '150',
        symbol: 'AAPL',
        side: 'buy',
        at: '2024-01-01T10:00:02Z',
      }),
    ),
    { type: 'limit' },
    { venue: 'alpaca-paper', accountId: 'alpaca', clientOrderId: 'a' },
  );

  const events = catchUpEvents(
    [
      resolved(filled, 'a'),
      resolved(canceled, 'b'),
      resolved(replacement, 'c'),
      resolved(replaced, 'c'),
      resolved(refusedReplace, 'd'),
      resolved(pending, 'e'),
      resolved(releasedLeg, 'sl', true),
      resolved(heldLeg, 'tp', true),
    ],
    [fill],
    RECEIVED,
  );
  const summary = events.map((e) => `${e.clientOrderId}:${e.kind}`);

  it('puts every opening first, then the fills, then the closings', () => {
    // Openings by submission time (the recorded 2023 orders first), closings by when they closed.
    expect(summary).toEqual([
      'c:rpl',
      'sl:ack',
      'sl:upd',
      'tp:ack',
      'b:ack',
      'a:ack',
      'a:fill',
      'b:cxl',
      'd:rpl_rej',
    ]);
  });

  it('gives the events the ids the stream would have given them', () => {
    const byKey = new Map(events.map((e) => [`${e.clientOrderId}:${e.kind}`, e] as const));
    expect(byKey.get('a:fill')?.eventId).toBe('a:fill:2');
    expect(byKey.get('c:rpl')).toMatchObject({ eventId: 'c2:rpl', venueOrderId: 'c2' });
    expect(byKey.get('b:cxl')).toMatchObject({
      eventId: 'b:cxl',
      venueTime: Date.parse('2024-01-01T10:05:00Z'),
      receivedAt: RECEIVED,
    });
    expect(byKey.get('sl:upd')).toMatchObject({ changes: { held: false, quantity: dec('2') } });
  });
});

describe('seen events', () => {
  const event = (eventId: string): OrderEvent => ({
    kind: 'ack',
    eventId,
    clientOrderId: 'x',
    venueTime: 0,
    receivedAt: 0,
  });

  it('lets each (client order id, event id) through once, and forgets the oldest beyond its capacity', () => {
    const seen = new SeenEvents(2);
    expect([seen.first(event('1')), seen.first(event('1')), seen.first(event('2'))]).toEqual([
      true,
      false,
      true,
    ]);
    seen.first(event('3'));
    expect(seen.size).toBe(2);
    expect(seen.first(event('1'))).toBe(true);
  });
});

describe('order ids', () => {
  it('follows revisions to the newest Alpaca order and strips the suffix', () => {
    const ids = new OrderIds();
    expect(ids.learn(order('v0', { client_order_id: 'ours' }))).toBe('ours');
    expect(ids.learn(order('v2', { client_order_id: 'ours~r2' }))).toBe('ours');
    ids.learn(order('v1', { client_order_id: 'ours~r1', status: 'replaced' }));
    expect(ids.currentOf('ours')).toEqual({ venueOrderId: 'v2', revision: 2 });
    expect(ids.openOrders()).toEqual(['v0', 'v2']);
  });

  it('names a linked exit by its role under its parent, and an unlinked one by Alpaca', () => {
    const ids = new OrderIds();
    ids.links.set('my-tp', { parentClientOrderId: 'entry', role: 'take_profit' });
    const parent = order('p', {
      client_order_id: 'entry',
      legs: [
        { ...fixture('get_v2_orders_id.json'), id: 'l1', client_order_id: 'alpaca-1', type: 'limit' },
        {
          ...fixture('get_v2_orders_id.json'),
          id: 'l2',
          client_order_id: 'alpaca-2',
          type: 'stop',
          order_type: 'stop',
        },
      ],
    });
    ids.learn(parent);
    expect([ids.ownerOf('l1'), ids.ownerOf('l2'), ids.isLeg('my-tp')]).toEqual(['my-tp', 'alpaca-2', true]);
  });
});
