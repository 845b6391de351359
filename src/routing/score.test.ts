import { describe, expect, it } from 'vitest';
import { OBJECTIVE_WEIGHTS, latencyScore, relativeScore, reliabilityScore } from './score.js';
import { GOOD_STATS } from './test-support.js';
import { ROUTING_OBJECTIVES } from './types.js';

describe('score components', () => {
  it('weights of every objective sum to 1', () => {
    for (const objective of ROUTING_OBJECTIVES) {
      const w = OBJECTIVE_WEIGHTS[objective];
      expect(w.price + w.cost + w.liquidity + w.latency + w.reliability).toBeCloseTo(1, 12);
    }
  });

  it('latency: 1 instant, 0.5 at 50 ms, 0.25 at 150 ms', () => {
    expect(latencyScore({ ...GOOD_STATS, latencyMs: 0 })).toBe(1);
    expect(latencyScore({ ...GOOD_STATS, latencyMs: 50 })).toBe(0.5);
    expect(latencyScore({ ...GOOD_STATS, latencyMs: 150 })).toBe(0.25);
  });

  it('reliability: fill rate × (1 − error rate) / (1 + slippage / 10 bp), halved when degraded, clamped', () => {
    const stats = { ...GOOD_STATS, fillRate: 0.8, errorRate: 0.25, slippageBps: 10 };
    expect(reliabilityScore(stats, false)).toBeCloseTo(0.3, 12);
    expect(reliabilityScore(stats, true)).toBeCloseTo(0.15, 12);
    expect(reliabilityScore({ ...GOOD_STATS, fillRate: 1.5, errorRate: -1, slippageBps: -5 }, false)).toBe(1);
  });

  it('price relative to the best: 1 at the best, 0.5 at 25 bp worse, 0 from 50 bp worse, both sides', () => {
    expect(relativeScore(100, 100, 'buy')).toBe(1);
    expect(relativeScore(100.25, 100, 'buy')).toBeCloseTo(0.5, 9);
    expect(relativeScore(101, 100, 'buy')).toBe(0);
    expect(relativeScore(99.75, 100, 'sell')).toBeCloseTo(0.5, 9);
  });
});
