import { describe, expect, it } from 'vitest';
import { dayStartOf } from './trading-day.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (iso: string): number => Date.parse(iso);
const iso = (ts: number): string => new Date(ts).toISOString();

/**
 * Every NYSE regular close from 2026-10-26 to 2026-12-04, written out from the exchange's
 * calendar: 16:00 New York is 20:00Z until the clocks fall back on Sunday 2026-11-01 and 21:00Z
 * after; no session on Thanksgiving (11-26); the day after closes at 13:00 (18:00Z).
 */
function closes(): number[] {
  const out: number[] = [];
  for (let day = utc('2026-10-26T00:00:00Z'); day < utc('2026-12-05T00:00:00Z'); day += DAY) {
    const date = iso(day).slice(0, 10);
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6 || date === '2026-11-26') continue;
    const hour = date === '2026-11-27' ? 18 : date < '2026-11-01' ? 20 : 21;
    out.push(day + hour * HOUR);
  }
  return out;
}

/** The latest close at or before ts, from the list. */
function expected(all: readonly number[], ts: number): number {
  const before = all.filter((close) => close <= ts);
  const last = before.at(-1);
  if (last === undefined) throw new Error(`no close before ${iso(ts)}`);
  return last;
}

describe('dayStartOf', () => {
  const all = closes();

  it('starts an equity day at the latest regular close, across a clock change, a holiday and an early close', () => {
    expect(iso(dayStartOf(utc('2026-11-02T15:00:00Z'), true))).toBe('2026-10-30T20:00:00.000Z');
    expect(iso(dayStartOf(utc('2026-11-27T12:00:00Z'), true))).toBe('2026-11-25T21:00:00.000Z');
    expect(iso(dayStartOf(utc('2026-11-28T12:00:00Z'), true))).toBe('2026-11-27T18:00:00.000Z');
  });

  it('answers as the calendar does in any order of calls: forward, backward, and at each close to the millisecond', () => {
    // The answer is kept between two closes; asking out of order must never see a stale one.
    const times: number[] = [];
    const first = (all[1] ?? 0) + 1;
    const last = all.at(-1) ?? 0;
    for (let ts = first; ts < last; ts += 37 * 60_000) times.push(ts);
    for (let ts = last - 1; ts > first; ts -= 53 * 60_000) times.push(ts);
    for (const close of all.slice(1)) times.push(close - 1, close, close + 1, close - 1, first, close);
    for (const ts of times) {
      expect(iso(dayStartOf(ts, true)), `at ${iso(ts)}`).toBe(iso(expected(all, ts)));
    }
  });

  it('starts a day without equities at 00:00 UTC', () => {
    expect(iso(dayStartOf(utc('2026-11-27T17:59:59Z'), false))).toBe('2026-11-27T00:00:00.000Z');
  });
});
