/**
 * Runs tasks one at a time per key, in arrival order; different keys run concurrently. Used so that
 * one order's events are applied in order even when the venue streams them quickly.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every task queued under `key` so far has finished. */
  async drain(key: string): Promise<void> {
    await this.tails.get(key);
  }

  /** Resolves once no task is queued under any key (tasks queued meanwhile included). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
