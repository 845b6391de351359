/**
 * The fake Alpaca broker over real loopback HTTP and WebSocket, driven by plain `fetch` and a plain
 * `ws` client: auth, orders, fills, replace, contingent legs, activities and the trade_updates stream.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeAlpaca,
  type Listening,
  createFakeAlpaca,
} from '../../../src/brokers/alpaca/fake/fake-alpaca.js';
import {
  type Json,
  KEY_ID,
  type Rest,
  SECRET,
  connectStream,
  eventsOf,
  keyHeaders,
  limitOrder,
  listeningStream,
  rest,
  tradeUpdate,
} from './support.js';

let fake: FakeAlpaca;
let server: Listening;
let api: Rest;

beforeEach(async () => {
  fake = await createFakeAlpaca({ keyId: KEY_ID, secretKey: SECRET, cash: '1000000' });
  server = await fake.listen();
  api = rest(server.url);
});
afterEach(async () => {
  await fake.close();
});

describe('auth', () => {
  it('refuses requests without the key pair, or with a wrong secret, with Alpaca 401 body', async () => {
    for (const headers of [{}, keyHeaders(KEY_ID, 'wrong')]) {
      const { status, body } = await rest(server.url, headers).call('GET', '/v2/account');
      expect(status).toBe(401);
      expect(body).toEqual({ code: 40110000, message: 'request is not authorized' });
    }
    expect((await api.call('GET', '/v2/account')).status).toBe(200);
  });

  it('answers a wrong stream key unauthorized, and a listen before authenticating too', async () => {
    const client = await connectStream(server.streamUrl);
    client.send({ action: 'listen', data: { streams: ['trade_updates'] } });
    client.send({ action: 'authenticate', data: { key_id: KEY_ID, secret_key: 'nope' } });
    await client.next((m) => (m['data'] as Json)['action'] === 'authenticate');
    expect(client.messages).toEqual([
      { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } },
      { stream: 'authorization', data: { status: 'unauthorized', action: 'authenticate' } },
    ]);
    client.close();
  });
});

describe('orders', () => {
  it('rests a limit buy, fills it when the quote reaches it, and reports exact decimal strings', async () => {
    const stream = await listeningStream(server.streamUrl);
    const posted = await api.call('POST', '/v2/orders', limitOrder({ client_order_id: 'buy-1' }));
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ status: 'new', qty: '10', filled_qty: '0', limit_price: '190.01' });
    const id = String(posted.body['id']);

    fake.control.setQuote('AAPL', { bid: '190.00', ask: '190.01', bidSize: '500', askSize: '500' });
    const fill = await tradeUpdate(stream, 'fill', id);
    expect(fill['data']).toMatchObject({ price: '190.01', qty: '10', position_qty: '10' });
    expect(eventsOf(stream, id)).toEqual(['new', 'fill']);
    expect(stream.allBinary()).toBe(true);

    const { body } = await api.call('GET', `/v2/orders/${id}`);
    expect(body).toMatchObject({
      id,
      client_order_id: 'buy-1',
      status: 'filled',
      filled_qty: '10',
      filled_avg_price: '190.01',
      symbol: 'AAPL',
      asset_class: 'us_equity',
      order_class: '',
    });
    expect(typeof body['filled_at']).toBe('string');
    const [position] = await api.list('/v2/positions');
    expect(position).toMatchObject({ symbol: 'AAPL', qty: '10', avg_entry_price: '190.01', side: 'long' });
    stream.close();
  });

  it('finds an order by client order id; a reused client order id is 422 40010001', async () => {
    const posted = await api.call('POST', '/v2/orders', limitOrder({ client_order_id: 'mine-7' }));
    const found = await api.call('GET', '/v2/orders:by_client_order_id?client_order_id=mine-7');
    expect(found.body['id']).toBe(posted.body['id']);

    const again = await api.call('POST', '/v2/orders', limitOrder({ client_order_id: 'mine-7' }));
    expect(again).toEqual({
      status: 422,
      body: { code: 40010001, message: 'client_order_id must be unique' },
    });
    const missing = await api.call('GET', '/v2/orders:by_client_order_id?client_order_id=nobody');
    expect(missing).toEqual({ status: 404, body: { code: 40410000, message: 'order not found' } });
  });

  it('refuses an unknown symbol, an unknown order id, and the cancel of a filled order', async () => {
    const unknown = await api.call('POST', '/v2/orders', limitOrder({ symbol: 'NOPE' }));
    expect(unknown).toEqual({ status: 422, body: { code: 42210000, message: 'asset not found for NOPE' } });
    const missing = await api.call('GET', '/v2/orders/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);

    fake.control.setQuote('AAPL', { bid: '190.00', ask: '190.01', bidSize: '500', askSize: '500' });
    const filled = await api.call('POST', '/v2/orders', limitOrder());
    const cancel = await api.call('DELETE', `/v2/orders/${String(filled.body['id'])}`);
    expect(cancel).toEqual({
      status: 422,
      body: { code: 42210000, message: 'order is already in "filled" state' },
    });
  });

  it('replaces with PATCH: a new id that `replaces` the old, which shows `replaced` and `replaced_by`', async () => {
    const stream = await listeningStream(server.streamUrl);
    const old = await api.call('POST', '/v2/orders', limitOrder({ limit_price: '180' }));
    const oldId = String(old.body['id']);
    const patched = await api.call('PATCH', `/v2/orders/${oldId}`, {
      qty: '4',
      limit_price: '181.5',
      client_order_id: 'renamed',
    });
    expect(patched.status).toBe(200);
    const newId = String(patched.body['id']);
    expect(newId).not.toBe(oldId);
    expect(patched.body).toMatchObject({
      replaces: oldId,
      client_order_id: 'renamed',
      qty: '4',
      limit_price: '181.5',
    });

    const oldNow = await api.call('GET', `/v2/orders/${oldId}`);
    expect(oldNow.body).toMatchObject({
      status: 'replaced',
      replaced_by: newId,
      qty: '10',
      limit_price: '180',
    });
    await tradeUpdate(stream, 'new', newId);
    expect(eventsOf(stream, oldId)).toEqual(['new', 'pending_replace', 'replaced']);
    const again = await api.call('PATCH', `/v2/orders/${oldId}`, { qty: '3' });
    expect(again.body).toEqual({ code: 42210000, message: 'cannot replace order in replaced status' });
    stream.close();
  });

  it('takes a bracket: legs held until the entry fills, then working', async () => {
    const posted = await api.call(
      'POST',
      '/v2/orders',
      limitOrder({
        symbol: 'MSFT',
        qty: '5',
        limit_price: '400',
        time_in_force: 'gtc',
        order_class: 'bracket',
        take_profit: { limit_price: '420' },
        stop_loss: { stop_price: '390', limit_price: '389.5' },
      }),
    );
    expect(posted.status).toBe(200);
    const legs = posted.body['legs'] as Json[];
    expect(posted.body).toMatchObject({ order_class: 'bracket', status: 'new' });
    expect(legs.map((l) => [l['side'], l['type'], l['status'], l['limit_price'], l['stop_price']])).toEqual([
      ['sell', 'limit', 'held', '420', null],
      ['sell', 'stop_limit', 'held', '389.5', '390'],
    ]);

    fake.control.setQuote('MSFT', { bid: '399.90', ask: '400', bidSize: '100', askSize: '100' });
    const nested = await api.list('/v2/orders?status=all&nested=true');
    expect(nested).toHaveLength(1);
    const legsNow = nested[0]?.['legs'] as Json[];
    expect(legsNow.map((l) => l['status'])).toEqual(['new', 'new']);
    expect(await api.list('/v2/orders?status=open')).toHaveLength(2);
  });

  it('expires a day order at the close when venue time is advanced, and says so on the stream', async () => {
    const stream = await listeningStream(server.streamUrl);
    const posted = await api.call('POST', '/v2/orders', limitOrder({ limit_price: '150' }));
    const id = String(posted.body['id']);
    expect((await api.call('GET', '/v2/clock')).body).toMatchObject({ is_open: true });
    fake.control.advance(7 * 60 * 60 * 1000); // 10:00 New York + 7 h: past the 16:00 close
    await tradeUpdate(stream, 'expired', id);
    const { body } = await api.call('GET', `/v2/orders/${id}`);
    expect(body).toMatchObject({ status: 'expired', filled_qty: '0' });
    expect(typeof body['expired_at']).toBe('string');
    expect((await api.call('GET', '/v2/clock')).body).toMatchObject({ is_open: false });
    stream.close();
  });

  it('lists fills as FILL activities with cumulative quantities', async () => {
    const posted = await api.call('POST', '/v2/orders', limitOrder({ qty: '30' }));
    fake.control.setQuote('AAPL', { bid: '190.00', ask: '190.01', bidSize: '100', askSize: '12' });
    fake.control.setQuote('AAPL', { bid: '190.00', ask: '190.01', bidSize: '100', askSize: '100' });
    const activities = await api.list('/v2/account/activities/FILL?direction=asc');
    expect(
      activities.map((a) => [a['type'], a['qty'], a['cum_qty'], a['leaves_qty'], a['order_status']]),
    ).toEqual([
      ['partial_fill', '12', '12', '18', 'partially_filled'],
      ['fill', '18', '30', '0', 'filled'],
    ]);
    expect(activities[0]).toMatchObject({
      activity_type: 'FILL',
      order_id: posted.body['id'],
      price: '190.01',
    });
    const page = await api.list(
      `/v2/account/activities/FILL?page_size=1&page_token=${String(activities[1]?.['id'])}`,
    );
    expect(page.map((a) => a['cum_qty'])).toEqual(['12']);
  });

  it('cancels everything open with a 207 per-order body', async () => {
    const a = await api.call('POST', '/v2/orders', limitOrder());
    const b = await api.call('POST', '/v2/orders', limitOrder({ symbol: 'NVDA', limit_price: '100' }));
    const { status, body } = await api.call('DELETE', '/v2/orders');
    expect(status).toBe(207);
    const items = body as unknown as Json[];
    expect(items.map((i) => [i['id'], i['status']]).sort()).toEqual(
      [
        [a.body['id'], 200],
        [b.body['id'], 200],
      ].sort(),
    );
    expect(await api.list('/v2/orders')).toEqual([]);
  });
});
