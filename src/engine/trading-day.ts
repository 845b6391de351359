import { calendarFor } from '../marketdata/calendar/index.js';

const DAY_MS = 86_400_000;

/**
 * When the trading day of `now` started (ORDER-SEMANTICS.md §7.2, check 17): at the previous US
 * equity session's close for accounts that trade equities, else at 00:00 UTC.
 */
export function dayStartOf(now: number, tradesEquities: boolean): number {
  if (!tradesEquities) return now - (now % DAY_MS);
  const calendar = calendarFor('us_equity');
  // The latest regular close at or before now: look back day by day (weekends and holidays).
  for (let back = 0; back <= 10; back++) {
    const session = calendar.sessionFor(now - back * DAY_MS);
    if (session.close <= now) return session.close;
  }
  return now - (now % DAY_MS);
}
