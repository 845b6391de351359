/**
 * The paper exchange's tape: observations folded into 1-minute OHLCV bars, rolled up to larger
 * timeframes, a bounded window per symbol, and paging. Expected bars are worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import type { Bar } from '../types.js';
import { BarHistory, samplePrice } from './bar-history.js';
import { bucketOf } from './timeframe.js';

const T0 = Date.UTC(2026, 2, 4, 15, 0);
const MIN = 60_000;

/** A bar as [ISO time, o, h, l, c, v] strings, for readable expectations. */
const row = (b: Bar) => [
  new Date(b.ts).toISOString(),
  b.open.toFixed(),
  b.high.toFixed(),
  b.low.toFixed(),
  b.close.toFixed(),
  b.volume.toFixed(),
];

function tape(samples: readonly [number, string, string?][], history = new BarHistory()): BarHistory {
  for (const [ts, price, volume] of samples) {
    history.record({ symbol: 'AAPL', ts, price: dec(price), ...(volume ? { volume: dec(volume) } : {}) });
  }
  return history;
}

describe('BarHistory', () => {
  it('folds observations into 1-minute bars: first, highest, lowest, last, summed volume', () => {
    const history = tape([
      [T0 + 1_000, '100', '5'],
      [T0 + 20_000, '101.5', '2'],
      [T0 + 40_000, '99.25'],
      [T0 + 59_999, '100.5', '1'],
      [T0 + MIN, '100.75', '3'],
    ]);
    expect(history.query('AAPL', '1Min', { limit: 10 }).bars.map(row)).toEqual([
      ['2026-03-04T15:00:00.000Z', '100', '101.5', '99.25', '100.5', '8'],
      ['2026-03-04T15:01:00.000Z', '100.75', '100.75', '100.75', '100.75', '3'],
    ]);
  });

  it('rolls minutes up to 5Min, 1Hour and 1Day on UTC boundaries, skipping empty buckets', () => {
    const history = tape([
      [T0 - MIN, '98', '1'], // 14:59, in the 14:55 bucket
      [T0, '100', '1'],
      [T0 + 2 * MIN, '103', '2'],
      [T0 + 4 * MIN, '101', '3'],
      [T0 + 5 * MIN, '99', '4'], // 15:05
      [T0 + 12 * MIN, '97', '5'], // 15:10
    ]);
    expect(history.query('AAPL', '5Min', { limit: 10 }).bars.map(row)).toEqual([
      ['2026-03-04T14:55:00.000Z', '98', '98', '98', '98', '1'],
      ['2026-03-04T15:00:00.000Z', '100', '103', '100', '101', '6'],
      ['2026-03-04T15:05:00.000Z', '99', '99', '99', '99', '4'],
      ['2026-03-04T15:10:00.000Z', '97', '97', '97', '97', '5'],
    ]);
    expect(history.query('AAPL', '1Hour', { limit: 10 }).bars.map(row)).toEqual([
      ['2026-03-04T14:00:00.000Z', '98', '98', '98', '98', '1'],
      ['2026-03-04T15:00:00.000Z', '100', '103', '97', '97', '15'],
    ]);
    expect(history.query('AAPL', '1Day', { limit: 10 }).bars.map(row)).toEqual([
      ['2026-03-04T00:00:00.000Z', '98', '103', '97', '97', '16'],
    ]);
    expect(bucketOf(Date.UTC(2026, 2, 4, 23, 59, 59), '1Day')).toBe(Date.UTC(2026, 2, 4));
  });

  it('filters by bar open time and pages from either end', () => {
    const history = tape([0, 1, 2, 3, 4, 5].map((i) => [T0 + i * MIN, String(100 + i)] as [number, string]));
    const closes = (bars: readonly Bar[]) => bars.map((b) => b.close.toFixed());
    const range = { from: T0 + MIN, to: T0 + 4 * MIN };
    expect(closes(history.query('AAPL', '1Min', { ...range, limit: 10 }).bars)).toEqual([
      '101',
      '102',
      '103',
      '104',
    ]);
    const oldest = history.query('AAPL', '1Min', { ...range, limit: 3 });
    expect([closes(oldest.bars), oldest.more]).toEqual([['101', '102', '103'], true]);
    const newest = history.query('AAPL', '1Min', { ...range, limit: 3, newest: true });
    expect([closes(newest.bars), newest.more]).toEqual([['102', '103', '104'], true]);
    const exact = history.query('AAPL', '1Min', { ...range, limit: 4 });
    expect(exact.more).toBe(false);
    expect(history.query('MSFT', '1Min', { limit: 10 })).toEqual({ bars: [], more: false });
    expect([history.has('AAPL'), history.has('MSFT')]).toEqual([true, false]);
  });

  it('keeps only the newest windowMinutes bars per symbol, and drops late data older than that', () => {
    const history = tape(
      [0, 1, 2, 3].map((i) => [T0 + i * MIN, String(100 + i)] as [number, string]),
      new BarHistory({ windowMinutes: 3 }),
    );
    const times = () => history.query('AAPL', '1Min', { limit: 10 }).bars.map((b) => (b.ts - T0) / MIN);
    expect(times()).toEqual([1, 2, 3]);
    tape([[T0, '90']], history); // older than the window: dropped
    expect(times()).toEqual([1, 2, 3]);
    tape([[T0 + 2 * MIN + 5_000, '120', '7']], history); // late, into a kept minute
    const bars = history.query('AAPL', '1Min', { limit: 10 }).bars.map(row);
    expect(bars[1]).toEqual(['2026-03-04T15:02:00.000Z', '102', '120', '102', '120', '7']);
    expect(() => new BarHistory({ windowMinutes: 0 })).toThrow(RangeError);
  });

  it('reads books (last, else mid, else one side), trade prints and feed bars', () => {
    const history = new BarHistory();
    const level = (price: string) => ({ price: dec(price) });
    const book = (bids: string[], asks: string[], extra = {}) => ({
      symbol: 'AAPL',
      ts: T0,
      bids: bids.map(level),
      asks: asks.map(level),
      ...extra,
    });
    expect(samplePrice(book(['100'], ['100.03']))?.toFixed()).toBe('100.015');
    expect(samplePrice(book([], ['100.03']))?.toFixed()).toBe('100.03');
    expect(samplePrice(book([], []))).toBeUndefined();
    history.recordUpdate({ kind: 'book', book: book(['100'], ['100.02']) });
    history.recordUpdate({
      kind: 'book',
      book: book(['100'], ['100.02'], { last: dec('100.02'), lastSize: dec('30') }),
    });
    history.recordUpdate({ kind: 'book', book: book([], []) }); // nothing to observe
    history.recordUpdate({
      kind: 'trade',
      trade: { symbol: 'AAPL', ts: T0 + 1_000, price: dec('99.9'), size: dec('5') },
    });
    history.recordUpdate({
      kind: 'bar',
      bar: {
        symbol: 'AAPL',
        ts: T0 + MIN,
        open: dec('99.9'),
        high: dec('100.4'),
        low: dec('99.8'),
        close: dec('100.1'),
        volume: dec('1200'),
      },
    });
    expect(history.query('AAPL', '1Min', { limit: 10 }).bars.map(row)).toEqual([
      ['2026-03-04T15:00:00.000Z', '100.01', '100.02', '99.9', '99.9', '35'],
      ['2026-03-04T15:01:00.000Z', '99.9', '100.4', '99.8', '100.1', '1200'],
    ]);
  });
});
