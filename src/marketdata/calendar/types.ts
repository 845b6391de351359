import type { CalendarId } from '../../domain/instrument.js';

/** Where an instant falls relative to a session: extended hours are `pre` and `post`. */
export type SessionPhase = 'pre' | 'regular' | 'post' | 'closed';

/**
 * One trading session; every instant is epoch ms (UTC).
 * Crypto: each UTC day 00:00-24:00, extended = regular. Forex: one weekly session, Sunday 17:00 to
 * Friday 17:00 New York time, extended = regular.
 */
export interface Session {
  /** YYYY-MM-DD exchange-local trading date. */
  readonly date: string;
  readonly open: number;
  readonly close: number;
  readonly extendedOpen: number;
  readonly extendedClose: number;
  readonly earlyClose: boolean;
}

/** Session hours of one market. Intervals are half-open: a session holds [open, close). */
export interface MarketCalendar {
  readonly id: CalendarId;
  phase(ts: number): SessionPhase;
  /** Regular hours only, unless `extendedHours` also admits `pre` and `post`. */
  isOpen(ts: number, opts?: { readonly extendedHours?: boolean }): boolean;
  /** The session containing ts (regular or extended hours), else the next one. */
  sessionFor(ts: number): Session;
  /** Next regular open strictly after ts (undefined for crypto, which never closes). */
  nextOpen(ts: number): number | undefined;
  /** Next regular close at or after ts: if open now, this session's close (undefined for crypto). */
  nextClose(ts: number): number | undefined;
  /**
   * When a `day` order accepted at ts expires (ORDER-SEMANTICS §3.2): the close of the session it
   * belongs to, where an order accepted while the session is closed belongs to the next one.
   */
  dayOrderExpiry(ts: number): number;
}
