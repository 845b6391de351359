import { randomUUID } from 'node:crypto';
import { type Decimal, ZERO } from '../../../domain/decimal.js';
import type { OrderEvent, OrderEventOf } from '../../../domain/events.js';
import { type Order, type Side, leavesQty } from '../../../domain/order.js';
import { applyEvent } from '../../../domain/order-status.js';
import { type FillActivity, activityId } from './activities.js';
import { alpacaStatus } from './order-json.js';
import type { AlpacaOrderRecord, OrderLedger } from './order-ledger.js';

/** The trade_updates events the fake sends (Alpaca's names). */
export type AlpacaEvent =
  | 'new'
  | 'fill'
  | 'partial_fill'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'rejected'
  | 'pending_cancel'
  | 'pending_replace';

export interface Execution {
  readonly id: string;
  readonly price: Decimal;
  readonly qty: Decimal;
  /** The account's position in the symbol after this execution. */
  readonly positionQty: Decimal;
}

/** One trade update, rendered by its listener at once: `record` shows the order as of this event. */
export interface TradeUpdate {
  readonly event: AlpacaEvent;
  readonly record: AlpacaOrderRecord;
  readonly at: number;
  readonly execution?: Execution;
}

export interface TradeUpdatesDeps {
  readonly ledger: OrderLedger;
  /** The price a trailing stop trails (bid for a sell, ask for a buy): its high-water mark. */
  readonly basis: (symbol: string, side: Side) => Decimal | undefined;
  readonly emit: (update: TradeUpdate) => void;
}

/**
 * Turns the paper venue's order events (ORDER-SEMANTICS.md §1.3) into Alpaca's trade updates:
 * ack → new (held legs wait for their activation, `upd held:false`, to be new), fill → fill or
 * partial_fill, cxl → canceled, exp → expired, rej → rejected, rpl_req → pending_replace, and a
 * confirmed replace → replaced for the old order plus new for its successor. Triggers, resizes and
 * refused cancels/replaces have no Alpaca event (the HTTP answer carries the refusal).
 */
export class TradeUpdates {
  /** Replaces a PATCH asked for, by paper key: the successor's client id (undefined: generated). */
  private readonly requested = new Map<string, string | undefined>();
  /** The order as it was when its replace went pending: what the replaced record keeps showing. */
  private readonly beforeReplace = new Map<string, Order>();
  private readonly positionQty = new Map<string, Decimal>();
  readonly fills: FillActivity[] = [];

  constructor(private readonly deps: TradeUpdatesDeps) {}

  expectReplace(key: string, clientOrderId: string | undefined): void {
    this.requested.set(key, clientOrderId);
  }

  forgetReplace(key: string): void {
    this.requested.delete(key);
    this.beforeReplace.delete(key);
  }

  apply(event: OrderEvent): void {
    const key = event.clientOrderId;
    const before = this.deps.ledger.mirror(key);
    const record = this.deps.ledger.head(key);
    if (before === undefined || record === undefined) return;
    const result = applyEvent(before, event);
    if (result.outcome !== 'applied') return;
    this.deps.ledger.setMirror(key, result.order);
    this.translate(event, record, before, result.order);
  }

  private translate(event: OrderEvent, record: AlpacaOrderRecord, before: Order, after: Order): void {
    const at = event.venueTime;
    switch (event.kind) {
      case 'ack':
        if (!after.held) this.send('new', record, at);
        return;
      case 'rej':
        record.failedAt = at;
        this.send('rejected', record, at);
        return;
      case 'fill':
        this.onFill(event, record, after);
        return;
      case 'cxl':
        record.canceledAt = at;
        this.send('canceled', record, at);
        return;
      case 'exp':
        record.expiredAt = at;
        this.send('expired', record, at);
        return;
      case 'cxl_req':
        this.send('pending_cancel', record, at);
        return;
      case 'rpl_req':
        this.beforeReplace.set(event.clientOrderId, before);
        this.send('pending_replace', record, at);
        return;
      case 'rpl':
        this.onReplace(event.clientOrderId, record, before, at);
        return;
      case 'upd':
        this.onUpdate(event, record, after, at);
        return;
      default:
        return;
    }
  }

  private onFill(event: OrderEventOf<'fill'>, record: AlpacaOrderRecord, after: Order): void {
    const fill = event.fill;
    const signed = fill.side === 'buy' ? fill.quantity : fill.quantity.negated();
    const positionQty = (this.positionQty.get(fill.symbol) ?? ZERO).plus(signed);
    this.positionQty.set(fill.symbol, positionQty);
    const complete = after.status === 'filled';
    if (complete) record.filledAt = fill.ts;
    const kind = complete ? 'fill' : 'partial_fill';
    const executionId = randomUUID();
    this.fills.push({
      id: activityId(fill.ts, executionId),
      at: fill.ts,
      type: kind,
      price: fill.price,
      qty: fill.quantity,
      side: fill.side,
      symbol: fill.symbol,
      leavesQty: leavesQty(after),
      orderId: record.id,
      cumQty: after.filledQty,
      orderStatus: alpacaStatus(record, after),
    });
    this.send(kind, record, fill.ts, { id: executionId, price: fill.price, qty: fill.quantity, positionQty });
  }

  /** Only a replace a PATCH asked for makes a successor; one the venue made by itself changes in place. */
  private onReplace(key: string, record: AlpacaOrderRecord, before: Order, at: number): void {
    if (!this.requested.has(key)) return;
    const clientOrderId = this.requested.get(key);
    const frozen = this.beforeReplace.get(key) ?? before;
    this.forgetReplace(key);
    const successor = this.deps.ledger.succeed(key, frozen, clientOrderId, at);
    this.send('replaced', record, at);
    this.send('new', successor, at);
  }

  private onUpdate(event: OrderEventOf<'upd'>, record: AlpacaOrderRecord, after: Order, at: number): void {
    if (event.changes.currentStop !== undefined) {
      const basis = this.deps.basis(after.symbol, after.side);
      if (basis !== undefined) record.hwm = basis;
    }
    if (event.changes.held === false) this.send('new', record, at);
  }

  private send(event: AlpacaEvent, record: AlpacaOrderRecord, at: number, execution?: Execution): void {
    this.deps.emit({ event, record, at, ...(execution === undefined ? {} : { execution }) });
  }
}
