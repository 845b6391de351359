/**
 * The simulateMarket engine: a simulated market replaces the symbol's market at the targeted paper
 * venues as given, runs their matching, and pins it against a random walk that keeps stepping; `at`
 * moves a simulated clock forward only; every refusal comes before anything changes; the tape
 * records each simulated market. Real parts: PaperBrokers, a RandomWalkFeed, a SimulatedClock.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../domain/clock.js';
import { type Decimal, dec } from '../../domain/decimal.js';
import { isTradingError } from '../../domain/errors.js';
import type { OrderEvent } from '../../domain/events.js';
import { InstrumentRegistry } from '../../domain/instruments.js';
import { BarHistory } from '../../marketdata/bars/bar-history.js';
import { RandomWalkFeed } from '../../marketdata/feeds/index.js';
import type { BookLevel } from '../../marketdata/types.js';
import { MarketSimulator, type SimulatedMarket } from './market-simulator.js';
import { PaperBroker } from './paper-broker.js';
import { parseVenueProfiles } from './venue-profiles.js';

/** Wednesday 2026-03-04 15:00Z = 10:00 New York: the regular session; it closes at 21:00Z. */
const T0 = Date.UTC(2026, 2, 4, 15, 0);
const CLOSE = Date.UTC(2026, 2, 4, 21, 0);

const PROFILES = {
  venues: [
    {
      id: 'thin',
      name: 'Thin equities',
      assetClasses: ['us_equity'],
      depthScale: '0.5',
      accounts: [{ id: 'eq', type: 'margin', cash: { USD: '1000000' } }],
    },
    {
      id: 'deep',
      name: 'Deep equities',
      assetClasses: ['us_equity'],
      accounts: [{ id: 'eq2', type: 'margin', cash: { USD: '1000000' } }],
    },
    {
      id: 'coins',
      name: 'Crypto',
      assetClasses: ['crypto'],
      accounts: [{ id: 'cc', type: 'cash', cash: { USD: '100000' } }],
    },
  ],
};

async function setup(options: { systemClock?: boolean } = {}) {
  const clock = new SimulatedClock(T0);
  const instruments = new InstrumentRegistry();
  // A step a minute: a long clock jump stays cheap (every step of the walk runs on the way).
  const feed = new RandomWalkFeed({ clock, instruments: instruments.all(), seed: 7, intervalMs: 60_000 });
  const venues = parseVenueProfiles(PROFILES, 'test').map(
    (profile) => new PaperBroker({ profile, instruments, clock, feed, instanceId: profile.id }),
  );
  const events: OrderEvent[] = [];
  for (const v of venues) v.subscribe((e) => events.push(e.event));
  const history = new BarHistory();
  const simulator = new MarketSimulator({
    venues,
    instruments,
    clock,
    history,
    ...(options.systemClock === true
      ? {}
      : {
          advanceClock: (to: number) => {
            clock.advanceTo(to);
          },
        }),
  });
  feed.start();
  await Promise.all(venues.map((v) => v.connect()));
  const [thin, deep, coins] = venues as [PaperBroker, PaperBroker, PaperBroker];
  return { clock, feed, thin, deep, coins, events, history, simulator };
}

const side = (levels: readonly BookLevel[] | undefined) =>
  (levels ?? []).map((l) => `${l.price.toFixed()}x${l.size?.toFixed() ?? 'inf'}`);
/** Bids and asks; the last trade is not part of it (a market without one keeps the previous one). */
const top = (venue: PaperBroker, symbol = 'AAPL') => {
  const book = venue.book(symbol);
  return [side(book?.bids), side(book?.asks)];
};

const d = (value: string): Decimal => dec(value);

async function refusal(simulator: MarketSimulator, request: SimulatedMarket): Promise<string> {
  try {
    await simulator.simulate(request);
  } catch (error) {
    if (isTradingError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('MarketSimulator', () => {
  it('replaces the market at every venue that trades it, as given, and the random walk no longer moves it', async () => {
    const { clock, feed, thin, deep, coins, simulator } = await setup();
    const walked = feed.snapshot('AAPL');
    expect(walked?.bids.length).toBeGreaterThan(1); // the walk's 10-level book

    const result = await simulator.simulate({
      symbol: 'aapl',
      bid: d('100.00'),
      ask: d('100.10'),
      bidSize: d('40'),
      askSize: d('50'),
      last: d('100.05'),
    });
    expect(result.symbol).toBe('AAPL');
    expect(result.replaced).toBe(true);
    expect(result.venues.map((v) => v.venue)).toEqual(['thin', 'deep']);
    // No depth scale on a simulated market: the thin venue shows 40 and 50, not 20 and 25.
    expect(top(thin)).toEqual([['100x40'], ['100.1x50']]);
    expect(top(deep)).toEqual([['100x40'], ['100.1x50']]);
    expect(deep.book('AAPL')?.last?.toFixed()).toBe('100.05');
    expect(coins.book('AAPL')).toBeUndefined();

    const msftBefore = deep.book('MSFT')?.ts;
    clock.advanceBy(180_000); // three walk steps
    expect(feed.snapshot('AAPL')?.ts).toBe(T0 + 180_000);
    expect(top(thin)).toEqual([['100x40'], ['100.1x50']]);
    expect(deep.book('AAPL')?.ts).toBe(T0);
    expect(deep.book('MSFT')?.ts).toBe(T0 + 180_000); // other symbols keep following the feed
    expect(msftBefore).toBe(T0);
    expect([thin.followsFeed('AAPL'), deep.followsFeed('AAPL'), deep.followsFeed('MSFT')]).toEqual([
      false,
      false,
      true,
    ]);
  });

  it('runs matching: a resting limit fills when the simulated ask crosses it', async () => {
    const { deep, events, simulator } = await setup();
    await simulator.simulate({ symbol: 'AAPL', bid: d('100'), ask: d('100.1') });
    const receipt = await deep.submit({
      accountId: 'eq2',
      clientOrderId: 'b-1',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: d('10'),
      limitPrice: d('99'),
      timeInForce: 'gtc',
    });
    expect(receipt.status).toBe('accepted');
    await simulator.simulate({
      venue: 'deep',
      symbol: 'AAPL',
      book: { bids: [], asks: [[d('98.9'), d('50')]] },
    });
    const fills = events.flatMap((e) => (e.kind === 'fill' ? [e.fill] : []));
    expect(fills.map((f) => [f.quantity.toFixed(), f.price.toFixed(), f.liquidity])).toEqual([
      ['10', '99', 'maker'],
    ]);
  });

  it('targets one venue when named; the others keep following the feed', async () => {
    const { clock, thin, deep, simulator } = await setup();
    const result = await simulator.simulate({ venue: 'thin', symbol: 'AAPL', bid: d('50'), ask: d('50.02') });
    expect(result.venues.map((v) => v.venue)).toEqual(['thin']);
    expect([thin.followsFeed('AAPL'), deep.followsFeed('AAPL')]).toEqual([false, true]);
    clock.advanceBy(60_000);
    expect(deep.book('AAPL')?.ts).toBe(T0 + 60_000);
    expect(top(thin)).toEqual([['50xinf'], ['50.02xinf']]);
  });

  it('moves the simulated clock to at first: a day order expires at the close, the market is stamped at', async () => {
    const { clock, deep, events, simulator } = await setup();
    await simulator.simulate({ symbol: 'AAPL', bid: d('100'), ask: d('100.1') });
    await deep.submit({
      accountId: 'eq2',
      clientOrderId: 'day-1',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: d('1'),
      limitPrice: d('90'),
      timeInForce: 'day',
    });
    const at = CLOSE + 60_000;
    const result = await simulator.simulate({ symbol: 'AAPL', bid: d('101'), ask: d('101.1'), at });
    expect([clock.now(), result.now, deep.book('AAPL')?.ts]).toEqual([at, at, at]);
    expect(events.filter((e) => e.clientOrderId === 'day-1').map((e) => e.kind)).toEqual(['ack', 'exp']);

    // Only an at: the clock moves, the market stays.
    const later = await simulator.simulate({ symbol: 'AAPL', at: at + 5_000 });
    expect([later.replaced, later.now, top(deep)]).toEqual([false, at + 5_000, [['101xinf'], ['101.1xinf']]]);
  });

  it('refuses a backward at, and an at on the system clock, changing nothing', async () => {
    const { clock, deep, simulator } = await setup();
    await simulator.simulate({ symbol: 'AAPL', bid: d('100'), ask: d('100.1') });
    clock.advanceBy(60_000);
    const message = await refusal(simulator, { symbol: 'AAPL', bid: d('1'), ask: d('2'), at: T0 });
    expect(message).toBe(
      "INVALID_ARGUMENT: at 2026-03-04T15:00:00.000Z is before the trading clock's now, 2026-03-04T15:01:00.000Z: the simulated clock never moves backward.",
    );
    expect([clock.now(), top(deep)]).toEqual([T0 + 60_000, [['100xinf'], ['100.1xinf']]]);

    const system = await setup({ systemClock: true });
    expect(system.simulator.movesClock).toBe(false);
    expect(await refusal(system.simulator, { symbol: 'AAPL', bid: d('1'), at: T0 + 1 })).toMatch(
      /^INVALID_ARGUMENT: at needs the simulated clock/,
    );
    expect(system.clock.now()).toBe(T0);
  });

  it('checks everything before it changes anything', async () => {
    const { clock, deep, simulator, history } = await setup();
    await simulator.simulate({ symbol: 'AAPL', bid: d('100'), ask: d('100.1') });
    const later = T0 + 3_600_000;
    const cases: [SimulatedMarket, string][] = [
      [{ symbol: 'NOPE', bid: d('1') }, 'INSTRUMENT_NOT_FOUND'],
      [{ venue: 'nowhere', symbol: 'AAPL', bid: d('1') }, 'NOT_FOUND'],
      [{ venue: 'coins', symbol: 'AAPL', bid: d('1') }, 'INVALID_ARGUMENT'],
      [{ symbol: 'AAPL', bid: d('101'), ask: d('100'), at: later }, 'INVALID_ARGUMENT'], // crossed
      [{ symbol: 'AAPL', bid: d('100.001'), at: later }, 'PRICE_PRECISION'],
      [{ symbol: 'AAPL', volume: d('5'), at: later }, 'INVALID_ARGUMENT'], // volume without a price
      [{ symbol: 'AAPL', last: d('100'), volume: d('-1'), at: later }, 'INVALID_ARGUMENT'],
      [{ symbol: 'AAPL' }, 'INVALID_ARGUMENT'], // nothing to do
    ];
    for (const [request, code] of cases) {
      expect((await refusal(simulator, request)).split(':')[0], JSON.stringify(request)).toBe(code);
    }
    expect(await refusal(simulator, { symbol: 'AAPL', bid: d('101'), ask: d('100') })).toContain(
      'Simulated market for AAPL: the book is crossed',
    );
    expect([clock.now(), top(deep)]).toEqual([T0, [['100xinf'], ['100.1xinf']]]);
    expect(history.query('AAPL', '1Min', { limit: 10 }).bars).toHaveLength(1);
  });

  it('records each simulated market on the tape: the last trade, else the mid, with its volume', async () => {
    const { history, simulator } = await setup();
    await simulator.simulate({ symbol: 'AAPL', bid: d('100'), ask: d('100.1') }); // mid 100.05
    await simulator.simulate({
      symbol: 'AAPL',
      bid: d('100'),
      ask: d('100.1'),
      last: d('100.1'),
      volume: d('7'),
    });
    await simulator.simulate({
      symbol: 'AAPL',
      bid: d('99'),
      ask: d('99.1'),
      last: d('99'),
      volume: d('3'),
      at: T0 + 61_000,
    });
    await simulator.simulate({ symbol: 'AAPL', at: T0 + 62_000 }); // the clock only: no observation
    const bars = history
      .query('AAPL', '1Min', { limit: 10 })
      .bars.map((b) =>
        [b.ts, b.open, b.high, b.low, b.close, b.volume].map((v) =>
          typeof v === 'number' ? v : v.toFixed(),
        ),
      );
    expect(bars).toEqual([
      [T0, '100.05', '100.1', '100.05', '100.1', '7'],
      [T0 + 60_000, '99', '99', '99', '99', '3'],
    ]);
  });
});
