import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../domain/clock.js';
import { Decimal, toWire } from '../../domain/decimal.js';
import { type ErrorCode, isTradingError } from '../../domain/errors.js';
import { BUNDLED_INSTRUMENTS } from '../../domain/instruments.js';
import type { BookLevel, BookSnapshot, MarketUpdate } from '../types.js';
import { ScriptedFeed, type ScriptedMarket } from './scripted.js';

const T0 = Date.UTC(2026, 2, 5, 15, 0);

function setup(): { clock: SimulatedClock; feed: ScriptedFeed; heard: MarketUpdate[] } {
  const clock = new SimulatedClock(T0);
  const feed = new ScriptedFeed({ clock, instruments: BUNDLED_INSTRUMENTS });
  const heard: MarketUpdate[] = [];
  feed.subscribe((u) => heard.push(u));
  return { clock, feed, heard };
}

const side = (levels: readonly BookLevel[]): string[] =>
  levels.map((l) => `${toWire(l.price)}x${l.size === undefined ? 'inf' : toWire(l.size)}`);

function refusal(
  feed: ScriptedFeed,
  market: ScriptedMarket,
  symbol = 'AAPL',
): ErrorCode | 'accepted' | 'other' {
  try {
    feed.set(symbol, market);
    return 'accepted';
  } catch (error) {
    return isTradingError(error) ? error.code : 'other';
  }
}

describe('ScriptedFeed.set', () => {
  it('builds an L1 book, notifies synchronously, and stamps it with the clock', () => {
    const { feed, heard } = setup();
    const book = feed.set('AAPL', { bid: '230.10', ask: 230.12, bidSize: 300, last: '230.11' });
    expect(heard).toEqual([{ kind: 'book', book }]);
    expect(side(book.bids)).toEqual(['230.1x300']);
    expect(side(book.asks)).toEqual(['230.12xinf']);
    expect(book.last && toWire(book.last)).toBe('230.11');
    expect(book.ts).toBe(T0);
    expect(book.discontinuity).toBeUndefined();
    expect(feed.snapshot('AAPL')).toBe(book);
  });

  it('replaces the whole market: a side not given is empty', () => {
    const { feed, heard } = setup();
    feed.set('AAPL', { book: { bids: [['230', '100']], asks: [['230.05', '200']] }, last: '230' });
    const next = feed.set('AAPL', { bid: '229.5', ts: T0 + 5, discontinuity: true });
    expect(side(next.bids)).toEqual(['229.5xinf']);
    expect(next.asks).toEqual([]);
    expect(next.last).toBeUndefined();
    expect([next.ts, next.discontinuity]).toEqual([T0 + 5, true]);
    expect(feed.snapshot('AAPL')).toBe(next);
    expect(heard).toHaveLength(2);
    const empty = feed.set('AAPL', {});
    expect([empty.bids, empty.asks]).toEqual([[], []]);
  });

  it('takes L2 levels best first and allows a locked book', () => {
    const { feed } = setup();
    const book = feed.set('BTC/USD', {
      book: {
        bids: [
          ['95000', '0.5'],
          ['94999.99', '1.25'],
        ],
        asks: [
          ['95000', '0.1'],
          ['95010', '2'],
        ],
      },
    });
    expect(side(book.bids)).toEqual(['95000x0.5', '94999.99x1.25']);
    expect(side(book.asks)).toEqual(['95000x0.1', '95010x2']);
  });

  it('refuses crossed, unsorted or non-positive books and leaves the market as it was', () => {
    const { feed, heard } = setup();
    const before = feed.set('AAPL', { bid: '230', ask: '230.02' });
    const cases: [ScriptedMarket, ErrorCode][] = [
      [{ bid: '230.03', ask: '230.02' }, 'INVALID_ORDER'],
      [
        {
          book: {
            bids: [
              ['230', '1'],
              ['230.01', '1'],
            ],
            asks: [],
          },
        },
        'INVALID_ORDER',
      ],
      [
        {
          book: {
            bids: [
              ['230', '1'],
              ['230', '2'],
            ],
            asks: [],
          },
        },
        'INVALID_ORDER',
      ],
      [
        {
          book: {
            bids: [],
            asks: [
              ['230.05', '1'],
              ['230.04', '1'],
            ],
          },
        },
        'INVALID_ORDER',
      ],
      [{ bid: '0' }, 'INVALID_ORDER'],
      [{ bid: '-1' }, 'INVALID_ORDER'],
      [{ bid: 'abc' }, 'INVALID_ORDER'],
      [{ bid: '230', bidSize: '0' }, 'INVALID_ORDER'],
      [{ askSize: '10' }, 'INVALID_ORDER'],
      [{ last: '0' }, 'INVALID_ORDER'],
      [{ bid: '230', book: { bids: [], asks: [] } }, 'INVALID_ORDER'],
      [{ bid: '230.001' }, 'PRICE_PRECISION'],
      [{ book: { bids: [['230', '1.00001']], asks: [] } }, 'QUANTITY_PRECISION'],
    ];
    expect(cases.map(([market]) => refusal(feed, market))).toEqual(cases.map(([, code]) => code));
    expect(feed.snapshot('AAPL')).toBe(before);
    expect(heard).toHaveLength(1);
  });

  it('accepts any positive prices for a symbol it has no instrument for', () => {
    const feed = new ScriptedFeed({ clock: new SimulatedClock(T0) });
    expect(side(feed.set('XYZ', { bid: '1.2345', ask: '1.2346' }).bids)).toEqual(['1.2345xinf']);
  });
});

describe('ScriptedFeed bars and trades', () => {
  it('publishes a bar and makes its close the book, with unlimited size', () => {
    const { feed, heard } = setup();
    const bar = {
      symbol: 'SPY',
      ts: T0,
      open: new Decimal('580'),
      high: new Decimal('581'),
      low: new Decimal('579.5'),
      close: new Decimal('580.25'),
      volume: new Decimal('1000'),
    };
    feed.bar(bar);
    expect(heard).toEqual([{ kind: 'bar', bar }]);
    const book = feed.snapshot('SPY') as BookSnapshot;
    expect([side(book.bids), side(book.asks)]).toEqual([['580.25xinf'], ['580.25xinf']]);
    expect(() => {
      feed.bar({ ...bar, low: new Decimal('580.5') });
    }).toThrow(/low/);
    expect(heard).toHaveLength(1);
  });

  it('publishes a trade and records it as the last trade of the book', () => {
    const { feed, heard } = setup();
    feed.set('AAPL', { bid: '230', ask: '230.02' });
    const trade = {
      symbol: 'AAPL',
      ts: T0 + 1,
      price: new Decimal('230.01'),
      size: new Decimal('50'),
      aggressor: 'buy' as const,
    };
    feed.trade(trade);
    expect(heard.at(-1)).toEqual({ kind: 'trade', trade });
    const book = feed.snapshot('AAPL')!;
    expect([book.last, book.lastSize].map((d) => d && toWire(d))).toEqual(['230.01', '50']);
    expect(side(book.bids)).toEqual(['230xinf']);
    expect(() => {
      feed.trade({ ...trade, size: new Decimal(0) });
    }).toThrow(/size/);
  });

  it('does nothing on start and stop', () => {
    const { clock, feed, heard } = setup();
    feed.start();
    clock.advanceBy(60_000);
    feed.stop();
    expect(heard).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
