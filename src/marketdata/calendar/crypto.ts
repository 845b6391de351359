import type { MarketCalendar, Session, SessionPhase } from './types.js';

// Epoch ms ignore leap seconds, so every UTC day is exactly this long.
const DAY_MS = 86_400_000;

function utcDayStart(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}

/** Crypto trades 24/7: always `regular`; a "session" is a UTC day only so that `day` orders can expire. */
export class CryptoCalendar implements MarketCalendar {
  readonly id = 'crypto';

  phase(_ts: number): SessionPhase {
    return 'regular';
  }

  isOpen(_ts: number, _opts?: { readonly extendedHours?: boolean }): boolean {
    return true;
  }

  sessionFor(ts: number): Session {
    const open = utcDayStart(ts);
    const close = open + DAY_MS;
    const date = new Date(open).toISOString().slice(0, 10);
    return { date, open, close, extendedOpen: open, extendedClose: close, earlyClose: false };
  }

  /** Never closes, so there is no next open. */
  nextOpen(_ts: number): number | undefined {
    return undefined;
  }

  /** Never closes: midnight UTC ends a `day` order (dayOrderExpiry) but is not a close. */
  nextClose(_ts: number): number | undefined {
    return undefined;
  }

  /** The first 00:00 UTC strictly after ts (§3.2): an order accepted at 00:00 lives a full day. */
  dayOrderExpiry(ts: number): number {
    return utcDayStart(ts) + DAY_MS;
  }
}
