import type { Decimal } from './decimal.js';
import type { LiquiditySide, Side, TimeInForce } from './order.js';

/** The events of ORDER-SEMANTICS.md §1.3. */
export const ORDER_EVENT_KINDS = [
  'ack',
  'rej',
  'trig',
  'fill',
  'cxl_req',
  'cxl',
  'cxl_rej',
  'rpl_req',
  'rpl',
  'rpl_rej',
  'exp',
  'upd',
] as const;
export type OrderEventKind = (typeof ORDER_EVENT_KINDS)[number];

/** A fill: one execution against one order (§6.1). Keyed by (venue, account, fillId). */
export interface Fill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly venue: string;
  readonly accountId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly liquidity: LiquiditySide;
  readonly fee: Decimal;
  readonly feeCurrency: string;
  /** Venue time, epoch milliseconds. */
  readonly ts: number;
}

/** The parameters a replace or an unrequested update may change (§5). */
export interface OrderChanges {
  readonly quantity?: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly triggerPrice?: Decimal;
  readonly trailPrice?: Decimal;
  readonly trailPercent?: Decimal;
  readonly timeInForce?: TimeInForce;
  readonly expireAt?: number;
  readonly displayQty?: Decimal;
  readonly currentStop?: Decimal;
  readonly held?: boolean;
}

interface EventBase {
  /** Unique per event; venues' own ids where they have them. */
  readonly eventId: string;
  readonly clientOrderId: string;
  readonly venueOrderId?: string;
  /** When the venue says it happened (epoch ms). */
  readonly venueTime: number;
  /** When we learned of it (epoch ms). */
  readonly receivedAt: number;
}

/** A request we send (local) or the venue reporting one as pending (venue): §1.3 note 4. */
export type RequestOrigin = 'local' | 'venue';

/** What an order's event tells of its timing: its kind, when it arrived, and a request's origin. */
export interface EventMark {
  readonly kind: OrderEvent['kind'];
  readonly receivedAt: number;
  readonly origin?: RequestOrigin;
}

export type OrderEvent = EventBase &
  (
    | { readonly kind: 'ack' }
    | { readonly kind: 'rej'; readonly code: string; readonly message: string; readonly inferred?: boolean }
    | { readonly kind: 'trig' }
    | { readonly kind: 'fill'; readonly fill: Fill }
    | { readonly kind: 'cxl_req'; readonly origin: RequestOrigin }
    | { readonly kind: 'cxl'; readonly reason?: string; readonly inferred?: boolean }
    | { readonly kind: 'cxl_rej'; readonly code: string; readonly message: string }
    | { readonly kind: 'rpl_req'; readonly origin: RequestOrigin; readonly changes: OrderChanges }
    | { readonly kind: 'rpl'; readonly changes: OrderChanges }
    | { readonly kind: 'rpl_rej'; readonly code: string; readonly message: string }
    | { readonly kind: 'exp' }
    | { readonly kind: 'upd'; readonly changes: OrderChanges }
  );

export type OrderEventOf<K extends OrderEventKind> = Extract<OrderEvent, { kind: K }>;
