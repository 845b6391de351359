/** Time as a port (STYLE.md habit 8): paper, tests and live share code because time is injected. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once when the clock reaches `at` (epoch ms). Returns a function that cancels it. */
  schedule(at: number, fn: () => void): () => void;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to. `advanceTo` runs every timer due on the way, in time order
 * (ties in scheduling order), with `now()` reading each timer's own time while it runs.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 5, 14, 30)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  schedule(at: number, fn: () => void): () => void {
    const timer: Timer = { at, seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves forward (never backward) to `to`, firing due timers. */
  advanceTo(to: number | Date): void {
    const target = typeof to === 'number' ? to : to.getTime();
    if (target < this.current) throw new RangeError('A simulated clock never moves backward.');
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = target;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private nextDue(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.at <= limit && (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)))
        best = t;
    }
    return best;
  }
}
