import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../domain/clock.js';
import { Decimal, toWire } from '../../domain/decimal.js';
import { isTradingError } from '../../domain/errors.js';
import { isOnStep } from '../../domain/instrument.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import type { Bar, MarketUpdate } from '../types.js';
import { BAR_CSV_HEADER, symbolFileName, symbolFromFileName } from './bars-csv.js';
import { BAR_DURATION_MS, ReplayFeed, formatBarsCsv, loadBarsCsv, loadBundledBars } from './replay.js';

const T0 = Date.UTC(2026, 2, 5, 14, 30);
const MINUTE = 60_000;

function bar(symbol: string, minute: number, close: string): Bar {
  const c = new Decimal(close);
  return {
    symbol,
    ts: T0 + minute * MINUTE,
    open: c,
    high: c.plus(1),
    low: c.minus(1),
    close: c,
    volume: new Decimal(10),
  };
}

const barsOf = (updates: readonly (MarketUpdate | undefined)[]): Bar[] =>
  updates.flatMap((u) => (u?.kind === 'bar' ? [u.bar] : []));

function drain(feed: ReplayFeed): Bar[] {
  const out: (MarketUpdate | undefined)[] = [];
  for (let u = feed.next(); u !== undefined; u = feed.next()) out.push(u);
  return barsOf(out);
}

describe('ReplayFeed.next', () => {
  it('emits bars in time order, keeping the given order for bars at the same time', () => {
    const bars = [bar('SPY', 2, '582'), bar('AAPL', 0, '230'), bar('SPY', 0, '580'), bar('AAPL', 1, '231')];
    const feed = new ReplayFeed({ clock: new SimulatedClock(T0), bars });
    const heard: MarketUpdate[] = [];
    feed.subscribe((u) => heard.push(u));
    const replayed = drain(feed);
    expect(replayed.map((b) => `${b.symbol}+${(b.ts - T0) / MINUTE}`)).toEqual([
      'AAPL+0',
      'SPY+0',
      'AAPL+1',
      'SPY+2',
    ]);
    expect(barsOf(heard)).toEqual(replayed);
    expect(feed.next()).toBeUndefined();
    expect(feed.remaining()).toBe(0);
  });

  it('keeps a one-level book per symbol at the close, with no size, stamped when the bar completes', () => {
    const feed = new ReplayFeed({
      clock: new SimulatedClock(T0),
      bars: [bar('AAPL', 0, '230.15'), bar('AAPL', 1, '229.9')],
    });
    expect(feed.snapshot('AAPL')).toBeUndefined();
    feed.next();
    feed.next();
    const book = feed.snapshot('AAPL')!;
    expect(book.ts).toBe(T0 + 2 * MINUTE);
    expect(book.bids.map((l) => [toWire(l.price), l.size])).toEqual([['229.9', undefined]]);
    expect(book.asks.map((l) => [toWire(l.price), l.size])).toEqual([['229.9', undefined]]);
    expect(feed.snapshot('SPY')).toBeUndefined();
  });

  it('refuses a bar whose high and low do not bound it', () => {
    const broken = { ...bar('AAPL', 0, '230'), high: new Decimal('229') };
    expect(() => new ReplayFeed({ clock: new SimulatedClock(T0), bars: [broken] })).toThrow(/high/);
  });
});

describe('ReplayFeed on a clock', () => {
  it('publishes each bar when it completes, at its own times when they are ahead of the clock', () => {
    const clock = new SimulatedClock(T0 - 5 * MINUTE);
    const feed = new ReplayFeed({
      clock,
      bars: [bar('AAPL', 0, '230'), bar('SPY', 0, '580'), bar('AAPL', 3, '231')],
    });
    const heard: [number, string, number][] = [];
    feed.subscribe((u) => {
      if (u.kind === 'bar') heard.push([clock.now(), u.bar.symbol, u.bar.ts]);
    });
    feed.start();
    clock.advanceTo(T0 + BAR_DURATION_MS - 1);
    expect(heard).toEqual([]);
    clock.advanceTo(T0 + 10 * MINUTE);
    expect(heard).toEqual([
      [T0 + MINUTE, 'AAPL', T0],
      [T0 + MINUTE, 'SPY', T0],
      [T0 + 4 * MINUTE, 'AAPL', T0 + 3 * MINUTE],
    ]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shifts a replay from the past so that the first bar is published a minute from now', () => {
    const now = T0 + 3 * 24 * 60 * MINUTE + 17;
    const clock = new SimulatedClock(now);
    const feed = new ReplayFeed({ clock, bars: [bar('AAPL', 0, '230'), bar('AAPL', 2, '231')] });
    const heard: [number, number][] = [];
    feed.subscribe((u) => {
      if (u.kind === 'bar') heard.push([clock.now() - now, u.bar.ts - now]);
    });
    feed.start();
    clock.advanceBy(10 * MINUTE);
    expect(heard).toEqual([
      [MINUTE, 0],
      [3 * MINUTE, 2 * MINUTE],
    ]);
    expect(feed.snapshot('AAPL')?.ts).toBe(now + 3 * MINUTE);
  });

  it('stops and resumes where it left off', () => {
    const clock = new SimulatedClock(T0);
    const feed = new ReplayFeed({ clock, bars: [0, 1, 2, 3].map((m) => bar('SPY', m, `${580 + m}`)) });
    const heard: string[] = [];
    feed.subscribe((u) => {
      if (u.kind === 'bar') heard.push(toWire(u.bar.close));
    });
    feed.start();
    clock.advanceTo(T0 + 2 * MINUTE);
    feed.stop();
    clock.advanceTo(T0 + 3 * MINUTE);
    expect(heard).toEqual(['580', '581']);
    expect(clock.pendingTimers()).toBe(0);
    feed.start();
    clock.advanceTo(T0 + 10 * MINUTE);
    expect(heard).toEqual(['580', '581', '582', '583']);
  });
});

describe('bar CSV files', () => {
  const text = [
    BAR_CSV_HEADER,
    '2026-03-05T14:30:00Z,230.1,230.25,229.99,230.2,1234',
    '2026-03-05T14:31:00Z,95123.45,95180.12,95090.01,95150.33,0.00123',
    '2026-03-05T14:32:00Z,0.3,0.30000000000000004,0.1,0.2,0',
    '',
  ].join('\n');

  it('round-trips exactly: times, and prices and volumes as decimal strings', () => {
    const bars = loadBarsCsv(text, 'BTC/USD');
    expect(bars).toHaveLength(3);
    expect(bars[0]!.ts).toBe(T0);
    expect(bars[1]!.ts).toBe(T0 + MINUTE);
    expect(bars.map((b) => [b.open, b.high, b.low, b.close, b.volume].map(toWire).join(','))).toEqual(
      text
        .split('\n')
        .slice(1, 4)
        .map((line) => line.split(',').slice(1).join(',')),
    );
    expect(formatBarsCsv(bars)).toBe(text);
    expect(bars[2]!.high.minus(bars[2]!.open).toFixed()).toBe('0.00000000000000004');
  });

  it('refuses a wrong header, bad numbers, bad times and rows out of order, naming the line', () => {
    const bad = (body: string): unknown => {
      try {
        loadBarsCsv(`${BAR_CSV_HEADER}\n${body}`, 'AAPL');
        return undefined;
      } catch (error) {
        return error;
      }
    };
    expect(() => loadBarsCsv('time,o,h,l,c,v\n', 'AAPL')).toThrow(/header/);
    expect(bad('2026-03-05T14:30:00Z,230,231,229,abc,1')).toSatisfy((e) =>
      isTradingError(e, 'CONFIG_INVALID'),
    );
    expect(String(bad('2026-03-05T14:30:00Z,230,231,229,230,1\n2026-03-05 14:31,230,231,229,230,1'))).toMatch(
      /line 3/,
    );
    expect(
      String(bad('2026-03-05T14:31:00Z,230,231,229,230,1\n2026-03-05T14:30:00Z,230,231,229,230,1')),
    ).toMatch(/order/);
    expect(String(bad('2026-03-05T14:30:00Z,230,231,229,230'))).toMatch(/6 fields/);
    expect(String(bad('2026-03-05T14:30:00Z,230,229,228,230,1'))).toMatch(/high/);
  });

  it('names files after symbols with / replaced by -', () => {
    expect(symbolFileName('BTC/USD')).toBe('BTC-USD.csv');
    expect(symbolFromFileName('BTC-USD.csv')).toBe('BTC/USD');
    expect(symbolFromFileName(symbolFileName('AAPL'))).toBe('AAPL');
  });
});

describe('bundled bars', () => {
  it('loads two sessions of AAPL and SPY and two days of BTC/USD, on tick and in time order', async () => {
    const bars = await loadBundledBars();
    const count = (symbol: string): number => bars.filter((b) => b.symbol === symbol).length;
    expect([count('AAPL'), count('SPY'), count('BTC/USD')]).toEqual([780, 780, 2880]);
    expect(bars.every((b, i) => i === 0 || b.ts >= bars[i - 1]!.ts)).toBe(true);
    const registry = new InstrumentRegistry();
    const offTick = bars.filter((b) => {
      const { tickSize, lotSize } = registry.get(b.symbol);
      return (
        ![b.open, b.high, b.low, b.close].every((p) => isOnStep(p, tickSize)) || !isOnStep(b.volume, lotSize)
      );
    });
    expect(offTick).toEqual([]);
    const equityMinutes = bars
      .filter((b) => b.symbol === 'AAPL')
      .map((b) => new Date(b.ts).toISOString().slice(11, 16));
    expect([equityMinutes[0], equityMinutes.at(-1)]).toEqual(['14:30', '20:59']);
  });
});
