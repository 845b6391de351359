import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import { T0, ev, makeOrder } from '../domain/test-support.js';
import {
  type ExecutionInput,
  answerTimes,
  arrivalPrice,
  computeExecutionMetrics,
  improvementReference,
  reachedVenue,
} from './execution-metrics.js';

const quote = (bid?: string, ask?: string) => ({
  ...(bid === undefined ? {} : { bid: dec(bid) }),
  ...(ask === undefined ? {} : { ask: dec(ask) }),
});
const fees = (...amounts: string[]) => amounts.map((a) => ({ fee: dec(a) }));
const text = (d: { toFixed(): string } | undefined) => d?.toFixed();

describe('computeExecutionMetrics', () => {
  it('measures a buy market order against the arrival mid and the ask it took', () => {
    // 60 @ 100.02 + 40 @ 100.03 = 10002.4, average 100.024; arrival mid (99.98 + 100.02) / 2 = 100.
    const input: ExecutionInput = {
      order: makeOrder({
        type: 'market',
        quantity: dec(100),
        filledQty: dec(100),
        filledNotional: dec('10002.4'),
        avgFillPrice: dec('100.024'),
        status: 'filled',
        updatedAt: T0 + 20,
      }),
      agentId: 'agent-1',
      fills: fees('0.30', '0.20'),
      arrival: quote('99.98', '100.02'),
      sentAt: T0,
      firstAnswerAt: T0 + 12,
      firstFillAt: T0 + 15,
    };
    const m = computeExecutionMetrics(input);
    expect(text(m.arrivalPrice)).toBe('100');
    expect(text(m.slippageBps)).toBe('2.4'); // (100.024 − 100) / 100 × 10⁴
    expect(text(m.priceImprovementBps)).toBe('-0.3999'); // −0.004 / 100.02 × 10⁴ = −0.39992…
    expect(text(m.implementationShortfall)).toBe('2.9'); // 2.4 of price + 0.5 of fees
    expect(text(m.fees)).toBe('0.5');
    expect(text(m.fillRate)).toBe('1');
    expect(m.latencyMs).toBe(12);
    expect(m.fillLatencyMs).toBe(15);
    expect(m.completedAt).toBe(T0 + 20);
    expect(m.agentId).toBe('agent-1');
  });

  it('mirrors the signs for a sell: a fill below the mid is slippage, below the bid is negative improvement', () => {
    // 50 @ 249.95; arrival bid 250.00 ask 250.10, mid 250.05.
    const m = computeExecutionMetrics({
      order: makeOrder({
        side: 'sell',
        type: 'market',
        quantity: dec(50),
        filledQty: dec(50),
        avgFillPrice: dec('249.95'),
        status: 'filled',
      }),
      fills: fees('1.25'),
      arrival: quote('250.00', '250.10'),
      sentAt: T0,
    });
    expect(text(m.slippageBps)).toBe('3.9992'); // 0.10 / 250.05 × 10⁴ = 3.99920…
    expect(text(m.priceImprovementBps)).toBe('-2'); // 0.05 below the bid of 250: −0.05 / 250 × 10⁴
    expect(text(m.implementationShortfall)).toBe('6.25'); // −(12497.5 − 12502.5) + 1.25
    expect(m.latencyMs).toBeUndefined();
  });

  it('measures a resting limit against its limit price, and a partial fill with its opportunity cost', () => {
    // A buy limit at 99.90 below the ask of 100.02 rests; 30 of 100 fill at 99.88.
    const m = computeExecutionMetrics({
      order: makeOrder({
        limitPrice: dec('99.90'),
        quantity: dec(100),
        filledQty: dec(30),
        avgFillPrice: dec('99.88'),
        status: 'canceled',
      }),
      fills: [],
      arrival: quote('99.98', '100.02'),
      sentAt: T0,
      finalMark: dec('100.50'),
    });
    expect(text(m.priceImprovementBps)).toBe('2.002'); // 0.02 / 99.90 × 10⁴ = 2.002002…
    expect(text(m.slippageBps)).toBe('-12'); // 0.12 better than the mid of 100
    expect(text(m.fillRate)).toBe('0.3');
    // 30 × (99.88 − 100) = −3.6, plus 70 unfilled × (100.50 − 100) = 35.
    expect(text(m.implementationShortfall)).toBe('31.4');
  });

  it('measures a sell limit resting above the bid against its limit', () => {
    const m = computeExecutionMetrics({
      order: makeOrder({
        side: 'sell',
        limitPrice: dec('101'),
        quantity: dec(10),
        filledQty: dec(10),
        avgFillPrice: dec('101.05'),
        status: 'filled',
      }),
      fills: [],
      arrival: quote('100', '100.10'),
      sentAt: T0,
    });
    expect(text(m.priceImprovementBps)).toBe('4.9505'); // 0.05 / 101 × 10⁴ = 4.950495…
  });

  it('gives the fill rate of a partial fill to 6 places and leaves price figures out without fills', () => {
    const m = computeExecutionMetrics({
      order: makeOrder({ quantity: dec(3), filledQty: dec(1), avgFillPrice: dec(100), status: 'canceled' }),
      fills: [],
      sentAt: T0,
    });
    expect(text(m.fillRate)).toBe('0.333333');
    const none = computeExecutionMetrics({
      order: makeOrder({ status: 'rejected' }),
      fills: [],
      arrival: quote('99', '101'),
      sentAt: T0,
      firstAnswerAt: T0 + 3,
    });
    expect(none.avgFillPrice).toBeUndefined();
    expect(none.slippageBps).toBeUndefined();
    expect(none.priceImprovementBps).toBeUndefined();
    expect(text(none.implementationShortfall)).toBe('0');
    expect(text(none.fillRate)).toBe('0');
    expect(none.latencyMs).toBe(3);
  });

  it('leaves out what needs an arrival quote when there is none', () => {
    const market = computeExecutionMetrics({
      order: makeOrder({
        type: 'market',
        quantity: dec(10),
        filledQty: dec(10),
        avgFillPrice: dec(100),
        status: 'filled',
      }),
      fills: fees('0.1'),
      sentAt: T0,
    });
    expect(market.arrivalPrice).toBeUndefined();
    expect(market.slippageBps).toBeUndefined();
    expect(market.implementationShortfall).toBeUndefined();
    expect(market.priceImprovementBps).toBeUndefined();
    expect(text(market.fillRate)).toBe('1');
    // A limit with nothing to take at arrival rested: its limit is still a reference.
    const limit = computeExecutionMetrics({
      order: makeOrder({
        quantity: dec(10),
        filledQty: dec(10),
        avgFillPrice: dec('99.5'),
        status: 'filled',
      }),
      fills: [],
      sentAt: T0,
    });
    expect(text(limit.priceImprovementBps)).toBe('50'); // 0.5 / 100 × 10⁴
  });

  it('uses the one side of a one-sided quote as the arrival price', () => {
    expect(text(arrivalPrice(quote('99.5')))).toBe('99.5');
    expect(text(arrivalPrice(quote(undefined, '100.5')))).toBe('100.5');
    expect(text(arrivalPrice(quote('99.5', '100.5')))).toBe('100');
    expect(arrivalPrice(undefined)).toBeUndefined();
    const m = computeExecutionMetrics({
      order: makeOrder({
        type: 'market',
        quantity: dec(1),
        filledQty: dec(1),
        avgFillPrice: dec('100.5'),
        status: 'filled',
      }),
      fills: [],
      arrival: quote('100'),
      sentAt: T0,
    });
    expect(text(m.slippageBps)).toBe('50');
    expect(m.priceImprovementBps).toBeUndefined(); // no ask to have been taken
  });

  it('measures a marketable limit against the quote it takes, not its limit', () => {
    const arrival = quote('99.98', '100.02');
    expect(text(improvementReference({ side: 'buy', type: 'limit', limitPrice: dec(101) }, arrival))).toBe(
      '100.02',
    );
    expect(text(improvementReference({ side: 'sell', type: 'limit', limitPrice: dec(99) }, arrival))).toBe(
      '99.98',
    );
    expect(
      text(improvementReference({ side: 'sell', type: 'stop_limit', limitPrice: dec(101) }, arrival)),
    ).toBe('99.98');
  });
});

describe('answer times', () => {
  it('finds the first ack, fill or rej and the first fill, by our receive time', () => {
    const events = [
      { ...ev.cxlReq('local'), receivedAt: T0 + 1 },
      { ...ev.fill({ quantity: 1, price: 100 }), receivedAt: T0 + 9 },
      { ...ev.ack('V1'), receivedAt: T0 + 5 },
      { ...ev.fill({ quantity: 1, price: 100 }), receivedAt: T0 + 7 },
    ];
    expect(answerTimes(events)).toEqual({ firstAnswerAt: T0 + 5, firstFillAt: T0 + 7 });
    expect(answerTimes([ev.cxlReq('local')])).toEqual({});
  });

  it('tells an order a venue answered from one only we touched', () => {
    expect(reachedVenue([])).toBe(false);
    expect(reachedVenue([ev.cxlReq('local'), ev.rplReq({}, 'local')])).toBe(false);
    expect(reachedVenue([ev.cxlReq('venue')])).toBe(true);
    expect(reachedVenue([ev.rej()])).toBe(true);
  });
});
