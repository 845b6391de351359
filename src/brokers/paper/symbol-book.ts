import type { Decimal } from '../../domain/decimal.js';
import type { Side } from '../../domain/order.js';
import type { SessionPhase } from '../../marketdata/calendar/index.js';
import type { PaperOptions } from './options.js';
import { OrderIndex } from './order-index.js';
import type { SymbolMarket } from './symbol-market.js';
import { ratchetRank, ratchetRankTicks } from './trailing.js';
import type { Waiting, WorkingOrder } from './working-order.js';

type Index = OrderIndex<WorkingOrder>;
const pair = (): { buy: Index; sell: Index } => ({ buy: new OrderIndex(), sell: new OrderIndex() });

/**
 * One symbol's working orders at the paper venue, each kept in a sorted index so that every
 * market update touches only the orders it can affect (nothing is scanned):
 * - resting limits by price then time (buys: highest first; sells: lowest first);
 * - stops by stop price, touches by trigger, inactive trailing stops by activation price;
 * - active trailing stops also by the basis at which they would next ratchet;
 * - expiries by time, auctions by session time.
 * Ranks are integer tick counts, negated where a higher price comes first.
 */
export class SymbolBook {
  readonly market: SymbolMarket;
  readonly options: PaperOptions;
  readonly tick: Decimal;
  private readonly resting = pair();
  private readonly stops = pair();
  private readonly touches = pair();
  private readonly activations = pair();
  private readonly ratchetIndex = pair();
  private readonly remainderSet = new Set<WorkingOrder>();
  private readonly unpricedSet = new Set<WorkingOrder>();
  private readonly opening = new OrderIndex<WorkingOrder>();
  private readonly closing = new OrderIndex<WorkingOrder>();
  private readonly expiries = new OrderIndex<WorkingOrder>();
  /** Session phase now, and as of the last market update (for discontinuities). */
  phase: SessionPhase | undefined;
  observedPhase: SessionPhase | undefined;
  /** The first mid of the current session (opening auction) and the last mid in it (closing auction). */
  openingPrice: Decimal | undefined;
  openingSession: number | undefined;
  closingPrice: Decimal | undefined;

  constructor(market: SymbolMarket, options: PaperOptions) {
    this.market = market;
    this.options = options;
    this.tick = market.instrument.tickSize;
  }

  get size(): number {
    return this.all().length;
  }

  add(w: WorkingOrder, where: Exclude<Waiting, 'none'>): void {
    this.remove(w);
    w.waiting = where;
    const o = w.order;
    const side = o.side;
    const key = (price: Decimal | undefined): number => {
      if (price === undefined)
        throw new Error(`paper venue bug: ${o.clientOrderId} has no price for ${where}`);
      return this.market.tickKey(price, 'floor');
    };
    switch (where) {
      case 'resting':
        this.resting[side].set(w, side === 'buy' ? -key(o.limitPrice) : key(o.limitPrice), w.seq);
        break;
      case 'stop': {
        const trailing = o.type === 'trailing_stop';
        const stop = trailing ? o.currentStop : o.stopPrice;
        const stopKey = trailing && w.stopTicks !== undefined ? w.stopTicks : key(stop);
        this.stops[side].set(w, side === 'buy' ? stopKey : -stopKey, w.seq);
        if (trailing && stop !== undefined) {
          const exact =
            w.trail === undefined || w.stopTicks === undefined
              ? undefined
              : ratchetRankTicks(w.trail, side, w.stopTicks);
          this.ratchetIndex[side].set(w, exact ?? ratchetRank(w.instrument, o, stop), w.seq);
        }
        break;
      }
      case 'touch':
        this.touches[side].set(w, side === 'buy' ? -key(o.triggerPrice) : key(o.triggerPrice), w.seq);
        break;
      case 'activation':
        this.activations[side].set(
          w,
          side === 'buy' ? -key(o.activationPrice) : key(o.activationPrice),
          w.seq,
        );
        break;
      case 'remainder':
        this.remainderSet.add(w);
        break;
      case 'unpriced':
        this.unpricedSet.add(w);
        break;
      case 'auction':
        (o.timeInForce === 'opg' ? this.opening : this.closing).set(w, w.auctionAt ?? 0, w.seq);
        break;
      case 'held': // off the book: only its expiry is kept
        break;
    }
    if (w.expireAt !== undefined) this.expiries.set(w, w.expireAt, w.seq);
  }

  remove(w: WorkingOrder): void {
    if (w.waiting !== 'none') {
      const side = w.order.side;
      this.resting[side].delete(w);
      this.stops[side].delete(w);
      this.touches[side].delete(w);
      this.activations[side].delete(w);
      this.ratchetIndex[side].delete(w);
      this.remainderSet.delete(w);
      this.unpricedSet.delete(w);
      this.opening.delete(w);
      this.closing.delete(w);
      w.waiting = 'none';
    }
    this.expiries.delete(w);
  }

  /**
   * Resting limits the far touch reaches: BUY limit ≥ ask (strictly above on a bar with `cross`).
   * Most updates reach nothing, which one Decimal comparison with the best order settles.
   */
  restingReached(side: Side, far: Decimal, strict: boolean): WorkingOrder[] {
    const limit = this.resting[side].best()?.order.limitPrice;
    if (limit === undefined) return [];
    const cmp = limit.comparedTo(far) * (side === 'buy' ? 1 : -1);
    if (cmp < 0 || (strict && cmp === 0)) return [];
    const floor = this.market.tickKey(far, 'floor');
    const ceil = this.market.tickKey(far, 'ceil');
    const onTick = floor === ceil;
    if (side === 'buy') return this.resting.buy.upTo(-(ceil + (strict && onTick ? 1 : 0)));
    return this.resting.sell.upTo(floor - (strict && onTick ? 1 : 0));
  }

  /** Resting limits at or better than `price` (BUY: limit ≥ price), best first. */
  restingAtOrBetter(side: Side, price: Decimal): WorkingOrder[] {
    if (this.resting[side].size === 0) return [];
    return side === 'buy'
      ? this.resting.buy.upTo(-this.market.tickKey(price, 'ceil'))
      : this.resting.sell.upTo(this.market.tickKey(price, 'floor'));
  }

  /** Stops whose trigger holds (BUY basis ≥ stop, SELL basis ≤ stop), then touches (BUY basis ≤ trigger...). */
  triggered(side: Side, basis: Decimal): WorkingOrder[] {
    const sign = side === 'buy' ? 1 : -1;
    const stop = this.stops[side].best();
    const stopPrice = stop?.order.type === 'trailing_stop' ? stop.order.currentStop : stop?.order.stopPrice;
    const stopsDue = stopPrice !== undefined && basis.comparedTo(stopPrice) * sign >= 0;
    const trigger = this.touches[side].best()?.order.triggerPrice;
    const touchesDue = trigger !== undefined && trigger.comparedTo(basis) * sign >= 0;
    if (!stopsDue && !touchesDue) return [];
    const floor = this.market.tickKey(basis, 'floor');
    const ceil = this.market.tickKey(basis, 'ceil');
    const stops = !stopsDue ? [] : side === 'buy' ? this.stops.buy.upTo(floor) : this.stops.sell.upTo(-ceil);
    const touches = !touchesDue
      ? []
      : side === 'buy'
        ? this.touches.buy.upTo(-ceil)
        : this.touches.sell.upTo(floor);
    return touches.length === 0 ? stops : [...stops, ...touches];
  }

  /** Inactive trailing stops whose activation holds: BUY basis ≤ activation, SELL basis ≥ activation. */
  activated(side: Side, basis: Decimal): WorkingOrder[] {
    if (this.activations[side].size === 0) return [];
    return side === 'buy'
      ? this.activations.buy.upTo(-this.market.tickKey(basis, 'ceil'))
      : this.activations.sell.upTo(this.market.tickKey(basis, 'floor'));
  }

  /** Active trailing stops that may ratchet at this basis (a superset, checked exactly by the caller). */
  ratchets(side: Side, basis: Decimal): WorkingOrder[] {
    if (this.ratchetIndex[side].size === 0) return [];
    return side === 'sell'
      ? this.ratchetIndex.sell.upTo(this.market.tickKey(basis, 'floor'))
      : this.ratchetIndex.buy.upTo(-this.market.tickKey(basis, 'ceil'));
  }

  /** Active trailing stops of `side` still waiting for a first basis. */
  unpriced(side: Side): WorkingOrder[] {
    if (this.unpricedSet.size === 0) return [];
    return [...this.unpricedSet].filter((w) => w.order.side === side);
  }

  /** Working market orders: buys first, then in arrival order. */
  remainders(): WorkingOrder[] {
    if (this.remainderSet.size === 0) return [];
    const all = [...this.remainderSet];
    return [...all.filter((w) => w.order.side === 'buy'), ...all.filter((w) => w.order.side === 'sell')];
  }

  expiredBy(now: number): WorkingOrder[] {
    return this.expiries.upTo(now);
  }

  /** Auction orders due: opening ones once the session has an opening price, closing ones at the close. */
  auctionsDue(now: number): WorkingOrder[] {
    const opening =
      this.openingSession === undefined ? [] : this.opening.upTo(Math.min(now, this.openingSession));
    return [...opening, ...this.closing.upTo(now)];
  }

  /** The next time a timer must run here: an expiry or a closing auction. */
  nextTimerAt(): number | undefined {
    const a = this.expiries.bestRank();
    const b = this.closing.bestRank();
    if (a === undefined) return b;
    return b === undefined ? a : Math.min(a, b);
  }

  all(): WorkingOrder[] {
    const out = new Set<WorkingOrder>([...this.remainderSet, ...this.unpricedSet]);
    for (const group of [this.resting, this.stops, this.touches, this.activations]) {
      for (const w of group.buy.all()) out.add(w);
      for (const w of group.sell.all()) out.add(w);
    }
    for (const w of this.opening.all()) out.add(w);
    for (const w of this.closing.all()) out.add(w);
    return [...out];
  }
}
