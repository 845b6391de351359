import type { CalendarId } from '../../domain/instrument.js';
import { CryptoCalendar } from './crypto.js';
import { ForexCalendar } from './forex.js';
import type { MarketCalendar } from './types.js';
import { UsEquityCalendar } from './us-equity.js';

// One instance per calendar, so every caller shares the per-day session caches.
const CALENDARS: Readonly<Record<CalendarId, MarketCalendar>> = {
  us_equity: new UsEquityCalendar(),
  crypto: new CryptoCalendar(),
  forex: new ForexCalendar(),
};

export function calendarFor(id: CalendarId): MarketCalendar {
  return CALENDARS[id];
}

export type { MarketCalendar, Session, SessionPhase } from './types.js';
export { CryptoCalendar } from './crypto.js';
export { ForexCalendar } from './forex.js';
export { UsEquityCalendar } from './us-equity.js';
export { NYSE_COVERED_YEARS, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS, nyseDayKind } from './nyse-holidays.js';
