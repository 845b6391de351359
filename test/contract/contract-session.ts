/**
 * One contract case's view of a subject: it records the stream from the start, builds requests for
 * the subject's account and symbol, and reads the venue only through the Broker port.
 */
import type { SubmitRequest, VenueEvent, VenueOrder } from '../../src/brokers/broker.js';
import { dec } from '../../src/domain/decimal.js';
import type { Fill, OrderEvent } from '../../src/domain/events.js';
import type { OrderType, Side, TimeInForce } from '../../src/domain/order.js';
import type { ContractSubject } from './contract-subject.js';

/** Optional request fields; prices and offsets as exact decimal strings. */
export interface RequestExtra {
  readonly limitPrice?: string;
  readonly stopPrice?: string;
  readonly triggerPrice?: string;
  readonly trailPrice?: string;
  readonly timeInForce?: TimeInForce;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  readonly symbol?: string;
}

/** The market every case starts from: 100.00 / 100.10, 50 a side. */
export const OPENING_QUOTE = { bid: '100.00', ask: '100.10', bidSize: '50', askSize: '50' } as const;

export class ContractSession {
  readonly subject: ContractSubject;
  /** Every event the subject's account heard, in order. */
  readonly events: OrderEvent[] = [];
  private readonly unsubscribe: () => void;

  constructor(subject: ContractSubject) {
    this.subject = subject;
    this.unsubscribe = subject.broker.subscribe((e: VenueEvent) => {
      if (e.accountId === subject.accountId) this.events.push(e.event);
    });
  }

  get broker(): ContractSubject['broker'] {
    return this.subject.broker;
  }

  get accountId(): string {
    return this.subject.accountId;
  }

  /** A gtc request for the subject's account and symbol unless `extra` says otherwise. */
  request(
    clientOrderId: string,
    side: Side,
    type: OrderType,
    quantity: string,
    extra: RequestExtra = {},
  ): SubmitRequest {
    return {
      accountId: this.accountId,
      clientOrderId,
      symbol: extra.symbol ?? this.subject.symbol,
      side,
      type,
      quantity: dec(quantity),
      timeInForce: extra.timeInForce ?? 'gtc',
      ...optional('limitPrice', extra.limitPrice, dec),
      ...optional('stopPrice', extra.stopPrice, dec),
      ...optional('triggerPrice', extra.triggerPrice, dec),
      ...optional('trailPrice', extra.trailPrice, dec),
      ...optional('postOnly', extra.postOnly, Boolean),
      ...optional('reduceOnly', extra.reduceOnly, Boolean),
    };
  }

  /** Submits, insists that the venue accepted, and waits until the stream has delivered what followed. */
  async place(request: SubmitRequest): Promise<void> {
    const receipt = await this.broker.submit(request);
    await this.subject.settle();
    if (receipt.status !== 'accepted') {
      throw new Error(`${request.clientOrderId} was refused: ${receipt.code} ${receipt.message}`);
    }
  }

  async cancel(clientOrderId: string): Promise<void> {
    await this.broker.cancel({ accountId: this.accountId, clientOrderId });
    await this.subject.settle();
  }

  /** Sets the subject's market, one level a side (50 each unless given), and waits for the stream. */
  async quote(bid: string, ask: string, bidSize = '50', askSize = '50'): Promise<void> {
    await this.subject.market.set(this.subject.symbol, { bid, ask, bidSize, askSize });
    await this.subject.settle();
  }

  async open(): Promise<void> {
    await this.subject.market.set(this.subject.symbol, OPENING_QUOTE);
    await this.subject.settle();
  }

  /** Moves venue time forward; without a venue clock, lets real time pass. */
  async advance(ms: number): Promise<void> {
    const advance = this.subject.market.advance?.bind(this.subject.market);
    if (advance === undefined) await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    else await advance(ms);
    await this.subject.settle();
  }

  eventsOf(clientOrderId: string): OrderEvent[] {
    return this.events.filter((e) => e.clientOrderId === clientOrderId);
  }

  /** Event kinds of one order, in order, leaving out the kinds given (`trig` is optional for stops). */
  kinds(clientOrderId: string, omit: readonly string[] = []): string[] {
    return this.eventsOf(clientOrderId)
      .map((e) => e.kind)
      .filter((k) => !omit.includes(k));
  }

  /** Streamed fills of one order, or of every order. */
  fills(clientOrderId?: string): Fill[] {
    const out: Fill[] = [];
    for (const e of this.events) {
      if (e.kind === 'fill' && (clientOrderId === undefined || e.clientOrderId === clientOrderId)) {
        out.push(e.fill);
      }
    }
    return out;
  }

  /** Streamed fills as `quantity@price`. */
  fillSummary(clientOrderId: string): string[] {
    return this.fills(clientOrderId).map(fillText);
  }

  /** The venue's view of an order that must exist. */
  async order(clientOrderId: string): Promise<VenueOrder> {
    const order = await this.broker.getOrder(this.accountId, clientOrderId);
    if (order === undefined) throw new Error(`the venue does not know ${clientOrderId}`);
    return order;
  }

  async end(): Promise<void> {
    this.unsubscribe();
    await this.subject.close();
  }
}

/** `{ [key]: convert(value) }`, or nothing when the value is absent (exactOptionalPropertyTypes). */
function optional<K extends string, T, U>(
  key: K,
  value: T | undefined,
  convert: (v: T) => U,
): Partial<Record<K, U>> {
  return value === undefined ? {} : ({ [key]: convert(value) } as Record<K, U>);
}

export const fillText = (f: Fill): string => `${f.quantity.toFixed()}@${f.price.toFixed()}`;
