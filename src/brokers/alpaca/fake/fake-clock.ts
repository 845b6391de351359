import { performance } from 'node:perf_hooks';
import { type Clock, SimulatedClock } from '../../../domain/clock.js';

/**
 * Thursday 2026-03-05 15:00Z = 10:00 New York, a regular US equity session: the fake starts there
 * so that equities trade whatever the wall-clock time is where it runs.
 */
export const FAKE_START = Date.UTC(2026, 2, 5, 15, 0);

export interface FakeClockOptions {
  /** Venue time at start (epoch ms); default {@link FAKE_START}. */
  readonly start?: number;
  /** A monotonic real-time source in ms; default `performance.now`. Injected by tests. */
  readonly realNow?: () => number;
}

/**
 * The fake's time: a SimulatedClock that follows real elapsed time from its start instant, plus
 * whatever `advance` added. It moves only on `sync` (each request, a periodic tick, `advance`),
 * never inside `now()`: the paper venue reads `now()` in the middle of a command, and firing its
 * timers (expiries) there would re-enter it.
 */
export class FakeClock implements Clock {
  private readonly simulated: SimulatedClock;
  private readonly realNow: () => number;
  private readonly realStart: number;
  private readonly start: number;
  private offset = 0;

  constructor(options: FakeClockOptions = {}) {
    this.start = options.start ?? FAKE_START;
    this.simulated = new SimulatedClock(this.start);
    this.realNow = options.realNow ?? (() => performance.now());
    this.realStart = this.realNow();
  }

  now(): number {
    return this.simulated.now();
  }

  schedule(at: number, fn: () => void): () => void {
    return this.simulated.schedule(at, fn);
  }

  /** Catches up with real time, firing the venue's timers that fall due on the way. */
  sync(): void {
    const target = this.start + Math.floor(this.realNow() - this.realStart) + this.offset;
    if (target > this.simulated.now()) this.simulated.advanceTo(target);
  }

  /** Jumps `ms` ahead of real time (e.g. to the close, to expire day orders). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance takes a non-negative number of ms.');
    this.offset += ms;
    this.sync();
  }
}
