import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { UsEquityCalendar } from './us-equity.js';

/** Epoch ms of a New York wall-clock time, e.g. ny('2026-01-06T09:30'). */
const ny = (local: string): number => DateTime.fromISO(local, { zone: 'America/New_York' }).toMillis();
const utc = (iso: string): number => Date.parse(iso);
const iso = (ts: number | undefined): string | undefined =>
  ts === undefined ? undefined : new Date(ts).toISOString();

describe('UsEquityCalendar: a regular day', () => {
  const calendar = new UsEquityCalendar();

  it('opens 09:30 and closes 16:00 New York (EST: 14:30Z-21:00Z), extended 04:00-20:00', () => {
    const session = calendar.sessionFor(utc('2026-01-06T17:00:00Z'));
    expect(session.date).toBe('2026-01-06');
    expect(iso(session.open)).toBe('2026-01-06T14:30:00.000Z');
    expect(iso(session.close)).toBe('2026-01-06T21:00:00.000Z');
    expect(iso(session.extendedOpen)).toBe('2026-01-06T09:00:00.000Z');
    expect(iso(session.extendedClose)).toBe('2026-01-07T01:00:00.000Z');
    expect(session.earlyClose).toBe(false);
  });

  it.each([
    ['00:00', 'closed'],
    ['03:59', 'closed'],
    ['04:00', 'pre'],
    ['09:29', 'pre'],
    ['09:30', 'regular'],
    ['15:59', 'regular'],
    ['16:00', 'post'],
    ['19:59', 'post'],
    ['20:00', 'closed'],
    ['23:59', 'closed'],
  ] as const)('at %s New York the phase is %s', (time, phase) => {
    expect(calendar.phase(ny(`2026-01-06T${time}`))).toBe(phase);
  });

  it('is open in extended hours only when asked', () => {
    expect(calendar.isOpen(ny('2026-01-06T08:00'))).toBe(false);
    expect(calendar.isOpen(ny('2026-01-06T08:00'), { extendedHours: true })).toBe(true);
    expect(calendar.isOpen(ny('2026-01-06T17:00'), { extendedHours: true })).toBe(true);
    expect(calendar.isOpen(ny('2026-01-06T10:00'))).toBe(true);
    expect(calendar.isOpen(ny('2026-01-06T21:00'), { extendedHours: true })).toBe(false);
  });

  it('returns the cached session object for every instant of the day', () => {
    expect(calendar.sessionFor(ny('2026-01-06T05:00'))).toBe(calendar.sessionFor(ny('2026-01-06T19:00')));
  });

  it('gives the same phase whatever order instants are asked in (the one-day memo is keyed right)', () => {
    expect(calendar.phase(ny('2026-01-07T10:00'))).toBe('regular');
    expect(calendar.phase(ny('2026-01-10T10:00'))).toBe('closed'); // Saturday
    expect(calendar.phase(ny('2026-01-07T03:00'))).toBe('closed');
    expect(calendar.phase(ny('2026-01-07T09:30'))).toBe('regular');
  });
});

describe('UsEquityCalendar: next open and close', () => {
  const calendar = new UsEquityCalendar();

  it('finds the next open strictly after ts', () => {
    expect(iso(calendar.nextOpen(ny('2026-01-06T03:00')))).toBe('2026-01-06T14:30:00.000Z');
    expect(iso(calendar.nextOpen(ny('2026-01-06T09:30')))).toBe('2026-01-07T14:30:00.000Z');
    expect(iso(calendar.nextOpen(ny('2026-01-09T17:00')))).toBe('2026-01-12T14:30:00.000Z'); // Friday
  });

  it('finds the next close at or after ts', () => {
    expect(iso(calendar.nextClose(ny('2026-01-06T10:00')))).toBe('2026-01-06T21:00:00.000Z');
    expect(iso(calendar.nextClose(ny('2026-01-06T16:00')))).toBe('2026-01-06T21:00:00.000Z');
    expect(iso(calendar.nextClose(ny('2026-01-06T16:01')))).toBe('2026-01-07T21:00:00.000Z');
    expect(iso(calendar.nextClose(ny('2026-01-10T12:00')))).toBe('2026-01-12T21:00:00.000Z'); // Saturday
  });

  it('gives a weekend instant the next Monday session', () => {
    expect(calendar.phase(ny('2026-01-10T12:00'))).toBe('closed');
    expect(calendar.sessionFor(ny('2026-01-10T12:00')).date).toBe('2026-01-12');
    expect(calendar.sessionFor(ny('2026-01-06T20:00')).date).toBe('2026-01-07');
  });
});

describe('UsEquityCalendar: holidays, early closes and DST', () => {
  const calendar = new UsEquityCalendar();

  it('is closed all day on Good Friday 2026-04-03, including extended hours', () => {
    for (const time of ['05:00', '10:00', '17:00']) {
      expect(calendar.phase(ny(`2026-04-03T${time}`))).toBe('closed');
    }
    expect(calendar.sessionFor(ny('2026-04-03T10:00')).date).toBe('2026-04-06');
    expect(iso(calendar.nextOpen(ny('2026-04-02T16:00')))).toBe('2026-04-06T13:30:00.000Z');
  });

  it('closes at 13:00 New York (18:00Z) on 2026-11-27, after-hours until 17:00', () => {
    const session = calendar.sessionFor(ny('2026-11-27T10:00'));
    expect(session.earlyClose).toBe(true);
    expect(iso(session.close)).toBe('2026-11-27T18:00:00.000Z');
    expect(iso(session.extendedClose)).toBe('2026-11-27T22:00:00.000Z');
    expect(calendar.phase(ny('2026-11-27T12:59'))).toBe('regular');
    expect(calendar.phase(ny('2026-11-27T13:00'))).toBe('post');
    expect(calendar.phase(ny('2026-11-27T16:59'))).toBe('post');
    expect(calendar.phase(ny('2026-11-27T17:00'))).toBe('closed');
  });

  it('closes early on Christmas Eve 2026 and is shut on Christmas Day', () => {
    expect(iso(calendar.sessionFor(ny('2026-12-24T10:00')).close)).toBe('2026-12-24T18:00:00.000Z');
    expect(calendar.phase(ny('2026-12-25T10:00'))).toBe('closed');
  });

  it('follows the March DST change: 14:30Z on Friday 2026-03-06, 13:30Z on Monday 2026-03-09', () => {
    expect(iso(calendar.sessionFor(ny('2026-03-06T10:00')).open)).toBe('2026-03-06T14:30:00.000Z');
    expect(iso(calendar.nextOpen(ny('2026-03-06T16:00')))).toBe('2026-03-09T13:30:00.000Z');
    expect(calendar.phase(utc('2026-03-09T13:29:59Z'))).toBe('pre');
    expect(calendar.phase(utc('2026-03-09T13:30:00Z'))).toBe('regular');
  });

  it('follows the November DST change: 13:30Z on Friday 2026-10-30, 14:30Z on Monday 2026-11-02', () => {
    expect(iso(calendar.sessionFor(ny('2026-10-30T10:00')).open)).toBe('2026-10-30T13:30:00.000Z');
    expect(iso(calendar.nextOpen(ny('2026-10-30T16:00')))).toBe('2026-11-02T14:30:00.000Z');
    expect(calendar.phase(utc('2026-11-02T14:00:00Z'))).toBe('pre');
  });
});

describe('UsEquityCalendar: the holiday table', () => {
  const calendar = new UsEquityCalendar();
  const holidays2026 = [
    '01-01',
    '01-19',
    '02-16',
    '04-03',
    '05-25',
    '06-19',
    '07-03',
    '09-07',
    '11-26',
    '12-25',
  ];
  const holidays2027 = [
    '01-01',
    '01-18',
    '02-15',
    '03-26',
    '05-31',
    '06-18',
    '07-05',
    '09-06',
    '11-25',
    '12-24',
  ];

  it.each([...holidays2026.map((d) => `2026-${d}`), ...holidays2027.map((d) => `2027-${d}`)])(
    'is closed at 10:00 on %s',
    (date) => {
      expect(calendar.phase(ny(`${date}T10:00`))).toBe('closed');
    },
  );

  it('closes early on 2027-11-26 but not on 2027-12-23 (Christmas observed on the 24th)', () => {
    expect(iso(calendar.sessionFor(ny('2027-11-26T10:00')).close)).toBe('2027-11-26T18:00:00.000Z');
    expect(iso(calendar.sessionFor(ny('2027-12-23T10:00')).close)).toBe('2027-12-23T21:00:00.000Z');
  });

  it('trades the weekdays around the 2027 holidays (Juneteenth and July 4 observed on weekdays)', () => {
    expect(calendar.phase(ny('2027-06-17T10:00'))).toBe('regular');
    expect(calendar.phase(ny('2027-07-02T10:00'))).toBe('regular');
    expect(calendar.sessionFor(ny('2027-07-03T10:00')).date).toBe('2027-07-06');
  });

  it('falls back to weekdays only outside 2026-2027', () => {
    expect(calendar.phase(ny('2025-12-25T10:00'))).toBe('regular');
    expect(calendar.phase(ny('2028-12-25T10:00'))).toBe('regular');
    expect(calendar.phase(ny('2028-12-23T10:00'))).toBe('closed'); // Saturday
  });
});

describe('UsEquityCalendar: day order expiry (ORDER-SEMANTICS §3.2)', () => {
  const calendar = new UsEquityCalendar();

  it.each([
    ['during the session', '2026-01-06T11:00', '2026-01-06T21:00:00.000Z'],
    ['in pre-market', '2026-01-06T05:00', '2026-01-06T21:00:00.000Z'],
    ['overnight before the open', '2026-01-06T02:00', '2026-01-06T21:00:00.000Z'],
    ['exactly at the close', '2026-01-06T16:00', '2026-01-07T21:00:00.000Z'],
    ['after the close on Friday', '2026-01-09T17:00', '2026-01-12T21:00:00.000Z'],
    ['on Saturday', '2026-01-10T12:00', '2026-01-12T21:00:00.000Z'],
    ['after the close on the eve of Good Friday', '2026-04-02T16:30', '2026-04-06T20:00:00.000Z'],
    ['on the eve of Thanksgiving (next day closes early)', '2026-11-25T17:00', '2026-11-27T18:00:00.000Z'],
    ['during an early-close session', '2026-11-27T12:00', '2026-11-27T18:00:00.000Z'],
  ])('an order accepted %s expires at the right close', (_case, accepted, expiry) => {
    expect(iso(calendar.dayOrderExpiry(ny(accepted)))).toBe(expiry);
  });
});
