/**
 * Factories for domain tests: an Order in any status and one event of each kind. Pure values only,
 * so the tests stay in-process and fast (STYLE.md habit 4). Not imported by production code.
 */
import type { Account } from './account.js';
import { type DecimalInput, ZERO, dec } from './decimal.js';
import type { Fill, OrderChanges, OrderEvent, OrderEventOf, RequestOrigin } from './events.js';
import type { Order, Side } from './order.js';

export const T0 = 1_700_000_000_000;

/**
 * An acknowledged 10-lot buy limit at 100 with no fills; override anything. A given filled quantity
 * and average price imply the filled notional unless that is given too.
 */
export function makeOrder(overrides: Partial<Order> = {}): Order {
  const filledNotional =
    overrides.filledNotional ??
    (overrides.avgFillPrice !== undefined && overrides.filledQty !== undefined
      ? overrides.avgFillPrice.times(overrides.filledQty)
      : ZERO);
  return {
    id: 'ord-1',
    clientOrderId: 'c-1',
    accountId: 'acc-1',
    venue: 'paper',
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: dec(10),
    timeInForce: 'day',
    limitPrice: dec(100),
    status: 'new',
    filledQty: ZERO,
    overfillQty: ZERO,
    venueOrderIds: ['V1'],
    held: false,
    emulated: false,
    inferred: false,
    external: false,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
    filledNotional,
  };
}

export interface FillInput {
  readonly quantity: DecimalInput;
  readonly price: DecimalInput;
  readonly side?: Side;
  readonly fee?: DecimalInput;
  readonly fillId?: string;
  readonly venueOrderId?: string;
  readonly ts?: number;
}

let fillSeq = 0;

export function makeFill(input: FillInput): Fill {
  fillSeq += 1;
  return {
    fillId: input.fillId ?? `F${fillSeq}`,
    clientOrderId: 'c-1',
    venueOrderId: input.venueOrderId ?? 'V1',
    venue: 'paper',
    accountId: 'acc-1',
    symbol: 'AAPL',
    side: input.side ?? 'buy',
    quantity: dec(input.quantity),
    price: dec(input.price),
    liquidity: 'taker',
    fee: dec(input.fee ?? 0),
    feeCurrency: 'USD',
    ts: input.ts ?? T0,
  };
}

let eventSeq = 0;

function base(venueOrderId?: string): Omit<OrderEvent, 'kind'> {
  eventSeq += 1;
  return {
    eventId: `E${eventSeq}`,
    clientOrderId: 'c-1',
    ...(venueOrderId === undefined ? {} : { venueOrderId }),
    venueTime: T0 + eventSeq,
    receivedAt: T0 + eventSeq,
  };
}

/** One builder per event kind of ORDER-SEMANTICS.md §1.3. */
export const ev = {
  ack: (venueOrderId?: string): OrderEventOf<'ack'> => ({ ...base(venueOrderId), kind: 'ack' }),
  rej: (inferred = false): OrderEventOf<'rej'> => ({
    ...base(),
    kind: 'rej',
    code: 'VENUE_REJECTED',
    message: 'refused by the venue',
    inferred,
  }),
  trig: (): OrderEventOf<'trig'> => ({ ...base(), kind: 'trig' }),
  fill: (input: FillInput): OrderEventOf<'fill'> => ({
    ...base(input.venueOrderId),
    kind: 'fill',
    fill: makeFill(input),
  }),
  cxlReq: (origin: RequestOrigin = 'local'): OrderEventOf<'cxl_req'> => ({
    ...base(),
    kind: 'cxl_req',
    origin,
  }),
  cxl: (inferred = false): OrderEventOf<'cxl'> => ({ ...base(), kind: 'cxl', inferred }),
  cxlRej: (): OrderEventOf<'cxl_rej'> => ({
    ...base(),
    kind: 'cxl_rej',
    code: 'TOO_LATE',
    message: 'too late',
  }),
  rplReq: (changes: OrderChanges = {}, origin: RequestOrigin = 'local'): OrderEventOf<'rpl_req'> => ({
    ...base(),
    kind: 'rpl_req',
    origin,
    changes,
  }),
  rpl: (changes: OrderChanges = {}, venueOrderId?: string): OrderEventOf<'rpl'> => ({
    ...base(venueOrderId),
    kind: 'rpl',
    changes,
  }),
  rplRej: (): OrderEventOf<'rpl_rej'> => ({
    ...base(),
    kind: 'rpl_rej',
    code: 'VENUE_REJECTED',
    message: 'no',
  }),
  exp: (): OrderEventOf<'exp'> => ({ ...base(), kind: 'exp' }),
  upd: (changes: OrderChanges = {}): OrderEventOf<'upd'> => ({ ...base(), kind: 'upd', changes }),
};

/** A paper margin account in USD with no positions or day trades; override anything. */
export function makeAccount(overrides: Partial<Account> = {}): Account {
  return {
    id: 'acc-1',
    venue: 'paper',
    mode: 'paper',
    type: 'margin',
    currency: 'USD',
    cash: { USD: dec(100_000) },
    marginMultiplier: dec(2),
    allowShort: true,
    patternDayTrader: false,
    dayTrades: [],
    tradingBlocked: false,
    ...overrides,
  };
}
