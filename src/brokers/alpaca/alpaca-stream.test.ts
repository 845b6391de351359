import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { OrderEvent } from '../../domain/events.js';
import { BrokerCallError } from '../broker.js';
import type { AlpacaBroker } from './alpaca-broker.js';
import {
  KEY_ID,
  SECRET,
  TRADING,
  TradeUpdatesServer,
  fillActivity,
  fixture,
  fixtureHandlers,
  loopbackStream,
  makeBroker,
  until,
} from './test-support.js';

type Json = Record<string, unknown>;

const rest = setupServer(loopbackStream, ...fixtureHandlers());
let ws: TradeUpdatesServer;
let broker: AlpacaBroker | undefined;

beforeAll(() => {
  rest.listen({ onUnhandledRequest: 'error' });
});
beforeEach(async () => {
  ws = await TradeUpdatesServer.start();
});
afterEach(async () => {
  await broker?.close();
  broker = undefined;
  await ws.close();
  rest.resetHandlers();
});
afterAll(() => {
  rest.close();
});

/** The recorded fill frame's data, or the same envelope with another event and order fields. */
function tradeUpdate(event: string, order: Json = {}, extra: Json = {}): Json {
  const frames = fixture('ws_trade_updates.json') as { server_trade_update_fill: { data: Json } };
  const data = frames.server_trade_update_fill.data;
  return { ...data, event, order: { ...(data['order'] as Json), ...order }, ...extra };
}

const RECORDED_ORDER = 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f';
const RECORDED_CLIENT_ID = '4642fd68-d59a-47d7-a9ac-e22f536828d1';

async function connected(events: OrderEvent[], errors: string[] = []): Promise<AlpacaBroker> {
  const b = makeBroker({
    streamUrl: ws.url,
    reconnect: { initialDelayMs: 10, maxDelayMs: 20 },
    connectTimeoutMs: 2000,
    onError: (message) => errors.push(message),
  });
  broker = b;
  b.subscribe(({ event }) => events.push(event));
  await b.connect();
  return b;
}

describe('trade_updates stream', () => {
  it('authenticates, listens, and reports the recorded fill', async () => {
    const events: OrderEvent[] = [];
    const b = await connected(events);
    const frames = ws.frames;
    expect(ws.received).toEqual([
      { ...frames['client_authenticate'], data: { key_id: KEY_ID, secret_key: SECRET } },
      frames['client_listen'],
    ]);
    expect(b.streamStats()).toEqual({
      connected: true,
      authenticated: true,
      events: 0,
      reconnects: 0,
      lastEventAt: undefined,
    });

    ws.push(frames['server_trade_update_fill']?.['data']);
    await until(() => events.length === 1, 'the fill');
    expect(events[0]).toMatchObject({
      kind: 'fill',
      clientOrderId: RECORDED_CLIENT_ID,
      venueOrderId: RECORDED_ORDER,
      fill: {
        fillId: `${RECORDED_ORDER}:1790.86`,
        quantity: dec('1790.86'),
        price: dec('105.8988475'),
        symbol: 'SOL/USD',
      },
    });
    expect(b.streamStats()).toMatchObject({ events: 1, reconnects: 0 });
    expect(b.streamStats().lastEventAt).toBeGreaterThan(0);
  });

  it('fails connect with UNAUTHORIZED, never the credentials, when Alpaca refuses them', async () => {
    ws.authorize = false;
    const b = makeBroker({ streamUrl: ws.url, connectTimeoutMs: 2000 });
    broker = b;
    const error: unknown = await b.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BrokerCallError);
    expect(error).toMatchObject({ outcome: 'definitive', code: 'UNAUTHORIZED' });
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).not.toContain(KEY_ID);
    expect(text).not.toContain(SECRET);
    expect(ws.actions()).toEqual(['authenticate']);
    expect(b.streamStats()).toMatchObject({ connected: false, authenticated: false });
  });

  it('reconnects after the server drops it, listens again, and catches up a missed fill exactly once', async () => {
    const events: OrderEvent[] = [];
    const b = await connected(events);
    ws.push(tradeUpdate('new', { status: 'new', filled_qty: '0', filled_avg_price: null, filled_at: null }));
    await until(() => events.length === 1, 'the ack');

    // While the stream is down the order fills; Alpaca's REST API shows it on reconnect.
    rest.use(
      http.get(`${TRADING}/v2/orders`, () => HttpResponse.json([tradeUpdate('fill')['order']])),
      http.get(`${TRADING}/v2/account/activities/FILL`, () =>
        HttpResponse.json([
          fillActivity({
            orderId: RECORDED_ORDER,
            cumQty: '1790.86',
            qty: '1790.86',
            price: '105.8988475',
            symbol: 'SOLUSD',
            side: 'sell',
            at: '2022-04-19T17:45:05.024916716Z',
          }),
        ]),
      ),
    );
    ws.dropClients();
    await until(() => b.streamStats().reconnects === 1, 'the reconnect');
    await b.caughtUp();
    expect(ws.actions()).toEqual(['authenticate', 'listen', 'authenticate', 'listen']);
    expect(events.map((e) => e.kind)).toEqual(['ack', 'fill']);
    expect(events[1]).toMatchObject({ kind: 'fill', fill: { fillId: `${RECORDED_ORDER}:1790.86` } });

    // The stream later delivers the same fill: it was reported already.
    ws.push(tradeUpdate('fill'));
    await until(() => b.streamStats().events === 2, 'the late duplicate');
    expect(events.map((e) => e.kind)).toEqual(['ack', 'fill']);
    expect(b.streamStats()).toMatchObject({ connected: true, authenticated: true, reconnects: 1 });
  });

  it('finds an order last seen open that was canceled during the gap, though submitted before it', async () => {
    const events: OrderEvent[] = [];
    const b = await connected(events);
    ws.push(tradeUpdate('new', { status: 'new', filled_qty: '0', filled_avg_price: null, filled_at: null }));
    await until(() => events.length === 1, 'the ack');
    const listed: string[] = [];
    rest.use(
      http.get(`${TRADING}/v2/orders`, ({ request }) => {
        listed.push(new URL(request.url).searchParams.get('status') ?? '');
        return HttpResponse.json([]);
      }),
      http.get(`${TRADING}/v2/orders/${RECORDED_ORDER}`, () =>
        HttpResponse.json({
          ...(tradeUpdate('canceled')['order'] as Json),
          status: 'canceled',
          filled_qty: '0',
          canceled_at: '2022-04-19T17:50:00Z',
        }),
      ),
      http.get(`${TRADING}/v2/account/activities/FILL`, () => HttpResponse.json([])),
    );
    ws.dropClients();
    await until(() => b.streamStats().reconnects === 1, 'the reconnect');
    await b.caughtUp();
    expect(listed).toEqual(['all', 'open']);
    expect(events.map((e) => [e.kind, e.clientOrderId])).toEqual([
      ['ack', RECORDED_CLIENT_ID],
      ['cxl', RECORDED_CLIENT_ID],
    ]);
  });

  it('reports a replace once, under our id, with the requested changes', async () => {
    const events: OrderEvent[] = [];
    const b = await connected(events);
    rest.use(
      http.get(`${TRADING}/v2/orders\\:by_client_order_id`, () =>
        HttpResponse.json({ ...fixture('get_v2_orders_by_client_order_id.json'), client_order_id: 'ours-1' }),
      ),
      http.patch(`${TRADING}/v2/orders/:id`, () =>
        HttpResponse.json({
          ...fixture('patch_v2_orders_id.json'),
          id: 'rev-1',
          client_order_id: 'ours-1~r1',
          replaces: 'old',
        }),
      ),
    );
    const changes = { quantity: dec('4'), limitPrice: dec('155') };
    await b.replace({ accountId: 'alpaca', clientOrderId: 'ours-1', changes });
    const old = {
      id: '7b08df51-c1ac-453c-99f9-323a5f075f0d',
      client_order_id: 'ours-1',
      type: 'limit',
      order_type: 'limit',
      limit_price: '150',
    };
    ws.push(tradeUpdate('pending_replace', { ...old, status: 'pending_replace', filled_qty: '0' }));
    ws.push(tradeUpdate('replaced', { ...old, status: 'replaced', replaced_by: 'rev-1', filled_qty: '0' }));
    ws.push(
      tradeUpdate('new', {
        ...old,
        id: 'rev-1',
        client_order_id: 'ours-1~r1',
        status: 'new',
        qty: '4',
        limit_price: '155',
        filled_qty: '0',
      }),
    );
    await until(() => b.streamStats().events === 3, 'three updates');
    expect(events.map((e) => [e.kind, e.clientOrderId, e.venueOrderId])).toEqual([
      ['rpl_req', 'ours-1', '7b08df51-c1ac-453c-99f9-323a5f075f0d'],
      ['rpl', 'ours-1', 'rev-1'],
    ]);
    expect(events[1]).toMatchObject({ changes });
  });

  it('acks a bracket and its held exits together, and releases an exit on its own new', async () => {
    const events: OrderEvent[] = [];
    const b = await connected(events);
    const parent = {
      ...fixture('post_v2_orders.json'),
      client_order_id: 'entry',
      order_class: 'bracket',
      legs: [
        {
          ...fixture('post_v2_orders.json'),
          id: 'tp-1',
          client_order_id: 'alpaca-tp',
          side: 'sell',
          limit_price: '105',
          status: 'held',
        },
        {
          ...fixture('post_v2_orders.json'),
          id: 'sl-1',
          client_order_id: 'alpaca-sl',
          side: 'sell',
          type: 'stop',
          order_type: 'stop',
          limit_price: null,
          stop_price: '95',
          status: 'held',
        },
      ],
    };
    rest.use(http.post(`${TRADING}/v2/orders`, () => HttpResponse.json(parent)));
    const leg = { accountId: 'alpaca', symbol: 'AAPL', quantity: dec(10), timeInForce: 'gtc' as const };
    await b.submitGroup({
      orderClass: 'bracket',
      accountId: 'alpaca',
      legs: [
        {
          ...leg,
          clientOrderId: 'entry',
          role: 'entry',
          side: 'buy',
          type: 'limit',
          limitPrice: dec('99.5'),
        },
        {
          ...leg,
          clientOrderId: 'tp',
          role: 'take_profit',
          side: 'sell',
          type: 'limit',
          limitPrice: dec('105'),
        },
        { ...leg, clientOrderId: 'sl', role: 'stop_loss', side: 'sell', type: 'stop', stopPrice: dec('95') },
      ],
    });
    ws.push(tradeUpdate('new', { ...parent, status: 'new', filled_qty: '0', legs: null }));
    ws.push(tradeUpdate('new', { ...parent.legs[1], status: 'new', qty: '10', filled_qty: '0' }));
    await until(() => b.streamStats().events === 2, 'two updates');
    expect(events.map((e) => [e.kind, e.clientOrderId])).toEqual([
      ['ack', 'entry'],
      ['ack', 'tp'],
      ['ack', 'sl'],
      ['upd', 'sl'],
    ]);
    expect(events[3]).toMatchObject({ changes: { held: false, quantity: dec('10') } });
  });

  it('stops reconnecting once closed', async () => {
    const b = await connected([]);
    await b.close();
    ws.dropClients();
    const before = ws.connections;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ws.connections).toBe(before);
    expect(b.streamStats()).toMatchObject({ connected: false, authenticated: false });
  });
});
