import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ForexCalendar } from './forex.js';

const ny = (local: string): number => DateTime.fromISO(local, { zone: 'America/New_York' }).toMillis();
const utc = (iso: string): number => Date.parse(iso);
const iso = (ts: number): string => new Date(ts).toISOString();

describe('ForexCalendar: the weekly session', () => {
  const calendar = new ForexCalendar();

  it.each([
    ['Friday 16:59', '2026-01-09T16:59', 'regular'],
    ['Friday 17:00', '2026-01-09T17:00', 'closed'],
    ['Saturday noon', '2026-01-10T12:00', 'closed'],
    ['Sunday 16:59', '2026-01-11T16:59', 'closed'],
    ['Sunday 17:00', '2026-01-11T17:00', 'regular'],
    ['Wednesday 03:00', '2026-01-14T03:00', 'regular'],
  ] as const)('is %s New York: %s', (_case, local, phase) => {
    expect(calendar.phase(ny(local))).toBe(phase);
    expect(calendar.isOpen(ny(local), { extendedHours: true })).toBe(phase === 'regular');
  });

  it('runs Sunday 17:00 to Friday 17:00 New York, dated by its first trading day (Monday)', () => {
    const session = calendar.sessionFor(ny('2026-01-14T03:00'));
    expect(session.date).toBe('2026-01-12');
    expect(iso(session.open)).toBe('2026-01-11T22:00:00.000Z');
    expect(iso(session.close)).toBe('2026-01-16T22:00:00.000Z');
    expect(session.extendedOpen).toBe(session.open);
    expect(calendar.sessionFor(ny('2026-01-10T12:00'))).toBe(session);
  });

  it('finds the next open strictly after ts and the next close at or after it', () => {
    expect(iso(calendar.nextOpen(ny('2026-01-10T12:00')))).toBe('2026-01-11T22:00:00.000Z');
    expect(iso(calendar.nextOpen(ny('2026-01-11T17:00')))).toBe('2026-01-18T22:00:00.000Z');
    expect(iso(calendar.nextClose(ny('2026-01-14T03:00')))).toBe('2026-01-16T22:00:00.000Z');
    expect(iso(calendar.nextClose(ny('2026-01-16T17:00')))).toBe('2026-01-16T22:00:00.000Z');
    expect(iso(calendar.nextClose(ny('2026-01-17T12:00')))).toBe('2026-01-23T22:00:00.000Z');
  });
});

describe('ForexCalendar: DST', () => {
  const calendar = new ForexCalendar();

  it('opens at 21:00Z on Sunday 2026-03-08 (EDT from that morning), after a 22:00Z Friday close', () => {
    expect(iso(calendar.nextClose(ny('2026-03-06T12:00')))).toBe('2026-03-06T22:00:00.000Z');
    expect(iso(calendar.nextOpen(ny('2026-03-07T12:00')))).toBe('2026-03-08T21:00:00.000Z');
    expect(calendar.phase(utc('2026-03-08T20:59:59Z'))).toBe('closed');
    expect(calendar.phase(utc('2026-03-08T21:00:00Z'))).toBe('regular');
  });

  it('opens at 22:00Z on Sunday 2026-11-01 (EST again), after a 21:00Z Friday close', () => {
    expect(iso(calendar.nextClose(ny('2026-10-30T12:00')))).toBe('2026-10-30T21:00:00.000Z');
    expect(calendar.phase(utc('2026-11-01T21:30:00Z'))).toBe('closed');
    expect(calendar.phase(utc('2026-11-01T22:00:00Z'))).toBe('regular');
  });
});

describe('ForexCalendar: day order expiry at the 17:00 New York roll', () => {
  const calendar = new ForexCalendar();

  it.each([
    ['Tuesday morning', '2026-01-13T10:00', '2026-01-13T22:00:00.000Z'],
    ['exactly at the Tuesday roll', '2026-01-13T17:00', '2026-01-14T22:00:00.000Z'],
    ['Tuesday evening', '2026-01-13T18:00', '2026-01-14T22:00:00.000Z'],
    ['Friday before the close', '2026-01-16T16:00', '2026-01-16T22:00:00.000Z'],
    ['Saturday (belongs to the next week)', '2026-01-17T12:00', '2026-01-19T22:00:00.000Z'],
    ['exactly at the Friday close', '2026-01-16T17:00', '2026-01-19T22:00:00.000Z'],
    ['Sunday evening', '2026-01-18T17:30', '2026-01-19T22:00:00.000Z'],
    ['Sunday evening as DST starts', '2026-03-08T18:00', '2026-03-09T21:00:00.000Z'],
  ])('an order accepted %s expires at the right roll', (_case, accepted, expiry) => {
    expect(iso(calendar.dayOrderExpiry(ny(accepted)))).toBe(expiry);
  });
});
