import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, dec } from '../domain/decimal.js';
import type { Side } from '../domain/order.js';
import { planRoute } from './plan.js';
import { type LevelSpec, book, candidate, request } from './test-support.js';
import type { RoutingObjective, VenueCandidate } from './types.js';

/**
 * 1–5 venues, each with 1–6 levels at k cents from 100 (k in 0..50; sizes 1–300 lots plus 0.0001, so
 * off the lot step; some unlimited), taker fees −1..30 bp. Asks ascend from 100; bids descend from it.
 */
function venuesArb(lot: string, side: Side) {
  const venue = fc.record({
    levels: fc.array(
      fc.tuple(fc.integer({ min: 0, max: 50 }), fc.option(fc.integer({ min: 1, max: 300 }), { freq: 12 })),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
    takerBps: fc.integer({ min: -1, max: 30 }),
  });
  return fc.array(venue, { minLength: 1, maxLength: 5 }).map((specs) =>
    specs.map((spec, i): VenueCandidate => {
      const sizes = new Map(spec.levels);
      const cents = [...sizes.keys()].sort((a, b) => a - b);
      const levels = cents.map((c): LevelSpec => {
        const price = side === 'buy' ? dec(100).plus(dec(c).div(100)) : dec(100).minus(dec(c).div(100));
        const size = sizes.get(c);
        return [price, size === null || size === undefined ? undefined : dec(lot).times(size).plus('0.0001')];
      });
      return candidate(`v${i}`, {
        book: side === 'buy' ? book(levels) : book([], levels),
        takerBps: spec.takerBps,
      });
    }),
  );
}

const caseArb = fc
  .record({
    lot: fc.constantFrom('1', '0.01', '0.001'),
    lots: fc.integer({ min: 1, max: 2_000 }),
    minLots: fc.integer({ min: 1, max: 20 }),
    objective: fc.constantFrom<RoutingObjective>('best_price', 'lowest_cost', 'smart_balance'),
    side: fc.constantFrom<Side>('buy', 'sell'),
  })
  .chain((c) => venuesArb(c.lot, c.side).map((venues) => ({ ...c, venues })));

describe('split allocations (property)', () => {
  it('sum exactly to the quantity, sit on the lot step, respect the minimum and beat the single venue', () => {
    fc.assert(
      fc.property(caseArb, ({ lot, lots, minLots, objective, side, venues }) => {
        const quantity = dec(lot).times(lots);
        const minQuantity = dec(lot).times(Math.min(minLots, lots));
        const plan = planRoute(
          request(quantity, { allowSplit: true, lotStep: dec(lot), minQuantity, objective, side }),
          venues,
        );
        const total = plan.allocations.reduce((sum, a) => sum.plus(a.quantity), ZERO);
        expect(total.toFixed()).toBe(quantity.toFixed());
        for (const a of plan.allocations) {
          expect(a.quantity.mod(lot).isZero()).toBe(true);
          expect(a.quantity.greaterThanOrEqualTo(minQuantity)).toBe(true);
          expect(a.quantity.lessThanOrEqualTo(quantity)).toBe(true);
        }
        expect(new Set(plan.allocations.map((a) => a.venue)).size).toBe(plan.allocations.length);
        if (plan.split) {
          expect(plan.allocations.length).toBeGreaterThan(1);
          expect(plan.estimatedCost.lessThan(plan.bestSingle?.estimatedCost ?? ZERO)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });
});
