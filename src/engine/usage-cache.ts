import { type Decimal, ZERO } from '../domain/decimal.js';
import { type AgentActivity, type OpenOrderGroup, combineGroups } from '../risk/usage-book.js';
import type { OpenOrderSnapshot, OrderUsage, UsageWindow } from './risk-ports.js';

/**
 * One agent's orders in one account in the rate windows: each admission's counts (and each fresh
 * read's) under the time of its latest order, oldest first, with running sums. An admission asks
 * at every order, so the sums follow the windows as they slide instead of adding every entry of
 * the last minute again (at thousands of orders a second, that was the admission's largest cost).
 */
class RateWindow {
  private readonly entries: { readonly at: number; readonly second: number; readonly minute: number }[] = [];
  /** The first entry inside the minute window, and inside the second window (never before it). */
  private minuteHead = 0;
  private secondHead = 0;
  lastSecond = 0;
  lastMinute = 0;

  constructor(
    readonly agentId: string,
    readonly accountId: string,
  ) {}

  /**
   * Counts orders whose latest was created at `at`. One older than the latest counted is kept as
   * long as that one (entries stay in time order): it can only err high, never let an order through.
   */
  add(at: number, lastSecond: number, lastMinute: number): void {
    const latest = this.entries.at(-1)?.at ?? at;
    this.entries.push({ at: Math.max(at, latest), second: lastSecond, minute: lastMinute });
    this.lastSecond += lastSecond;
    this.lastMinute += lastMinute;
  }

  /** Drops what left the windows; the windows only move forward (UsageCache.usage checks). */
  slide(window: UsageWindow): void {
    const entries = this.entries;
    for (; this.secondHead < entries.length; this.secondHead++) {
      const e = entries[this.secondHead];
      if (e === undefined || e.at > window.secondAgo) break;
      this.lastSecond -= e.second;
    }
    for (; this.minuteHead < entries.length; this.minuteHead++) {
      const e = entries[this.minuteHead];
      if (e === undefined || e.at > window.minuteAgo) break;
      this.lastMinute -= e.minute;
    }
    // The minute window starts no later than the second's, so both heads stay valid after a trim.
    if (this.minuteHead >= 1_024 && this.minuteHead * 2 >= entries.length) {
      entries.splice(0, this.minuteHead);
      this.secondHead -= this.minuteHead;
      this.minuteHead = 0;
    }
  }

  /** Whether any entry is still inside the minute window. */
  get live(): boolean {
    return this.minuteHead < this.entries.length;
  }
}

interface Cached {
  /** The epoch of the admission whose usage is counted last. */
  epoch: bigint;
  /** When the open-order groups were last read (by an admission or a snapshot). */
  readAt: number;
  /** The `now` of the latest admission counted: a clock going back means reading again. */
  lastNow: number;
  /** Open-order groups read afresh, plus the admissions' that can no longer be dropped. */
  groups: Map<string, OpenOrderGroup>;
  /** The latest admission epoch whose usage `groups` may hold: a snapshot older than it is not used. */
  groupsEpoch: bigint;
  /** Admissions' open-order groups, kept apart until every order of the admission has ended. */
  readonly batches: Map<number, Batch>;
  /** The batch of each order still open in one. */
  readonly batchOf: Map<string, number>;
  nextBatch: number;
  /** The rate windows by agent and account. */
  readonly rates: Map<string, RateWindow>;
  /** The latest window the rates slid to: an admission asking for an earlier one reads afresh. */
  slidTo: UsageWindow | undefined;
  /** Accepted notional per agent and account since the day starts below; absent when not read. */
  daily: Map<string, Decimal> | undefined;
  readonly dayStarts: ReadonlyMap<string, number> | undefined;
}

/** The open-order usage one admission added, and which of its orders are still open. */
interface Batch {
  /** The admission's epoch. */
  readonly epoch: bigint;
  readonly groups: readonly OpenOrderGroup[];
  readonly open: Set<string>;
}

/**
 * Admissions kept apart at most: past this, the oldest is merged into the groups for good (it can
 * then only err high). Bounds the work of combining them at each admission.
 */
const MAX_BATCHES = 64;

/** What one admission read and added, applied to the cache once its transaction has committed. */
export interface CacheUpdate {
  readonly generation: number;
  readonly epoch: bigint;
  readonly now: number;
  readonly window: UsageWindow;
  /** Usage read afresh by the admission (else it used the cache). */
  readonly read?: OrderUsage;
  /** The usage of the orders the admission created. */
  readonly added: OrderUsage;
  /** Those orders' ids, when `added` is theirs alone (else its groups are kept for good). */
  readonly addedIds?: readonly string[];
}

/**
 * The open-order and activity usage of every process's orders, kept in memory between admissions
 * so that an admission does not scan the open orders and the last minute's orders each time.
 *
 * It is valid while nothing but this process's admissions raised usage: each admission advances
 * the database's usage epoch under the risk lock, and so does every write that may raise usage
 * outside an admission (RiskStore.advanceEpoch); an admission whose epoch is not one past the
 * cached one reads usage afresh. What lowers usage (fills, cancels, expiries, rejections, in any
 * process) is not tracked, with one exception: the open orders an admission of this process
 * added are kept apart and dropped once every one of them has ended here (`ended`: filled,
 * canceled, expired, rejected), since an ended order counts for nothing. Otherwise the cache only
 * errs high, and an admission that would deny an order on cached usage reads it afresh and
 * decides again, so no order is denied on stale usage.
 *
 * What errs high is corrected every `refreshAfterMs` off the admission path: the risk engine reads
 * the open orders and the epoch from one snapshot without the risk lock (`refreshDue`,
 * `refreshed`), and the snapshot replaces the groups of the admissions it holds. Usage is read
 * afresh under the lock when the groups are older than `maxAgeMs` (the refreshes failed), and
 * whenever an open order has no price of its own (its notional moves with each fill).
 */
export class UsageCache {
  private cached: Cached | undefined;
  private generation = 0;

  constructor(
    private readonly refreshAfterMs = 5_000,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** Whether the kept groups are old enough for a snapshot to replace them. */
  refreshDue(now: number): boolean {
    return this.cached !== undefined && now - this.cached.readAt >= this.refreshAfterMs;
  }

  /**
   * Replaces the kept open-order groups with a snapshot's (RiskStore.openOrderSnapshot), begun
   * when `token` was current: the admissions up to its epoch are in it, later ones stay kept apart.
   * Not used when the cache changed generation since, when its groups are newer than the snapshot,
   * or when the snapshot holds admissions this cache has not seen (the next admission reads afresh).
   * Answers whether it was used.
   */
  refreshed(token: number, snapshot: OpenOrderSnapshot, now: number): boolean {
    const c = this.cached;
    if (c === undefined || token !== this.generation) return false;
    if (snapshot.epoch < c.groupsEpoch || snapshot.epoch > c.epoch) return false;
    c.groups = new Map();
    addGroups(c.groups, snapshot.groups);
    c.groupsEpoch = snapshot.epoch;
    for (const [id, batch] of c.batches) {
      if (batch.epoch > snapshot.epoch) continue;
      c.batches.delete(id);
      for (const orderId of batch.open) c.batchOf.delete(orderId);
    }
    c.readAt = Math.max(c.readAt, now);
    return true;
  }

  /** Drops the cache: the next admission reads usage afresh. */
  invalidate(): void {
    this.cached = undefined;
    this.generation++;
  }

  /**
   * An order left the open statuses (this process applied its last fill, its cancel, expiry or
   * rejection): once every order of its admission has, that admission's usage is dropped.
   */
  ended(orderId: string): void {
    const c = this.cached;
    const id = c?.batchOf.get(orderId);
    if (c === undefined || id === undefined) return;
    c.batchOf.delete(orderId);
    const batch = c.batches.get(id);
    batch?.open.delete(orderId);
    if (batch?.open.size === 0) c.batches.delete(id);
  }

  /** A token for an admission's start: an update carrying an older one is not applied. */
  token(): number {
    return this.generation;
  }

  /** The cached usage in this window for an admission at `epoch`, or undefined to read it. */
  usage(epoch: bigint, window: UsageWindow, now: number): OrderUsage | undefined {
    const c = this.cached;
    if (c === undefined || epoch !== c.epoch + 1n) return undefined;
    if (now < c.lastNow || now - c.readAt >= this.maxAgeMs) return undefined;
    const wantsDaily = window.dayStarts !== undefined && window.dayStarts.size > 0;
    if (wantsDaily && (c.daily === undefined || !sameStarts(c.dayStarts, window.dayStarts))) return undefined;
    if (
      c.slidTo !== undefined &&
      (window.secondAgo < c.slidTo.secondAgo || window.minuteAgo < c.slidTo.minuteAgo)
    )
      return undefined;
    c.slidTo = window;
    for (const [key, rate] of c.rates) {
      rate.slide(window);
      if (!rate.live) c.rates.delete(key);
    }
    const rows: AgentActivity[] = [...c.rates].map(([key, rate]) => ({
      agentId: rate.agentId,
      accountId: rate.accountId,
      lastSecond: rate.lastSecond,
      lastMinute: rate.lastMinute,
      dailyNotional: (wantsDaily ? c.daily?.get(key) : undefined) ?? ZERO,
    }));
    if (wantsDaily && c.daily !== undefined) {
      for (const [key, notional] of c.daily) {
        if (c.rates.has(key)) continue;
        const [agentId = '', accountId = ''] = key.split('\u0000');
        rows.push({ agentId, accountId, lastSecond: 0, lastMinute: 0, dailyNotional: notional });
      }
    }
    return { groups: openGroups(c), activity: rows, priceless: 0 };
  }

  /** Applies a committed admission: its fresh read (if any) and what it added. */
  apply(update: CacheUpdate): void {
    if (update.generation !== this.generation) return;
    if ((update.read?.priceless ?? 0) > 0 || update.added.priceless > 0) {
      this.invalidate();
      return;
    }
    if (update.read !== undefined) {
      const dayStarts =
        update.window.dayStarts !== undefined && update.window.dayStarts.size > 0
          ? update.window.dayStarts
          : undefined;
      this.cached = {
        epoch: update.epoch,
        readAt: update.now,
        lastNow: update.now,
        groups: new Map(),
        groupsEpoch: update.epoch,
        batches: new Map(),
        batchOf: new Map(),
        nextBatch: 0,
        rates: new Map(),
        slidTo: undefined,
        daily: dayStarts === undefined ? undefined : new Map(),
        dayStarts,
      };
      this.add(this.cached, update.read, update.epoch);
    }
    const c = this.cached;
    if (c === undefined || (update.read === undefined && update.epoch !== c.epoch + 1n)) {
      this.invalidate();
      return;
    }
    // Daily notional is kept only while every admission reads what it added for the same day starts.
    if (c.daily !== undefined && !sameStarts(c.dayStarts, update.window.dayStarts)) c.daily = undefined;
    this.add(c, update.added, update.epoch, update.addedIds);
    c.epoch = update.epoch;
    c.lastNow = update.now;
  }

  private add(c: Cached, usage: OrderUsage, epoch: bigint, ids?: readonly string[]): void {
    if (ids !== undefined && ids.length > 0 && usage.groups.length > 0) {
      const id = c.nextBatch++;
      c.batches.set(id, { epoch, groups: usage.groups, open: new Set(ids) });
      for (const orderId of ids) c.batchOf.set(orderId, id);
      if (c.batches.size > MAX_BATCHES) foldOldest(c);
    } else if (usage.groups.length > 0) {
      addGroups(c.groups, usage.groups);
      if (epoch > c.groupsEpoch) c.groupsEpoch = epoch;
    }
    for (const a of usage.activity) {
      const key = `${a.agentId}\u0000${a.accountId}`;
      if (a.latestAt !== undefined && a.lastMinute > 0) {
        let rate = c.rates.get(key);
        if (rate === undefined) {
          rate = new RateWindow(a.agentId, a.accountId);
          c.rates.set(key, rate);
        }
        rate.add(a.latestAt, a.lastSecond, a.lastMinute);
      }
      if (c.daily !== undefined) c.daily.set(key, (c.daily.get(key) ?? ZERO).plus(a.dailyNotional));
    }
  }
}

function addGroups(into: Map<string, OpenOrderGroup>, groups: readonly OpenOrderGroup[]): void {
  for (const g of groups) {
    const key = [g.accountId, g.agentId, g.symbol, g.side].join('\u0000');
    const known = into.get(key);
    into.set(key, known === undefined ? g : combineGroups(known, g));
  }
}

/** The groups read afresh combined with every admission's still kept apart. */
function openGroups(c: Cached): OpenOrderGroup[] {
  if (c.batches.size === 0) return [...c.groups.values()];
  const all = new Map(c.groups);
  for (const batch of c.batches.values()) addGroups(all, batch.groups);
  return [...all.values()];
}

/** Merges the oldest admission kept apart into the groups: it is no longer dropped when it ends. */
function foldOldest(c: Cached): void {
  const [id, batch] = c.batches.entries().next().value ?? [];
  if (id === undefined || batch === undefined) return;
  c.batches.delete(id);
  for (const orderId of batch.open) c.batchOf.delete(orderId);
  addGroups(c.groups, batch.groups);
  if (batch.epoch > c.groupsEpoch) c.groupsEpoch = batch.epoch;
}

function sameStarts(
  a: ReadonlyMap<string, number> | undefined,
  b: ReadonlyMap<string, number> | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
