import { DateTime } from 'luxon';

/** NYSE hours and the forex day roll are New York wall-clock times; luxon's zone data gets DST right. */
export const NEW_YORK = 'America/New_York';

/** Midnight, New York time, of the day containing `ts`. */
export function newYorkDayOf(ts: number): DateTime {
  return DateTime.fromMillis(ts, { zone: NEW_YORK }).startOf('day');
}

/** The YYYY-MM-DD of a day (toFormat, unlike toISODate, is typed as always returning a string). */
export function dateKey(day: DateTime): string {
  return day.toFormat('yyyy-MM-dd');
}

/** Epoch ms of a wall-clock time on `day`, in the day's own zone. */
export function atTime(day: DateTime, hour: number, minute = 0): number {
  return day.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
}
