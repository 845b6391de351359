import { trading } from '@alpacahq/alpaca-trade-api';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { OrderType } from '../../domain/order.js';
import { BrokerCallError, type GroupLeg, type GroupSubmitRequest, type SubmitRequest } from '../broker.js';
import { baseClientOrderId, revisionClientOrderId, revisionOf } from './client-ids.js';
import { planGroup } from './group-requests.js';
import { ALPACA_CAPABILITIES } from './options.js';
import { checkClientOrderId, checkSpec, replaceBody, submitBody } from './requests.js';
import { fixture } from './test-support.js';

const VENUE = 'alpaca-paper';
const examples = fixture('post_v2_orders.request.json') as Record<string, Record<string, unknown>>;
const patchExamples = fixture('patch_v2_orders_id.request.json') as Record<string, Record<string, unknown>>;

/** Fields to change; `undefined` removes one (exactOptionalPropertyTypes keeps absent and undefined apart). */
type Overrides = { [K in keyof SubmitRequest]?: SubmitRequest[K] | undefined };

function request(overrides: Overrides = {}): SubmitRequest {
  const merged: Record<string, unknown> = {
    accountId: 'alpaca',
    clientOrderId: 'ours-1',
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: dec('2'),
    limitPrice: dec('150'),
    timeInForce: 'gtc',
    ...overrides,
  };
  const defined = Object.entries(merged).filter(([, value]) => value !== undefined);
  return Object.fromEntries(defined) as unknown as SubmitRequest;
}

function refusal(run: () => unknown): BrokerCallError {
  try {
    run();
  } catch (error) {
    if (error instanceof BrokerCallError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('request bodies', () => {
  it("serialises to Alpaca's Equity example exactly, plus our client order id", () => {
    const wire: unknown = trading.PostOrderRequestToJSON(submitBody(request()));
    expect(JSON.parse(JSON.stringify(wire))).toEqual({ ...examples['Equity'], client_order_id: 'ours-1' });
  });

  it("serialises to Alpaca's Crypto example exactly", () => {
    const crypto = request({ symbol: 'ETH/USD', quantity: dec('0.02'), limitPrice: dec('2100') });
    const wire: unknown = trading.PostOrderRequestToJSON(submitBody(crypto));
    expect(JSON.parse(JSON.stringify(wire))).toEqual({ ...examples['Crypto'], client_order_id: 'ours-1' });
  });

  it("serialises a replace to Alpaca's Equity PATCH example, under the next revision", () => {
    const changes = { quantity: dec('4'), limitPrice: dec('155'), timeInForce: 'gtc' as const };
    const body = replaceBody(
      VENUE,
      ALPACA_CAPABILITIES,
      changes,
      { type: 'limit' },
      revisionClientOrderId('ours-1', 1),
    );
    const wire: unknown = trading.PatchOrderRequestToJSON(body);
    expect(JSON.parse(JSON.stringify(wire))).toEqual({
      ...patchExamples['Equity'],
      client_order_id: 'ours-1~r1',
    });
  });

  it('sends trailing stops, stops and extended hours as Alpaca spells them', () => {
    const trailing = submitBody(
      request({ type: 'trailing_stop', limitPrice: undefined, trailPercent: dec('1.5'), timeInForce: 'day' }),
    );
    expect([trailing.type, trailing.trailPercent, trailing.limitPrice]).toEqual([
      'trailing_stop',
      '1.5',
      undefined,
    ]);
    const stop = submitBody(request({ type: 'stop_limit', stopPrice: dec('149.5') }));
    expect([stop.stopPrice, stop.limitPrice]).toEqual(['149.5', '150']);
    expect(submitBody(request({ timeInForce: 'day', extendedHours: true })).extendedHours).toBe(true);
  });
});

describe('refused before any call', () => {
  it.each<[string, Overrides]>([
    [
      'an order type Alpaca lacks',
      { type: 'market_if_touched', limitPrice: undefined, triggerPrice: dec(90) },
    ],
    ['a time in force Alpaca lacks', { timeInForce: 'gtd', expireAt: 1 }],
    ['ioc on a stop', { type: 'stop', limitPrice: undefined, stopPrice: dec(1), timeInForce: 'ioc' }],
    ['quantity 0', { quantity: dec(0) }],
    ['a negative quantity', { quantity: dec(-5) }],
    ['post-only', { postOnly: true }],
    ['reduce-only', { reduceOnly: true }],
    ['a display quantity', { displayQty: dec(1) }],
    ['a limit without its price', { limitPrice: undefined }],
    ['a market order with a limit price', { type: 'market' }],
    [
      'a trailing stop with both trails',
      { type: 'trailing_stop', limitPrice: undefined, trailPrice: dec(1), trailPercent: dec(1) },
    ],
    ['crypto with day', { symbol: 'BTC/USD', timeInForce: 'day' }],
    ['crypto stop', { symbol: 'BTC/USD', type: 'stop', limitPrice: undefined, stopPrice: dec(1) }],
    [
      'extended hours on a market order',
      { type: 'market', limitPrice: undefined, timeInForce: 'day', extendedHours: true },
    ],
  ])('%s', (_what, overrides) => {
    const error = refusal(() => {
      checkSpec(VENUE, ALPACA_CAPABILITIES, request(overrides));
    });
    expect([error.outcome, error.code]).toEqual(['definitive', 'INVALID_ORDER']);
  });

  it('accepts what Alpaca takes', () => {
    expect(() => {
      checkSpec(VENUE, ALPACA_CAPABILITIES, request());
      checkSpec(VENUE, ALPACA_CAPABILITIES, request({ symbol: 'BTC/USD', timeInForce: 'ioc' }));
      checkSpec(
        VENUE,
        ALPACA_CAPABILITIES,
        request({ type: 'market', limitPrice: undefined, timeInForce: 'opg' }),
      );
    }).not.toThrow();
  });

  it('keeps "~" for revisions', () => {
    expect(
      refusal(() => {
        checkClientOrderId(VENUE, 'a~b');
      }).code,
    ).toBe('INVALID_ORDER');
    expect([baseClientOrderId('ours-R1~r12'), revisionOf('ours-R1~r12'), revisionOf('ours-R1')]).toEqual([
      'ours-R1',
      12,
      0,
    ]);
  });

  it('refuses replaces Alpaca cannot make', () => {
    const replace = (changes: Parameters<typeof replaceBody>[2], type: OrderType = 'limit') =>
      refusal(() => replaceBody(VENUE, ALPACA_CAPABILITIES, changes, { type, trailKind: 'price' }, 'x~r1'))
        .code;
    expect(replace({})).toBe('INVALID_ORDER');
    expect(replace({ quantity: dec(0) })).toBe('INVALID_ORDER');
    expect(replace({ displayQty: dec(1) })).toBe('INVALID_ORDER');
    expect(replace({ trailPrice: dec(1) })).toBe('INVALID_ORDER');
    expect(replace({ trailPercent: dec(1) }, 'trailing_stop')).toBe('INVALID_ORDER');
    expect(replace({ timeInForce: 'ioc' }, 'stop')).toBe('INVALID_ORDER');
    const trail = replaceBody(
      VENUE,
      ALPACA_CAPABILITIES,
      { trailPrice: dec('2.5') },
      { type: 'trailing_stop', trailKind: 'price' },
      'x~r1',
    );
    expect(trail.trail).toBe('2.5');
  });
});

describe('contingent groups', () => {
  const leg = (role: GroupLeg['role'], overrides: Overrides): GroupLeg => ({
    ...request({ clientOrderId: role, quantity: dec(10), timeInForce: 'gtc', ...overrides }),
    role,
  });
  const bracket: GroupSubmitRequest = {
    orderClass: 'bracket',
    accountId: 'alpaca',
    legs: [
      leg('entry', { limitPrice: dec('99.50') }),
      leg('take_profit', { side: 'sell', limitPrice: dec('105.00'), reduceOnly: true }),
      leg('stop_loss', {
        side: 'sell',
        type: 'stop',
        limitPrice: undefined,
        stopPrice: dec('95.00'),
        reduceOnly: true,
      }),
    ],
  };

  it("sends a bracket as Alpaca's order_class bracket under the entry's client order id", () => {
    const plan = planGroup(VENUE, ALPACA_CAPABILITIES, bracket);
    expect(JSON.parse(JSON.stringify(trading.PostOrderRequestToJSON(plan.body)))).toEqual({
      symbol: 'AAPL',
      qty: '10',
      side: 'buy',
      type: 'limit',
      time_in_force: 'gtc',
      limit_price: '99.5',
      client_order_id: 'entry',
      order_class: 'bracket',
      take_profit: { limit_price: '105' },
      stop_loss: { stop_price: '95' },
    });
    expect(plan.legs).toEqual([
      { clientOrderId: 'entry', role: 'parent' },
      { clientOrderId: 'take_profit', role: 'take_profit' },
      { clientOrderId: 'stop_loss', role: 'stop_loss' },
    ]);
  });

  it('sends an OCO with the limit member as the parent and the stop as its leg', () => {
    const oco: GroupSubmitRequest = {
      orderClass: 'oco',
      accountId: 'alpaca',
      legs: [
        leg('member', {
          clientOrderId: 'stop',
          side: 'sell',
          type: 'stop_limit',
          stopPrice: dec(95),
          limitPrice: dec(94),
        }),
        leg('member', { clientOrderId: 'limit', side: 'sell', limitPrice: dec(105) }),
      ],
    };
    const plan = planGroup(VENUE, ALPACA_CAPABILITIES, oco);
    expect([plan.body.orderClass, plan.body.type, plan.body.limitPrice, plan.parentClientOrderId]).toEqual([
      'oco',
      'limit',
      undefined,
      'limit',
    ]);
    expect([plan.body.takeProfit, plan.body.stopLoss]).toEqual([
      { limitPrice: '105' },
      { stopPrice: '95', limitPrice: '94' },
    ]);
    expect(plan.legs.map((l) => l.role)).toEqual(['stop_loss', 'parent']);
  });

  it('sends an OTO with its one exit', () => {
    const oto: GroupSubmitRequest = {
      orderClass: 'oto',
      accountId: 'alpaca',
      legs: [
        leg('primary', {}),
        leg('secondary', { side: 'sell', type: 'stop', limitPrice: undefined, stopPrice: dec(90) }),
      ],
    };
    const plan = planGroup(VENUE, ALPACA_CAPABILITIES, oto);
    expect([plan.body.orderClass, plan.body.stopLoss, plan.body.takeProfit]).toEqual([
      'oto',
      { stopPrice: '90' },
      undefined,
    ]);
  });

  it('refuses groups Alpaca cannot take', () => {
    const [entry, tp, sl] = bracket.legs;
    if (entry === undefined || tp === undefined || sl === undefined) throw new Error('bracket legs');
    const bad: GroupSubmitRequest[] = [
      { ...bracket, legs: [entry, tp] },
      { ...bracket, legs: [entry, { ...tp, quantity: dec(5) }, sl] },
      { ...bracket, legs: [entry, { ...tp, side: 'buy' }, sl] },
      {
        ...bracket,
        legs: [
          { ...entry, timeInForce: 'ioc' },
          { ...tp, timeInForce: 'ioc' },
          { ...sl, timeInForce: 'ioc' },
        ],
      },
      { ...bracket, legs: [{ ...entry, reduceOnly: true }, tp, sl] },
      {
        orderClass: 'oto',
        accountId: 'alpaca',
        legs: [
          { ...entry, role: 'primary' },
          { ...tp, role: 'secondary' },
          { ...sl, role: 'secondary' },
        ],
      },
    ];
    for (const group of bad)
      expect(refusal(() => planGroup(VENUE, ALPACA_CAPABILITIES, group)).code).toBe('INVALID_ORDER');
  });
});
