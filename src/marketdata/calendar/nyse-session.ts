import type { DateTime } from 'luxon';
import { atTime, dateKey } from './new-york-time.js';
import { nyseDayKind } from './nyse-holidays.js';
import type { Session, SessionPhase } from './types.js';

const SATURDAY = 6;

/**
 * The NYSE session on a New York day, or undefined when the exchange is shut. Regular hours are
 * 09:30-16:00 (ORDER-SEMANTICS §3.2); extended hours 04:00-20:00 are Alpaca's pre-market and
 * after-hours. On early-close days NYSE closes at 13:00 and the late session at 17:00.
 */
export function nyseSession(day: DateTime): Session | undefined {
  const date = dateKey(day);
  const kind = nyseDayKind(date);
  if (day.weekday >= SATURDAY || kind === 'holiday') return undefined;
  const early = kind === 'early-close';
  return {
    date,
    extendedOpen: atTime(day, 4),
    open: atTime(day, 9, 30),
    close: atTime(day, early ? 13 : 16),
    extendedClose: atTime(day, early ? 17 : 20),
    earlyClose: early,
  };
}

/** Where ts falls in a day's session (undefined: no session that day). */
export function phaseIn(session: Session | undefined, ts: number): SessionPhase {
  if (session === undefined || ts < session.extendedOpen || ts >= session.extendedClose) return 'closed';
  if (ts < session.open) return 'pre';
  return ts < session.close ? 'regular' : 'post';
}
