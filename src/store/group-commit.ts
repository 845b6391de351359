export interface GroupCommitOptions<I> {
  /** Most items written by one statement. */
  readonly maxBatch?: number;
  /** Batches written at the same time (one per connection; PGlite has one). */
  readonly maxInFlight?: number;
  /**
   * Items with the same key are never written together, in one batch or in two at once (a
   * statement can change a row once); a later one waits for the next batch, in arrival order.
   */
  readonly keyOf?: (item: I) => string;
  /**
   * A batch is started as soon as this many items wait (and a writer is free), without waiting for
   * the end of the turn: under a burst the database starts on the first items while the process is
   * still preparing the rest, instead of the two taking turns. Default: maxBatch.
   */
  readonly startAt?: number;
}

/**
 * Group commit: writes that arrive while a batch is being committed are gathered and committed
 * together by the next one, so a burst costs one statement and one commit instead of one each.
 * An idle writer adds no delay: the first item starts a batch at once (after the current
 * microtasks, so items queued in the same turn share it). Each item's promise settles with its
 * batch: its own result, or the batch's error.
 */
export class GroupCommit<I, R> {
  private readonly queue: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;
  /** Keys of the items being written now. */
  private readonly writing = new Set<string>();
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly startAt: number;

  constructor(
    private readonly write: (items: readonly I[]) => Promise<readonly R[]>,
    private readonly options: GroupCommitOptions<I> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.startAt = Math.min(options.startAt ?? this.maxBatch, this.maxBatch);
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.startAt && this.inFlight < this.maxInFlight) {
        this.pump();
        return;
      }
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return; // every queued key is being written: the next commit pumps
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The next batch: oldest first, one item per key and none whose key is being written, at most maxBatch. */
  private take(): typeof this.queue {
    const keyOf = this.options.keyOf;
    if (keyOf === undefined) return this.queue.splice(0, this.maxBatch);
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    for (const entry of this.queue) {
      const key = keyOf(entry.item);
      if (batch.length < this.maxBatch && !this.writing.has(key)) {
        this.writing.add(key);
        batch.push(entry);
      } else {
        rest.push(entry);
      }
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return batch;
  }

  private async commit(batch: typeof this.queue): Promise<void> {
    const keyOf = this.options.keyOf;
    try {
      const results = await this.write(batch.map((e) => e.item));
      if (results.length !== batch.length)
        throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      batch.forEach((entry, i) => {
        entry.resolve(results[i] as R);
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      if (keyOf !== undefined) for (const entry of batch) this.writing.delete(keyOf(entry.item));
    }
  }
}
