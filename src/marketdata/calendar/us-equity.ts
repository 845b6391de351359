import type { DateTime } from 'luxon';
import { dateKey, newYorkDayOf } from './new-york-time.js';
import { nyseSession, phaseIn } from './nyse-session.js';
import type { MarketCalendar, Session, SessionPhase } from './types.js';

/** One New York day and its session, remembered so phase() on a stream of updates skips luxon. */
interface DayEntry {
  readonly start: number;
  readonly end: number;
  readonly session: Session | undefined;
}

// Sessions never span New York midnight and NYSE never shuts for more than a few days in a row,
// so the next session is always this close; hitting the limit means a corrupt holiday table.
const MAX_SCAN_DAYS = 14;

/** NYSE hours in New York time (see nyse-session.ts), holidays from nyse-holidays.ts. */
export class UsEquityCalendar implements MarketCalendar {
  readonly id = 'us_equity';
  /** Per-day sessions keyed by YYYY-MM-DD; null marks a day without one. */
  private readonly sessions = new Map<string, Session | null>();
  private lastDay: DayEntry | undefined;

  phase(ts: number): SessionPhase {
    return phaseIn(this.dayOf(ts).session, ts);
  }

  isOpen(ts: number, opts?: { readonly extendedHours?: boolean }): boolean {
    const phase = this.phase(ts);
    if (phase === 'regular') return true;
    return opts?.extendedHours === true && (phase === 'pre' || phase === 'post');
  }

  sessionFor(ts: number): Session {
    return this.firstSession(ts, (s) => ts < s.extendedClose);
  }

  nextOpen(ts: number): number {
    return this.firstSession(ts, (s) => s.open > ts).open;
  }

  nextClose(ts: number): number {
    return this.firstSession(ts, (s) => s.close >= ts).close;
  }

  /** The first regular close strictly after ts: an order accepted at or after a close (even in
   *  after-hours) belongs to the next session, one accepted before an open to that day's (§3.2). */
  dayOrderExpiry(ts: number): number {
    return this.firstSession(ts, (s) => s.close > ts).close;
  }

  /**
   * Scans sessions in date order from ts's New York day; every caller's test only gets truer later.
   * ts's own day comes from the remembered day when it holds ts (as on every order of a session),
   * so that the common answer skips luxon's zone arithmetic.
   */
  private firstSession(ts: number, accept: (session: Session) => boolean): Session {
    const first = this.dayOf(ts).session;
    if (first !== undefined && accept(first)) return first;
    let day = newYorkDayOf(ts).plus({ days: 1 });
    for (let i = 1; i < MAX_SCAN_DAYS; i++, day = day.plus({ days: 1 })) {
      const session = this.sessionOn(day);
      if (session !== undefined && accept(session)) return session;
    }
    throw new Error(`No NYSE session within ${MAX_SCAN_DAYS} days of ${new Date(ts).toISOString()}.`);
  }

  private dayOf(ts: number): DayEntry {
    const last = this.lastDay;
    if (last !== undefined && ts >= last.start && ts < last.end) return last;
    const day = newYorkDayOf(ts);
    const entry = {
      start: day.toMillis(),
      end: day.plus({ days: 1 }).toMillis(),
      session: this.sessionOn(day),
    };
    this.lastDay = entry;
    return entry;
  }

  private sessionOn(day: DateTime): Session | undefined {
    const key = dateKey(day);
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = nyseSession(day) ?? null;
      this.sessions.set(key, session);
    }
    return session ?? undefined;
  }
}
