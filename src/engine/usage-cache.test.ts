import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import type { OpenOrderGroup } from '../risk/usage-book.js';
import type { OrderUsage, UsageWindow } from './risk-ports.js';
import { type CacheUpdate, UsageCache } from './usage-cache.js';

const T = 1_000_000;
const windowAt = (now: number, dayStarts?: ReadonlyMap<string, number>): UsageWindow => ({
  secondAgo: now - 1_000,
  minuteAgo: now - 60_000,
  ...(dayStarts === undefined ? {} : { dayStarts }),
});

const group = (count: number, leaves: string, notional: string, bestLimit?: string): OpenOrderGroup => ({
  accountId: 'a1',
  agentId: 'g1',
  symbol: 'AAPL',
  side: 'buy',
  count,
  leaves: dec(leaves),
  notional: dec(notional),
  limitOrders: bestLimit === undefined ? 0 : count,
  ...(bestLimit === undefined ? {} : { bestLimit: dec(bestLimit) }),
});

const usage = (parts: Partial<OrderUsage> = {}): OrderUsage => ({
  groups: [],
  activity: [],
  priceless: 0,
  ...parts,
});

const activity = (lastSecond: number, lastMinute: number, latestAt: number, daily = '0') => ({
  agentId: 'g1',
  accountId: 'a1',
  lastSecond,
  lastMinute,
  latestAt,
  dailyNotional: dec(daily),
});

/** A cache loaded by an admission at epoch 5, time T, with one group and activity. */
function loaded(dayStarts?: ReadonlyMap<string, number>): UsageCache {
  const cache = new UsageCache(5_000, 60_000);
  cache.apply({
    generation: cache.token(),
    epoch: 5n,
    now: T,
    window: windowAt(T, dayStarts),
    read: usage({ groups: [group(2, '20', '2000', '99')], activity: [activity(2, 2, T - 10, '2000')] }),
    added: usage(),
  });
  return cache;
}

/** An admission at `epoch` and `now` that used the cache and added `added`. */
function admitted(
  cache: UsageCache,
  epoch: bigint,
  now: number,
  added: OrderUsage,
  dayStarts?: ReadonlyMap<string, number>,
): void {
  cache.apply({ generation: cache.token(), epoch, now, window: windowAt(now, dayStarts), added });
}

const summary = (u: OrderUsage | undefined) =>
  u === undefined
    ? undefined
    : {
        groups: u.groups.map((g) => [
          g.count,
          g.leaves.toFixed(),
          g.notional.toFixed(),
          g.bestLimit?.toFixed(),
        ]),
        activity: u.activity.map((a) => [a.lastSecond, a.lastMinute, a.dailyNotional.toFixed()]),
      };

describe('UsageCache', () => {
  it('is used only by the admission right after its own last one (epoch one past)', () => {
    const cache = loaded();
    expect(cache.usage(7n, windowAt(T + 1), T + 1)).toBeUndefined(); // another write came between
    expect(cache.usage(5n, windowAt(T + 1), T + 1)).toBeUndefined();
    expect(summary(cache.usage(6n, windowAt(T + 1), T + 1))).toEqual({
      groups: [[2, '20', '2000', '99']],
      activity: [[2, 2, '0']],
    });
  });

  it("adds an admission's orders to the groups and the rate windows", () => {
    const cache = loaded();
    admitted(
      cache,
      6n,
      T + 100,
      usage({ groups: [group(1, '5', '505', '101')], activity: [activity(1, 1, T + 100)] }),
    );
    expect(summary(cache.usage(7n, windowAt(T + 200), T + 200))).toEqual({
      groups: [[3, '25', '2505', '101']],
      activity: [[3, 3, '0']],
    });
  });

  it('drops orders from the second window after their latest is a second old, and from the minute after a minute', () => {
    const cache = loaded();
    // The read's latest order was created at T - 10: it leaves the second window at T + 990.
    expect(summary(cache.usage(6n, windowAt(T + 989), T + 989))?.activity).toEqual([[2, 2, '0']]);
    const later = loaded();
    expect(summary(later.usage(6n, windowAt(T + 990), T + 990))?.activity).toEqual([[0, 2, '0']]);
    const muchLater = new UsageCache(120_000);
    muchLater.apply({
      generation: muchLater.token(),
      epoch: 5n,
      now: T,
      window: windowAt(T),
      read: usage({ activity: [activity(2, 2, T - 10)] }),
      added: usage(),
    });
    expect(summary(muchLater.usage(6n, windowAt(T + 59_990), T + 59_990))?.activity).toEqual([]);
  });

  it('counts the windows over thousands of admissions as a full recount would', () => {
    // Usage read at T, kept for ten minutes: the run takes about two.
    const cache = new UsageCache(5_000, 600_000);
    cache.apply({
      generation: cache.token(),
      epoch: 5n,
      now: T,
      window: windowAt(T),
      read: usage({ activity: [activity(2, 2, T - 10)] }),
      added: usage(),
    });
    // Every entry counted so far, as (latest order's time, count): the read's, then each admission's.
    const counted: [number, number][] = [[T - 10, 2]];
    let now = T;
    for (let i = 0; i < 3_000; i++) {
      // Bursts and pauses: 1 to 40 ms apart, with a 2.5 s gap every 500 and a 70 s one at 2,000.
      now += i === 2_000 ? 70_000 : i % 500 === 0 ? 2_500 : 1 + ((i * 7919) % 40);
      const epoch = 6n + BigInt(i);
      const seen = cache.usage(epoch, windowAt(now), now);
      const second = counted.filter(([at]) => at > now - 1_000).reduce((sum, [, n]) => sum + n, 0);
      const minute = counted.filter(([at]) => at > now - 60_000).reduce((sum, [, n]) => sum + n, 0);
      expect(summary(seen)?.activity, `admission ${String(i)}`).toEqual(
        minute === 0 ? [] : [[second, minute, '0']],
      );
      const orders = 1 + (i % 3);
      admitted(cache, epoch, now, usage({ activity: [activity(orders, orders, now)] }));
      counted.push([now, orders]);
    }
  });

  it('keeps an admission whose latest order is older than one counted before as long as that one (errs high)', () => {
    const cache = loaded(); // 2 orders, the latest at T - 10
    admitted(cache, 6n, T + 500, usage({ activity: [activity(1, 1, T + 500)] }));
    admitted(cache, 7n, T + 600, usage({ activity: [activity(1, 1, T - 500)] }));
    // The last one's own latest order left the second window at T + 500; it stays with T + 500's.
    expect(summary(cache.usage(8n, windowAt(T + 1_499), T + 1_499))?.activity).toEqual([[2, 4, '0']]);
    expect(summary(cache.usage(8n, windowAt(T + 1_500), T + 1_500))?.activity).toEqual([[0, 4, '0']]);
  });

  it('is read afresh when asked for a window earlier than one it has slid past', () => {
    const cache = loaded();
    expect(cache.usage(6n, windowAt(T + 2_000), T + 2_000)).toBeDefined();
    // The entries that left the second window are gone from its count; an earlier window would need them.
    expect(cache.usage(6n, windowAt(T + 500), T + 500)).toBeUndefined();
    expect(cache.usage(6n, windowAt(T + 2_000), T + 2_000)).toBeDefined();
  });

  it('is due for a snapshot after refreshAfterMs, and read afresh after maxAgeMs', () => {
    const cache = loaded();
    expect(cache.refreshDue(T + 4_999)).toBe(false);
    expect(cache.refreshDue(T + 5_000)).toBe(true);
    expect(cache.usage(6n, windowAt(T + 59_999), T + 59_999)).toBeDefined();
    expect(loaded().usage(6n, windowAt(T + 60_000), T + 60_000)).toBeUndefined();
    expect(new UsageCache().refreshDue(T)).toBe(false); // nothing kept: nothing to refresh
  });

  it('a snapshot replaces the groups of the admissions up to its epoch; later ones stay apart', () => {
    const cache = loaded();
    cache.apply({
      ...update(cache, 6n, T + 1),
      added: usage({ groups: [group(1, '1', '100')] }),
      addedIds: ['o1'],
    });
    cache.apply({
      ...update(cache, 7n, T + 2),
      added: usage({ groups: [group(1, '2', '200')] }),
      addedIds: ['o2'],
    });
    const groups = () => summary(cache.usage(8n, windowAt(T + 5_001), T + 5_001))?.groups;
    expect(groups()).toEqual([[4, '23', '2300', '99']]);

    // Taken at epoch 6: the read's two orders have ended since, o1 is open, o2 came after it.
    const token = cache.token();
    expect(cache.refreshed(token, { epoch: 6n, groups: [group(1, '1', '100')] }, T + 5_000)).toBe(true);
    expect(groups()).toEqual([[2, '3', '300', undefined]]);
    expect(cache.refreshDue(T + 9_999)).toBe(false);
    cache.ended('o1'); // in the snapshot now: its end is no longer tracked
    expect(groups()).toEqual([[2, '3', '300', undefined]]);
    cache.ended('o2');
    expect(groups()).toEqual([[1, '1', '100', undefined]]);
  });

  it('a snapshot is not used when older than the kept groups, newer than the cache, or begun before an invalidation', () => {
    const cache = loaded();
    const kept = () => summary(cache.usage(6n, windowAt(T + 1), T + 1))?.groups;
    expect(cache.refreshed(cache.token(), { epoch: 4n, groups: [] }, T + 5_000)).toBe(false);
    // Epoch 6 is an admission this cache has not seen (another process's): the next one reads afresh.
    expect(cache.refreshed(cache.token(), { epoch: 6n, groups: [] }, T + 5_000)).toBe(false);
    expect(kept()).toEqual([[2, '20', '2000', '99']]);
    const token = cache.token();
    cache.invalidate();
    cache.apply({ ...update(cache, 5n, T), read: usage({ groups: [group(1, '1', '100')] }) });
    expect(cache.refreshed(token, { epoch: 5n, groups: [] }, T + 5_000)).toBe(false);
    expect(kept()).toEqual([[1, '1', '100', undefined]]);
    expect(cache.refreshed(cache.token(), { epoch: 5n, groups: [] }, T + 5_000)).toBe(true);
    expect(kept()).toEqual([]);
  });

  it('is read afresh when the clock goes back, or after an invalidation', () => {
    expect(loaded().usage(6n, windowAt(T - 1), T - 1)).toBeUndefined();
    const cache = loaded();
    cache.invalidate();
    expect(cache.usage(6n, windowAt(T + 1), T + 1)).toBeUndefined();
  });

  it('ignores an update taken before an invalidation (a raise committed during the admission)', () => {
    const cache = loaded();
    const token = cache.token();
    cache.invalidate();
    const update: CacheUpdate = {
      generation: token,
      epoch: 6n,
      now: T + 1,
      window: windowAt(T + 1),
      read: usage({ groups: [group(1, '1', '1')] }),
      added: usage(),
    };
    cache.apply(update);
    expect(cache.usage(7n, windowAt(T + 2), T + 2)).toBeUndefined();
  });

  it('keeps nothing while an open order has no price of its own', () => {
    const cache = new UsageCache();
    cache.apply({
      generation: cache.token(),
      epoch: 1n,
      now: T,
      window: windowAt(T),
      read: usage({ priceless: 1 }),
      added: usage(),
    });
    expect(cache.usage(2n, windowAt(T + 1), T + 1)).toBeUndefined();
    const warm = loaded();
    admitted(warm, 6n, T + 1, usage({ priceless: 1 }));
    expect(warm.usage(7n, windowAt(T + 2), T + 2)).toBeUndefined();
  });

  it("serves the day's notional only for the day starts it was read for", () => {
    const day = new Map([['a1', T - 3_600_000]]);
    const cache = loaded(day);
    admitted(cache, 6n, T + 1, usage({ activity: [activity(1, 1, T + 1, '500')] }), day);
    expect(summary(cache.usage(7n, windowAt(T + 2, day), T + 2))?.activity).toEqual([[3, 3, '2500']]);
    // A new day (another day start): read afresh.
    expect(cache.usage(7n, windowAt(T + 2, new Map([['a1', T]])), T + 2)).toBeUndefined();
    // Not read for the day starts: a window that needs them reads afresh.
    expect(loaded().usage(6n, windowAt(T + 1, day), T + 1)).toBeUndefined();
  });

  it("forgets the day's notional once an admission added orders without reading theirs", () => {
    const day = new Map([['a1', T - 3_600_000]]);
    const cache = loaded(day);
    admitted(cache, 6n, T + 1, usage({ activity: [activity(1, 1, T + 1)] }));
    expect(cache.usage(7n, windowAt(T + 2, day), T + 2)).toBeUndefined();
    expect(summary(cache.usage(7n, windowAt(T + 2), T + 2))?.activity).toEqual([[3, 3, '0']]);
  });

  it("drops an admission's open orders once every one of them has ended, and only then", () => {
    const cache = loaded();
    const added = usage({ groups: [group(2, '10', '1000', '100')], activity: [activity(2, 2, T + 1)] });
    cache.apply({ ...update(cache, 6n, T + 1), added, addedIds: ['o1', 'o2'] });
    const groups = (epoch: bigint) => summary(cache.usage(epoch, windowAt(T + 2), T + 2))?.groups;
    expect(groups(7n)).toEqual([[4, '30', '3000', '100']]);
    cache.ended('o1');
    cache.ended('unknown');
    expect(groups(7n)).toEqual([[4, '30', '3000', '100']]);
    cache.ended('o2');
    // The read's groups stay (they only err high); the orders stay counted in the rate windows.
    expect(summary(cache.usage(7n, windowAt(T + 2), T + 2))).toEqual({
      groups: [[2, '20', '2000', '99']],
      activity: [[4, 4, '0']],
    });
  });

  it('keeps at most 64 admissions apart: the oldest is then counted for good', () => {
    const cache = loaded();
    for (let i = 0; i < 65; i++) {
      const added = usage({ groups: [group(1, '1', '100')] });
      cache.apply({ ...update(cache, 6n + BigInt(i), T + 1), added, addedIds: [`o${String(i)}`] });
    }
    for (let i = 0; i < 65; i++) cache.ended(`o${String(i)}`);
    // o0's admission was folded into the groups when the 65th came: its end no longer drops it.
    expect(summary(cache.usage(71n, windowAt(T + 2), T + 2))?.groups).toEqual([[3, '21', '2100', '99']]);
  });
});

/** An admission at `epoch` and `now` that used the cache and added nothing yet. */
function update(cache: UsageCache, epoch: bigint, now: number): CacheUpdate {
  return { generation: cache.token(), epoch, now, window: windowAt(now), added: usage() };
}
