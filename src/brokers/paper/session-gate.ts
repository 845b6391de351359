import { DateTime } from 'luxon';
import type { ErrorCode } from '../../domain/errors.js';
import type { Order } from '../../domain/order.js';
import { type MarketCalendar, type Session, calendarFor } from '../../marketdata/calendar/index.js';
import type { SymbolBook } from './symbol-book.js';

const NEW_YORK = 'America/New_York';

/**
 * The session rules the paper venue applies (ORDER-SEMANTICS.md §3.2): which orders may match in
 * which phase, when `day` orders expire, the opening and closing auction windows and prices, and
 * which update is a discontinuity (the first after a session opens).
 */
export class SessionGate {
  private calendar(book: SymbolBook): MarketCalendar {
    return calendarFor(book.market.instrument.calendar);
  }

  /** Refreshes the phase at a market update; true when this update is the first of a regular session. */
  observe(book: SymbolBook, now: number): boolean {
    const phase = this.refresh(book, now);
    if (book.market.instrument.calendar === 'crypto') return false; // never opens or closes
    const seen = book.observedPhase !== undefined;
    let opened = phase === 'regular' && seen && book.observedPhase !== 'regular';
    book.observedPhase = phase;
    if (phase === 'regular') {
      // A new session's first update opens it even when no update came while it was closed.
      const mid = book.market.mid();
      const session = this.calendar(book).sessionFor(now).open;
      if (book.openingSession !== session) {
        opened ||= seen && book.openingSession !== undefined;
        book.openingSession = session;
        book.openingPrice = mid;
      }
      book.closingPrice = mid;
    }
    return opened;
  }

  refresh(book: SymbolBook, now: number): NonNullable<SymbolBook['phase']> {
    const phase = book.market.instrument.calendar === 'crypto' ? 'regular' : this.calendar(book).phase(now);
    book.phase = phase;
    return phase;
  }

  /**
   * Whether an order may match now: always in the regular session; in extended hours only a
   * `limit` `day` order with `extendedHours` (Alpaca's rule); never while closed.
   */
  matchable(book: SymbolBook, order: Order, now: number): boolean {
    const phase = book.phase ?? this.refresh(book, now);
    if (phase === 'regular') return true;
    if (phase === 'closed') return false;
    return order.extendedHours === true && order.type === 'limit' && order.timeInForce === 'day';
  }

  /** A `day` order expires at the close of the session it belongs to (after-hours close if extended). */
  dayExpiry(book: SymbolBook, order: Order, now: number): number {
    const calendar = this.calendar(book);
    if (order.extendedHours === true) return calendar.sessionFor(now).extendedClose;
    return calendar.dayOrderExpiry(now);
  }

  /** opg: from a close until `opg_cutoff` before the next open; cls: until `cls_cutoff` of its session. */
  auctionRefusal(
    book: SymbolBook,
    order: Order,
    now: number,
  ): { code: ErrorCode; message: string } | undefined {
    const tif = order.timeInForce;
    if (tif !== 'opg' && tif !== 'cls') return undefined;
    const calendar = this.calendar(book);
    const session = this.upcomingSession(book, now);
    if (tif === 'opg') {
      const cutoff = wallClock(session.date, book.options.opgCutoff);
      if (calendar.phase(now) === 'regular' || now > cutoff) {
        return {
          code: 'MARKET_CLOSED',
          message: `opg orders are accepted from the close until ${book.options.opgCutoff} New York time before the open.`,
        };
      }
      return undefined;
    }
    const cutoff = wallClock(session.date, book.options.clsCutoff);
    if (now >= cutoff && now < session.close) {
      return {
        code: 'MARKET_CLOSED',
        message: `cls orders are accepted until ${book.options.clsCutoff} New York time.`,
      };
    }
    return undefined;
  }

  auctionTime(book: SymbolBook, order: Order, now: number): number {
    const session = this.upcomingSession(book, now);
    return order.timeInForce === 'opg' ? session.open : session.close;
  }

  /**
   * A day trade is a fill that reduces a position opened in the same trading session (FINRA 4210).
   * Returns the start of the five-trading-day window when the fill at `now` is one, else undefined.
   */
  dayTradeWindow(book: SymbolBook, openedAt: number | undefined, now: number): number | undefined {
    if (openedAt === undefined || book.market.instrument.calendar !== 'us_equity') return undefined;
    const calendar = this.calendar(book);
    const session = calendar.sessionFor(now);
    if (calendar.sessionFor(openedAt).date !== session.date) return undefined;
    let start = session;
    for (let back = 0; back < 4; back++) start = this.previousSession(calendar, start);
    return start.extendedOpen;
  }

  private previousSession(calendar: MarketCalendar, session: Session): Session {
    const day = 24 * 60 * 60 * 1000;
    for (let t = session.extendedOpen - day; ; t -= day) {
      const candidate = calendar.sessionFor(t);
      if (candidate.extendedOpen < session.extendedOpen) return candidate;
    }
  }

  /** The session whose regular close is still ahead: after a close, the next one. */
  private upcomingSession(book: SymbolBook, now: number): Session {
    const calendar = this.calendar(book);
    const session = calendar.sessionFor(now);
    return now >= session.close ? calendar.sessionFor(session.extendedClose) : session;
  }

  openingPrice(book: SymbolBook): SymbolBook['openingPrice'] {
    return book.openingPrice;
  }
}

function wallClock(date: string, hhmm: string): number {
  return DateTime.fromISO(`${date}T${hhmm}`, { zone: NEW_YORK }).toMillis();
}
