import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { NYSE_COVERED_YEARS, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS, nyseDayKind } from './nyse-holidays.js';

// Guards the hand-typed table against typos: a date on a weekend or in an uncovered year is wrong.
describe('the NYSE holiday table', () => {
  const dates = [...NYSE_HOLIDAYS, ...NYSE_EARLY_CLOSES];

  it.each(dates)('%s is a valid weekday in a covered year', (date) => {
    const day = DateTime.fromISO(date, { zone: 'America/New_York' });
    expect(day.isValid).toBe(true);
    expect(day.weekday).toBeLessThanOrEqual(5);
    expect(day.year).toBeGreaterThanOrEqual(NYSE_COVERED_YEARS.first);
    expect(day.year).toBeLessThanOrEqual(NYSE_COVERED_YEARS.last);
  });

  it('lists ten holidays a year and never a day as both holiday and early close', () => {
    expect(NYSE_HOLIDAYS.size).toBe(20);
    expect([...NYSE_EARLY_CLOSES].filter((date) => NYSE_HOLIDAYS.has(date))).toEqual([]);
  });

  it('classifies days', () => {
    expect(nyseDayKind('2026-04-03')).toBe('holiday');
    expect(nyseDayKind('2026-11-27')).toBe('early-close');
    expect(nyseDayKind('2026-04-06')).toBe('full');
  });
});
