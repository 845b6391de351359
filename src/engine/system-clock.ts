import type { Clock } from '../domain/clock.js';

/** Wall-clock time; timers are unref'd so they never keep the process alive on their own. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(at: number, fn: () => void): () => void {
    const handle = setTimeout(fn, Math.max(0, at - Date.now()));
    handle.unref();
    return () => {
      clearTimeout(handle);
    };
  }
}
