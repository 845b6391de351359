import type { Account } from '../../domain/account.js';
import type { Fill } from '../../domain/events.js';
import type { Position } from '../../domain/position.js';
import type { EngineCounters } from './matching-engine.js';
import type { WorkingSnapshot } from './working-order.js';

/** A paper venue's saved state, or one batch of changes to it. */
export interface PaperSnapshot {
  readonly instanceId: string;
  readonly counters: EngineCounters;
  readonly orders: readonly WorkingSnapshot[];
  readonly accounts: readonly Account[];
  readonly positions: readonly Position[];
  readonly fills: readonly Fill[];
}

/**
 * Where a paper venue keeps its state, so that a restart resumes its book, resting orders and
 * ledger (the venue is a separate system in spirit: it must outlive the engine's crashes).
 */
export interface PaperStateStore {
  load(venue: string): Promise<PaperSnapshot | undefined>;
  /** Saves one batch atomically: orders and positions upserted, accounts replaced, fills added once. */
  save(venue: string, batch: PaperSnapshot): Promise<void>;
}
