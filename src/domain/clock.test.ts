/**
 * SimulatedClock: time moves only when told, due timers fire in time order (ties in scheduling
 * order) with now() reading each timer's own time, and time never moves backward.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from './clock.js';

const T0 = Date.UTC(2026, 2, 5, 15, 0);

/** A clock and a log of `name@now()` entries written by the timers it fires. */
function setup(): { clock: SimulatedClock; log: string[]; at: (ms: number, name: string) => () => void } {
  const clock = new SimulatedClock(T0);
  const log: string[] = [];
  const at = (ms: number, name: string): (() => void) =>
    clock.schedule(T0 + ms, () => {
      log.push(`${name}@${clock.now() - T0}`);
    });
  return { clock, log, at };
}

describe('SimulatedClock', () => {
  it('starts where it is told and stays there until advanced', () => {
    expect(new SimulatedClock(T0).now()).toBe(T0);
    expect(new SimulatedClock(new Date(T0 + 5)).now()).toBe(T0 + 5);
    const { clock, log, at } = setup();
    at(10, 'a');
    expect(clock.now()).toBe(T0);
    expect(log).toEqual([]);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('fires due timers in time order, whatever order they were scheduled in', () => {
    const { clock, log, at } = setup();
    at(30, 'c');
    at(10, 'a');
    at(20, 'b');
    at(40, 'd');
    clock.advanceTo(T0 + 30);
    expect(log).toEqual(['a@10', 'b@20', 'c@30']);
    expect(clock.now()).toBe(T0 + 30);
    expect(clock.pendingTimers()).toBe(1);
    clock.advanceBy(15);
    expect(log).toEqual(['a@10', 'b@20', 'c@30', 'd@40']);
    expect(clock.now()).toBe(T0 + 45);
  });

  it('fires timers due at the same time in the order they were scheduled', () => {
    const { clock, log, at } = setup();
    at(10, 'p');
    at(5, 'x');
    at(10, 'q');
    at(5, 'y');
    clock.advanceTo(T0 + 10);
    expect(log).toEqual(['x@5', 'y@5', 'p@10', 'q@10']);
  });

  it('reads each timer’s own time inside it, not the advance target', () => {
    const clock = new SimulatedClock(T0);
    const seen: number[] = [];
    clock.schedule(T0 + 7, () => seen.push(clock.now()));
    clock.schedule(T0 + 900, () => seen.push(clock.now()));
    clock.advanceTo(T0 + 1000);
    expect(seen).toEqual([T0 + 7, T0 + 900]);
    expect(clock.now()).toBe(T0 + 1000);
  });

  it('fires a timer scheduled by a timer when it falls within the same advance', () => {
    const { clock, log, at } = setup();
    clock.schedule(T0 + 10, () => {
      log.push(`outer@${clock.now() - T0}`);
      at(10, 'same-time');
      at(25, 'later');
      at(60, 'beyond');
    });
    clock.advanceTo(T0 + 50);
    expect(log).toEqual(['outer@10', 'same-time@10', 'later@25']);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('cancels a timer before it fires, and a late cancel is harmless', () => {
    const { clock, log, at } = setup();
    const cancelA = at(10, 'a');
    const cancelB = at(10, 'b');
    at(10, 'c');
    cancelB();
    clock.advanceTo(T0 + 10);
    expect(log).toEqual(['a@10', 'c@10']);
    cancelA();
    cancelB();
    at(20, 'd');
    clock.advanceTo(T0 + 20);
    expect(log).toEqual(['a@10', 'c@10', 'd@20']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never moves backward: advancing to the past throws and changes nothing', () => {
    const { clock, log, at } = setup();
    clock.advanceTo(T0 + 100);
    at(150, 'a');
    expect(() => {
      clock.advanceTo(T0 + 99);
    }).toThrow(RangeError);
    expect(() => {
      clock.advanceBy(-1);
    }).toThrow(RangeError);
    expect(clock.now()).toBe(T0 + 100);
    expect(log).toEqual([]);
    clock.advanceTo(T0 + 100); // standing still is allowed
    expect(clock.now()).toBe(T0 + 100);
  });

  it('runs a timer scheduled in the past at the next advance without moving time back', () => {
    const { clock, log, at } = setup();
    clock.advanceTo(T0 + 100);
    at(40, 'overdue');
    clock.advanceTo(T0 + 100);
    expect(log).toEqual(['overdue@100']);
    expect(clock.now()).toBe(T0 + 100);
  });

  it('accepts a Date as the advance target', () => {
    const { clock, log, at } = setup();
    at(60_000, 'minute');
    clock.advanceTo(new Date(T0 + 60_000));
    expect(log).toEqual(['minute@60000']);
    expect(clock.now()).toBe(T0 + 60_000);
  });
});
