import { describe, expect, it } from 'vitest';
import { calendarFor } from './index.js';

describe('calendarFor', () => {
  it.each(['us_equity', 'crypto', 'forex'] as const)('returns one shared %s calendar', (id) => {
    expect(calendarFor(id).id).toBe(id);
    expect(calendarFor(id)).toBe(calendarFor(id));
  });

  it('tells the calendars apart on a Saturday', () => {
    const saturday = Date.parse('2026-01-10T17:00:00Z');
    expect(calendarFor('us_equity').phase(saturday)).toBe('closed');
    expect(calendarFor('forex').phase(saturday)).toBe('closed');
    expect(calendarFor('crypto').phase(saturday)).toBe('regular');
  });
});
