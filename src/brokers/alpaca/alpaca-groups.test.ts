import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { GroupSubmitRequest, SubmitRequest } from '../broker.js';
import { alpacaError, fixture, fixtureHandlers, limitBuy, makeBroker, TRADING } from './test-support.js';

const server = setupServer(...fixtureHandlers());
const RECORDED_ID = '7b08df51-c1ac-453c-99f9-323a5f075f0d';
const errors = fixture('errors.json') as Record<string, Record<string, unknown>>;

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  server.resetHandlers();
});
afterAll(() => {
  server.close();
});

const broker = () => makeBroker();

describe('native contingent groups', () => {
  const leg = (
    role: 'entry' | 'take_profit' | 'stop_loss',
    side: 'buy' | 'sell',
    fields: Partial<SubmitRequest>,
  ) => ({
    ...limitBuy({ clientOrderId: role, side, quantity: dec(10), ...fields }),
    role,
  });
  const bracket: GroupSubmitRequest = {
    orderClass: 'bracket',
    accountId: 'alpaca',
    legs: [
      leg('entry', 'buy', { limitPrice: dec('99.50') }),
      leg('take_profit', 'sell', { limitPrice: dec('105'), reduceOnly: true }),
      {
        ...limitBuy({
          clientOrderId: 'stop_loss',
          side: 'sell',
          type: 'stop',
          quantity: dec(10),
          stopPrice: dec('95'),
        }),
        limitPrice: undefined,
        role: 'stop_loss',
      } as never,
    ],
  };
  /** The recorded order as a bracket parent, with its two exits built from the same recorded order. */
  const parent = () => {
    const order = fixture('post_v2_orders.json');
    const exit = (id: string, type: string, price: Record<string, string | null>) => ({
      ...order,
      id,
      client_order_id: `alpaca-${id}`,
      side: 'sell',
      type,
      order_type: type,
      status: 'held',
      order_class: 'bracket',
      ...price,
    });
    return {
      ...order,
      client_order_id: 'entry',
      order_class: 'bracket',
      legs: [
        exit('tp-1', 'limit', { limit_price: '105', stop_price: null }),
        exit('sl-1', 'stop', { limit_price: null, stop_price: '95' }),
      ],
    };
  };

  it('sends one bracket request and answers one receipt per leg with the Alpaca leg ids', async () => {
    let body: unknown;
    server.use(
      http.post(`${TRADING}/v2/orders`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(parent());
      }),
    );
    const receipts = await broker().submitGroup(bracket);
    expect(body).toMatchObject({
      order_class: 'bracket',
      client_order_id: 'entry',
      take_profit: { limit_price: '105' },
      stop_loss: { stop_price: '95' },
    });
    expect(receipts.map((r) => (r.status === 'accepted' ? r.venueOrderId : r.code))).toEqual([
      RECORDED_ID,
      'tp-1',
      'sl-1',
    ]);
  });

  it('finds an exit through its parent, under our leg id, held', async () => {
    server.use(
      http.post(`${TRADING}/v2/orders`, () => HttpResponse.json(parent())),
      http.get(`${TRADING}/v2/orders\\:by_client_order_id`, () => HttpResponse.json(parent())),
      http.get(`${TRADING}/v2/orders/:id`, () => HttpResponse.json(parent())),
    );
    const b = broker();
    await b.submitGroup(bracket);
    const tp = await b.getOrder('alpaca', 'take_profit');
    expect([tp?.clientOrderId, tp?.venueOrderId, tp?.held, tp?.status, tp?.type]).toEqual([
      'take_profit',
      'tp-1',
      true,
      'new',
      'limit',
    ]);

    const restarted = broker();
    server.use(
      http.get(`${TRADING}/v2/orders\\:by_client_order_id`, ({ request }) =>
        new URL(request.url).searchParams.get('client_order_id') === 'entry'
          ? HttpResponse.json(parent())
          : alpacaError(errors['order_not_found_40410000'], 404),
      ),
    );
    expect(await restarted.getOrder('alpaca', 'stop_loss')).toBeUndefined();
    await restarted.restoreGroup(bracket);
    const sl = await restarted.getOrder('alpaca', 'stop_loss');
    expect([sl?.clientOrderId, sl?.venueOrderId, sl?.stopPrice?.toFixed()]).toEqual([
      'stop_loss',
      'sl-1',
      '95',
    ]);
    const open = await restarted.openOrders('alpaca');
    // The recorded open order has the parent's Alpaca id here, so it is reported as our entry.
    expect(open.map((o) => o.clientOrderId)).toEqual(['entry', '5b5d3d67-06ad-4ffa-af65-a117d0fc5a59']);
  });
});
