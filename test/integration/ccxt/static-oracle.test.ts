/**
 * ccxt's own recorded static tests as an outside oracle (test/fixtures/binance/SOURCES.md):
 * (a) requests: each unified call, made on a binance instance built by the adapter's own factory,
 * sends the recorded URL and body (ccxt's `skipKeys` ignored, as its runner does); (b) responses:
 * each recorded raw answer parses to the recorded result, and the adapter's mapping of that
 * result carries the raw strings' exact decimals.
 */
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCcxtExchange } from '../../../src/brokers/ccxt/index.js';
import { FAKE_BINANCE_CREDENTIALS, fixture } from '../../support/fake-binance/index.js';
import {
  assertAdapterMapping,
  assertMatchesStored,
  callUnified,
  exchangeInfoWith,
  jsonInput,
} from '../../support/fake-binance/oracle.js';
import { useMockServer } from '../../support/msw.js';

const caseSchema = z.object({
  description: z.string(),
  method: z.string(),
  url: z.string().optional(),
  input: z.array(z.unknown()),
  output: z.string().optional(),
  httpResponse: z.unknown().optional(),
  parsedResponse: z.unknown().optional(),
});
const fileSchema = z.object({
  skipKeys: z.array(z.string()).default([]),
  methods: z.record(z.string(), z.array(caseSchema)),
});

const requests = fileSchema.parse(fixture('ccxt_static_request_spot.json'));
const responses = fileSchema.parse(fixture('ccxt_static_response_spot.json'));
const requestCases = Object.values(requests.methods).flat();
const responseCases = Object.values(responses.methods).flat();

/** What answers a captured request, so that ccxt finishes the call: the endpoint's recorded payload. */
const CANNED: Readonly<Record<string, unknown>> = {
  'POST /api/v3/order': fixture('post_api_v3_order.json'),
  'DELETE /api/v3/order': fixture('delete_api_v3_order.json'),
  'DELETE /api/v3/openOrders': [],
  'GET /api/v3/account': fixture('get_api_v3_account.json'),
  'GET /api/v3/myTrades': fixture('get_api_v3_myTrades.json'),
  'GET /api/v3/allOrders': fixture('get_api_v3_openOrders.json'),
};

interface Captured {
  readonly method: string;
  readonly url: URL;
  readonly body: string;
}

const server = useMockServer();

/** The adapter's exchange for a host: the recorded URL says whether the sandbox was on. */
function exchangeFor(host: string) {
  return createCcxtExchange({
    exchangeId: 'binance',
    sandbox: host === 'https://testnet.binance.vision',
    credentials: FAKE_BINANCE_CREDENTIALS,
    enableRateLimit: false,
  });
}

/** exchangeInfo on the host, and every other /api/v3 call answered by `answer`. */
function serve(host: string, answer: (request: Request, body: string) => Response): void {
  server.use(
    http.get(`${host}/api/v3/exchangeInfo`, () => HttpResponse.json(exchangeInfoWith())),
    http.all(`${host}/api/v3/*`, async ({ request }) => answer(request, await request.clone().text())),
  );
}

/** A JSON answer of any recorded body (an object or a list). */
function jsonResponse(body: unknown): Response {
  return new HttpResponse(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
}

function withoutKeys(params: URLSearchParams, skip: readonly string[]): Record<string, string> {
  return Object.fromEntries([...params].filter(([key]) => !skip.includes(key)));
}

describe('ccxt static requests (binance spot)', () => {
  it('has the recorded cases', () => {
    expect(requestCases.map((c) => c.method)).toEqual([
      'createOrder',
      'createOrder',
      'createOrder',
      'createOrder',
      'cancelOrder',
      'cancelAllOrders',
      'fetchBalance',
      'fetchMyTrades',
      'fetchOrders',
    ]);
  });

  for (const c of requestCases) {
    it(`${c.method}: ${c.description}`, async () => {
      const stored = new URL(c.url ?? '');
      const captured: Captured[] = [];
      serve(stored.origin, (request, body) => {
        const url = new URL(request.url);
        captured.push({ method: request.method, url, body });
        return jsonResponse(CANNED[`${request.method} ${url.pathname}`] ?? {});
      });
      const exchange = exchangeFor(stored.origin);
      await exchange.loadMarkets();
      await callUnified(exchange, c.method, jsonInput(c.input)).catch(() => undefined);
      expect(captured).toHaveLength(1);
      const [sent] = captured;
      if (sent === undefined) return;
      expect(`${sent.url.origin}${sent.url.pathname}`).toBe(`${stored.origin}${stored.pathname}`);
      const skip = requests.skipKeys;
      expect(withoutKeys(sent.url.searchParams, skip)).toEqual(withoutKeys(stored.searchParams, skip));
      if (c.output !== undefined) {
        const body = new URLSearchParams(sent.body);
        expect(withoutKeys(body, skip)).toEqual(withoutKeys(new URLSearchParams(c.output), skip));
        // Without a client order id ccxt 4.5.84 stamps its spot broker id (SOURCES.md).
        expect(body.get('newClientOrderId')).toMatch(/^x-TKT5PX2F/);
      }
    });
  }

  it('sends our client order id as newClientOrderId, unprefixed', async () => {
    const captured: string[] = [];
    serve('https://api.binance.com', (_request, body) => {
      captured.push(body);
      return jsonResponse(CANNED['POST /api/v3/order']);
    });
    const exchange = exchangeFor('https://api.binance.com');
    await exchange.loadMarkets();
    await exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.5, 100.1, { clientOrderId: 'agent-7_order-1' });
    expect(new URLSearchParams(captured[0]).get('newClientOrderId')).toBe('agent-7_order-1');
  });
});

describe('ccxt static responses (binance spot)', () => {
  it('has the recorded cases', () => {
    expect(responseCases.map((c) => c.method).sort()).toEqual(
      [
        'createOrder',
        'fetchBalance',
        'fetchMyTrades',
        'fetchOpenOrders',
        'fetchOrder',
        'fetchOrderBook',
        'fetchTicker',
      ].sort(),
    );
  });

  for (const c of responseCases) {
    it(`${c.method}: ${c.description}`, async () => {
      serve('https://api.binance.com', () => jsonResponse(c.httpResponse));
      const exchange = exchangeFor('https://api.binance.com');
      await exchange.loadMarkets();
      const result = await callUnified(exchange, c.method, jsonInput(c.input));
      assertMatchesStored(result, c.parsedResponse);
      assertAdapterMapping(c.method, result, c.httpResponse);
    });
  }
});
