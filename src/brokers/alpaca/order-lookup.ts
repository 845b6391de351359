/**
 * Reading orders and executions back from Alpaca: one order by our client order id (following
 * replaces and finding exit legs through their parent), order listings page by page, and FILL
 * activities with the orders they belong to.
 */
import { z } from 'zod';
import type { Fill } from '../../domain/events.js';
import { BrokerCallError } from '../broker.js';
import type { AlpacaOperation } from './errors.js';
import { type ActivityOrder, fillOfActivity, orderTypeOf } from './mapping.js';
import { type OrderIds, exitRoleOf } from './order-ids.js';
import { type AlpacaApis, wireJson } from './rest.js';
import { optionalTimeOf } from './values.js';
import { type AlpacaFillActivity, type AlpacaOrder, fillActivitySchema, orderSchema } from './wire.js';

/** Runs a call against Alpaca, turning its failures into BrokerCallErrors. */
export type Caller = <T>(op: AlpacaOperation, what: string, call: () => Promise<T>) => Promise<T>;

/** An Alpaca order, with the parent it is an exit of when it is one. */
export interface FoundOrder {
  readonly order: AlpacaOrder;
  readonly parent?: AlpacaOrder;
}

/** More replaces of one order than this is a loop in the venue's data, not a history. */
const MAX_REVISIONS = 100;
/** Alpaca's largest page of orders and of activities. */
const ORDER_PAGE = 500;
const ACTIVITY_PAGE = 100;

const orderList = z.array(orderSchema);
const activityList = z.array(fillActivitySchema);

export class OrderLookup {
  /** The SDK clients hold the credentials: a private field keeps them out of inspect and JSON. */
  readonly #apis: AlpacaApis;
  private readonly call: Caller;
  private readonly ids: OrderIds;
  private readonly venue: string;
  private readonly accountId: string;

  constructor(apis: AlpacaApis, call: Caller, ids: OrderIds, where: { venue: string; accountId: string }) {
    this.#apis = apis;
    this.call = call;
    this.ids = ids;
    this.venue = where.venue;
    this.accountId = where.accountId;
  }

  /** GET /v2/orders:by_client_order_id; undefined when Alpaca does not know the id (404). */
  byClientOrderId(clientOrderId: string): Promise<AlpacaOrder | undefined> {
    return this.orNotFound(
      this.call('read', `lookup of order ${clientOrderId}`, () =>
        wireJson(this.#apis.orders.getOrderByClientOrderIdRaw({ clientOrderId }), orderSchema),
      ),
    );
  }

  /** GET /v2/orders/{id} with its legs; undefined on 404. */
  byId(orderId: string): Promise<AlpacaOrder | undefined> {
    return this.orNotFound(
      this.call('read', `lookup of Alpaca order ${orderId}`, () =>
        wireJson(this.#apis.orders.getOrderByOrderIDRaw({ orderId, nested: true }), orderSchema),
      ),
    );
  }

  private async orNotFound(lookup: Promise<AlpacaOrder>): Promise<AlpacaOrder | undefined> {
    try {
      return await lookup;
    } catch (error) {
      if (error instanceof BrokerCallError && error.code === 'NOT_FOUND_AT_VENUE') return undefined;
      throw error;
    }
  }

  /** Follows `replaced_by` to the revision that carries the order now. */
  async latest(order: AlpacaOrder): Promise<AlpacaOrder> {
    let current = order;
    for (let i = 0; i < MAX_REVISIONS && current.status === 'replaced' && current.replaced_by; i++) {
      const next = await this.byId(current.replaced_by);
      if (next === undefined) break;
      current = next;
    }
    return current;
  }

  /**
   * The Alpaca order that carries one of our orders now; undefined when Alpaca knows none. An exit
   * leg is found in its parent's `legs` by role (after a restart this needs its link, see
   * order-ids.ts); any other order by the Alpaca id last seen for it, else by client order id.
   */
  async current(clientOrderId: string): Promise<FoundOrder | undefined> {
    const link = this.ids.links.get(clientOrderId);
    if (link !== undefined) return this.currentLeg(clientOrderId, link.parentClientOrderId, link.role);
    const known = this.ids.currentOf(clientOrderId);
    const found =
      (known === undefined ? undefined : await this.byId(known.venueOrderId)) ??
      (await this.byClientOrderId(clientOrderId));
    if (found === undefined) return undefined;
    const order = await this.latest(found);
    this.ids.learn(order);
    return { order };
  }

  private async currentLeg(
    clientOrderId: string,
    parentClientOrderId: string,
    role: 'take_profit' | 'stop_loss',
  ): Promise<FoundOrder | undefined> {
    const parentFound = await this.current(parentClientOrderId);
    if (parentFound === undefined) return undefined;
    let parent = parentFound.order;
    if (!parent.legs?.length) parent = (await this.byId(parent.id)) ?? parent;
    this.ids.learn(parent);
    const known = this.ids.currentOf(clientOrderId);
    const leg =
      parent.legs?.find((l) => l.id === known?.venueOrderId) ??
      parent.legs?.find((l) => exitRoleOf(l) === role);
    if (leg === undefined) return undefined;
    const order = await this.latest(leg);
    this.ids.learn(order, parent);
    return { order, parent };
  }

  /**
   * GET /v2/orders (nested, oldest first), every page: `status` open, closed or all; `after` keeps
   * orders submitted after that time. Pages continue from the last order's submission time.
   */
  async list(status: 'open' | 'all', after?: number): Promise<AlpacaOrder[]> {
    const byId = new Map<string, AlpacaOrder>();
    let cursor = after === undefined ? undefined : new Date(after).toISOString();
    for (;;) {
      const request = { status, limit: ORDER_PAGE, direction: 'asc' as const, nested: true };
      const page = await this.call('read', `listing of ${status} orders`, () =>
        wireJson(
          this.#apis.orders.getAllOrdersRaw(cursor === undefined ? request : { ...request, after: cursor }),
          orderList,
        ),
      );
      for (const order of page) byId.set(order.id, order);
      const last = page.at(-1);
      const next = last?.submitted_at ?? last?.created_at;
      if (page.length < ORDER_PAGE || next === undefined || next === cursor) break;
      cursor = next;
    }
    return [...byId.values()];
  }

  /**
   * Orders that may have changed since a time. Alpaca filters listings by submission, not by
   * update, so besides the orders submitted since then this reads the open orders (keeping those
   * last seen open or updated since) and, one by one, the orders last seen open that are no longer
   * open (they filled, expired or were canceled meanwhile). Each leg comes with its parent.
   */
  async changedSince(since: number): Promise<Map<string, FoundOrder>> {
    const byId = new Map(flatten(await this.list('all', since)).map((f) => [f.order.id, f] as const));
    const lastSeenOpen = new Set(this.ids.openOrders().filter((id) => !byId.has(id)));
    if (lastSeenOpen.size === 0) return byId;
    for (const f of flatten(await this.list('open'))) {
      const updatedAt = optionalTimeOf(f.order.updated_at, 'updated_at') ?? 0;
      if (lastSeenOpen.has(f.order.id) || updatedAt >= since) byId.set(f.order.id, f);
    }
    for (const id of lastSeenOpen) {
      if (byId.has(id)) continue;
      const order = await this.byId(id);
      if (order !== undefined) for (const f of flatten([order])) byId.set(f.order.id, f);
    }
    return byId;
  }

  /** GET /v2/account/activities/FILL after a time (exclusive), oldest first, paged by page_token. */
  async activities(after: number): Promise<AlpacaFillActivity[]> {
    const out: AlpacaFillActivity[] = [];
    let pageToken: string | undefined;
    do {
      const request = {
        activityType: 'FILL',
        after: new Date(after),
        direction: 'asc' as const,
        pageSize: ACTIVITY_PAGE,
        ...(pageToken === undefined ? {} : { pageToken }),
      };
      const page = await this.call('read', 'listing of fills', () =>
        wireJson(this.#apis.activities.getAccountActivitiesByActivityTypeRaw(request), activityList),
      );
      out.push(...page);
      pageToken = page.length === ACTIVITY_PAGE ? page.at(-1)?.id : undefined;
    } while (pageToken !== undefined);
    return out;
  }

  /**
   * Fills since a time, with our client order ids. Each fill needs its order (our id, its type for
   * the liquidity side); those not in `known` are read one by one.
   */
  async fillsSince(since: number, known: ReadonlyMap<string, FoundOrder> = new Map()): Promise<Fill[]> {
    const activities = await this.activities(since - 1);
    const orders = new Map(known);
    const fills: Fill[] = [];
    for (const activity of activities) {
      let found = orders.get(activity.order_id);
      if (found === undefined) {
        const order = await this.byId(activity.order_id);
        if (order !== undefined) orders.set(order.id, (found = { order }));
      }
      const clientOrderId =
        found === undefined ? this.ids.ownerOf(activity.order_id) : this.ids.learn(found.order, found.parent);
      const ref = {
        venue: this.venue,
        accountId: this.accountId,
        clientOrderId: clientOrderId ?? activity.order_id,
      };
      fills.push(fillOfActivity(activity, activityOrderOf(found?.order), ref));
    }
    return fills;
  }
}

/** What a fill needs of its order; a market order is assumed when the order could not be read. */
function activityOrderOf(order: AlpacaOrder | undefined): ActivityOrder {
  if (order === undefined) return { type: 'market' };
  const submittedAt = optionalTimeOf(order.submitted_at, 'submitted_at');
  return {
    type: orderTypeOf(order),
    assetClass: order.asset_class ?? null,
    ...(submittedAt === undefined ? {} : { submittedAt }),
  };
}

/** Every order of a listing with its exits, each leg with its parent. */
export function flatten(orders: readonly AlpacaOrder[]): FoundOrder[] {
  return orders.flatMap((order) => [
    { order },
    ...(order.legs ?? []).map((leg) => ({ order: leg, parent: order })),
  ]);
}
