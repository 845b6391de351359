import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { MarketSimulator } from '../brokers/paper/market-simulator.js';
import { PaperBroker } from '../brokers/paper/paper-broker.js';
import type { PaperStateStore } from '../brokers/paper/paper-state.js';
import { type VenueProfile, parseVenueProfiles } from '../brokers/paper/venue-profiles.js';
import type { Config } from '../config.js';
import { type Clock, SimulatedClock } from '../domain/clock.js';
import { InstrumentRegistry } from '../domain/instruments.js';
import { SystemClock } from '../engine/system-clock.js';
import { BarHistory } from '../marketdata/bars/bar-history.js';
import { RandomWalkFeed, ReplayFeed, ScriptedFeed, loadBundledBars } from '../marketdata/feeds/index.js';
import { type MarketFeed, type MarketUpdate, symbolOf } from '../marketdata/types.js';
import { packageRoot } from '../package-root.js';

export interface PaperExchange {
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  readonly feed: MarketFeed;
  readonly venues: readonly PaperBroker[];
  /** The tape: 1-minute bars of the markets the venues matched against (getBars). */
  readonly bars: BarHistory;
  /** The venues' market controls (simulateMarket); undefined when there is no paper venue. */
  readonly simulator: MarketSimulator | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the paper venues from the profiles file, on one clock and one market-data feed. */
export async function buildPaperExchange(
  config: Config,
  instruments = new InstrumentRegistry(),
  /** Where the venues keep their books, orders and ledgers; without it they live in memory. */
  state?: PaperStateStore,
): Promise<PaperExchange> {
  const clock: Clock =
    config.clock === 'simulated' ? new SimulatedClock(config.clockStart ?? Date.now()) : new SystemClock();
  const feed = await buildFeed(config, clock, instruments);
  const profiles = await loadVenueProfiles(config);
  const venues = profiles.map(
    (profile) =>
      new PaperBroker({ profile, instruments, clock, feed, ...(state === undefined ? {} : { state }) }),
  );
  const bars = new BarHistory();
  const simulator =
    venues.length === 0
      ? undefined
      : new MarketSimulator({
          venues,
          instruments,
          clock,
          history: bars,
          ...(clock instanceof SimulatedClock
            ? {
                advanceClock: (to: number) => {
                  jumpClock(clock, to, running ? feed : undefined, config.paperFeedIntervalMs);
                },
              }
            : {}),
        });
  let stopTape: (() => void) | undefined;
  let running = false;
  return {
    clock,
    instruments,
    feed,
    venues,
    bars,
    simulator,
    async start() {
      stopTape ??= recordTape(feed, venues, bars, instruments);
      feed.start();
      running = true;
      await Promise.all(venues.map((v) => v.connect()));
    },
    async stop() {
      stopTape?.();
      stopTape = undefined;
      running = false;
      feed.stop();
      await Promise.all(venues.map((v) => v.close()));
    },
  };
}

/**
 * Records the feed on the tape, once per update (not once per venue), for the symbols some venue
 * still matches against the feed: a symbol that simulateMarket pinned at every venue that trades it
 * is on the tape only through its simulated markets. Returns the unsubscribe function.
 */
function recordTape(
  feed: MarketFeed,
  venues: readonly PaperBroker[],
  bars: BarHistory,
  instruments: InstrumentRegistry,
): () => void {
  const followed = (symbol: string): boolean => venues.some((v) => v.followsFeed(symbol));
  const record = (update: MarketUpdate): void => {
    if (followed(symbolOf(update))) bars.recordUpdate(update);
  };
  for (const symbol of instruments.symbols()) {
    const book = feed.snapshot(symbol);
    if (book !== undefined) record({ kind: 'book', book });
  }
  return feed.subscribe(record);
}

/** The random-walk steps a clock jump runs at most: its last few minutes at the default interval. */
export const MAX_JUMP_WALK_STEPS = 1_000;

/**
 * Moves the simulated clock forward (simulateMarket's `at`), firing every timer due on the way:
 * expiries, session opens and closes, replayed bars. The random walk steps every few hundred
 * milliseconds, and replaying hours of steps would hold the process for minutes, so it sleeps
 * through all but the last MAX_JUMP_WALK_STEPS steps of a long jump and resumes from its price.
 */
function jumpClock(
  clock: SimulatedClock,
  to: number,
  runningFeed: MarketFeed | undefined,
  intervalMs: number,
): void {
  const quietUntil = to - MAX_JUMP_WALK_STEPS * intervalMs;
  if (runningFeed?.kind === 'random' && quietUntil > clock.now()) {
    runningFeed.stop();
    try {
      clock.advanceTo(quietUntil);
    } finally {
      runningFeed.start();
    }
  }
  clock.advanceTo(to);
}

async function buildFeed(config: Config, clock: Clock, instruments: InstrumentRegistry): Promise<MarketFeed> {
  switch (config.paperFeed) {
    case 'random':
      // Every symbol has a book from the moment the feed is built.
      return new RandomWalkFeed({
        clock,
        instruments: instruments.all(),
        seed: config.paperSeed,
        intervalMs: config.paperFeedIntervalMs,
      });
    case 'replay':
      return new ReplayFeed({ clock, bars: await loadBundledBars() });
    case 'scripted':
      return new ScriptedFeed({ clock });
  }
}

export async function loadVenueProfiles(
  config: Pick<Config, 'paperVenuesFile' | 'paperStartingCash'>,
): Promise<VenueProfile[]> {
  const root = await packageRoot();
  const file = config.paperVenuesFile ?? join(root, 'config', 'venues.json');
  const path = isAbsolute(file) ? file : resolve(process.cwd(), file);
  const text = await readFile(path, 'utf8');
  return parseVenueProfiles(JSON.parse(text) as unknown, path, config.paperStartingCash);
}
