import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { PaperBroker } from '../brokers/paper/paper-broker.js';
import type { PaperStateStore } from '../brokers/paper/paper-state.js';
import { type VenueProfile, parseVenueProfiles } from '../brokers/paper/venue-profiles.js';
import type { Config } from '../config.js';
import { type Clock, SimulatedClock } from '../domain/clock.js';
import { InstrumentRegistry } from '../domain/instruments.js';
import { SystemClock } from '../engine/system-clock.js';
import { RandomWalkFeed, ReplayFeed, ScriptedFeed, loadBundledBars } from '../marketdata/feeds/index.js';
import type { MarketFeed } from '../marketdata/types.js';
import { packageRoot } from '../package-root.js';

export interface PaperExchange {
  readonly clock: Clock;
  readonly instruments: InstrumentRegistry;
  readonly feed: MarketFeed;
  readonly venues: readonly PaperBroker[];
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
  return {
    clock,
    instruments,
    feed,
    venues,
    async start() {
      feed.start();
      await Promise.all(venues.map((v) => v.connect()));
    },
    async stop() {
      feed.stop();
      await Promise.all(venues.map((v) => v.close()));
    },
  };
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
