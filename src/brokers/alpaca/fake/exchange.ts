import { randomUUID } from 'node:crypto';
import { type Decimal, dec } from '../../../domain/decimal.js';
import type { InstrumentRegistry } from '../../../domain/instruments.js';
import { type Instrument, floorLot } from '../../../domain/instrument.js';
import { BrokerCallError, type SubmitReceipt, type VenueEvent } from '../../broker.js';
import type { PaperBroker } from '../../paper/paper-broker.js';
import {
  type AlpacaError,
  AlpacaFailure,
  duplicateClientId,
  inputRefusal,
  notCancelable,
  notFound,
  notReplaceable,
  submitRefusal,
  unprocessable,
} from './alpaca-errors.js';
import { buyingPowerRefusal } from './buying-power.js';
import type { FakeClock } from './fake-clock.js';
import { alpacaStatus } from './order-json.js';
import { type AlpacaOrderRecord, OrderLedger } from './order-ledger.js';
import { type ReplacePlan, type SubmitPlan, replaceChanges } from './order-request.js';
import { type TradeUpdate, TradeUpdates } from './trade-updates.js';

export interface Quote {
  readonly bid: Decimal;
  readonly ask: Decimal;
  readonly bidSize?: Decimal;
  readonly askSize?: Decimal;
}

export interface ExchangeDeps {
  readonly broker: PaperBroker;
  readonly clock: FakeClock;
  readonly instruments: InstrumentRegistry;
  readonly accountId: string;
  readonly onUpdate: (update: TradeUpdate) => void;
}

type Captured<T> =
  | { readonly events: VenueEvent[]; readonly ok: true; readonly value: T }
  | { readonly events: VenueEvent[]; readonly ok: false; readonly error: unknown };

/** What closing one position gave: the closing order, or Alpaca's refusal. */
export type CloseResult =
  | { readonly instrument: Instrument; readonly record: AlpacaOrderRecord }
  | { readonly instrument: Instrument; readonly error: AlpacaError };

/**
 * Alpaca's order operations on the paper venue. Each command's events are captured while the venue
 * runs it (synchronously: the fake's venue has no command latency) and folded afterwards, so that a
 * submit Alpaca would refuse outright (buying power, stop through the market) leaves no order and no
 * trade update behind, as at Alpaca.
 */
export class FakeExchange {
  readonly ledger: OrderLedger;
  readonly updates: TradeUpdates;
  private capturing: VenueEvent[] | undefined;

  constructor(private readonly deps: ExchangeDeps) {
    this.ledger = new OrderLedger(deps.accountId, deps.broker.venue);
    this.updates = new TradeUpdates({
      ledger: this.ledger,
      basis: (symbol, side) => {
        const book = deps.broker.book(symbol);
        return (side === 'sell' ? book?.bids[0] : book?.asks[0])?.price;
      },
      emit: deps.onUpdate,
    });
    deps.broker.subscribe((event) => {
      if (event.accountId !== deps.accountId) return;
      if (this.capturing !== undefined) this.capturing.push(event);
      else this.updates.apply(event.event);
    });
  }

  async submit(plan: SubmitPlan): Promise<AlpacaOrderRecord> {
    const funds = await buyingPowerRefusal(plan, this.deps.broker, this.ledger, this.deps.accountId);
    if (funds !== undefined) throw new AlpacaFailure(funds);
    // Checked with no await before `create`, so that two concurrent submits cannot share a client id.
    if (plan.legs.some((leg) => this.ledger.hasClientId(leg.clientOrderId)))
      throw new AlpacaFailure(duplicateClientId());
    const records = this.ledger.create(plan.orderClass, plan.legs, this.deps.clock.now());
    const ids = records.map((r) => r.id);
    const { accountId, broker } = this.deps;
    const legs = plan.legs.map((leg) => ({
      ...leg.spec,
      accountId,
      clientOrderId: leg.id,
      role: leg.role ?? 'member',
    }));
    const orderClass = plan.orderClass;
    const captured = await this.capture<SubmitReceipt[]>(() =>
      orderClass === 'simple'
        ? Promise.all(legs.map(({ role: _role, ...leg }) => broker.submit(leg)))
        : broker.submitGroup({ orderClass, accountId, legs }),
    );
    const refusal = this.refusalOf(captured, new Set(ids));
    if (refusal !== undefined) {
      this.ledger.remove(ids);
      this.fold(captured.events, new Set(ids));
      throw new AlpacaFailure(refusal);
    }
    this.fold(captured.events);
    const [parent] = records;
    if (parent === undefined) throw new Error('fake Alpaca bug: a submit without orders');
    return parent;
  }

  /** PATCH: the successor record, once the venue confirmed the replace. */
  async replace(record: AlpacaOrderRecord, plan: ReplacePlan): Promise<AlpacaOrderRecord> {
    if (record.frozen !== undefined) throw new AlpacaFailure(notReplaceable('replaced'));
    if (plan.clientOrderId !== undefined && this.ledger.hasClientId(plan.clientOrderId))
      throw new AlpacaFailure(duplicateClientId());
    const order = this.ledger.orderOf(record);
    const changes = replaceChanges(plan, order);
    this.updates.expectReplace(record.key, plan.clientOrderId);
    const request = { accountId: this.deps.accountId, clientOrderId: record.key, changes };
    const captured = await this.capture(() => this.deps.broker.replace(request));
    const refused = captured.events.find((e) => e.event.kind === 'rpl_rej');
    if (!captured.ok || refused !== undefined) this.updates.forgetReplace(record.key);
    this.fold(captured.events);
    if (!captured.ok) throw this.callFailure(captured.error, record, notReplaceable);
    if (refused?.event.kind === 'rpl_rej') {
      const { code, message } = refused.event;
      throw new AlpacaFailure(submitRefusal(code, message) ?? inputRefusal(code, message));
    }
    const successor = this.ledger.head(record.key);
    if (successor === undefined || successor.id === record.id)
      throw new Error('fake Alpaca bug: replace made no successor');
    return successor;
  }

  async cancel(record: AlpacaOrderRecord): Promise<void> {
    if (record.frozen !== undefined) throw new AlpacaFailure(notCancelable('replaced'));
    const request = { accountId: this.deps.accountId, clientOrderId: record.key };
    const captured = await this.capture(() => this.deps.broker.cancel(request));
    this.fold(captured.events);
    if (!captured.ok) throw this.callFailure(captured.error, record, notCancelable);
  }

  /** DELETE /v2/orders: every open order; legs a parent's cancel took along count as canceled. */
  async cancelAll(): Promise<{ readonly id: string; readonly error?: AlpacaError }[]> {
    // Parents first: their cancel takes their held legs along, as at Alpaca.
    const open = this.ledger
      .all()
      .filter((r) => this.ledger.isOpen(r))
      .sort((a, b) => Number(a.parentId !== undefined) - Number(b.parentId !== undefined));
    const results: { id: string; error?: AlpacaError }[] = [];
    for (const record of open) {
      if (!this.ledger.isOpen(record)) {
        results.push({ id: record.id });
        continue;
      }
      try {
        await this.cancel(record);
        results.push({ id: record.id });
      } catch (error) {
        if (!(error instanceof AlpacaFailure)) throw error;
        results.push({ id: record.id, error: error.error });
      }
    }
    return results;
  }

  /** DELETE /v2/positions/{symbol}: a market order for all of it, or `qty`, or `percentage` of it. */
  async closePosition(
    instrument: Instrument,
    qty?: Decimal,
    percentage?: Decimal,
  ): Promise<AlpacaOrderRecord> {
    const position = await this.position(instrument.symbol);
    if (position === undefined) throw new AlpacaFailure(notFound('position does not exist'));
    const held = position.abs();
    const quantity =
      qty ?? (percentage === undefined ? held : floorLot(instrument, held.times(percentage).div(100)));
    if (quantity.lessThanOrEqualTo(0) || quantity.greaterThan(held))
      throw new AlpacaFailure(
        unprocessable(`invalid qty ${quantity.toFixed()} for a position of ${held.toFixed()}`),
      );
    const spec = {
      symbol: instrument.symbol,
      side: position.isPositive() ? ('sell' as const) : ('buy' as const),
      type: 'market' as const,
      quantity,
      timeInForce: instrument.assetClass === 'crypto' ? ('gtc' as const) : ('day' as const),
    };
    return this.submit({
      orderClass: 'simple',
      instrument,
      legs: [{ id: randomUUID(), clientOrderId: randomUUID(), spec }],
    });
  }

  /** DELETE /v2/positions: closes each position (after canceling open orders when asked). */
  async closeAll(cancelOrders: boolean): Promise<CloseResult[]> {
    if (cancelOrders) await this.cancelAll();
    const positions = await this.deps.broker.positions(this.deps.accountId);
    const results: CloseResult[] = [];
    for (const p of positions.filter((x) => !x.quantity.isZero())) {
      const instrument = this.deps.instruments.get(p.symbol);
      try {
        results.push({ instrument, record: await this.closePosition(instrument) });
      } catch (error) {
        if (!(error instanceof AlpacaFailure)) throw error;
        results.push({ instrument, error: error.error });
      }
    }
    return results;
  }

  /** Sets the market for a symbol (a one-level book) and runs matching against it. */
  setQuote(instrument: Instrument, quote: Quote): void {
    this.deps.clock.sync();
    const level = (price: Decimal, size: Decimal | undefined) =>
      size === undefined ? { price } : { price, size };
    this.deps.broker.simulate({
      kind: 'book',
      book: {
        symbol: instrument.symbol,
        ts: this.deps.clock.now(),
        bids: [level(quote.bid, quote.bidSize)],
        asks: [level(quote.ask, quote.askSize)],
      },
    });
  }

  async position(symbol: string): Promise<Decimal | undefined> {
    const positions = await this.deps.broker.positions(this.deps.accountId);
    const found = positions.find((p) => p.symbol === symbol);
    return found === undefined || found.quantity.isZero() ? undefined : dec(found.quantity);
  }

  /**
   * Runs a venue command with its events held back. The command runs inside the call (the venue has
   * no latency), so the capture window closes before any other request can run.
   */
  private async capture<T>(run: () => Promise<T>): Promise<Captured<T>> {
    const events: VenueEvent[] = [];
    this.capturing = events;
    let pending: Promise<T>;
    try {
      pending = run();
    } finally {
      this.capturing = undefined;
    }
    try {
      return { events, ok: true, value: await pending };
    } catch (error) {
      return { events, ok: false, error };
    }
  }

  private fold(events: readonly VenueEvent[], skip: ReadonlySet<string> = new Set()): void {
    for (const e of events) if (!skip.has(e.event.clientOrderId)) this.updates.apply(e.event);
  }

  /** Alpaca's answer to a submit the venue refused: outright (422) or synchronously (403/422). */
  private refusalOf(captured: Captured<SubmitReceipt[]>, ids: ReadonlySet<string>): AlpacaError | undefined {
    if (!captured.ok) {
      if (captured.error instanceof BrokerCallError)
        return inputRefusal(captured.error.code, captured.error.message);
      throw captured.error;
    }
    const rejected = captured.value.find((r) => r.status === 'rejected');
    if (rejected?.status !== 'rejected') return undefined;
    const recorded = captured.events.some((e) => ids.has(e.event.clientOrderId));
    if (!recorded) return inputRefusal(rejected.code, rejected.message);
    return submitRefusal(rejected.code, rejected.message);
  }

  private callFailure(
    error: unknown,
    record: AlpacaOrderRecord,
    closed: (status: string) => AlpacaError,
  ): AlpacaFailure {
    // Anything else is a bug in the fake or the venue: it surfaces as a 500.
    if (!(error instanceof BrokerCallError)) throw error;
    if (error.code === 'ORDER_NOT_OPEN' || error.code === 'ORDER_PENDING')
      return new AlpacaFailure(closed(alpacaStatus(record, this.ledger.orderOf(record))));
    return new AlpacaFailure(inputRefusal(error.code, error.message));
  }
}
