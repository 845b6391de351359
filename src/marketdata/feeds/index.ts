import type { MarketFeed } from '../types.js';
import { RandomWalkFeed, type RandomWalkOptions } from './random-walk.js';
import { ReplayFeed, type ReplayOptions } from './replay.js';
import { ScriptedFeed, type ScriptedOptions } from './scripted.js';

export {
  BAR_CSV_HEADER,
  formatBarsCsv,
  loadBarsCsv,
  symbolFileName,
  symbolFromFileName,
} from './bars-csv.js';
export { loadBundledBars } from './bundled-bars.js';
export { DEFAULT_START_PRICES } from './random-walk-profile.js';
export { RandomWalkFeed, type RandomWalkOptions } from './random-walk.js';
export { BAR_DURATION_MS, ReplayFeed, type ReplayOptions } from './replay.js';
export { ScriptedFeed, type ScriptedLevel, type ScriptedMarket, type ScriptedOptions } from './scripted.js';

export type FeedKind = MarketFeed['kind'];

export interface FeedOptionsByKind {
  readonly random: RandomWalkOptions;
  readonly replay: ReplayOptions;
  readonly scripted: ScriptedOptions;
}

export interface FeedByKind {
  readonly random: RandomWalkFeed;
  readonly replay: ReplayFeed;
  readonly scripted: ScriptedFeed;
}

const FACTORIES: { readonly [K in FeedKind]: (options: FeedOptionsByKind[K]) => FeedByKind[K] } = {
  random: (options) => new RandomWalkFeed(options),
  replay: (options) => new ReplayFeed(options),
  scripted: (options) => new ScriptedFeed(options),
};

/** Builds the market-data source of a paper venue. */
export function createFeed<K extends FeedKind>(kind: K, options: FeedOptionsByKind[K]): FeedByKind[K] {
  return FACTORIES[kind](options);
}
