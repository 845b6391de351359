/**
 * The fake Alpaca broker in-process behind msw, as the broker contract suite uses it: the trading and
 * market-data hosts are routed to `fake.fetch`, so plain `fetch` to Alpaca's real URLs reaches it.
 */
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeAlpaca, createFakeAlpaca } from '../../../src/brokers/alpaca/fake/fake-alpaca.js';
import { KEY_ID, SECRET, keyHeaders, limitOrder, listeningStream, rest, tradeUpdate } from './support.js';

let fake: FakeAlpaca;
const server = setupServer(
  http.all('https://paper-api.alpaca.markets/*', ({ request }) => fake.fetch(request)),
  http.all('https://data.alpaca.markets/*', ({ request }) => fake.fetch(request)),
);

beforeAll(async () => {
  fake = await createFakeAlpaca({ keyId: KEY_ID, secretKey: SECRET });
  // The stream's WebSocket upgrade goes through Node's http, which msw sees: let loopback pass.
  server.listen({
    onUnhandledRequest: (request, print) => {
      if (new URL(request.url).hostname !== '127.0.0.1') print.error();
    },
  });
});
afterAll(async () => {
  server.close();
  await fake.close();
});

it('serves Alpaca URLs through msw: submit, fill on a quote, look up by client id, read the quote', async () => {
  // msw cannot intercept WebSockets: the stream is served on a real loopback socket alongside.
  const { streamUrl } = await fake.listen();
  const stream = await listeningStream(streamUrl);
  const trading = rest('https://paper-api.alpaca.markets');
  const posted = await trading.call('POST', '/v2/orders', limitOrder({ client_order_id: 'via-msw' }));
  expect(posted.status).toBe(200);
  fake.control.setQuote('AAPL', { bid: '190', ask: '190.01', bidSize: '100', askSize: '100' });
  await tradeUpdate(stream, 'fill', String(posted.body['id']));
  stream.close();
  // The SDK sends the colon as is; msw users escape it in patterns, the fake takes both spellings.
  for (const path of ['/v2/orders:by_client_order_id', '/v2/orders%3Aby_client_order_id']) {
    const found = await trading.call('GET', `${path}?client_order_id=via-msw`);
    expect(found.body).toMatchObject({ id: posted.body['id'], status: 'filled', filled_avg_price: '190.01' });
  }
  const quote = await fetch('https://data.alpaca.markets/v2/stocks/quotes/latest?symbols=AAPL', {
    headers: keyHeaders(),
  });
  expect(await quote.json()).toMatchObject({ quotes: { AAPL: { ap: 190.01, bp: 190, as: 100, bs: 100 } } });
});

it('refuses a buy beyond buying power with 403, leaving no order behind', async () => {
  const trading = rest('https://paper-api.alpaca.markets');
  const big = limitOrder({ qty: '20000', limit_price: '190', client_order_id: 'too-big' });
  expect(await trading.call('POST', '/v2/orders', big)).toEqual({
    status: 403,
    body: { code: 40310000, message: 'insufficient buying power' },
  });
  const lookup = await trading.call('GET', '/v2/orders:by_client_order_id?client_order_id=too-big');
  expect(lookup.status).toBe(404);
});
