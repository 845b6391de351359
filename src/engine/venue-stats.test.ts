import { describe, expect, it } from 'vitest';
import { metricsRow } from '../analytics/test-support.js';
import { SimulatedClock } from '../domain/clock.js';
import { dec } from '../domain/decimal.js';
import { DEFAULT_HALF_LIFE_MS, DEFAULT_VENUE_STATS, SEED_WEIGHT, VenueStatsBook } from './venue-stats.js';

const H = DEFAULT_HALF_LIFE_MS;

describe('VenueStatsBook', () => {
  it('answers the defaults for a venue it has not seen, and the configured ones when given', () => {
    expect(new VenueStatsBook().stats('nowhere')).toEqual(DEFAULT_VENUE_STATS);
    const book = new VenueStatsBook({ defaults: { latencyMs: 250, fillRate: 0.9 } });
    expect(book.stats('nowhere')).toEqual({ ...DEFAULT_VENUE_STATS, latencyMs: 250, fillRate: 0.9 });
  });

  it('averages a burst of samples evenly and lets old samples fade by half per half-life', () => {
    const clock = new SimulatedClock(0);
    const book = new VenueStatsBook({ clock });
    book.recordCall('v', { ok: true, ms: 100 });
    book.recordCall('v', { ok: true, ms: 200 });
    expect(book.stats('v').latencyMs).toBe(150);
    clock.advanceTo(H);
    // The two old samples now weigh 0.5 each: (150 × 1 + 400) / 2.
    book.recordCall('v', { ok: true, ms: 400 });
    expect(book.stats('v').latencyMs).toBeCloseTo(275, 9);
    clock.advanceTo(11 * H);
    // Ten half-lives on, the history weighs 2 / 1024 against the new sample's 1.
    book.recordCall('v', { ok: true, ms: 10 });
    expect(book.stats('v').latencyMs).toBeCloseTo((275 * 2) / 1024 / (1 + 2 / 1024) + 10 / (1 + 2 / 1024), 9);
    expect(book.stats('v').samples).toBe(4);
  });

  it('takes the error rate from calls and the fill rate and slippage from executions', () => {
    const clock = new SimulatedClock(0);
    const book = new VenueStatsBook({ clock, halfLifeMs: 1_000 });
    book.recordCall('v', { ok: false, ms: 30 });
    book.recordCall('v', { ok: true, ms: 10 });
    book.recordCall('v', { ok: true, ms: 20 });
    book.recordCall('v', { ok: true, ms: 20 });
    book.recordExecution(metricsRow({ venue: 'v', fillRate: '0.5', slippageBps: '3', latencyMs: 70 }));
    book.recordExecution(metricsRow({ venue: 'v', fillRate: '1', slippageBps: null }));
    const stats = book.stats('v');
    expect(stats.errorRate).toBe(0.25);
    expect(stats.fillRate).toBe(0.75);
    expect(stats.slippageBps).toBe(3);
    expect(stats.latencyMs).toBe(30); // (30 + 10 + 20 + 20 + 70) / 5
    expect(stats.samples).toBe(6);
    expect(book.stats('other')).toEqual(DEFAULT_VENUE_STATS);
  });

  it('keeps the defaults for the figures a venue has no samples of', () => {
    const book = new VenueStatsBook();
    book.recordCall('v', { ok: false, ms: 40 });
    expect(book.stats('v')).toEqual({ ...DEFAULT_VENUE_STATS, errorRate: 1, latencyMs: 40, samples: 1 });
  });

  it('starts from recorded aggregates, which live samples soon outweigh', async () => {
    const clock = new SimulatedClock(5 * 86_400_000);
    const book = new VenueStatsBook({ clock });
    const since: (number | undefined)[] = [];
    await book.seedFrom({
      venueAggregates: (filter) => {
        since.push(filter?.since);
        return Promise.resolve({
          venues: [
            {
              venue: 'v',
              orders: 200,
              fillRate: dec('0.9'),
              avgSlippageBps: dec('4'),
              implementationShortfall: dec(0),
              avgLatencyMs: dec('50'),
            },
            { venue: 'quiet', orders: 0, implementationShortfall: dec(0) },
          ],
          totals: { orders: 200, implementationShortfall: dec(0) },
        });
      },
    });
    expect(since).toEqual([4 * 86_400_000]);
    expect(book.stats('v')).toEqual({
      latencyMs: 50,
      fillRate: 0.9,
      errorRate: 0,
      slippageBps: 4,
      samples: 200,
    });
    expect(book.stats('quiet')).toEqual(DEFAULT_VENUE_STATS);
    // The history counts as SEED_WEIGHT samples: one live fill rate of 0 moves it by 1 / (SEED_WEIGHT + 1).
    book.recordExecution(metricsRow({ venue: 'v', fillRate: '0', filledQty: '0', avgFillPrice: null }));
    expect(book.stats('v').fillRate).toBeCloseTo((0.9 * SEED_WEIGHT) / (SEED_WEIGHT + 1), 12);
    // A venue with live samples is not reseeded.
    book.seed([{ venue: 'v', orders: 5, fillRate: dec('0.1'), implementationShortfall: dec(0) }]);
    expect(book.stats('v').samples).toBe(201);
  });
});
