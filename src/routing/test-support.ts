/**
 * Factories for routing tests and the routing benchmark: venue candidates with hand-written books.
 * Pure values only. Not imported by production code.
 */
import { type DecimalInput, dec } from '../domain/decimal.js';
import type { BookLevel, BookSnapshot } from '../marketdata/types.js';
import type { RouteRequest, VenueCandidate, VenueStats } from './types.js';

/** [price, size]; size undefined is an unlimited level. */
export type LevelSpec = readonly [DecimalInput, DecimalInput | undefined];

export function levels(specs: readonly LevelSpec[]): BookLevel[] {
  return specs.map(([price, size]) =>
    size === undefined ? { price: dec(price) } : { price: dec(price), size: dec(size) },
  );
}

export function book(asks: readonly LevelSpec[], bids: readonly LevelSpec[] = []): BookSnapshot {
  return { symbol: 'TEST', ts: 0, asks: levels(asks), bids: levels(bids) };
}

/** A healthy venue: 10 ms, every order fills, no errors, no slippage. */
export const GOOD_STATS: VenueStats = {
  latencyMs: 10,
  fillRate: 1,
  errorRate: 0,
  slippageBps: 0,
  samples: 100,
};

export interface CandidateOverrides extends Partial<Omit<VenueCandidate, 'fees' | 'stats'>> {
  readonly takerBps?: DecimalInput;
  readonly makerBps?: DecimalInput;
  readonly stats?: Partial<VenueStats>;
}

/** A connected venue, account `<venue>-acc`, no fees and GOOD_STATS unless overridden. */
export function candidate(venue: string, overrides: CandidateOverrides = {}): VenueCandidate {
  const { takerBps = 0, makerBps = 0, stats = {}, ...rest } = overrides;
  return {
    venue,
    accountId: `${venue}-acc`,
    book: undefined,
    status: 'connected',
    circuitOpen: false,
    ...rest,
    fees: { takerBps: dec(takerBps), makerBps: dec(makerBps) },
    stats: { ...GOOD_STATS, ...stats },
  };
}

/** A market buy of `quantity` whole units for best_price, no split. */
export function request(quantity: DecimalInput, overrides: Partial<RouteRequest> = {}): RouteRequest {
  return {
    side: 'buy',
    quantity: dec(quantity),
    type: 'market',
    objective: 'best_price',
    allowSplit: false,
    lotStep: dec(1),
    minQuantity: dec(1),
    ...overrides,
  };
}

/**
 * `venues` candidates with `depth`-level books around 100: venue i quotes its asks from
 * 100.00 + 0.01 × (i mod 3) up in 0.01 steps and its bids symmetric, with sizes that vary by venue,
 * taker fees 1..8 bp and latencies 2..30 ms. For the benchmark and property tests.
 */
export function venueSet(venues: number, depth: number): VenueCandidate[] {
  const cent = dec('0.01');
  return Array.from({ length: venues }, (_, i) => {
    const ask = (k: number) => dec(100).plus(cent.times((i % 3) + k));
    const bid = (k: number) => dec('99.99').minus(cent.times((i % 3) + k));
    const asks = Array.from({ length: depth }, (_, k): LevelSpec => [ask(k), 50 + 25 * ((i + k) % 4)]);
    const bids = Array.from({ length: depth }, (_, k): LevelSpec => [bid(k), 60 + 20 * ((i + 2 * k) % 5)]);
    return candidate(`venue-${String.fromCharCode(97 + i)}`, {
      book: book(asks, bids),
      takerBps: 1 + (i % 8),
      makerBps: -1 + (i % 3),
      stats: {
        latencyMs: 2 + ((i * 7) % 29),
        fillRate: 0.9 + 0.01 * (i % 10),
        errorRate: 0.002 * (i % 5),
        slippageBps: i % 4,
      },
      status: i === 5 ? 'degraded' : 'connected',
    });
  });
}
