import { describe, expect, it } from 'vitest';
import { CryptoCalendar } from './crypto.js';
import type { MarketCalendar } from './types.js';

const utc = (iso: string): number => Date.parse(iso);
const iso = (ts: number): string => new Date(ts).toISOString();

describe('CryptoCalendar', () => {
  const calendar: MarketCalendar = new CryptoCalendar();

  it.each(['2026-01-03T12:00:00Z', '2026-01-04T00:00:00Z', '2026-04-03T15:00:00Z', '2026-12-25T23:59:59Z'])(
    'is regular and open at %s (weekends and holidays too)',
    (at) => {
      expect(calendar.phase(utc(at))).toBe('regular');
      expect(calendar.isOpen(utc(at))).toBe(true);
      expect(calendar.isOpen(utc(at), { extendedHours: true })).toBe(true);
    },
  );

  it('never has a next open or close', () => {
    expect(calendar.nextOpen(utc('2026-01-03T12:00:00Z'))).toBeUndefined();
    expect(calendar.nextClose(utc('2026-01-03T12:00:00Z'))).toBeUndefined();
  });

  it('calls the UTC day containing ts its session', () => {
    const session = calendar.sessionFor(utc('2026-03-08T23:30:00Z'));
    expect(session.date).toBe('2026-03-08');
    expect(iso(session.open)).toBe('2026-03-08T00:00:00.000Z');
    expect(iso(session.close)).toBe('2026-03-09T00:00:00.000Z');
    expect(session.extendedOpen).toBe(session.open);
    expect(session.extendedClose).toBe(session.close);
  });

  it.each([
    ['mid-day', '2026-01-06T15:00:00.000Z', '2026-01-07T00:00:00.000Z'],
    ['exactly at 00:00', '2026-01-06T00:00:00.000Z', '2026-01-07T00:00:00.000Z'],
    ['1 ms before midnight', '2026-01-06T23:59:59.999Z', '2026-01-07T00:00:00.000Z'],
    ['on New Year’s Eve', '2026-12-31T12:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ])('expires a day order accepted %s at the next 00:00 UTC', (_case, accepted, expiry) => {
    expect(iso(calendar.dayOrderExpiry(utc(accepted)))).toBe(expiry);
  });
});
