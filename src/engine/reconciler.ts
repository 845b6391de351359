import { createHash } from 'node:crypto';
import type { Broker, VenueOrder, VenuePosition } from '../brokers/broker.js';
import type { Clock } from '../domain/clock.js';
import { type Decimal, ZERO } from '../domain/decimal.js';
import type { Fill } from '../domain/events.js';
import type { InstrumentRegistry } from '../domain/instruments.js';
import { type Order, isTerminal } from '../domain/order.js';
import { type Position, flatPosition } from '../domain/position.js';
import { type OrderService, isUnsent } from './order-service.js';
import type { OrderGlance, OrderStore, StoredOrder } from './ports.js';

export interface ReconcilerOptions {
  /** An order in flight longer than this is looked up at the venue (§8.2). */
  readonly inflightTimeoutMs: number;
  /** Lookups that find nothing before a pending_new order is inferred rejected (§8.2). */
  readonly inflightRetries: number;
  /** How far back the first reconciliation of an account looks (§8.3). */
  readonly lookbackMs: number;
}

export const DEFAULT_RECONCILER_OPTIONS: ReconcilerOptions = {
  inflightTimeoutMs: 5_000,
  inflightRetries: 3,
  lookbackMs: 24 * 60 * 60 * 1000,
};

export interface ReconcileReport {
  readonly venue: string;
  readonly accountId: string;
  readonly fillsApplied: number;
  readonly ordersAligned: number;
  readonly ordersImported: number;
  readonly ordersInferred: number;
  readonly positionsCorrected: number;
  /** Set when the venue could not be read: nothing was concluded from it (§8.3). */
  readonly failed?: string;
}

export interface ReconcilerDeps {
  readonly store: OrderStore;
  readonly service: OrderService;
  readonly brokers: readonly Broker[];
  readonly instruments: InstrumentRegistry;
  readonly clock: Clock;
  readonly options?: Partial<ReconcilerOptions>;
}

/**
 * Brings the engine's view in line with each venue's (ORDER-SEMANTICS.md §8): fills first
 * (deduplicated by fill id), then every order's status, then in-flight orders by client order id,
 * then positions (the venue is the source of truth; a correction is written to the audit log).
 * Every step is idempotent: running it twice changes nothing the second time.
 */
export class Reconciler {
  private readonly deps: ReconcilerDeps;
  private readonly options: ReconcilerOptions;
  /** Lookups that found nothing, per order id (§8.2 retries). */
  private readonly misses = new Map<string, number>();

  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
    this.options = { ...DEFAULT_RECONCILER_OPTIONS, ...deps.options };
  }

  /**
   * Reconciles every venue now and then every `intervalMs` on the clock, one pass at a time (the
   * next is scheduled when the last ends, so a slow venue never stacks passes). Each pass's reports
   * go to `onReport`; a pass that throws is reported to `onError` and the schedule goes on.
   * Returns a function that stops it and resolves once a pass under way has ended.
   */
  runEvery(
    intervalMs: number,
    handlers: {
      onReport?: (reports: ReconcileReport[]) => void;
      onError?: (error: unknown) => void;
    } = {},
  ): () => Promise<void> {
    let stopped = false;
    let cancel: (() => void) | undefined;
    let running: Promise<void> = Promise.resolve();
    const pass = (): void => {
      cancel = undefined;
      running = this.reconcileAll().then(
        (reports) => handlers.onReport?.(reports),
        (error: unknown) => handlers.onError?.(error),
      );
      void running.finally(() => {
        if (!stopped) cancel = this.deps.clock.schedule(this.deps.clock.now() + intervalMs, pass);
      });
    };
    pass();
    return async () => {
      stopped = true;
      cancel?.();
      await running;
    };
  }

  async reconcileAll(): Promise<ReconcileReport[]> {
    const reports: ReconcileReport[] = [];
    for (const broker of this.deps.brokers) {
      let accounts: string[];
      try {
        accounts = (await broker.accounts()).map((a) => a.accountId);
      } catch (error) {
        reports.push(failed(broker.venue, '*', error));
        continue;
      }
      for (const accountId of accounts) reports.push(await this.reconcileAccount(broker, accountId));
    }
    return reports;
  }

  async reconcileAccount(broker: Broker, accountId: string): Promise<ReconcileReport> {
    const startedAt = this.deps.clock.now();
    const since =
      (await this.deps.store.checkpoint(broker.venue, accountId)) ?? startedAt - this.options.lookbackMs;
    try {
      // The venue's orders are read before its fills: every fill an order's cumulative quantity
      // counts is then among the fills applied, and a gap is inferred only for fills the venue
      // does not list, never for one that happened while the pass was reading.
      const venueOrders = await this.venueOrders(broker, accountId, since);
      const fills = await broker.fillsSince(accountId, since);
      const fillsApplied = await this.applyFills(broker, accountId, fills);
      // One read for the account's open orders and the venue's: what the two steps below compare.
      const known = await this.deps.store.glances(accountId, [...venueOrders.keys()]);
      const seen = new Set<string>();
      const { aligned, imported } = await this.alignVenueOrders(accountId, venueOrders, known, seen);
      const inferred = await this.resolveMissing(broker, accountId, known, seen);
      const positionsCorrected = await this.alignPositions(broker, accountId, since, fills);
      await this.deps.store.setCheckpoint(broker.venue, accountId, startedAt);
      return {
        venue: broker.venue,
        accountId,
        fillsApplied,
        ordersAligned: aligned,
        ordersImported: imported,
        ordersInferred: inferred,
        positionsCorrected,
      };
    } catch (error) {
      // A venue that cannot be read settles nothing: its orders stay as they are, its positions are never taken as flat.
      return failed(broker.venue, accountId, error);
    }
  }

  // ------------------------------------------------------------------ fills (§8.3: first)

  private async applyFills(broker: Broker, accountId: string, venueFills: readonly Fill[]): Promise<number> {
    let applied = 0;
    // Fills applied live are the rule: one query finds them, so a busy venue's pass stays cheap.
    const recorded = await this.deps.store.recordedFills(
      broker.venue,
      accountId,
      venueFills.map((f) => f.fillId),
    );
    for (const fill of venueFills) {
      if (recorded.has(fill.fillId)) continue;
      const stored = await this.localOrImported(broker, accountId, fill.clientOrderId);
      if (stored === undefined) continue;
      await this.ackIfPending(stored);
      const before = stored.order.filledQty;
      await this.deps.service.reconcileEvent(
        { orderId: stored.order.id },
        { kind: 'fill', fill },
        `fill:${fill.fillId}`,
      );
      const after = await this.deps.store.findById(stored.order.id);
      if (after !== undefined && !after.order.filledQty.equals(before)) applied += 1;
    }
    return applied;
  }

  // ------------------------------------------------------------------ orders

  /** The venue's orders changed since the checkpoint and its open ones, by client order id. */
  private async venueOrders(
    broker: Broker,
    accountId: string,
    since: number,
  ): Promise<Map<string, VenueOrder>> {
    const venueOrders = new Map<string, VenueOrder>();
    for (const o of [
      ...(await broker.ordersSince(accountId, since)),
      ...(await broker.openOrders(accountId)),
    ]) {
      venueOrders.set(o.clientOrderId, o);
    }
    return venueOrders;
  }

  private async alignVenueOrders(
    accountId: string,
    venueOrders: ReadonlyMap<string, VenueOrder>,
    known: ReadonlyMap<string, OrderGlance>,
    seen: Set<string>,
  ): Promise<{ aligned: number; imported: number }> {
    let aligned = 0;
    let imported = 0;
    for (const venueOrder of venueOrders.values()) {
      seen.add(venueOrder.clientOrderId);
      // On a busy venue most already agree with the store, and are done without reading more.
      const glance = known.get(venueOrder.clientOrderId);
      if (glance !== undefined && agrees(glance, venueOrder)) continue;
      let stored = glance === undefined ? undefined : await this.deps.store.findById(glance.id);
      if (stored === undefined) {
        stored = await this.deps.service.importExternal(venueOrder);
        imported += 1;
      }
      if (await this.align(stored, venueOrder)) aligned += 1;
    }
    return { aligned, imported };
  }

  /** Aligns one order with the venue's view; true when anything changed. */
  private async align(stored: StoredOrder, venue: VenueOrder): Promise<boolean> {
    const id = { orderId: stored.order.id };
    const before = await this.reload(stored);
    await this.ackIfPending(before);
    // The venue filled more than its fill reports showed: one inferred fill covers the gap (§8.3).
    await this.deps.service.reconcileEvent(
      id,
      (order) =>
        venue.filledQty.greaterThan(order.filledQty)
          ? { kind: 'fill', fill: inferredFill(order, venue) }
          : undefined,
      `gap:${venue.venueOrderId}:${venue.filledQty.toFixed()}`,
    );
    const end = isTerminal(venue.status) ? endEvent(venue) : undefined;
    if (end !== undefined)
      await this.deps.service.reconcileEvent(
        id,
        (order) => (isTerminal(order.status) ? undefined : end),
        `end:${venue.venueOrderId}:${venue.status}`,
      );
    const after = (await this.reload(stored)).order;
    return after.status !== before.order.status || !after.filledQty.equals(before.order.filledQty);
  }

  /**
   * An order the venue knows but we saw no answer for gets a synthesized ack first (§8.2), unless
   * the venue's own answer was applied meanwhile.
   */
  private async ackIfPending(stored: StoredOrder): Promise<void> {
    const order = stored.order;
    if (!awaitsAck(order)) return;
    await this.deps.service.reconcileEvent(
      { orderId: order.id },
      (current) => (awaitsAck(current) ? { kind: 'ack' } : undefined),
      `ack:${order.clientOrderId}`,
    );
  }

  /**
   * Local open orders the venue did not list (§8.2): a targeted query by client order id; a
   * pending_new still unknown after the retries is rejected NOT_FOUND_AT_VENUE, an acknowledged
   * order missing from the venue is canceled; both marked inferred.
   */
  private async resolveMissing(
    broker: Broker,
    accountId: string,
    known: ReadonlyMap<string, OrderGlance>,
    seen: ReadonlySet<string>,
  ): Promise<number> {
    let inferred = 0;
    const now = this.deps.clock.now();
    for (const order of known.values()) {
      if (isTerminal(order.status) || order.venue !== broker.venue || seen.has(order.clientOrderId)) continue;
      // An emulated leg the venue has not been sent yet: the contingent manager owns it.
      if (isUnsent(order)) continue;
      if (order.status === 'pending_new' && now - order.updatedAt < this.options.inflightTimeoutMs) continue;
      const venueOrder = await broker.getOrder(accountId, order.clientOrderId);
      if (venueOrder !== undefined) {
        this.misses.delete(order.id);
        const stored = await this.deps.store.findById(order.id);
        if (stored !== undefined) await this.align(stored, venueOrder);
        continue;
      }
      const misses = (this.misses.get(order.id) ?? 0) + 1;
      this.misses.set(order.id, misses);
      if (order.status === 'pending_new') {
        if (misses < this.options.inflightRetries) continue;
        await this.deps.service.reconcileEvent(
          { orderId: order.id },
          {
            kind: 'rej',
            code: 'NOT_FOUND_AT_VENUE',
            message: `${broker.venue} does not know this order.`,
            inferred: true,
          },
          `missing:${order.clientOrderId}`,
        );
      } else {
        await this.deps.service.reconcileEvent(
          { orderId: order.id },
          { kind: 'cxl', reason: `${broker.venue} no longer lists this order`, inferred: true },
          `missing:${order.clientOrderId}:${order.status}`,
        );
      }
      this.misses.delete(order.id);
      inferred += 1;
    }
    return inferred;
  }

  // ------------------------------------------------------------------ positions (§8.3)

  /**
   * Compares each position with the venue's and corrects those that differ. A difference is
   * confirmed first: a symbol the venue filled while the positions were read (a fill listed now
   * that the pass's fills did not list) is left to the next pass, since its fill may not have
   * reached the store yet, and a correction is written only if the stored quantity is still the one
   * compared (a fill applied meanwhile wins). Either way the venue's quantity is never counted twice.
   */
  private async alignPositions(
    broker: Broker,
    accountId: string,
    since: number,
    fillsApplied: readonly Fill[],
  ): Promise<number> {
    const venue = new Map((await broker.positions(accountId)).map((p) => [p.symbol, p]));
    const local = new Map((await this.deps.store.positions(accountId)).map((p) => [p.symbol, p]));
    const differing: { theirs: VenuePosition | undefined; ours: Position }[] = [];
    for (const symbol of new Set([...venue.keys(), ...local.keys()])) {
      const theirs = venue.get(symbol);
      const ours =
        local.get(symbol) ??
        (await this.deps.store.position(accountId, symbol)) ??
        flatPosition(accountId, symbol);
      const venueQty = theirs?.quantity ?? ZERO;
      const halfLot = (this.deps.instruments.find(symbol)?.lotSize ?? ZERO).div(2);
      if (venueQty.minus(ours.quantity).abs().greaterThan(halfLot)) differing.push({ theirs, ours });
    }
    if (differing.length === 0) return 0;
    const known = new Set(fillsApplied.map((f) => f.fillId));
    const moved = new Set(
      (await broker.fillsSince(accountId, since)).filter((f) => !known.has(f.fillId)).map((f) => f.symbol),
    );
    let corrected = 0;
    for (const { theirs, ours } of differing) {
      if (moved.has(ours.symbol)) continue;
      const venueQty = theirs?.quantity ?? ZERO;
      const at = this.deps.clock.now();
      const written = await this.deps.store.correctPosition(
        {
          ...ours,
          quantity: venueQty,
          avgEntryPrice: theirs?.avgEntryPrice ?? ZERO,
          updatedAt: at,
          ...(venueQty.isZero() ? {} : { openedAt: ours.openedAt ?? at }),
        },
        {
          actor: 'reconciler',
          action: 'POSITION_MISMATCH',
          entity: 'position',
          entityId: `${accountId}:${ours.symbol}`,
          data: {
            venue: broker.venue,
            accountId,
            symbol: ours.symbol,
            local: ours.quantity.toFixed(),
            venueQuantity: venueQty.toFixed(),
            venueAvgEntryPrice: theirs?.avgEntryPrice.toFixed() ?? '0',
          },
          at,
        },
        ours.quantity,
      );
      if (written) corrected += 1;
    }
    return corrected;
  }

  // ------------------------------------------------------------------ helpers

  private async localOrImported(
    broker: Broker,
    accountId: string,
    clientOrderId: string,
  ): Promise<StoredOrder | undefined> {
    const local = await this.deps.store.findByClientOrderId(accountId, clientOrderId);
    if (local !== undefined) return local;
    const venueOrder = await broker.getOrder(accountId, clientOrderId);
    return venueOrder === undefined ? undefined : this.deps.service.importExternal(venueOrder);
  }

  private async reload(stored: StoredOrder): Promise<StoredOrder> {
    return (await this.deps.store.findById(stored.order.id)) ?? stored;
  }
}

/**
 * Nothing for `align` to do, as the store holds the order: no synthesized ack is due, the venue
 * filled no more than the store applied, and the venue has not ended an order open here.
 */
function agrees(order: OrderGlance, venue: VenueOrder): boolean {
  return (
    !awaitsAck(order) &&
    !venue.filledQty.greaterThan(order.filledQty) &&
    !(isTerminal(venue.status) && !isTerminal(order.status))
  );
}

/** Not yet acknowledged as far as the store knows: pending_new, or a rejection this engine inferred (§8.2). */
function awaitsAck(order: Pick<Order, 'status' | 'inferred'>): boolean {
  return order.status === 'pending_new' || (order.status === 'rejected' && order.inferred);
}

function failed(venue: string, accountId: string, error: unknown): ReconcileReport {
  return {
    venue,
    accountId,
    fillsApplied: 0,
    ordersAligned: 0,
    ordersImported: 0,
    ordersInferred: 0,
    positionsCorrected: 0,
    failed: error instanceof Error ? error.message : String(error),
  };
}

function endEvent(
  venue: VenueOrder,
): { kind: 'cxl' } | { kind: 'exp' } | { kind: 'rej'; code: string; message: string } | undefined {
  if (venue.status === 'canceled') return { kind: 'cxl' };
  if (venue.status === 'expired') return { kind: 'exp' };
  if (venue.status === 'rejected')
    return { kind: 'rej', code: 'VENUE_REJECTED', message: 'rejected at the venue' };
  return undefined; // filled: the fills say so
}

/**
 * One fill covering the venue's cumulative quantity beyond ours (§8.3): its id hashes (account,
 * client order id, venue cumulative quantity) so replays deduplicate; its price is
 * (venue avg × venue cum − local avg × local cum) / (venue cum − local cum), else the venue's
 * average, else the order's price.
 */
function inferredFill(order: Order, venue: VenueOrder): Fill {
  const gap = venue.filledQty.minus(order.filledQty);
  const venueNotional = venue.avgFillPrice?.times(venue.filledQty);
  const price: Decimal =
    venueNotional !== undefined
      ? venueNotional.minus(order.filledNotional).div(gap)
      : (venue.avgFillPrice ?? order.limitPrice ?? order.stopPrice ?? ZERO);
  const fillId = `inferred-${createHash('sha256').update(`${order.accountId}|${order.clientOrderId}|${venue.filledQty.toFixed()}`).digest('hex').slice(0, 24)}`;
  return {
    fillId,
    clientOrderId: order.clientOrderId,
    venueOrderId: venue.venueOrderId,
    venue: order.venue,
    accountId: order.accountId,
    symbol: order.symbol,
    side: order.side,
    quantity: gap,
    price,
    liquidity: 'taker',
    fee: ZERO,
    feeCurrency: 'USD',
    ts: venue.updatedAt,
  };
}
