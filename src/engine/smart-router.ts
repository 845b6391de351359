import type { Broker } from '../brokers/broker.js';
import { TradingError } from '../domain/errors.js';
import type { Instrument } from '../domain/instrument.js';
import type { OrderSpec } from '../domain/order.js';
import { planRoute } from '../routing/plan.js';
import type {
  RoutePlan,
  RoutingObjective,
  VenueCandidate,
  VenueStats,
  VenueStatus,
} from '../routing/types.js';
import type { RouterPort } from './order-service.js';

/** Where an order may go: a pinned venue or account, and the accounts the agent may use. */
export interface RoutePin {
  readonly venue?: string;
  readonly accountId?: string;
  /** The agent card's accounts; absent: any. */
  readonly accounts?: readonly string[];
}

export interface RoutingOptions {
  readonly objective?: RoutingObjective;
  readonly allowSplit?: boolean;
}

export interface SmartRouterDeps {
  readonly brokers: readonly Broker[];
  /** Each venue's live statistics (VenueStatsBook). */
  readonly stats: (venue: string) => VenueStats;
  /** Each venue's connection health and circuit; absent: connected, closed. */
  readonly health?: (venue: string) => { status: VenueStatus; circuitOpen: boolean };
  readonly defaultObjective?: RoutingObjective;
}

/** A routing plan with the candidates it scored (for the decision record). */
export interface PlannedRoute {
  readonly plan: RoutePlan;
  readonly candidates: readonly VenueCandidate[];
}

/**
 * The smart order router: every capable, healthy venue account is a candidate; the pure planner
 * (src/routing) scores them on price including fees, liquidity at the order's size, latency and
 * reliability, and splits across venues when allowed and cheaper. Several accounts at one venue
 * share its score: the router takes them in turn (load balancing).
 */
export class SmartRouter implements RouterPort {
  private turn = 0;

  constructor(private readonly deps: SmartRouterDeps) {}

  /** The single venue and account for an order (the order service's routing port). */
  async route(
    spec: OrderSpec,
    instrument: Instrument,
    pin: RoutePin,
  ): Promise<{ venue: string; accountId: string; plan?: RoutePlan }> {
    const { plan, candidates } = await this.plan(spec, instrument, pin, { allowSplit: false });
    const first = plan.allocations[0];
    if (first !== undefined) {
      const pinned = pin.venue !== undefined && pin.accountId !== undefined;
      const { venue, accountId } = this.balance(first.venue, first.accountId, plan);
      return pinned ? { venue, accountId } : { venue, accountId, plan };
    }
    // Nothing to price against (no book anywhere yet): the first healthy venue takes it and the
    // order works there as its type says (a market order waits for a market).
    const usable = candidates.find((c) => c.status !== 'down' && !c.circuitOpen);
    if (usable === undefined) throw noVenue(spec, instrument, pin, plan, candidates);
    return { venue: usable.venue, accountId: usable.accountId };
  }

  /** The full plan (analyzeOrder, and executeOrder when it may split). */
  async plan(
    spec: OrderSpec,
    instrument: Instrument,
    pin: RoutePin,
    options: RoutingOptions = {},
  ): Promise<PlannedRoute> {
    const candidates = await this.candidates(spec, instrument, pin);
    const plan = planRoute(
      {
        side: spec.side,
        quantity: spec.quantity,
        type: spec.type,
        ...(spec.limitPrice === undefined ? {} : { limitPrice: spec.limitPrice }),
        objective: options.objective ?? this.deps.defaultObjective ?? 'smart_balance',
        allowSplit: options.allowSplit === true && pin.venue === undefined && pin.accountId === undefined,
        lotStep: instrument.lotSize,
        minQuantity: instrument.minQuantity,
      },
      candidates,
    );
    return { plan, candidates };
  }

  /** Venue accounts that can take the order: asset class, symbol, type, time in force, instructions, pins. */
  private async candidates(
    spec: OrderSpec,
    instrument: Instrument,
    pin: RoutePin,
  ): Promise<VenueCandidate[]> {
    const out: VenueCandidate[] = [];
    for (const broker of this.deps.brokers) {
      if (pin.venue !== undefined && broker.venue !== pin.venue) continue;
      if (!capable(broker, spec, instrument)) continue;
      const health = this.deps.health?.(broker.venue) ?? { status: 'connected' as const, circuitOpen: false };
      // A venue that cannot even list its accounts cannot take the order: it is not a candidate.
      const accounts = await broker.accounts().catch(() => []);
      for (const account of accounts) {
        if (pin.accountId !== undefined && account.accountId !== pin.accountId) continue;
        if (pin.accounts !== undefined && !pin.accounts.includes(account.accountId)) continue;
        if (account.tradingBlocked) continue;
        out.push({
          venue: broker.venue,
          accountId: account.accountId,
          book: broker.book(instrument.symbol),
          fees: broker.capabilities.fees,
          stats: this.deps.stats(broker.venue),
          status: health.status,
          circuitOpen: health.circuitOpen,
        });
      }
    }
    return out;
  }

  /** Several eligible accounts at the chosen venue: taken in turn. */
  private balance(venue: string, accountId: string, plan: RoutePlan): { venue: string; accountId: string } {
    const accounts = plan.scores.filter((s) => s.eligible && s.venue === venue).map((s) => s.accountId);
    if (accounts.length < 2) return { venue, accountId };
    const pick = accounts[this.turn++ % accounts.length] ?? accountId;
    return { venue, accountId: pick };
  }
}

function capable(broker: Broker, spec: OrderSpec, instrument: Instrument): boolean {
  const c = broker.capabilities;
  return (
    c.assetClasses.includes(instrument.assetClass) &&
    (c.symbols === undefined || c.symbols.includes(instrument.symbol)) &&
    // A trailing stop is emulated by the engine where the venue takes market orders.
    (c.orderTypes.includes(spec.type) ||
      (spec.type === 'trailing_stop' && c.orderTypes.includes('market'))) &&
    c.timeInForce.includes(spec.timeInForce) &&
    (spec.postOnly !== true || c.postOnly) &&
    (spec.displayQty === undefined || c.displayQuantity) &&
    (spec.extendedHours !== true || c.extendedHours)
  );
}

function noVenue(
  spec: OrderSpec,
  instrument: Instrument,
  pin: RoutePin,
  plan: RoutePlan,
  candidates: readonly VenueCandidate[],
): TradingError {
  const reasons = plan.scores.map((s) => `${s.venue}/${s.accountId}: ${s.reason ?? 'not eligible'}`);
  const unavailable = candidates.length > 0 && candidates.every((c) => c.status === 'down' || c.circuitOpen);
  if (unavailable) {
    return new TradingError(
      'BROKER_UNAVAILABLE',
      `Every venue that could take this ${instrument.symbol} order is down now (${reasons.join('; ')}); nothing was placed.`,
      {
        retryable: true,
        hint: 'Try again shortly; /health and listVenues show each venue’s status.',
        details: { symbol: instrument.symbol, ...(pin.venue === undefined ? {} : { venue: pin.venue }) },
      },
    );
  }
  return new TradingError(
    'SYMBOL_NOT_TRADABLE',
    `No connected venue${pin.venue === undefined ? '' : ` named ${pin.venue}`} can take this ${spec.type} ${instrument.symbol} order${pin.accountId === undefined ? '' : ` for account ${pin.accountId}`}${reasons.length === 0 ? '' : ` (${reasons.join('; ')})`}.`,
    {
      hint: 'listVenues shows what each venue trades and supports; omit venue and account to let the router choose.',
      details: { symbol: instrument.symbol, ...(pin.venue === undefined ? {} : { venue: pin.venue }) },
    },
  );
}
