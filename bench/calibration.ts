/**
 * How fast this machine is, printed before and after the benches that talk to a database: the
 * same code has measured twice as slow from one day to the next on these two shared CPUs, so the
 * figures of two runs compare only beside these. A bare round trip to PostgreSQL (`select 1`,
 * sequential, wall time and the CPU it costs this process and PostgreSQL), and a fixed piece of
 * JavaScript like the order path's (decimal arithmetic, an object built and sent through JSON).
 */
import postgres from 'postgres';
import { dec } from '../src/domain/decimal.js';
import { CpuMeter, ownCpuMs, postgresCpuMs } from './cpu.js';
import { fmt, percentile, printTable } from './table.js';

const ROUND_TRIPS = 3_000;
const WORK_ROUNDS = 20_000;

const ADMIN_URL = process.env['TEST_POSTGRES_ADMIN_URL'] ?? 'postgres://127.0.0.1:5432/postgres';

/** A round trip's wall p50 and p99 in µs, and its CPU in µs here and in PostgreSQL. */
async function roundTrip(): Promise<string[]> {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
  try {
    for (let i = 0; i < 200; i++) await sql`select 1`;
    const samples: number[] = [];
    const meter = new CpuMeter([ownCpuMs, postgresCpuMs]);
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      await sql`select 1`;
      samples.push((performance.now() - started) * 1000);
    }
    const [own, database] = meter.used(ROUND_TRIPS).map((ms) => (ms === undefined ? '' : fmt(ms * 1000, 0)));
    samples.sort((a, b) => a - b);
    return [
      `PostgreSQL select 1, ${ROUND_TRIPS.toLocaleString('en-US')} sequential round trips`,
      fmt(percentile(samples, 50), 0),
      fmt(percentile(samples, 99), 0),
      own ?? '',
      database ?? '',
    ];
  } finally {
    await sql.end();
  }
}

/** Decimal arithmetic and an order-sized object through JSON, in µs per round. */
function work(): string[] {
  const step = (i: number): number => {
    let notional = dec(0);
    const price = dec('187.42');
    for (let k = 1; k <= 8; k++) notional = notional.plus(price.times(dec(k)).toDecimalPlaces(2));
    const order = {
      id: `ord_${String(i)}`,
      symbol: 'AAPL',
      side: i % 2 === 0 ? 'buy' : 'sell',
      quantity: '10',
      limitPrice: price.toFixed(),
      notional: notional.toFixed(),
      createdAt: new Date(1_700_000_000_000 + i).toISOString(),
    };
    return (JSON.parse(JSON.stringify(order)) as { id: string }).id.length;
  };
  for (let i = 0; i < 2_000; i++) step(i);
  const meter = new CpuMeter([ownCpuMs]);
  const started = performance.now();
  let sink = 0;
  for (let i = 0; i < WORK_ROUNDS; i++) sink += step(i);
  const wall = ((performance.now() - started) * 1000) / WORK_ROUNDS;
  const [cpu = 0] = meter.used(WORK_ROUNDS);
  if (sink === 0) throw new Error('the calibration work did nothing');
  return [
    `JavaScript: 8 decimal products and an order through JSON (mean of ${WORK_ROUNDS.toLocaleString('en-US')} rounds)`,
    fmt(wall, 1),
    '',
    fmt(cpu * 1000, 1),
    '',
  ];
}

/** `when`: 'before' or 'after' the benches, printed in the title. */
export async function printCalibration(when: 'before' | 'after'): Promise<void> {
  const rows = [work()];
  try {
    rows.push(await roundTrip());
  } catch (error) {
    rows.push([`PostgreSQL select 1: not reached (${(error as Error).message})`, '', '', '', '']);
  }
  printTable(
    `This machine ${when} the benches (compare bench runs only beside these; they move within minutes)`,
    ['probe', 'wall µs (p50 or mean)', 'wall p99 µs', 'CPU µs here', 'PostgreSQL CPU µs'],
    rows,
  );
}
