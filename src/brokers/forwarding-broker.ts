/**
 * A Broker that passes every call to the one it wraps: the base of the decorators around a venue
 * (the connection guard, the live caps), which override only the calls they change.
 */
import type { Fill } from '../domain/events.js';
import type { BookSnapshot } from '../marketdata/types.js';
import type {
  Broker,
  CancelRequest,
  GroupSubmitRequest,
  ReplaceRequest,
  SubmitReceipt,
  SubmitRequest,
  VenueAccount,
  VenueBalance,
  VenueEventListener,
  VenueOrder,
  VenuePosition,
} from './broker.js';

export abstract class ForwardingBroker implements Broker {
  readonly venue: string;
  readonly kind: Broker['kind'];
  readonly mode: Broker['mode'];
  readonly capabilities: Broker['capabilities'];

  constructor(readonly inner: Broker) {
    this.venue = inner.venue;
    this.kind = inner.kind;
    this.mode = inner.mode;
    this.capabilities = inner.capabilities;
  }

  /** The wrapped venue's native group submit; refused when it has none (the engine emulates groups). */
  protected innerSubmitGroup(request: GroupSubmitRequest): Promise<SubmitReceipt[]> {
    const inner = this.inner;
    if (inner.submitGroup === undefined)
      return Promise.reject(new Error(`${this.venue} has no native contingent groups`));
    return inner.submitGroup(request);
  }

  submit(request: SubmitRequest): Promise<SubmitReceipt> {
    return this.inner.submit(request);
  }
  submitGroup(request: GroupSubmitRequest): Promise<SubmitReceipt[]> {
    return this.innerSubmitGroup(request);
  }
  replace(request: ReplaceRequest): Promise<void> {
    return this.inner.replace(request);
  }
  cancel(request: CancelRequest): Promise<void> {
    return this.inner.cancel(request);
  }
  getOrder(accountId: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.inner.getOrder(accountId, clientOrderId);
  }
  openOrders(accountId: string): Promise<VenueOrder[]> {
    return this.inner.openOrders(accountId);
  }
  ordersSince(accountId: string, since: number): Promise<VenueOrder[]> {
    return this.inner.ordersSince(accountId, since);
  }
  fillsSince(accountId: string, since: number): Promise<Fill[]> {
    return this.inner.fillsSince(accountId, since);
  }
  positions(accountId: string): Promise<VenuePosition[]> {
    return this.inner.positions(accountId);
  }
  balances(accountId: string): Promise<VenueBalance[]> {
    return this.inner.balances(accountId);
  }
  accounts(): Promise<VenueAccount[]> {
    return this.inner.accounts();
  }
  connect(): Promise<void> {
    return this.inner.connect();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  subscribe(listener: VenueEventListener): () => void {
    return this.inner.subscribe(listener);
  }
  book(symbol: string): BookSnapshot | undefined {
    return this.inner.book(symbol);
  }
}
