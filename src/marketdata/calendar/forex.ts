import { DateTime } from 'luxon';
import { NEW_YORK, atTime, dateKey, newYorkDayOf } from './new-york-time.js';
import type { MarketCalendar, Session, SessionPhase } from './types.js';

// The interbank convention: the week opens Sunday 17:00 and closes Friday 17:00 New York time, and
// the trading day rolls at 17:00 New York. Holiday closures (Christmas, New Year) are not modelled.
const ROLL_HOUR = 17;
const WEEK_DAYS = 5;

/** The first 17:00 New York time strictly after ts. */
function nextRollAfter(ts: number): number {
  const now = DateTime.fromMillis(ts, { zone: NEW_YORK });
  const today = atTime(now, ROLL_HOUR);
  return today > ts ? today : atTime(now.plus({ days: 1 }), ROLL_HOUR);
}

/** Forex: one weekly session, `regular` throughout (extended = regular), `closed` at the weekend. */
export class ForexCalendar implements MarketCalendar {
  readonly id = 'forex';
  /** Weekly sessions keyed by their Sunday's YYYY-MM-DD. */
  private readonly weeks = new Map<string, Session>();
  private last: Session | undefined;

  phase(ts: number): SessionPhase {
    return ts >= this.sessionFor(ts).open ? 'regular' : 'closed';
  }

  /** Forex has no extended hours, so `extendedHours` changes nothing. */
  isOpen(ts: number, _opts?: { readonly extendedHours?: boolean }): boolean {
    return this.phase(ts) === 'regular';
  }

  sessionFor(ts: number): Session {
    const last = this.last;
    if (last !== undefined && ts >= last.open && ts < last.close) return last;
    const day = newYorkDayOf(ts);
    const sunday = day.minus({ days: day.weekday % 7 }); // luxon weekdays run Monday 1 to Sunday 7
    const week = this.weekFrom(sunday);
    this.last = ts < week.close ? week : this.weekFrom(sunday.plus({ weeks: 1 }));
    return this.last;
  }

  nextOpen(ts: number): number {
    const session = this.sessionFor(ts);
    return session.open > ts ? session.open : this.sessionFor(session.close).open;
  }

  /** sessionFor(ts - 1) so that ts exactly at a close returns that close ("at or after"). */
  nextClose(ts: number): number {
    return this.sessionFor(ts - 1).close;
  }

  /** The next 17:00 New York roll; accepted at the weekend, the first roll of the next week (§3.2). */
  dayOrderExpiry(ts: number): number {
    return nextRollAfter(this.isOpen(ts) ? ts : this.nextOpen(ts));
  }

  private weekFrom(sunday: DateTime): Session {
    const key = dateKey(sunday);
    const cached = this.weeks.get(key);
    if (cached !== undefined) return cached;
    const open = atTime(sunday, ROLL_HOUR);
    const close = atTime(sunday.plus({ days: WEEK_DAYS }), ROLL_HOUR);
    // The trade date rolls at 17:00, so the Sunday-evening open trades for Monday's date.
    const date = dateKey(sunday.plus({ days: 1 }));
    const session = { date, open, close, extendedOpen: open, extendedClose: close, earlyClose: false };
    this.weeks.set(key, session);
    return session;
  }
}
