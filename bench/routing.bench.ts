import { dec } from '../src/domain/decimal.js';
import { planRoute } from '../src/routing/plan.js';
import { request, venueSet } from '../src/routing/test-support.js';
import { ROUTING_OBJECTIVES, type RouteRequest, type VenueCandidate } from '../src/routing/types.js';
import { fmt, percentile, printTable } from './table.js';

const WARMUP = 5_000;
const ITERATIONS = 20_000;
const VENUES = 8;
const LEVELS = 10;

function measure(name: string, routeRequest: RouteRequest, venues: readonly VenueCandidate[]): string[] {
  const plan = planRoute(routeRequest, venues);
  for (let i = 0; i < WARMUP; i++) planRoute(routeRequest, venues);
  globalThis.gc?.();
  const samples = new Float64Array(ITERATIONS);
  const cpu = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = process.hrtime.bigint();
    planRoute(routeRequest, venues);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const { user, system } = process.cpuUsage(cpu);
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length;
  return [
    name,
    String(plan.allocations.length),
    fmt(percentile(sorted, 50), 1),
    fmt(percentile(sorted, 99), 1),
    fmt(percentile(sorted, 99.9), 1),
    fmt(mean, 1),
    fmt((user + system) / ITERATIONS, 1),
  ];
}

/**
 * planRoute over 8 venues with 10-level books (src/routing/test-support.ts venueSet): a market buy of
 * 600 (about 7 levels of one venue), every objective with and without split, then a sell and a limit.
 * Wall-clock percentiles include any time the process was descheduled; `cpu/call` (process CPU time
 * over the timed loop, per call, timer included) is the work itself, which matters on a shared machine.
 */
export function runRoutingBenchmarks(): void {
  const venues = venueSet(VENUES, LEVELS);
  const rows: string[][] = [];
  for (const allowSplit of [false, true]) {
    for (const objective of ROUTING_OBJECTIVES) {
      const name = `${objective}${allowSplit ? ', split' : ''}`;
      rows.push(measure(name, request(600, { objective, allowSplit }), venues));
    }
  }
  rows.push(
    measure(
      'smart_balance, split, sell',
      request(600, { side: 'sell', allowSplit: true, objective: 'smart_balance' }),
      venues,
    ),
  );
  rows.push(
    measure(
      'smart_balance, split, limit 100.03',
      request(600, {
        type: 'limit',
        limitPrice: dec('100.03'),
        allowSplit: true,
        objective: 'smart_balance',
      }),
      venues,
    ),
  );
  printTable(
    `Routing: planRoute, ${VENUES} venues × ${LEVELS} levels, quantity 600, ${fmt(ITERATIONS, 0)} iterations after ${fmt(WARMUP, 0)} warm-up (µs per call)`,
    ['case', 'allocations', 'p50', 'p99', 'p99.9', 'mean', 'cpu/call'],
    rows,
  );
}
