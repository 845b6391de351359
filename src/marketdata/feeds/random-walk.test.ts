import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../domain/clock.js';
import { type Decimal, toWire } from '../../domain/decimal.js';
import { isTradingError } from '../../domain/errors.js';
import { type Instrument, isOnStep } from '../../domain/instrument.js';
import { BUNDLED_INSTRUMENTS, InstrumentRegistry } from '../../domain/instruments.js';
import type { BookSnapshot, MarketUpdate } from '../types.js';
import { RandomWalkFeed, type RandomWalkOptions } from './random-walk.js';

const registry = new InstrumentRegistry();
const pick = (...symbols: string[]): Instrument[] => symbols.map((s) => registry.get(s));

function feed(options: Partial<RandomWalkOptions> = {}): RandomWalkFeed {
  return new RandomWalkFeed({
    clock: new SimulatedClock(),
    instruments: BUNDLED_INSTRUMENTS,
    seed: 7,
    ...options,
  });
}

function wire(book: BookSnapshot): string {
  const side = (levels: BookSnapshot['bids']): string =>
    levels.map((l) => `${toWire(l.price)}x${l.size === undefined ? '-' : toWire(l.size)}`).join(' ');
  const last = book.last === undefined ? '-' : toWire(book.last);
  const lastSize = book.lastSize === undefined ? '-' : toWire(book.lastSize);
  return `${book.symbol}@${book.ts} ${side(book.bids)} | ${side(book.asks)} last ${last}x${lastSize}`;
}

function run(walk: RandomWalkFeed, steps: number): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= steps; i++) {
    for (const update of walk.step(i * 250)) if (update.kind === 'book') lines.push(wire(update.book));
  }
  return lines;
}

function books(updates: readonly MarketUpdate[]): BookSnapshot[] {
  return updates.flatMap((u) => (u.kind === 'book' ? [u.book] : []));
}

describe('RandomWalkFeed determinism', () => {
  it('gives identical books for the same seed over two independent runs', () => {
    const instruments = pick('AAPL', 'IWM', 'BTC/USD', 'ETH/USDT', 'SOL/USD', 'EUR/USD');
    const first = run(feed({ seed: 123, instruments }), 500);
    const second = run(feed({ seed: 123, instruments }), 500);
    expect(second).toHaveLength(500 * instruments.length);
    const firstDifference = first.findIndex((line, i) => line !== second[i]);
    expect(
      firstDifference === -1 ? 'identical' : `${first[firstDifference]} vs ${second[firstDifference]}`,
    ).toBe('identical');
  });

  it('gives different books for a different seed', () => {
    const a = run(feed({ seed: 1 }), 50);
    const b = run(feed({ seed: 2 }), 50);
    const same = a.filter((line, i) => line === b[i]).length;
    expect(same).toBeLessThan(a.length / 10);
  });

  it('keeps a symbol’s stream when other instruments are added or reordered', () => {
    const alone = run(feed({ instruments: pick('AAPL') }), 200);
    const crowd = run(feed({ instruments: pick('BTC/USD', 'EUR/USD', 'AAPL', 'MSFT') }), 200);
    expect(crowd.filter((line) => line.startsWith('AAPL@'))).toEqual(alone);
  });

  it('has a book for every symbol before the first step, stamped with the clock', () => {
    const clock = new SimulatedClock(1_000_000);
    const walk = feed({ clock, instruments: pick('AAPL', 'EUR/USD') });
    expect(walk.snapshot('AAPL')?.ts).toBe(1_000_000);
    expect(walk.snapshot('AAPL')?.bids).toHaveLength(10);
    expect(walk.snapshot('MSFT')).toBeUndefined();
  });
});

describe('RandomWalkFeed books', () => {
  const walk = feed({ seed: 99, depth: 5 });
  const all = Array.from({ length: 400 }, (_, i) => books(walk.step(i))).flat();

  // Each check lists the books that break it, so a failure names them and a pass costs one assertion.
  const breaking = (ok: (book: BookSnapshot) => boolean): string[] => all.filter((b) => !ok(b)).map(wire);

  it('is never crossed, sorted strictly best first, with `depth` levels per side', () => {
    expect(all).toHaveLength(400 * BUNDLED_INSTRUMENTS.length);
    expect(breaking((b) => b.bids.length === 5 && b.asks.length === 5)).toEqual([]);
    expect(breaking((b) => b.bids[0]!.price.lessThan(b.asks[0]!.price))).toEqual([]);
    expect(
      breaking((b) => b.bids.every((l, i) => i === 0 || l.price.lessThan(b.bids[i - 1]!.price))),
    ).toEqual([]);
    expect(
      breaking((b) => b.asks.every((l, i) => i === 0 || l.price.greaterThan(b.asks[i - 1]!.price))),
    ).toEqual([]);
  });

  it('puts prices on the tick, sizes on the lot step, and the last trade within the spread', () => {
    const onTick = (b: BookSnapshot, price: Decimal): boolean =>
      isOnStep(price, registry.get(b.symbol).tickSize);
    const onLot = (b: BookSnapshot, size: Decimal | undefined): boolean =>
      size !== undefined && size.greaterThan(0) && isOnStep(size, registry.get(b.symbol).lotSize);
    const levels = (b: BookSnapshot): BookSnapshot['bids'] => [...b.bids, ...b.asks];
    expect(breaking((b) => levels(b).every((l) => onTick(b, l.price) && onLot(b, l.size)))).toEqual([]);
    expect(breaking((b) => b.last!.gte(b.bids[0]!.price) && b.last!.lte(b.asks[0]!.price))).toEqual([]);
    expect(breaking((b) => onTick(b, b.last!) && onLot(b, b.lastSize))).toEqual([]);
  });

  it('keeps spreads and sizes in realistic ranges per asset class', () => {
    const of = (symbol: string): BookSnapshot[] => all.filter((b) => b.symbol === symbol);
    const spreadTicks = (book: BookSnapshot): number =>
      book.asks[0]!.price.minus(book.bids[0]!.price).div(registry.get(book.symbol).tickSize).toNumber();
    const spreadBps = (book: BookSnapshot): number =>
      book.asks[0]!.price.minus(book.bids[0]!.price).div(book.bids[0]!.price).times(10_000).toNumber();
    const sizes = (symbol: string): Decimal[] =>
      of(symbol).flatMap((b) => [...b.bids, ...b.asks].map((l) => l.size!));

    const range = (values: number[]): [number, number] => [Math.min(...values), Math.max(...values)];
    const [aaplLow, aaplHigh] = range(of('AAPL').map(spreadTicks));
    expect(aaplLow).toBeGreaterThanOrEqual(1);
    expect(aaplHigh).toBeLessThanOrEqual(3);
    const [eurLow, eurHigh] = range(of('EUR/USD').map(spreadTicks));
    expect(eurLow).toBeGreaterThanOrEqual(10);
    expect(eurHigh).toBeLessThanOrEqual(20);
    const [btcLow, btcHigh] = range(of('BTC/USD').map(spreadBps));
    expect(btcLow).toBeGreaterThan(0.3);
    expect(btcHigh).toBeLessThan(3.5);
    expect(sizes('AAPL').filter((size) => !(size.isInteger() && size.gte(100) && size.lte(2000)))).toEqual(
      [],
    );
    expect(sizes('BTC/USD').filter((size) => !(size.gte('0.01') && size.lte(2)))).toEqual([]);
  });

  it('moves the mid by about 1 bp per step for equities and 3 bp for crypto', () => {
    const volatility = (symbol: string): number => {
      const walkOne = feed({ seed: 5, instruments: pick(symbol), depth: 1 });
      const mids = Array.from({ length: 2000 }, (_, i) => {
        const book = books(walkOne.step(i))[0]!;
        return book.bids[0]!.price.plus(book.asks[0]!.price).div(2);
      });
      const moves = mids.slice(1).map((mid, i) => mid.div(mids[i]!).minus(1).times(10_000).toNumber());
      return Math.sqrt(moves.reduce((sum, m) => sum + m * m, 0) / moves.length);
    };
    expect(volatility('AAPL')).toBeGreaterThan(0.5);
    expect(volatility('AAPL')).toBeLessThan(2.5);
    expect(volatility('BTC/USD')).toBeGreaterThan(2);
    expect(volatility('BTC/USD')).toBeLessThan(5);
  });

  it('keeps every bid positive when the price is a few ticks', () => {
    const cheap = feed({ instruments: pick('AAPL'), startPrices: { AAPL: '0.03' }, depth: 10 });
    const cheapBooks = Array.from({ length: 200 }, (_, i) => books(cheap.step(i))).flat();
    const bad = cheapBooks.filter(
      (b) => !b.bids.every((l) => l.price.greaterThan(0)) || !b.bids[0]!.price.lt(b.asks[0]!.price),
    );
    expect(bad.map(wire)).toEqual([]);
  });
});

describe('RandomWalkFeed on a clock', () => {
  it('emits floor(elapsed / interval) steps while started, none after stop()', () => {
    const clock = new SimulatedClock(0);
    const walk = feed({ clock, instruments: pick('AAPL', 'SPY'), intervalMs: 100 });
    const stamps: number[] = [];
    walk.subscribe((u) => {
      if (u.kind === 'book' && u.book.symbol === 'AAPL') stamps.push(u.book.ts);
    });
    walk.start();
    walk.start();
    clock.advanceBy(1_050);
    expect(stamps).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    clock.advanceBy(349);
    expect(stamps).toHaveLength(13);
    walk.stop();
    clock.advanceBy(10_000);
    expect(stamps).toHaveLength(13);
    expect(clock.pendingTimers()).toBe(0);
    expect(walk.snapshot('AAPL')?.ts).toBe(1300);
  });

  it('stops from inside a listener and unsubscribes', () => {
    const clock = new SimulatedClock(0);
    const walk = feed({ clock, instruments: pick('AAPL') });
    let heard = 0;
    const unsubscribe = walk.subscribe(() => {
      heard += 1;
      if (heard === 3) walk.stop();
    });
    walk.start();
    clock.advanceBy(5_000);
    expect(heard).toBe(3);
    unsubscribe();
    walk.step(9_999);
    expect(heard).toBe(3);
  });

  it('refuses an instrument without a start price and a bad depth', () => {
    const exotic = { ...registry.get('AAPL'), symbol: 'ZZZZ' };
    expect(() => feed({ instruments: [exotic] })).toThrow(/start price/);
    expect(() => feed({ depth: 0 })).toThrow(/depth/);
    try {
      feed({ instruments: pick('AAPL', 'AAPL') });
      expect.unreachable();
    } catch (error) {
      expect(isTradingError(error, 'CONFIG_INVALID')).toBe(true);
    }
  });
});
