/**
 * Fault injection on the fake Alpaca broker: ambiguous 500s (with and without the order created),
 * rate limits, hanging submits and a dropped trade_updates stream, through the in-process control
 * API and the /_fake endpoints.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeAlpaca,
  type Listening,
  createFakeAlpaca,
} from '../../../src/brokers/alpaca/fake/fake-alpaca.js';
import {
  KEY_ID,
  type Rest,
  SECRET,
  eventsOf,
  limitOrder,
  listeningStream,
  rest,
  tradeUpdate,
} from './support.js';

let fake: FakeAlpaca;
let server: Listening;
let api: Rest;

beforeEach(async () => {
  fake = await createFakeAlpaca({ keyId: KEY_ID, secretKey: SECRET });
  server = await fake.listen();
  api = rest(server.url);
});
afterEach(async () => {
  await fake.close();
});

const control = async (path: string, body?: unknown, method = 'POST'): Promise<unknown> => {
  const response = await fetch(`${server.url}/_fake/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.json();
};

describe('5xx', () => {
  it('500 after accepting: the client sees a failure, yet the order exists under its client id', async () => {
    await control('faults', { route: 'submit', kind: 'error', count: 1, accept: true });
    const failed = await api.call('POST', '/v2/orders', limitOrder({ client_order_id: 'ambiguous-1' }));
    expect(failed).toEqual({ status: 500, body: { code: 50010000, message: 'internal server error' } });
    const found = await api.call('GET', '/v2/orders:by_client_order_id?client_order_id=ambiguous-1');
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ client_order_id: 'ambiguous-1', status: 'new' });
  });

  it('500 before accepting: nothing was created, and only the next N requests fail', async () => {
    fake.control.faults.failNext('submit', 2);
    for (const id of ['lost-1', 'lost-2']) {
      expect((await api.call('POST', '/v2/orders', limitOrder({ client_order_id: id }))).status).toBe(500);
      const lookup = await api.call('GET', `/v2/orders:by_client_order_id?client_order_id=${id}`);
      expect(lookup.status).toBe(404);
    }
    expect((await api.call('POST', '/v2/orders', limitOrder())).status).toBe(200);
  });

  it('429 with Alpaca rate-limit headers, without doing anything', async () => {
    fake.control.faults.rateLimitNext('any');
    const response = await fetch(`${server.url}/v2/account`, {
      headers: { 'APCA-API-KEY-ID': KEY_ID, 'APCA-API-SECRET-KEY': SECRET },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('x-ratelimit-limit')).toBe('200');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(response.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(await response.json()).toEqual({ code: 42910000, message: 'rate limit exceeded' });
  });
});

describe('hang', () => {
  it('with accept: the submit never answers until the client gives up, but the order is there', async () => {
    fake.control.faults.hangNext('submit', 1, { accept: true });
    const giveUp = api.call('POST', '/v2/orders', limitOrder({ client_order_id: 'hung-1' }), {
      signal: AbortSignal.timeout(300),
    });
    await expect(giveUp).rejects.toThrow();
    // The fake lets go of a request whose client went away.
    await until(
      async () => ((await control('stats', undefined, 'GET')) as { hanging: number }).hanging === 0,
    );
    const found = await api.call('GET', '/v2/orders:by_client_order_id?client_order_id=hung-1');
    expect(found.body).toMatchObject({ status: 'new' });
  });

  it('without accept: released, it answers 500 and no order exists', async () => {
    fake.control.faults.hangNext('submit', 1);
    const pending = api.call('POST', '/v2/orders', limitOrder({ client_order_id: 'hung-2' }));
    await until(
      async () => ((await control('stats', undefined, 'GET')) as { hanging: number }).hanging === 1,
    );
    expect(await control('release', {})).toEqual({ released: 1 });
    expect((await pending).status).toBe(500);
    expect((await api.call('GET', '/v2/orders:by_client_order_id?client_order_id=hung-2')).status).toBe(404);
  });
});

describe('stream', () => {
  it('dropStream closes every socket; updates made meanwhile are lost to the stream but shown by REST', async () => {
    const first = await listeningStream(server.streamUrl);
    const second = await listeningStream(server.streamUrl);
    const order = await api.call('POST', '/v2/orders', limitOrder());
    const id = String(order.body['id']);
    await tradeUpdate(first, 'new', id);
    await tradeUpdate(second, 'new', id);
    expect(fake.control.eventsSent()).toBe(2);

    expect(await control('drop-stream', {})).toEqual({ dropped: 2 });
    await Promise.all([first.closed, second.closed]);
    fake.control.setQuote('AAPL', { bid: '190', ask: '190.01', bidSize: '100', askSize: '100' });
    expect((await api.call('GET', `/v2/orders/${id}`)).body['status']).toBe('filled');

    const third = await listeningStream(server.streamUrl);
    expect(eventsOf(first, id)).toEqual(['new']);
    expect(third.messages.filter((m) => m['stream'] === 'trade_updates')).toEqual([]);
    expect(await control('stats', undefined, 'GET')).toMatchObject({ eventsSent: 2, streamClients: 1 });
    third.close();
  });
});

/** Polls a condition of the fake's own state (no timers of the code under test are involved). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met');
}
