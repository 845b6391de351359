/**
 * The paper exchange as wired for the tools: the tape records the feed once per update (not once
 * per venue) and stops recording a symbol pinned at every venue, and a long simulated-clock jump
 * runs only the last MAX_JUMP_WALK_STEPS steps of the random walk. The bundled venue profiles,
 * a random walk and a simulated clock, in memory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { SimulatedClock } from '../domain/clock.js';
import { Decimal, ZERO, dec } from '../domain/decimal.js';
import type { MarketUpdate } from '../marketdata/types.js';
import { MAX_JUMP_WALK_STEPS, type PaperExchange, buildPaperExchange } from './paper-exchange.js';

const START = Date.UTC(2026, 2, 4, 15, 0);
let exchange: PaperExchange | undefined;

async function start(): Promise<{ exchange: PaperExchange; clock: SimulatedClock }> {
  const config = loadConfig({
    PAPER_FEED: 'random',
    PAPER_FEED_INTERVAL_MS: '250',
    TRADING_CLOCK: 'simulated',
    TRADING_CLOCK_START: new Date(START).toISOString(),
  });
  exchange = await buildPaperExchange(config);
  await exchange.start();
  const clock = exchange.clock;
  if (!(clock instanceof SimulatedClock)) throw new Error('TRADING_CLOCK=simulated gives a SimulatedClock');
  return { exchange, clock };
}

afterEach(async () => {
  await exchange?.stop();
  exchange = undefined;
});

/** Every AAPL update the feed publishes from now on. */
function listen(e: PaperExchange): MarketUpdate[] {
  const heard: MarketUpdate[] = [];
  e.feed.subscribe((u) => {
    if (u.kind === 'book' && u.book.symbol === 'AAPL') heard.push(u);
  });
  return heard;
}

describe('buildPaperExchange', () => {
  it('records every feed update on the tape once, whatever the number of venues', async () => {
    const { exchange: e, clock } = await start();
    expect(e.venues.filter((v) => v.trades('AAPL')).length).toBeGreaterThan(1);
    // The book the feed had at start is on the tape too (as the venues took it at connect).
    const initial = e.feed.snapshot('AAPL');
    const heard = listen(e);
    clock.advanceTo(START + 60_000 - 1); // the rest of the first minute: 239 steps
    expect(heard).toHaveLength(239);
    const books = [initial, ...heard.map((u) => (u.kind === 'book' ? u.book : undefined))];
    const volume = books.reduce<Decimal>((sum, b) => sum.plus(b?.lastSize ?? ZERO), ZERO);
    const prices = books.map((b) => b?.last ?? ZERO);
    const [bar, next] = e.bars.query('AAPL', '1Min', { limit: 10 }).bars;
    expect(next).toBeUndefined();
    expect(bar?.ts).toBe(START);
    expect(bar?.volume.toFixed()).toBe(volume.toFixed());
    expect([bar?.open, bar?.close].map((p) => p?.toFixed())).toEqual([
      prices[0]?.toFixed(),
      prices[prices.length - 1]?.toFixed(),
    ]);
    expect(bar?.high.toFixed()).toBe(Decimal.max(...prices).toFixed());
    expect(bar?.low.toFixed()).toBe(Decimal.min(...prices).toFixed());
  });

  it('stops recording the feed for a symbol simulated at every venue', async () => {
    const { exchange: e, clock } = await start();
    const at = START + 90_000;
    await e.simulator?.simulate({ symbol: 'AAPL', bid: dec('100'), ask: dec('100.02'), at });
    clock.advanceTo(START + 180_000 - 1); // the walk steps on through minute 2
    const bars = e.bars.query('AAPL', '1Min', { limit: 10 }).bars;
    // Minute 1 opens with the walk and closes at the simulated mid; minute 2 has nothing for AAPL.
    expect(bars.map((b) => [b.ts - START, b.close.toFixed()])).toEqual([
      [0, bars[0]?.close.toFixed()],
      [60_000, '100.01'],
    ]);
    expect(bars[1]?.open.toFixed()).not.toBe('100.01');
    expect(e.bars.query('MSFT', '1Min', { limit: 10 }).bars).toHaveLength(3); // still walking
  });

  it('runs only the last steps of the random walk in a long clock jump', async () => {
    const { exchange: e } = await start();
    const heard = listen(e);
    const at = START + 6 * 3_600_000;
    await e.simulator?.simulate({ symbol: 'MSFT', bid: dec('400'), ask: dec('400.1'), at });
    expect(e.clock.now()).toBe(at);
    expect(heard).toHaveLength(MAX_JUMP_WALK_STEPS);
    const steps = heard.map((u) => (u.kind === 'book' ? u.book.ts : 0));
    expect([steps[0], steps[steps.length - 1]]).toEqual([at - (MAX_JUMP_WALK_STEPS - 1) * 250, at]);
  });
});
