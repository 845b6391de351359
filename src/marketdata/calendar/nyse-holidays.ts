/**
 * NYSE full-day closures and 13:00 early closes, by New York trading date.
 *
 * Source: NYSE's published holiday calendar, https://www.nyse.com/markets/hours-calendars, as announced
 * in NYSE Group's press release "NYSE Group Announces 2026, 2027 and 2028 Holiday and Early Closings
 * Calendar" (2025-12-23), whose 2026 and 2027 dates match the earlier 2025-2027 release (2024-11-08).
 * NYSE lists no early close on 2026-07-02 (July 3 is the holiday) nor on 2027-12-23 (Christmas is
 * observed on Friday 2027-12-24), so neither day is here.
 *
 * Only the years in NYSE_COVERED_YEARS are listed: outside them the calendar falls back to every
 * weekday being a full trading day (no holidays, no early closes). Add a year when NYSE publishes it.
 */
export const NYSE_COVERED_YEARS = { first: 2026, last: 2027 } as const;

export const NYSE_HOLIDAYS: ReadonlySet<string> = new Set([
  '2026-01-01', // New Year's Day
  '2026-01-19', // Martin Luther King, Jr. Day
  '2026-02-16', // Washington's Birthday
  '2026-04-03', // Good Friday
  '2026-05-25', // Memorial Day
  '2026-06-19', // Juneteenth National Independence Day
  '2026-07-03', // Independence Day (observed)
  '2026-09-07', // Labor Day
  '2026-11-26', // Thanksgiving Day
  '2026-12-25', // Christmas Day
  '2027-01-01', // New Year's Day
  '2027-01-18', // Martin Luther King, Jr. Day
  '2027-02-15', // Washington's Birthday
  '2027-03-26', // Good Friday
  '2027-05-31', // Memorial Day
  '2027-06-18', // Juneteenth National Independence Day (observed)
  '2027-07-05', // Independence Day (observed)
  '2027-09-06', // Labor Day
  '2027-11-25', // Thanksgiving Day
  '2027-12-24', // Christmas Day (observed)
]);

/** Regular session closes at 13:00 and the late (after-hours) session at 17:00 New York time. */
export const NYSE_EARLY_CLOSES: ReadonlySet<string> = new Set([
  '2026-11-27', // Day after Thanksgiving
  '2026-12-24', // Christmas Eve
  '2027-11-26', // Day after Thanksgiving
]);

export type NyseDayKind = 'holiday' | 'early-close' | 'full';

/** What NYSE does on a weekday, by YYYY-MM-DD; weekends are the caller's concern. */
export function nyseDayKind(date: string): NyseDayKind {
  if (NYSE_HOLIDAYS.has(date)) return 'holiday';
  return NYSE_EARLY_CLOSES.has(date) ? 'early-close' : 'full';
}
