import { calendarFor } from '../marketdata/calendar/index.js';

const DAY_MS = 86_400_000;

/**
 * The last equity answer and the span it holds for: from that close up to the next one. Every
 * admission asks, and finding the close takes the calendar's time-zone arithmetic over several
 * days (a measured 0.2 to 0.5 ms an order); between two closes the answer cannot change.
 */
let known: { readonly start: number; readonly until: number } | undefined;

/**
 * When the trading day of `now` started (ORDER-SEMANTICS.md §7.2, check 17): at the previous US
 * equity session's close for accounts that trade equities, else at 00:00 UTC.
 */
export function dayStartOf(now: number, tradesEquities: boolean): number {
  if (!tradesEquities) return now - (now % DAY_MS);
  if (known !== undefined && now >= known.start && now < known.until) return known.start;
  const calendar = calendarFor('us_equity');
  // The latest regular close at or before now: look back day by day (weekends and holidays).
  for (let back = 0; back <= 10; back++) {
    const session = calendar.sessionFor(now - back * DAY_MS);
    if (session.close <= now) {
      // No close lies between this one and the first after now, so it answers for all of that span.
      known = { start: session.close, until: calendar.dayOrderExpiry(now) };
      return session.close;
    }
  }
  return now - (now % DAY_MS);
}
