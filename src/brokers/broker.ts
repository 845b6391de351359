import type { AccountMode, AccountType } from '../domain/account.js';
import type { Decimal } from '../domain/decimal.js';
import { type ErrorCode, TradingError } from '../domain/errors.js';
import type { Fill, OrderChanges, OrderEvent } from '../domain/events.js';
import type { AssetClass } from '../domain/instrument.js';
import type { OrderSpec, OrderStatus, OrderType, TimeInForce } from '../domain/order.js';
import type { BookSnapshot } from '../marketdata/types.js';

/**
 * The one port every venue implements (STYLE.md habit 1): the paper exchange, Alpaca, ccxt.
 * Designed for real brokers: acknowledgements are asynchronous, order updates are streamed,
 * a call can time out and leave an order's state unknown, and reconciliation reads the venue's
 * own view of open orders, fills, positions and balances.
 */
export interface Broker {
  readonly venue: string;
  readonly kind: BrokerKind;
  readonly mode: AccountMode;
  readonly capabilities: VenueCapabilities;

  connect(): Promise<void>;
  close(): Promise<void>;

  /**
   * Sends a new order. Resolves once the venue has answered: `accepted` (its ack and any
   * immediate fills also arrive on the stream) or `rejected` with a mapped code. Throws a
   * BrokerCallError: `definitive` when the venue refused the call, `ambiguous` when the outcome
   * is unknown (timeout, dropped connection, 5xx): such an order is resolved by reconciliation
   * through its client order id, never blindly re-sent.
   */
  submit(request: SubmitRequest): Promise<SubmitReceipt>;
  /**
   * Sends a contingent group (ORDER-SEMANTICS.md §4) as the venue's native bracket, OCO or OTO; only
   * on venues whose `capabilities.nativeContingent` lists the class. One receipt per leg, in order.
   * Held legs are acknowledged with the group and stay `held` until the venue activates them
   * (an `upd` with `held: false` and their quantity); resizes are `upd`s, OCO cancels are `cxl`s.
   */
  submitGroup?(request: GroupSubmitRequest): Promise<SubmitReceipt[]>;
  /**
   * Requests a cancel; the outcome arrives on the stream (cxl or cxl_rej). A venue that refuses
   * the request outright (the order is already done, or unknown) may instead throw a definitive
   * BrokerCallError (ORDER_NOT_OPEN, NOT_FOUND_AT_VENUE): the engine records that as cxl_rej.
   */
  cancel(request: CancelRequest): Promise<void>;
  /** Requests a replace; the outcome arrives on the stream (rpl or rpl_rej), or as a definitive throw like cancel's. */
  replace(request: ReplaceRequest): Promise<void>;

  /** Streamed order updates for every account of this venue. Returns an unsubscribe function. */
  subscribe(listener: VenueEventListener): () => void;

  /** The venue's view of one order, by our client order id; undefined when the venue does not know it. */
  getOrder(accountId: string, clientOrderId: string): Promise<VenueOrder | undefined>;
  /** Reconciliation reports. */
  openOrders(accountId: string): Promise<VenueOrder[]>;
  ordersSince(accountId: string, since: number): Promise<VenueOrder[]>;
  fillsSince(accountId: string, since: number): Promise<Fill[]>;
  positions(accountId: string): Promise<VenuePosition[]>;
  balances(accountId: string): Promise<VenueBalance[]>;
  accounts(): Promise<VenueAccount[]>;

  /** The book the venue matches against (market data), when it has one for the symbol. */
  book(symbol: string): BookSnapshot | undefined;
}

export type BrokerKind = 'paper' | 'alpaca' | 'ccxt';

/** What a venue supports (STYLE.md habit 3): routing reads it; an unsupported request fails before any call. */
export interface VenueCapabilities {
  readonly assetClasses: readonly AssetClass[];
  readonly symbols?: readonly string[];
  readonly orderTypes: readonly OrderType[];
  readonly timeInForce: readonly TimeInForce[];
  readonly fractional: boolean;
  readonly shorting: boolean;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly displayQuantity: boolean;
  readonly extendedHours: boolean;
  readonly replace: boolean;
  readonly nativeContingent: readonly ('bracket' | 'oco' | 'oto')[];
  readonly fees: { readonly makerBps: Decimal; readonly takerBps: Decimal };
}

export interface SubmitRequest extends OrderSpec {
  readonly accountId: string;
  readonly clientOrderId: string;
}

export type ContingentClass = 'bracket' | 'oco' | 'oto';

/**
 * A leg's part in its group: bracket `entry`, `take_profit`, `stop_loss`; OTO `primary`,
 * `secondary`; OCO `member`.
 */
export type LegRole = 'entry' | 'take_profit' | 'stop_loss' | 'primary' | 'secondary' | 'member';

export interface GroupLeg extends SubmitRequest {
  readonly role: LegRole;
}

/**
 * One contingent group for one account and instrument. Legs in this order: bracket entry,
 * take_profit, stop_loss; OTO primary then secondaries; OCO members.
 */
export interface GroupSubmitRequest {
  readonly orderClass: ContingentClass;
  readonly accountId: string;
  readonly legs: readonly GroupLeg[];
}

export interface CancelRequest {
  readonly accountId: string;
  readonly clientOrderId: string;
}

export interface ReplaceRequest {
  readonly accountId: string;
  readonly clientOrderId: string;
  readonly changes: OrderChanges;
}

export type SubmitReceipt =
  | { readonly status: 'accepted'; readonly venueOrderId: string; readonly at: number }
  | { readonly status: 'rejected'; readonly code: ErrorCode; readonly message: string; readonly at: number };

/** An order event as a venue reports it: the domain event plus where it happened. */
export interface VenueEvent {
  readonly venue: string;
  readonly accountId: string;
  readonly event: OrderEvent;
}

export type VenueEventListener = (event: VenueEvent) => void;

/** A venue's view of one order. */
export interface VenueOrder extends OrderSpec {
  readonly venue: string;
  readonly accountId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly status: OrderStatus;
  readonly filledQty: Decimal;
  readonly avgFillPrice?: Decimal;
  readonly currentStop?: Decimal;
  /** A contingent leg the venue holds until its group activates it (§4). */
  readonly held?: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface VenuePosition {
  readonly symbol: string;
  /** Signed quantity: long > 0. */
  readonly quantity: Decimal;
  readonly avgEntryPrice: Decimal;
}

export interface VenueBalance {
  readonly currency: string;
  readonly total: Decimal;
  /** Total less what open orders hold. */
  readonly available: Decimal;
}

export interface VenueAccount {
  readonly accountId: string;
  readonly type: AccountType;
  readonly currency: string;
  readonly equity: Decimal;
  readonly cash: Decimal;
  readonly buyingPower: Decimal;
  readonly patternDayTrader: boolean;
  readonly dayTradeCount: number;
  readonly tradingBlocked: boolean;
}

/** Whether a failed venue call settled anything (§8.1): definitive refusals versus unknown outcomes. */
export type CallOutcome = 'definitive' | 'ambiguous';

/**
 * A venue call that failed. `ambiguous` means the order may or may not exist at the venue
 * (timeout, dropped connection, 5xx): it stays in flight and reconciliation resolves it.
 */
export class BrokerCallError extends TradingError {
  readonly outcome: CallOutcome;
  readonly venue: string;

  constructor(venue: string, outcome: CallOutcome, code: ErrorCode, message: string, cause?: unknown) {
    super(code, message, {
      retryable: outcome === 'ambiguous',
      details: { venue, outcome },
      hint:
        outcome === 'ambiguous'
          ? 'The outcome is unknown; the order is reconciled by its client order id. Do not resend it under a new id.'
          : 'The venue refused the call; correct the request before trying again.',
      ...(cause === undefined ? {} : { cause }),
    });
    this.outcome = outcome;
    this.venue = venue;
  }
}

/** Races a venue call against a deadline; on timeout the outcome is unknown (ambiguous). */
export async function withDeadline<T>(venue: string, call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new BrokerCallError(venue, 'ambiguous', 'BROKER_UNAVAILABLE', `${what} timed out after ${ms} ms.`),
      );
    }, ms);
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
