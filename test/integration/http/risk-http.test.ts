/**
 * The risk engine on the HTTP surface, on a real listening server over the real core (the scripted
 * market and a simulated clock that does not move by itself, so the quotes stay fresh): a REST order
 * the engine denies is 422 with the denial's code and the denied order's id, /health shows the
 * trading state and turns degraded on an emergency stop, and /metrics carries the trading state and
 * the day's P&L.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Structured, callTool } from '../../support/core.js';
import type { HttpAnswer, TestServer } from '../../support/http-server.js';
import { connectHttp, request, startTestServer } from '../../support/http-server.js';

let server: TestServer;
let localKey: string;
let analystKey: string;

beforeAll(async () => {
  server = await startTestServer();
  localKey = await server.createKey('local');
  analystKey = await server.createKey('analyst');
  // AAPL's reference (the mid) is 190: the 10% band tops out at 209 for a buy limit.
  server.feed.set('AAPL', { book: { bids: [['189.98', '5000']], asks: [['190.02', '5000']] } });
  // One monitor pass, awaited: the accounts' start-of-day equity is known, so the day's P&L is too.
  await server.app.riskControls.tick();
});

afterAll(async () => {
  await server.stop();
});

interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly details?: Structured;
}
const errorOf = (answer: HttpAnswer) => (answer.json as { error: ErrorBody }).error;

const orderCount = async (): Promise<number> =>
  (await server.app.service.listOrders({ status: 'all', limit: 200 })).orders.length;

const limitBuy = (clientOrderId: string, quantity: string, limitPrice: string) => ({
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity,
  limitPrice,
  timeInForce: 'gtc',
  clientOrderId,
  reason: 'risk http test',
});

const postOrder = (body: unknown) =>
  request(server.url, '/api/v1/orders', { method: 'POST', key: localKey, body });

/** Sample lines of a Prometheus text body keyed as `name{labels as written}`. */
function samples(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) out.set(match[1], Number(match[2]));
  }
  return out;
}

async function scrape(): Promise<Map<string, number>> {
  const answer = await request(server.url, '/metrics', { key: analystKey });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  return samples(answer.text);
}

describe('REST orders the risk engine denies', () => {
  it('answers 422 PRICE_BAND with the denied order id, which GET /orders/:id shows as denied', async () => {
    const before = await orderCount();
    // 228 is 20% over the reference 190; the band allows up to 209.
    const denied = await postOrder(limitBuy('http-band-1', '1', '228'));
    expect(denied.status).toBe(422);
    expect(denied.headers.get('content-type')).toMatch(/^application\/json/);
    const error = errorOf(denied);
    expect(error).toMatchObject({
      code: 'PRICE_BAND',
      details: { clientOrderId: 'http-band-1', status: 'denied' },
    });
    expect(error.hint).toBeTruthy();
    expect(error.message).toContain('209');
    const orderId = error.details?.['orderId'];
    expect(orderId).toEqual(expect.any(String));
    expect(await orderCount()).toBe(before + 1);

    const shown = await request(server.url, `/api/v1/orders/${String(orderId)}`, { key: localKey });
    expect(shown.status).toBe(200);
    expect(shown.json).toMatchObject({
      orderId,
      clientOrderId: 'http-band-1',
      agentId: 'local',
      status: 'denied',
      quantity: '1',
      limitPrice: '228',
      filledQuantity: '0',
    });
    expect((shown.json as Structured)['rejectReason']).toMatch(/^PRICE_BAND: /);
  });

  it('answers 422 ORDER_NOTIONAL_LIMIT over a global maxOrderNotional, and 201 once it is removed', async () => {
    const risk = await connectHttp(server.url, localKey, 'legacy');
    try {
      const set = await callTool(risk, 'setRiskLimits', {
        level: 'global',
        limits: { maxOrderNotional: '10000' },
        reason: 'risk http test',
      });
      expect(set.structured).toMatchObject({ limits: { maxOrderNotional: '10000' } });

      // 100 × 189.50 = 18 950 > 10 000.
      const denied = await postOrder(limitBuy('http-notional-1', '100', '189.50'));
      expect(denied.status).toBe(422);
      expect(errorOf(denied)).toMatchObject({
        code: 'ORDER_NOTIONAL_LIMIT',
        details: { orderId: expect.any(String) as unknown, status: 'denied' },
      });

      await callTool(risk, 'setRiskLimits', {
        level: 'global',
        limits: { maxOrderNotional: null },
        reason: 'risk http test done',
      });
      const placed = await postOrder(limitBuy('http-notional-2', '100', '189.50'));
      expect(placed.status).toBe(201);
      expect(placed.json).toMatchObject({ status: 'new', quantity: '100', limitPrice: '189.5' });
      const canceled = await request(
        server.url,
        `/api/v1/orders/${String((placed.json as Structured)['orderId'])}`,
        { method: 'DELETE', key: localKey },
      );
      expect(canceled.status).toBe(200);
    } finally {
      await risk.close();
    }
  });
});

describe('/health and /metrics follow the trading state', () => {
  // Last in this file: trading stays halted.
  it('shows active and healthy, then halted and degraded with the alert after an emergency stop', async () => {
    const healthy = await request(server.url, '/health');
    expect(healthy.status).toBe(200);
    expect(healthy.json).toMatchObject({
      status: 'healthy',
      checks: { risk: { tradingState: 'active', alerts: [] } },
    });
    const before = await scrape();
    expect(before.get('trading_risk_state')).toBe(0);
    // Nothing has filled: equity is where the day started.
    expect(before.get('trading_daily_pnl')).toBe(0);

    const resting = await postOrder(limitBuy('http-resting-1', '2', '180'));
    expect(resting.status).toBe(201);
    const restingId = (resting.json as Structured)['orderId'];

    const stopped = await server.app.riskControls.emergencyStop({
      reason: 'http kill switch',
      actor: 'local',
    });
    expect(stopped.tradingState.state).toBe('halted');
    expect(stopped.canceled.map((o) => o.order.id)).toContain(restingId);

    const halted = await request(server.url, '/health');
    expect(halted.status).toBe(200);
    expect(halted.json).toMatchObject({
      status: 'degraded',
      checks: {
        database: { status: 'up' },
        risk: { tradingState: 'halted', reason: 'emergency stop: http kill switch' },
      },
    });
    const alerts = (halted.json as { checks: { risk: { alerts: Structured[] } } }).checks.risk.alerts;
    expect(alerts.at(-1)).toMatchObject({ kind: 'trading_state', severity: 'critical' });
    expect(alerts.at(-1)?.['message']).toBe(
      'Trading state active -> halted by local: emergency stop: http kill switch',
    );

    const after = await scrape();
    expect(after.get('trading_risk_state')).toBe(2);
    expect(after.get('trading_daily_pnl')).toBe(0);

    // A new order while halted: 422 TRADING_HALTED, recorded as denied.
    const refused = await postOrder(limitBuy('http-halted-1', '1', '180'));
    expect(refused.status).toBe(422);
    expect(errorOf(refused)).toMatchObject({
      code: 'TRADING_HALTED',
      details: { orderId: expect.any(String) as unknown },
    });
  });
});
