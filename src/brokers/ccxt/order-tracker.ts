/**
 * The orders this adapter follows and the events it has told about them. Spot REST pushes
 * nothing, so events come from comparing what the venue reports (a create-order answer, a poll)
 * with what was already said: each order's `ack` once, `trig` once, each fill once by its id, and
 * its end (`cxl`, `exp`, `rej`) once, after its fills (ORDER-SEMANTICS.md §2.4 event order).
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Fill, OrderEvent } from '../../domain/events.js';
import { type OrderType, type Side, hasTrigger } from '../../domain/order.js';
import type { VenueEvent } from '../broker.js';
import { type OrderView, endedByVenueCancel, hasTriggered } from './order-view.js';

/** How many polls an ended order waits for its fills to show before its end is told anyway. */
const MAX_FILL_WAITS = 5;

export interface Track {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly createdAt: number;
  /** Σ quantities of the fills told. */
  filled: Decimal;
  /** The venue's last report once the order left the book. */
  final: OrderView | undefined;
  /** Nothing more to tell except a late fill. */
  done: boolean;
  readonly told: Set<'ack' | 'trig' | 'end'>;
  waits: number;
  /** Polls in a row in which the venue did not know the order. */
  misses: number;
}

/** An event without the fields every event shares (distributive over the kinds). */
type EventBody<E = OrderEvent> = E extends OrderEvent
  ? Omit<E, 'eventId' | 'clientOrderId' | 'venueOrderId' | 'venueTime' | 'receivedAt'>
  : never;

export class OrderTracker {
  private readonly byClient = new Map<string, Track>();
  private readonly byVenue = new Map<string, Track>();
  /** Every fill seen, told or read back from a report: the adapter's own trade record. */
  private readonly fills = new Map<string, Fill>();
  private readonly toldFills = new Set<string>();

  constructor(
    private readonly venue: string,
    private readonly accountId: string,
    private readonly now: () => number,
    private readonly emit: (event: VenueEvent) => void,
  ) {}

  find(clientOrderId: string): Track | undefined {
    return this.byClient.get(clientOrderId);
  }

  byVenueId(venueOrderId: string): Track | undefined {
    return this.byVenue.get(venueOrderId);
  }

  /** Follows an order from its first report (a create-order answer, or an open order found by a poll). */
  follow(clientOrderId: string, view: OrderView): Track {
    const known = this.byClient.get(clientOrderId);
    if (known !== undefined) return known;
    const track: Track = {
      clientOrderId,
      venueOrderId: view.venueOrderId,
      symbol: view.symbol,
      side: view.side,
      type: view.type,
      createdAt: view.createdAt,
      filled: ZERO,
      final: undefined,
      done: false,
      told: new Set(),
      waits: 0,
      misses: 0,
    };
    this.byClient.set(clientOrderId, track);
    this.byVenue.set(view.venueOrderId, track);
    return track;
  }

  /** Orders still working, or ended and waiting for their fills. */
  working(): Track[] {
    return [...this.byClient.values()].filter((t) => !t.done);
  }

  /** Every symbol an order of this adapter traded. */
  symbols(): Set<string> {
    return new Set([...this.byClient.values()].map((t) => t.symbol));
  }

  /** Tells the ack (and the trigger) a report implies, and keeps an ended order's last report. */
  observe(track: Track, view: OrderView): void {
    this.tellAck(track, view.createdAt);
    if (hasTriggered(view)) this.tellTrig(track, view.updatedAt);
    if (view.venueStatus !== 'open' && track.final === undefined) track.final = view;
  }

  /** Tells a fill once by its id; the ack (and a stop's trigger) go first if they have not. */
  fill(track: Track, fill: Fill): void {
    this.record(fill);
    if (this.toldFills.has(fill.fillId)) return;
    this.toldFills.add(fill.fillId);
    this.tellAck(track, track.createdAt);
    if (hasTrigger(track.type)) this.tellTrig(track, fill.ts);
    track.filled = track.filled.plus(fill.quantity);
    this.tell(track, fill.ts, { kind: 'fill', fill }, fill.fillId);
  }

  /** Tells the `rej` of an order the venue refused outright (it never existed there). */
  refused(clientOrderId: string, code: string, message: string): void {
    const now = this.now();
    const event: OrderEvent = {
      kind: 'rej',
      code,
      message,
      eventId: `${this.venue}:${clientOrderId}:rej`,
      clientOrderId,
      venueTime: now,
      receivedAt: now,
    };
    this.emit({ venue: this.venue, accountId: this.accountId, event });
  }

  /** Keeps a fill in the trade record without telling it (a report's). */
  record(fill: Fill): void {
    if (!this.fills.has(fill.fillId)) this.fills.set(fill.fillId, fill);
  }

  /** The trade record of a symbol, oldest first. */
  recordedFills(symbol: string): Fill[] {
    return [...this.fills.values()]
      .filter((f) => f.symbol === symbol)
      .sort((a, b) => a.ts - b.ts || a.fillId.localeCompare(b.fillId));
  }

  /**
   * Tells an ended order's end once every fill it reports has been told (or after a few polls
   * without them). A filled order needs no end event: its fills say it.
   */
  settle(track: Track): void {
    const view = track.final;
    if (view === undefined || track.done) return;
    if (track.filled.lessThan(view.filledQty) && track.waits++ < MAX_FILL_WAITS) return;
    track.done = true;
    if (track.told.has('end') || view.venueStatus === 'closed') return;
    track.told.add('end');
    this.tell(track, view.updatedAt, endEvent(view));
  }

  private tellAck(track: Track, at: number): void {
    if (track.told.has('ack')) return;
    track.told.add('ack');
    this.tell(track, at, { kind: 'ack' });
  }

  private tellTrig(track: Track, at: number): void {
    if (track.told.has('trig')) return;
    track.told.add('trig');
    this.tell(track, at, { kind: 'trig' });
  }

  private tell(track: Track, venueTime: number, body: EventBody, suffix?: string): void {
    const event = {
      ...body,
      eventId: `${this.venue}:${track.venueOrderId}:${body.kind}${suffix === undefined ? '' : `:${suffix}`}`,
      clientOrderId: track.clientOrderId,
      venueOrderId: track.venueOrderId,
      venueTime,
      receivedAt: this.now(),
    } as OrderEvent;
    this.emit({ venue: this.venue, accountId: this.accountId, event });
  }
}

/** How an order that left the book without filling ends (§1.1, §1.4). */
function endEvent(view: OrderView): EventBody {
  switch (view.venueStatus) {
    case 'rejected':
      return {
        kind: 'rej',
        code: 'VENUE_REJECTED',
        message: `the venue rejected the order (${view.rawStatus ?? 'rejected'}).`,
      };
    case 'expired':
      return endedByVenueCancel(view)
        ? {
            kind: 'cxl',
            reason:
              view.rawStatus === 'EXPIRED_IN_MATCH'
                ? 'self-trade prevention'
                : 'unfilled rest canceled by the venue',
          }
        : { kind: 'exp' };
    default:
      return { kind: 'cxl', reason: 'canceled' };
  }
}
