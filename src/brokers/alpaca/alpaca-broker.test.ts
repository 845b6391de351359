import { HttpResponse, delay, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { BrokerCallError } from '../broker.js';
import {
  alpacaError,
  fixture,
  fixtureHandlers,
  fixtureList,
  KEY_ID,
  limitBuy,
  makeBroker,
  SECRET,
  TRADING,
} from './test-support.js';

const server = setupServer(...fixtureHandlers());
const requests: string[] = [];
const RECORDED_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const NOW = 1_750_000_000_000;
const examples = fixture('post_v2_orders.request.json') as Record<string, Record<string, unknown>>;
const errors = fixture('errors.json') as Record<string, Record<string, unknown>>;

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
  });
});
beforeEach(() => {
  requests.length = 0;
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

const broker = () => makeBroker({ now: () => NOW });

async function refusalOf(call: Promise<unknown>): Promise<BrokerCallError> {
  const error: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BrokerCallError))
    throw new Error(`expected a BrokerCallError, got ${String(error)}`);
  return error;
}

/** Serves POST /v2/orders with a recorded answer and keeps the request body and key headers. */
function capturePost(answer = 'post_v2_orders.json'): {
  body?: unknown;
  key?: string | null;
  secret?: string | null;
} {
  const seen: { body?: unknown; key?: string | null; secret?: string | null } = {};
  server.use(
    http.post(`${TRADING}/v2/orders`, async ({ request }) => {
      seen.body = await request.json();
      seen.key = request.headers.get('APCA-API-KEY-ID');
      seen.secret = request.headers.get('APCA-API-SECRET-KEY');
      return HttpResponse.json(fixture(answer));
    }),
  );
  return seen;
}

describe('submit', () => {
  it("sends Alpaca's Equity request shape with our client order id and answers accepted", async () => {
    const seen = capturePost();
    const receipt = await broker().submit(limitBuy());
    expect(seen.body).toEqual({ ...examples['Equity'], client_order_id: 'ours-1' });
    expect([seen.key, seen.secret]).toEqual([KEY_ID, SECRET]);
    expect(receipt).toEqual({ status: 'accepted', venueOrderId: RECORDED_ID, at: NOW });
  });

  it("sends Alpaca's Crypto request shape (decimal strings, slash symbol)", async () => {
    const seen = capturePost('post_v2_orders.crypto.json');
    const receipt = await broker().submit(
      limitBuy({ symbol: 'ETH/USD', quantity: dec('0.02'), limitPrice: dec('2100') }),
    );
    expect(seen.body).toEqual({ ...examples['Crypto'], client_order_id: 'ours-1' });
    expect(receipt).toMatchObject({
      status: 'accepted',
      venueOrderId: '38e482f3-79a8-4f75-a057-f07a1ec6a397',
    });
  });

  it('refuses what Alpaca cannot take without any call', async () => {
    for (const bad of [
      limitBuy({ quantity: dec(0) }),
      limitBuy({ postOnly: true }),
      limitBuy({ type: 'limit_if_touched', triggerPrice: dec(1) }),
    ]) {
      const error = await refusalOf(broker().submit(bad));
      expect([error.outcome, error.code]).toEqual(['definitive', 'INVALID_ORDER']);
    }
    expect(requests).toEqual([]);
  });

  it.each([
    ['insufficient_qty_40310000', 403, 'INSUFFICIENT_BUYING_POWER'],
    ['not_allowed_to_short_40310000', 403, 'INSUFFICIENT_BUYING_POWER'],
  ])('reads the recorded %s refusal as a definitive %s', async (name, status, code) => {
    server.use(http.post(`${TRADING}/v2/orders`, () => alpacaError(errors[name], status)));
    const error = await refusalOf(broker().submit(limitBuy()));
    expect([error.outcome, error.code]).toEqual(['definitive', code]);
    expect(error.message).toContain(String(errors[name]?.['message']));
  });

  it.each([
    [422, { code: 40010001, message: 'client_order_id must be unique' }, 'DUPLICATE_CLIENT_ORDER_ID'],
    [422, { code: 40010001, message: 'asset "NOSUCHSYMBOL" not found' }, 'INSTRUMENT_NOT_FOUND'],
    [401, { code: 40110000, message: 'request is not authorized' }, 'UNAUTHORIZED'],
  ])('reads HTTP %i %j as definitive', async (status, body, code) => {
    server.use(http.post(`${TRADING}/v2/orders`, () => alpacaError(body, status)));
    const error = await refusalOf(broker().submit(limitBuy()));
    expect([error.outcome, error.code]).toEqual(['definitive', code]);
  });

  it('reads 429 as a definitive, retryable RATE_LIMITED', async () => {
    server.use(
      http.post(`${TRADING}/v2/orders`, () =>
        alpacaError({ code: 42910000, message: 'rate limit exceeded' }, 429),
      ),
    );
    const error = await refusalOf(broker().submit(limitBuy()));
    expect([error.outcome, error.code, error.retryable]).toEqual(['definitive', 'RATE_LIMITED', true]);
  });

  it('leaves a 5xx, a dropped connection and a timeout ambiguous, each sent exactly once', async () => {
    const answers = [
      () => alpacaError({ code: 50010000, message: 'internal server error' }, 500),
      () => HttpResponse.error(),
      async () => {
        await delay(500);
        return HttpResponse.json(fixture('post_v2_orders.json'));
      },
    ];
    for (const answer of answers) {
      requests.length = 0;
      server.use(http.post(`${TRADING}/v2/orders`, answer));
      const error = await refusalOf(makeBroker({ timeoutMs: 50 }).submit(limitBuy()));
      expect([error.outcome, error.code]).toEqual(['ambiguous', 'BROKER_UNAVAILABLE']);
      expect(requests).toEqual(['POST /v2/orders']);
    }
  });

  it('answers rejected when Alpaca creates the order rejected', async () => {
    server.use(
      http.post(`${TRADING}/v2/orders`, () =>
        HttpResponse.json({ ...fixture('post_v2_orders.json'), status: 'rejected' }),
      ),
    );
    expect(await broker().submit(limitBuy())).toMatchObject({
      status: 'rejected',
      code: 'VENUE_REJECTED',
      at: NOW,
    });
  });

  it('refuses an account it does not have', async () => {
    expect((await refusalOf(broker().submit(limitBuy({ accountId: 'other' })))).code).toBe('NOT_FOUND');
  });
});

describe('getOrder', () => {
  it('reads the order by our client order id and reports it under that id', async () => {
    const order = await broker().getOrder('alpaca', 'ours-1');
    expect(requests).toEqual(['GET /v2/orders:by_client_order_id?client_order_id=ours-1']);
    expect(order).toMatchObject({
      clientOrderId: 'ours-1',
      venueOrderId: RECORDED_ID,
      status: 'new',
      symbol: 'AAPL',
    });
    expect(order?.quantity.toFixed()).toBe('2');
  });

  it('is undefined when Alpaca does not know the id', async () => {
    server.use(
      http.get(`${TRADING}/v2/orders\\:by_client_order_id`, () =>
        alpacaError(errors['order_not_found_40410000'], 404),
      ),
    );
    expect(await broker().getOrder('alpaca', 'never-sent')).toBeUndefined();
  });

  it('follows replaced_by to the current revision and reports our base id', async () => {
    server.use(
      http.get(`${TRADING}/v2/orders\\:by_client_order_id`, () =>
        HttpResponse.json({
          ...fixture('get_v2_orders_by_client_order_id.json'),
          client_order_id: 'ours-1',
          status: 'replaced',
          replaced_by: 'rev-1',
        }),
      ),
      http.get(`${TRADING}/v2/orders/rev-1`, () =>
        HttpResponse.json({
          ...fixture('get_v2_orders_id.json'),
          id: 'rev-1',
          client_order_id: 'ours-1~r1',
          qty: '4',
          limit_price: '155',
          replaces: RECORDED_ID,
        }),
      ),
    );
    const order = await broker().getOrder('alpaca', 'ours-1');
    expect([
      order?.clientOrderId,
      order?.venueOrderId,
      order?.quantity.toFixed(),
      order?.limitPrice?.toFixed(),
    ]).toEqual(['ours-1', 'rev-1', '4', '155']);
  });
});

describe('replace', () => {
  it("sends Alpaca's Equity PATCH shape under the next revision of our id", async () => {
    let body: unknown;
    let url = '';
    server.use(
      http.patch(`${TRADING}/v2/orders/:id`, async ({ request }) => {
        body = await request.json();
        url = new URL(request.url).pathname;
        return HttpResponse.json(fixture('patch_v2_orders_id.json'));
      }),
    );
    const b = broker();
    const changes = { quantity: dec('4'), limitPrice: dec('155'), timeInForce: 'gtc' as const };
    await b.replace({ accountId: 'alpaca', clientOrderId: 'ours-1', changes });
    expect(url).toBe(`/v2/orders/${RECORDED_ID}`);
    expect(body).toEqual({
      ...(fixture('patch_v2_orders_id.request.json')['Equity'] as object),
      client_order_id: 'ours-1~r1',
    });
    await b.replace({ accountId: 'alpaca', clientOrderId: 'ours-1', changes });
    expect(body).toMatchObject({ client_order_id: 'ours-1~r2' });
  });

  it('refuses definitively, without a PATCH, an order that is unknown or already filled', async () => {
    const changes = { quantity: dec('4') };
    server.use(
      http.get(`${TRADING}/v2/orders\\:by_client_order_id`, () =>
        alpacaError(errors['order_not_found_40410000'], 404),
      ),
    );
    expect(
      (await refusalOf(broker().replace({ accountId: 'alpaca', clientOrderId: 'x', changes }))).code,
    ).toBe('NOT_FOUND_AT_VENUE');
    server.use(
      http.get(`${TRADING}/v2/orders\\:by_client_order_id`, () =>
        HttpResponse.json({
          ...fixture('get_v2_orders_by_client_order_id.json'),
          status: 'filled',
          filled_qty: '2',
        }),
      ),
    );
    expect(
      (await refusalOf(broker().replace({ accountId: 'alpaca', clientOrderId: 'x', changes }))).code,
    ).toBe('ORDER_NOT_OPEN');
    expect(requests.filter((r) => r.startsWith('PATCH'))).toEqual([]);
  });

  it("maps Alpaca's refusal of a replace", async () => {
    server.use(
      http.patch(`${TRADING}/v2/orders/:id`, () =>
        alpacaError({ code: 42210000, message: 'qty must be > filled_qty' }, 422),
      ),
    );
    const error = await refusalOf(
      broker().replace({ accountId: 'alpaca', clientOrderId: 'ours-1', changes: { quantity: dec(1) } }),
    );
    expect([error.outcome, error.code]).toEqual(['definitive', 'QUANTITY_BELOW_FILLED']);
  });
});

describe('cancel', () => {
  it('looks the order up by client order id, then deletes it by Alpaca id', async () => {
    await broker().cancel({ accountId: 'alpaca', clientOrderId: 'ours-1' });
    expect(requests).toEqual([
      'GET /v2/orders:by_client_order_id?client_order_id=ours-1',
      `DELETE /v2/orders/${RECORDED_ID}`,
    ]);
  });

  it('deletes an order it submitted without looking it up', async () => {
    const b = broker();
    await b.submit(limitBuy());
    requests.length = 0;
    await b.cancel({ accountId: 'alpaca', clientOrderId: 'ours-1' });
    expect(requests).toEqual([`DELETE /v2/orders/${RECORDED_ID}`]);
  });

  it.each([
    [422, { code: 42210000, message: 'order is already in "filled" state' }, 'ORDER_NOT_OPEN'],
    [404, errors['order_not_found_40410000'], 'NOT_FOUND_AT_VENUE'],
  ])('reads HTTP %i as a definitive %s', async (status, body, code) => {
    server.use(http.delete(`${TRADING}/v2/orders/:id`, () => alpacaError(body, status)));
    const error = await refusalOf(broker().cancel({ accountId: 'alpaca', clientOrderId: 'ours-1' }));
    expect([error.outcome, error.code]).toEqual(['definitive', code]);
  });

  it("reports cancel-all's per-order outcomes from the recorded 207", async () => {
    expect(await broker().cancelAll('alpaca')).toEqual([
      { venueOrderId: '497f6eca-6276-4993-bfeb-53cbbbba6f08', ok: true },
      {
        venueOrderId: '72249bb6-6c89-4ea7-b8cf-73f1a140812b',
        ok: false,
        code: 'NOT_FOUND_AT_VENUE',
        message: 'order not found',
      },
    ]);
  });
});

describe('order reports', () => {
  it('lists open orders nested, oldest first, and maps the recorded ones', async () => {
    const open = await broker().openOrders('alpaca');
    expect(requests).toEqual(['GET /v2/orders?status=open&limit=500&direction=asc&nested=true']);
    expect(open.map((o) => [o.clientOrderId, o.symbol, o.status, o.quantity.toFixed()])).toEqual([
      ['5680c4bc-9ac1-4a12-a44c-df427ba53032', 'AAPL', 'new', '2'],
      ['5b5d3d67-06ad-4ffa-af65-a117d0fc5a59', 'ETH/USD', 'pending_new', '0.02'],
    ]);
  });

  it('lists orders since a time, keeping those updated since then', async () => {
    const since = Date.parse('2023-12-12T22:35:00Z');
    const orders = await broker().ordersSince('alpaca', since);
    expect(requests).toEqual([
      `GET /v2/orders?status=all&limit=500&after=${encodeURIComponent(new Date(since - 1).toISOString())}&direction=asc&nested=true`,
    ]);
    expect(orders.map((o) => o.symbol)).toEqual(['ETH/USD']);
  });

  it('reports a replaced order only through its successor', async () => {
    const [first] = fixtureList('get_v2_orders.json');
    const successor = { ...first, id: 'rev-1', client_order_id: `${String(first?.['client_order_id'])}~r1` };
    server.use(
      http.get(`${TRADING}/v2/orders`, () =>
        HttpResponse.json([{ ...first, status: 'replaced', replaced_by: 'rev-1' }, successor]),
      ),
    );
    const open = await broker().openOrders('alpaca');
    expect(open.map((o) => [o.clientOrderId, o.venueOrderId])).toEqual([
      ['5680c4bc-9ac1-4a12-a44c-df427ba53032', 'rev-1'],
    ]);
  });
});
