/**
 * The last gate before real money: a live connection's caps (credentials-live.ts), enforced at the
 * broker boundary so that no limit change, agent or engine path can send past them. Every order
 * and every replace that would raise an order's notional is valued before it leaves; one over the
 * per-order cap, or one that would take the day's sent notional over the daily cap, is refused
 * definitively (nothing is sent). The risk engine's own limits still apply before this.
 *
 * Valuation is deliberately conservative: a priced order at its limit (or its stop when it has no
 * limit), a market order at the far side of the venue's book plus the band below; an order that
 * cannot be valued (a market order with no book) is refused rather than guessed.
 */
import { DateTime } from 'luxon';
import { type Decimal, ZERO, dec } from '../domain/decimal.js';
import type { BookSnapshot } from '../marketdata/types.js';
import {
  type Broker,
  BrokerCallError,
  type GroupSubmitRequest,
  type ReplaceRequest,
  type SubmitReceipt,
  type SubmitRequest,
} from './broker.js';
import type { LiveCaps } from './credentials-live.js';
import { ForwardingBroker } from './forwarding-broker.js';

/** A market order is valued this far through the far touch (5 %): a thin book can walk. */
const MARKET_BAND = dec('1.05');

export interface LiveCapsOptions {
  /** The connection's id, named in refusals. */
  readonly connectionId: string;
  /** Wall-clock milliseconds (the day the daily cap counts). */
  readonly now?: () => number;
  /** Notional already sent today (from the order store), so a restart does not reset the day. */
  readonly sentToday?: Decimal;
}

/** The notional an order commits, or undefined when it cannot be valued. */
export function orderNotional(
  order: Pick<SubmitRequest, 'side' | 'quantity' | 'limitPrice' | 'stopPrice' | 'triggerPrice' | 'symbol'>,
  book: BookSnapshot | undefined,
): Decimal | undefined {
  const price = order.limitPrice ?? order.stopPrice ?? order.triggerPrice ?? farTouch(order.side, book);
  return price === undefined ? undefined : order.quantity.times(price);
}

function farTouch(side: SubmitRequest['side'], book: BookSnapshot | undefined): Decimal | undefined {
  const level = side === 'buy' ? book?.asks[0] : book?.bids[0];
  if (level === undefined) return undefined;
  return side === 'buy' ? level.price.times(MARKET_BAND) : level.price;
}

export class LiveCapsBroker extends ForwardingBroker {
  private readonly now: () => number;
  private day: string;
  private sent: Decimal;

  constructor(
    inner: Broker,
    readonly caps: LiveCaps,
    private readonly options: LiveCapsOptions,
  ) {
    super(inner);
    this.now = options.now ?? Date.now;
    this.day = dayOf(this.now());
    this.sent = options.sentToday ?? ZERO;
  }

  /** Notional sent today through this connection (accepted or with an unknown outcome). */
  sentToday(): Decimal {
    this.rollDay();
    return this.sent;
  }

  override async submit(request: SubmitRequest): Promise<SubmitReceipt> {
    const notional = this.admit([request]);
    return this.counted(notional, () => this.inner.submit(request));
  }

  override submitGroup(request: GroupSubmitRequest): Promise<SubmitReceipt[]> {
    // Exits only close what the entry opened: the group commits its entry legs' notional.
    const opening = request.legs.filter(
      (l) => l.role === 'entry' || l.role === 'primary' || l.role === 'member',
    );
    const notional = this.admit(opening);
    return this.counted(notional, () => this.innerSubmitGroup(request));
  }

  override async replace(request: ReplaceRequest): Promise<void> {
    const { quantity, limitPrice, stopPrice, triggerPrice } = request.changes;
    if (
      quantity === undefined &&
      limitPrice === undefined &&
      stopPrice === undefined &&
      triggerPrice === undefined
    )
      return this.inner.replace(request);
    const order = await this.inner.getOrder(request.accountId, request.clientOrderId);
    if (order === undefined) return this.inner.replace(request);
    const before = orderNotional(order, this.inner.book(order.symbol)) ?? ZERO;
    const after = this.admit([{ ...order, ...request.changes }]);
    const raise = after.minus(before);
    return this.counted(raise.gt(0) ? raise : ZERO, () => this.inner.replace(request));
  }

  /** Values the orders against the caps; throws a definitive refusal when one is over. */
  private admit(orders: readonly Parameters<typeof orderNotional>[0][]): Decimal {
    let total = ZERO;
    for (const order of orders) {
      const notional = orderNotional(order, this.inner.book(order.symbol));
      if (notional === undefined)
        throw this.refusal(
          'ORDER_NOTIONAL_LIMIT',
          `a ${order.side} market order for ${order.symbol} cannot be valued (no quote at the venue), so it cannot be checked against the live caps`,
        );
      if (notional.gt(this.caps.maxOrderNotional))
        throw this.refusal(
          'ORDER_NOTIONAL_LIMIT',
          `the order's notional ${notional.toFixed(2)} is above the live cap of ${this.caps.maxOrderNotional.toFixed()} per order`,
        );
      total = total.plus(notional);
    }
    const daily = this.caps.maxDailyNotional;
    if (daily !== undefined && this.sentToday().plus(total).gt(daily))
      throw this.refusal(
        'DAILY_NOTIONAL_LIMIT',
        `sending ${total.toFixed(2)} would take today's live notional to ${this.sent.plus(total).toFixed(2)}, above the daily cap of ${daily.toFixed()}`,
      );
    return total;
  }

  /**
   * Counts the notional unless the venue refused definitively: an answer lost to a timeout may
   * still be an order, so it counts.
   */
  private async counted<T>(notional: Decimal, call: () => Promise<T>): Promise<T> {
    this.rollDay();
    this.sent = this.sent.plus(notional);
    try {
      const result = await call();
      if (refusedReceipt(result)) this.sent = this.sent.minus(notional);
      return result;
    } catch (error) {
      if (error instanceof BrokerCallError && error.outcome === 'definitive')
        this.sent = this.sent.minus(notional);
      throw error;
    }
  }

  private rollDay(): void {
    const today = dayOf(this.now());
    if (today !== this.day) {
      this.day = today;
      this.sent = ZERO;
    }
  }

  private refusal(code: 'ORDER_NOTIONAL_LIMIT' | 'DAILY_NOTIONAL_LIMIT', why: string): BrokerCallError {
    return new BrokerCallError(
      this.venue,
      'definitive',
      code,
      `Live trading cap on "${this.options.connectionId}": ${why}; nothing was sent.`,
    );
  }
}

/** The caps count per US equity trading date (New York), the day an operator reads statements by. */
function dayOf(ms: number): string {
  return DateTime.fromMillis(ms, { zone: 'America/New_York' }).toISODate() ?? '';
}

function refusedReceipt(result: unknown): boolean {
  const receipts = Array.isArray(result) ? (result as unknown[]) : [result];
  return receipts.some(
    (r) => typeof r === 'object' && r !== null && 'status' in r && (r as SubmitReceipt).status === 'rejected',
  );
}
