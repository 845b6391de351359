import { describe, expect, it } from 'vitest';
import { type Decimal, dec } from '../domain/decimal.js';
import { marketImpactBps } from './impact.js';
import { planRoute } from './plan.js';
import { book, candidate, request } from './test-support.js';
import type { RoutePlan, RoutingObjective } from './types.js';

const text = (value: Decimal | undefined): string | undefined => value?.toFixed();

/** venue → quantity of each allocation, in plan order. */
const allocations = (plan: RoutePlan): Record<string, string> =>
  Object.fromEntries(plan.allocations.map((a) => [a.venue, a.quantity.toFixed()]));

const money = (plan: RoutePlan) => ({
  expectedAveragePrice: text(plan.expectedAveragePrice),
  estimatedCost: plan.estimatedCost.toFixed(),
  bestSingle: plan.bestSingle?.venue,
  bestSingleCost: text(plan.bestSingle?.estimatedCost),
});

describe('planRoute: splitting', () => {
  // a: 100 @ 100.00, 100 @ 100.50; b: 100 @ 100.10, 100 @ 100.60. Buy 200.
  const twoVenues = [
    candidate('a', {
      book: book([
        ['100.00', 100],
        ['100.50', 100],
      ]),
    }),
    candidate('b', {
      book: book([
        ['100.10', 100],
        ['100.60', 100],
      ]),
    }),
  ];

  it('splits when the merged book beats the best single venue: 100 + 100 for 20010 against 20050 on a alone', () => {
    const plan = planRoute(request(200, { allowSplit: true }), twoVenues);
    expect(plan.split).toBe(true);
    expect(allocations(plan)).toEqual({ a: '100', b: '100' });
    expect(plan.allocations.map((a) => text(a.expectedPrice))).toEqual(['100', '100.1']);
    // Single a: 100 × 100 + 100 × 100.5 = 20050. Split: 10000 + 10010 = 20010, average 100.05.
    expect(money(plan)).toEqual({
      expectedAveragePrice: '100.05',
      estimatedCost: '20010',
      bestSingle: 'a',
      bestSingleCost: '20050',
    });
    expect(text(plan.splitEstimatedCost)).toBe('20010');
    // V = 400 displayed: 100 × sqrt(200 / 400) = 70.71 bp.
    expect(text(plan.marketImpactBps)).toBe('70.71');
  });

  it('sends the same order to one venue without allowSplit', () => {
    const plan = planRoute(request(200), twoVenues);
    expect(plan.split).toBe(false);
    expect(allocations(plan)).toEqual({ a: '200' });
    expect(plan.estimatedCost.toFixed()).toBe('20050');
    expect(plan.splitEstimatedCost).toBeUndefined();
  });

  it('keeps one venue when the greedy fill puts everything there (its book is deeper and cheaper)', () => {
    const plan = planRoute(request(200, { allowSplit: true }), [
      candidate('a', { book: book([['100.00', 300]]) }),
      candidate('b', { book: book([['100.10', 300]]) }),
    ]);
    expect(plan.split).toBe(false);
    expect(allocations(plan)).toEqual({ a: '200' });
    expect(money(plan)).toMatchObject({ estimatedCost: '20000', bestSingle: 'a' });
  });

  it('keeps the single venue when the split only ties it: strictly better is required', () => {
    // b shows 200 @ 100 and ranks first; a shows 100 @ 100. The greedy fill breaks the price tie
    // towards venue id a: 100 there and 100 at b, the same 20000 as b alone.
    const plan = planRoute(request(200, { allowSplit: true }), [
      candidate('a', { book: book([['100', 100]]) }),
      candidate('b', { book: book([['100', 200]]) }),
    ]);
    expect(plan.split).toBe(false);
    expect(allocations(plan)).toEqual({ b: '200' });
    expect(text(plan.splitEstimatedCost)).toBe('20000');
    expect(plan.estimatedCost.toFixed()).toBe('20000');
  });

  it('drops an allocation below minQuantity and gives it to the best marginal price with room', () => {
    // Greedy: a 100 @ 100, b 50 @ 100.01, c 45 @ 100.02, then a 5 @ 100.05. c's 45 < 50 is dropped and
    // goes to a (next unit 100.05, room 95) rather than b (next unit 101).
    const plan = planRoute(request(200, { allowSplit: true, minQuantity: dec(50) }), [
      candidate('a', {
        book: book([
          ['100.00', 100],
          ['100.05', 100],
        ]),
      }),
      candidate('b', {
        book: book([
          ['100.01', 50],
          ['101', 100],
        ]),
      }),
      candidate('c', {
        book: book([
          ['100.02', 45],
          ['101', 100],
        ]),
      }),
    ]);
    expect(plan.split).toBe(true);
    expect(allocations(plan)).toEqual({ a: '150', b: '50' });
    // a: 10000 + 50 × 100.05 = 15002.5; b: 5000.5. Single a: 10000 + 10005 = 20005.
    expect(money(plan)).toEqual({
      expectedAveragePrice: '100.015',
      estimatedCost: '20003',
      bestSingle: 'a',
      bestSingleCost: '20005',
    });
    expect(plan.marketImpactBps.toFixed()).toBe(marketImpactBps(dec(200), dec(495)).toFixed());
  });

  it('splits a sell across the bids and reports proceeds as a negative cost', () => {
    const plan = planRoute(request(200, { side: 'sell', allowSplit: true }), [
      candidate('a', {
        book: book(
          [],
          [
            ['100', 100],
            ['99.5', 100],
          ],
        ),
      }),
      candidate('b', { book: book([], [['99.9', 100]]) }),
    ]);
    expect(allocations(plan)).toEqual({ a: '100', b: '100' });
    // Split: 10000 + 9990 received. Single a: 10000 + 9950.
    expect(money(plan)).toEqual({
      expectedAveragePrice: '99.95',
      estimatedCost: '-19990',
      bestSingle: 'a',
      bestSingleCost: '-19950',
    });
  });

  it('never splits for fastest', () => {
    const plan = planRoute(request(200, { allowSplit: true, objective: 'fastest' }), twoVenues);
    expect(plan.split).toBe(false);
    expect(plan.allocations).toHaveLength(1);
    expect(plan.splitEstimatedCost).toBeUndefined();
  });

  it('allocates on the lot step and sums exactly to the quantity', () => {
    // Greedy: a 0.3337 @ 30000.5, c 0.1234 @ 30000.6, b 0.2429 @ 30000.7. Lots of 0.001 give
    // 0.333 + 0.123 + 0.242 = 0.698; the 0.002 left goes to a (best next unit, 30000.5, with room).
    const plan = planRoute(
      request('0.7', { allowSplit: true, lotStep: dec('0.001'), minQuantity: dec('0.01') }),
      [
        candidate('a', {
          book: book([
            ['30000.5', '0.3337'],
            ['30001', '0.5'],
          ]),
        }),
        candidate('b', {
          book: book([
            ['30000.7', '0.2501'],
            ['30002', '1'],
          ]),
        }),
        candidate('c', {
          book: book([
            ['30000.6', '0.1234'],
            ['30003', '1'],
          ]),
        }),
      ],
    );
    expect(allocations(plan)).toEqual({ a: '0.335', b: '0.242', c: '0.123' });
    const sum = plan.allocations.reduce((total, a) => total.plus(a.quantity), dec(0));
    expect(sum.toFixed()).toBe('0.7');
    for (const a of plan.allocations) expect(a.quantity.mod('0.001').isZero()).toBe(true);
    // a: 0.3337 × 30000.5 + 0.0013 × 30001; b: 0.242 × 30000.7; c: 0.123 × 30000.6.
    expect(plan.estimatedCost.toFixed()).toBe('21000.41135');
    expect(plan.notional.toFixed()).toBe('21000.41135');
  });
});

describe('planRoute: price, limit and fees', () => {
  it('does not take a limit order past its limit: the rest rests at the limit with the maker fee', () => {
    const plan = planRoute(request(300, { type: 'limit', limitPrice: dec('100.05') }), [
      candidate('a', {
        book: book([
          ['100', 100],
          ['100.05', 100],
          ['100.10', 500],
        ]),
        takerBps: 10,
        makerBps: 2,
      }),
    ]);
    const [only] = plan.allocations;
    // Takes 100 @ 100 + 100 @ 100.05 = 20005 (fee 20.005); rests 100 @ 100.05 = 10005 (fee 2.001).
    expect(text(only?.beyondBookQuantity)).toBe('100');
    expect(text(only?.notional)).toBe('30010');
    expect(text(only?.fees)).toBe('22.006');
    expect(plan.estimatedCost.toFixed()).toBe('30032.006');
    expect(plan.scores[0]?.fillableQuantity.toFixed()).toBe('200');
    expect(plan.scores[0]?.liquidity).toBeCloseTo(2 / 3, 12);
  });

  it('lets fees flip the choice: 100.00 + 30 bp loses to 100.10 + 5 bp', () => {
    const venues = (feeA: number, feeB: number) => [
      candidate('a', { book: book([['100.00', 1000]]), takerBps: feeA }),
      candidate('b', { book: book([['100.10', 1000]]), takerBps: feeB }),
    ];
    const withoutFees = planRoute(request(100), venues(0, 0));
    expect(allocations(withoutFees)).toEqual({ a: '100' });
    const withFees = planRoute(request(100), venues(30, 5));
    expect(allocations(withFees)).toEqual({ b: '100' });
    // b: 10010 + 5.005 fee. a would have cost 10000 + 30.
    expect(money(withFees)).toMatchObject({ estimatedCost: '10015.005', bestSingle: 'b' });
    expect(text(withFees.allocations[0]?.fees)).toBe('5.005');
  });

  it('prices what a lone venue cannot fill at its worst level plus the impact estimate', () => {
    const plan = planRoute(request(100), [candidate('a', { book: book([['100', 50]]) })]);
    // V = 50: 100 × sqrt(100 / 50) = 141.42 bp; the other 50 at 100 × 1.014142.
    expect(text(plan.marketImpactBps)).toBe('141.42');
    expect(text(plan.allocations[0]?.beyondBookQuantity)).toBe('50');
    expect(plan.estimatedCost.toFixed()).toBe('10070.71');
  });

  it('counts recent volume in the impact model', () => {
    const plan = planRoute(request(100, { recentVolume: dec(9_950) }), [
      candidate('a', { book: book([['100', 50]]) }),
    ]);
    expect(text(plan.marketImpactBps)).toBe('10');
  });
});

describe('planRoute: eligibility', () => {
  const good = book([['100', 1000]]);

  it('excludes down, circuit-open and unpriceable venues, with a reason for each', () => {
    const plan = planRoute(request(10), [
      candidate('down', { book: good, status: 'down' }),
      candidate('tripped', { book: good, circuitOpen: true }),
      candidate('blind', { book: undefined }),
      candidate('empty', { book: book([], [['99', 10]]) }),
      candidate('ok', { book: book([['100.50', 1000]]) }),
    ]);
    expect(allocations(plan)).toEqual({ ok: '10' });
    const reasons = Object.fromEntries(plan.scores.map((s) => [s.venue, s.reason]));
    expect(reasons).toEqual({
      ok: undefined,
      down: expect.stringMatching(/down/) as string,
      tripped: expect.stringMatching(/circuit breaker is open/) as string,
      blind: expect.stringMatching(/no book or quote/) as string,
      empty: expect.stringMatching(/no asks.*NO_MARKET/) as string,
    });
    expect(plan.scores.map((s) => s.eligible)).toEqual([true, false, false, false, false]);
  });

  it('returns no allocations and every reason when nothing is eligible', () => {
    const plan = planRoute(request(10), [candidate('down', { book: good, status: 'down' })]);
    expect(plan.allocations).toEqual([]);
    expect(plan.bestSingle).toBeUndefined();
    expect(plan.expectedAveragePrice).toBeUndefined();
    expect(plan.estimatedCost.toFixed()).toBe('0');
    expect(plan.scores).toMatchObject([{ venue: 'down', eligible: false }]);
  });

  it('keeps a limit order eligible without a book: it rests at its limit', () => {
    const plan = planRoute(request(10, { type: 'limit', limitPrice: dec(99) }), [
      candidate('a', { makerBps: 1 }),
    ]);
    expect(allocations(plan)).toEqual({ a: '10' });
    expect(plan.estimatedCost.toFixed()).toBe('990.099');
  });

  it('keeps a degraded venue eligible with its reliability halved', () => {
    const plan = planRoute(request(10), [
      candidate('a', { book: good, status: 'degraded' }),
      candidate('b', { book: good }),
    ]);
    const reliability = Object.fromEntries(plan.scores.map((s) => [s.venue, s.reliability]));
    expect(reliability).toEqual({ a: 0.5, b: 1 });
    expect(plan.allocations[0]?.venue).toBe('b');
  });

  it('breaks ties by venue id, whatever the input order', () => {
    const a = candidate('a', { book: good });
    const b = candidate('b', { book: good });
    expect(planRoute(request(10), [b, a]).allocations[0]?.venue).toBe('a');
    expect(planRoute(request(10), [a, b]).allocations[0]?.venue).toBe('a');
  });

  it('refuses a quantity off the lot step and a limit order without a limit', () => {
    expect(() => planRoute(request('1.5'), [])).toThrow(/multiple of 1/);
    expect(() => planRoute(request(1, { type: 'limit' }), [])).toThrow(/limitPrice/);
  });
});

describe('planRoute: objectives', () => {
  // alpha: best book price, slow, 20 bp realised slippage. bravo: fastest, 30 bp dearer.
  // charlie: 5 bp dearer, no slippage, slow. delta: 10 bp dearer, 10 ms, flawless.
  const venues = [
    candidate('alpha', {
      book: book([['100.00', 1000]]),
      stats: { latencyMs: 200, fillRate: 0.9, errorRate: 0.05, slippageBps: 20 },
    }),
    candidate('bravo', {
      book: book([['100.30', 1000]]),
      stats: { latencyMs: 1, fillRate: 0.95, errorRate: 0.01, slippageBps: 2 },
    }),
    candidate('charlie', {
      book: book([['100.05', 1000]]),
      stats: { latencyMs: 150, fillRate: 0.9, errorRate: 0.05, slippageBps: 0 },
    }),
    candidate('delta', {
      book: book([['100.10', 1000]]),
      stats: { latencyMs: 10, fillRate: 0.99, errorRate: 0, slippageBps: 0 },
    }),
  ];
  const expected: Record<RoutingObjective, string> = {
    best_price: 'alpha',
    lowest_cost: 'charlie',
    fastest: 'bravo',
    smart_balance: 'delta',
  };

  for (const [objective, venue] of Object.entries(expected) as [RoutingObjective, string][]) {
    it(`${objective} picks ${venue}`, () => {
      const plan = planRoute(request(10, { objective }), venues);
      expect(plan.allocations.map((a) => a.venue)).toEqual([venue]);
      expect(plan.scores[0]?.venue).toBe(venue);
    });
  }

  it('scores best_price by hand: alpha 0.8 × 1 + 0.1 × 1 + 0.05 × 0.2 + 0.05 × 0.285', () => {
    const plan = planRoute(request(10, { objective: 'best_price' }), venues);
    const alpha = plan.scores.find((s) => s.venue === 'alpha');
    expect(alpha).toMatchObject({ price: 1, liquidity: 1 });
    expect(alpha?.latency).toBeCloseTo(0.2, 12);
    expect(alpha?.reliability).toBeCloseTo((0.9 * 0.95) / 3, 12);
    expect(alpha?.total).toBeCloseTo(0.8 + 0.1 + 0.01 + 0.05 * 0.285, 12);
  });
});
