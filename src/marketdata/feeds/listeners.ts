import type { MarketListener, MarketUpdate } from '../types.js';

/**
 * The subscriber list every feed shares. Every listener hears every update, even when an earlier one
 * throws; the failures are rethrown afterwards so that a broken subscriber is a loud bug, not a silent
 * gap in another subscriber's data.
 */
export class FeedListeners {
  private listeners: MarketListener[] = [];

  subscribe(listener: MarketListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(updates: readonly MarketUpdate[]): void {
    const errors: unknown[] = [];
    for (const update of updates) {
      for (const listener of this.listeners) {
        try {
          listener(update);
        } catch (error) {
          errors.push(error);
        }
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} market-data listeners failed.`);
  }
}
