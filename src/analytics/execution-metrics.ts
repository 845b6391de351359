/**
 * Execution quality of one order, measured against the market when it was decided (pure).
 *
 * Definitions (s = +1 for a buy, −1 for a sell, so that a positive cost is always worse for the order):
 *
 * - **Arrival price**: the mid of the consolidated best bid and ask when the order was decided
 *   (`OrderMeta.arrival`); the one side when only one exists; none without a quote, and then every
 *   measure below that needs it is absent (never guessed).
 * - **Slippage (bps)**: s × (average fill − arrival) / arrival × 10⁴, rounded half-even to 4 dp.
 *   Positive: paid more than arrival on a buy, received less on a sell. Absent without a fill.
 * - **Price improvement (bps)**: how much better than the reference the order filled,
 *   s × (reference − average fill) / reference × 10⁴, 4 dp; positive = improvement. The reference is
 *   the quote the order would take at arrival (the ask for a buy, the bid for a sell). A `limit`
 *   order that was not marketable at arrival (a buy below the ask, a sell above the bid, or no
 *   opposite side to take) rested: it never had the quote to beat, so it is measured against its
 *   own limit price instead. Triggered types (stop, stop_limit, ...) use the arrival quote like
 *   market orders: it is the quote when the agent decided, even if the venue worked the order later.
 * - **Implementation shortfall** (quote currency, exact): s × (filled notional − arrival × filled)
 *   + fees, i.e. s × (average − arrival) × filled + fees, plus, when a final mark is given, the
 *   opportunity cost of what did not fill: s × (mark − arrival) × unfilled. Fees are added as the
 *   venue charged them, as position accounting does (src/domain/position.ts).
 * - **Fill rate**: min(filled, quantity) / quantity, 6 dp (an overfill is an anomaly reported
 *   elsewhere, not a fill rate above 1).
 * - **Latency (ms)**: sent → the venue's first answer (the first ack, fill or rej event, our
 *   receive time); **fill latency**: sent → the first fill event.
 */
import { BPS, type Decimal, ZERO, minDec, sumDec } from '../domain/decimal.js';
import type { EventMark, Fill, OrderEvent } from '../domain/events.js';
import type { Order, OrderStatus, OrderType, Side } from '../domain/order.js';

/** Basis-point figures are kept to 4 decimal places (0.0001 bp), fractions to 6. */
export const BPS_DP = 4;
export const FRACTION_DP = 6;

/** The consolidated top of book when the order was decided. */
export interface ArrivalQuote {
  readonly bid?: Decimal;
  readonly ask?: Decimal;
}

export type MeasuredOrder = Pick<
  Order,
  | 'id'
  | 'venue'
  | 'accountId'
  | 'symbol'
  | 'side'
  | 'type'
  | 'quantity'
  | 'filledQty'
  | 'filledNotional'
  | 'avgFillPrice'
  | 'limitPrice'
  | 'status'
  | 'createdAt'
  | 'updatedAt'
>;

export interface ExecutionInput {
  readonly order: MeasuredOrder;
  readonly agentId?: string;
  readonly fills: readonly Pick<Fill, 'fee'>[];
  readonly arrival?: ArrivalQuote;
  /** When the order went to the venue (epoch ms). */
  readonly sentAt: number;
  /** The venue's first answer (ack, fill or rej), our receive time. */
  readonly firstAnswerAt?: number;
  readonly firstFillAt?: number;
  /** The mark when the order ended: prices the unfilled part's opportunity cost. */
  readonly finalMark?: Decimal;
  /** When the order ended (default: its last update). */
  readonly completedAt?: number;
}

/** One order's execution quality, as stored in execution_metrics. */
export interface ExecutionMetrics {
  readonly orderId: string;
  readonly venue: string;
  readonly accountId: string;
  readonly agentId?: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly status: OrderStatus;
  readonly quantity: Decimal;
  readonly filledQty: Decimal;
  readonly avgFillPrice?: Decimal;
  readonly fees: Decimal;
  readonly arrivalPrice?: Decimal;
  readonly slippageBps?: Decimal;
  readonly priceImprovementBps?: Decimal;
  readonly implementationShortfall?: Decimal;
  readonly fillRate: Decimal;
  readonly latencyMs?: number;
  readonly fillLatencyMs?: number;
  readonly completedAt: number;
}

export function computeExecutionMetrics(input: ExecutionInput): ExecutionMetrics {
  const { order } = input;
  const filled = order.filledQty.isPositive() ? order.filledQty : ZERO;
  const avg = filled.isZero() ? undefined : order.avgFillPrice;
  const fees = sumDec(input.fills.map((f) => f.fee));
  const arrival = arrivalPrice(input.arrival);
  const latencyMs = elapsed(input.sentAt, input.firstAnswerAt);
  const fillLatencyMs = elapsed(input.sentAt, input.firstFillAt);
  const reference = improvementReference(order, input.arrival);
  const shortfall = arrival === undefined ? undefined : implementationShortfall(input, arrival, fees);
  return {
    orderId: order.id,
    venue: order.venue,
    accountId: order.accountId,
    ...(input.agentId === undefined ? {} : { agentId: input.agentId }),
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    quantity: order.quantity,
    filledQty: filled,
    ...(avg === undefined ? {} : { avgFillPrice: avg }),
    fees,
    ...(arrival === undefined ? {} : { arrivalPrice: arrival }),
    ...(avg === undefined || arrival === undefined
      ? {}
      : { slippageBps: slippageBps(order.side, avg, arrival) }),
    ...(avg === undefined || reference === undefined
      ? {}
      : { priceImprovementBps: slippageBps(order.side, avg, reference).negated() }),
    ...(shortfall === undefined ? {} : { implementationShortfall: shortfall }),
    fillRate: minDec(filled, order.quantity).div(order.quantity).toDecimalPlaces(FRACTION_DP),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(fillLatencyMs === undefined ? {} : { fillLatencyMs }),
    completedAt: input.completedAt ?? order.updatedAt,
  };
}

/** The mid of the quote; the one side when only one exists. */
export function arrivalPrice(quote: ArrivalQuote | undefined): Decimal | undefined {
  const { bid, ask } = quote ?? {};
  if (bid !== undefined && ask !== undefined) return bid.plus(ask).div(2);
  return bid ?? ask;
}

const sign = (side: Side): number => (side === 'buy' ? 1 : -1);

/** s × (price − reference) / reference × 10⁴, 4 dp: positive when `price` is worse than `reference`. */
export function slippageBps(side: Side, price: Decimal, reference: Decimal): Decimal {
  return price.minus(reference).div(reference).times(BPS).times(sign(side)).toDecimalPlaces(BPS_DP);
}

/** The quote a marketable order takes at arrival; a resting limit's own limit price. */
export function improvementReference(
  order: Pick<Order, 'side' | 'type' | 'limitPrice'>,
  arrival: ArrivalQuote | undefined,
): Decimal | undefined {
  const taking = order.side === 'buy' ? arrival?.ask : arrival?.bid;
  if (order.type !== 'limit' || order.limitPrice === undefined) return taking;
  const marketable =
    taking !== undefined &&
    (order.side === 'buy' ? order.limitPrice.gte(taking) : order.limitPrice.lte(taking));
  return marketable ? taking : order.limitPrice;
}

function implementationShortfall(input: ExecutionInput, arrival: Decimal, fees: Decimal): Decimal {
  const { order } = input;
  const s = sign(order.side);
  const filled = order.filledQty.isPositive() ? order.filledQty : ZERO;
  const execution = filled.isZero() ? ZERO : order.filledNotional.minus(arrival.times(filled)).times(s);
  const unfilled = order.quantity.minus(filled);
  const opportunity =
    input.finalMark === undefined || !unfilled.isPositive()
      ? ZERO
      : input.finalMark.minus(arrival).times(unfilled).times(s);
  return execution.plus(fees).plus(opportunity);
}

function elapsed(from: number, to: number | undefined): number | undefined {
  return to === undefined ? undefined : Math.max(0, Math.round(to - from));
}

/** The venue's answers that end the wait for a sent order. */
const ANSWERS: ReadonlySet<OrderEvent['kind']> = new Set(['ack', 'fill', 'rej']);

/** The first venue answer and the first fill among an order's events (our receive times). */
export function answerTimes(events: readonly EventMark[]): { firstAnswerAt?: number; firstFillAt?: number } {
  let firstAnswerAt: number | undefined;
  let firstFillAt: number | undefined;
  for (const event of events) {
    if (!ANSWERS.has(event.kind)) continue;
    firstAnswerAt = Math.min(firstAnswerAt ?? Infinity, event.receivedAt);
    if (event.kind === 'fill') firstFillAt = Math.min(firstFillAt ?? Infinity, event.receivedAt);
  }
  return {
    ...(firstAnswerAt === undefined ? {} : { firstAnswerAt }),
    ...(firstFillAt === undefined ? {} : { firstFillAt }),
  };
}

/** Whether any event came from (or stands for) the venue: not only our own cancel or replace requests. */
export function reachedVenue(events: readonly EventMark[]): boolean {
  return events.some((e) => !((e.kind === 'cxl_req' || e.kind === 'rpl_req') && e.origin === 'local'));
}
