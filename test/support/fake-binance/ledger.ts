/**
 * The fake's books: Binance order records and trades over the paper exchange that does the
 * matching (src/brokers/paper). A Binance request becomes a PaperBroker call; the paper order's
 * state and fills become Binance's order status and trades. Nothing here matches orders.
 */
import { PaperBroker } from '../../../src/brokers/paper/paper-broker.js';
import { bookSnapshot, makeAccount } from '../../../src/brokers/paper/test-support.js';
import type { VenueProfile } from '../../../src/brokers/paper/venue-profiles.js';
import type { SubmitRequest, VenueOrder } from '../../../src/brokers/broker.js';
import { SimulatedClock } from '../../../src/domain/clock.js';
import { type Decimal, ZERO, dec, sumDec } from '../../../src/domain/decimal.js';
import type { Fill } from '../../../src/domain/events.js';
import type { BookSnapshot } from '../../../src/marketdata/types.js';
import type { FakeSymbol } from './symbols.js';
import { FakeSymbols } from './symbols.js';

export const PAPER_ACCOUNT = 'spot';

export interface FakeOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  /** The paper order behind it; none for a market order that met an empty book (it just expired). */
  readonly paperId: string | undefined;
  readonly symbol: FakeSymbol;
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  readonly timeInForce: string;
  /** 0 when the type has none, as Binance prints it. */
  readonly price: Decimal;
  readonly stopPrice: Decimal;
  readonly origQty: Decimal;
  readonly time: number;
  cancelRequested: boolean;
}

export interface FakeTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: FakeSymbol;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

/** A Binance order's state, read from its paper order. */
export interface OrderState {
  readonly status: string;
  readonly executedQty: Decimal;
  readonly cumQuote: Decimal;
  readonly updateTime: number;
  /** False while a conditional order waits for its trigger (Binance `isWorking`). */
  readonly isWorking: boolean;
  readonly workingTime: number;
  readonly open: boolean;
}

export interface LedgerOptions {
  /** Quote-currency cash, e.g. `{ USDT: '100000' }`; base assets are held only by trading. */
  readonly cash: Readonly<Record<string, string>>;
  /** Maker and taker fee, basis points (Binance's 0.1 %: 10). */
  readonly feeBps: string;
  /** The venue clock's start. Default: now, so that venue and client clocks agree. */
  readonly start?: number;
}

const CONDITIONAL = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);

export class FakeLedger {
  readonly clock: SimulatedClock;
  readonly symbols = new FakeSymbols();
  readonly paper: PaperBroker;
  readonly feeBps: Decimal;
  private readonly orders: FakeOrder[] = [];
  private readonly byPaperId = new Map<string, FakeOrder>();
  private readonly trades: FakeTrade[] = [];
  private orderSeq = 0;
  private tradeSeq = 0;

  constructor(options: LedgerOptions) {
    this.clock = new SimulatedClock(options.start ?? Date.now());
    this.feeBps = dec(options.feeBps);
    this.paper = new PaperBroker({
      profile: profileOf(options),
      instruments: this.symbols.registry,
      clock: this.clock,
      instanceId: 'fake-binance',
    });
    this.paper.subscribe((e) => {
      if (e.event.kind === 'fill') this.onFill(e.event.fill);
    });
  }

  nextOrderId(): number {
    return ++this.orderSeq;
  }

  add(order: FakeOrder): void {
    this.orders.push(order);
    if (order.paperId !== undefined) this.byPaperId.set(order.paperId, order);
  }

  remove(order: FakeOrder): void {
    const at = this.orders.indexOf(order);
    if (at >= 0) this.orders.splice(at, 1);
    if (order.paperId !== undefined) this.byPaperId.delete(order.paperId);
  }

  /** By order id, or the newest with the client id (Binance's origClientOrderId lookup). */
  find(symbol: FakeSymbol, orderId: string | null, clientOrderId: string | null): FakeOrder | undefined {
    const mine = this.orders.filter((o) => o.symbol === symbol);
    if (orderId !== null) return mine.find((o) => String(o.orderId) === orderId);
    return mine.filter((o) => o.clientOrderId === clientOrderId).at(-1);
  }

  ordersOf(symbol?: FakeSymbol): FakeOrder[] {
    return this.orders.filter((o) => symbol === undefined || o.symbol === symbol);
  }

  tradesOf(symbol: FakeSymbol): FakeTrade[] {
    return this.trades.filter((t) => t.symbol === symbol);
  }

  tradesOfOrder(order: FakeOrder): FakeTrade[] {
    return this.trades.filter((t) => t.orderId === order.orderId);
  }

  async state(order: FakeOrder): Promise<OrderState> {
    const paper =
      order.paperId === undefined ? undefined : await this.paper.getOrder(PAPER_ACCOUNT, order.paperId);
    const trades = this.tradesOfOrder(order);
    const cumQuote = sumDec(trades.map((t) => t.price.times(t.qty)));
    if (paper === undefined) {
      return {
        status: 'EXPIRED',
        executedQty: ZERO,
        cumQuote,
        updateTime: order.time,
        isWorking: true,
        workingTime: order.time,
        open: false,
      };
    }
    const waiting = CONDITIONAL.has(order.type) && paper.status === 'new';
    return {
      status: statusOf(order, paper),
      executedQty: paper.filledQty,
      cumQuote,
      updateTime: paper.updatedAt,
      isWorking: !waiting,
      workingTime: paper.updatedAt,
      open: !['filled', 'canceled', 'expired', 'rejected'].includes(paper.status),
    };
  }

  submit(request: Omit<SubmitRequest, 'accountId'>): ReturnType<PaperBroker['submit']> {
    return this.paper.submit({ ...request, accountId: PAPER_ACCOUNT });
  }

  cancel(order: FakeOrder): Promise<void> {
    if (order.paperId === undefined) return Promise.resolve();
    order.cancelRequested = true;
    return this.paper.cancel({ accountId: PAPER_ACCOUNT, clientOrderId: order.paperId });
  }

  /** Replaces a symbol's market, one level or more a side; resting orders match against it. */
  setBook(
    symbol: string,
    bids: readonly (readonly [string, string])[],
    asks: readonly (readonly [string, string])[],
  ): void {
    this.paper.simulate({ kind: 'book', book: bookSnapshot(symbol, bids, asks, this.clock.now()) });
  }

  book(symbol: FakeSymbol): BookSnapshot | undefined {
    return this.paper.book(symbol.instrument.symbol);
  }

  /** Free and locked amounts per asset: quote cash from the paper ledger, base assets from positions. */
  async balances(): Promise<{ asset: string; free: Decimal; locked: Decimal }[]> {
    const cash = await this.paper.balances(PAPER_ACCOUNT);
    const lines = cash.map((b) => ({
      asset: b.currency,
      free: b.available,
      locked: b.total.minus(b.available),
    }));
    for (const p of await this.paper.positions(PAPER_ACCOUNT)) {
      const symbol = this.symbols.bySymbol(p.symbol);
      if (symbol === undefined) continue;
      const offered = await this.openSellLeaves(symbol);
      lines.push({ asset: symbol.instrument.base, free: p.quantity.minus(offered), locked: offered });
    }
    return lines;
  }

  private async openSellLeaves(symbol: FakeSymbol): Promise<Decimal> {
    let leaves = ZERO;
    for (const order of this.ordersOf(symbol).filter((o) => o.side === 'SELL')) {
      const state = await this.state(order);
      if (state.open) leaves = leaves.plus(order.origQty.minus(state.executedQty));
    }
    return leaves;
  }

  private onFill(fill: Fill): void {
    const order = this.byPaperId.get(fill.clientOrderId);
    if (order === undefined)
      throw new Error(`fake Binance: a fill of unknown paper order ${fill.clientOrderId}`);
    this.trades.push({
      id: ++this.tradeSeq,
      orderId: order.orderId,
      symbol: order.symbol,
      price: fill.price,
      qty: fill.quantity,
      commission: fill.fee,
      commissionAsset: fill.feeCurrency,
      time: fill.ts,
      isBuyer: fill.side === 'buy',
      isMaker: fill.liquidity === 'maker',
    });
  }
}

/**
 * Binance spot's status words: an order canceled on request is CANCELED; one the venue ended
 * (the rest of an ioc, fok or market order) is EXPIRED, as Binance reports it.
 */
function statusOf(order: FakeOrder, paper: VenueOrder): string {
  switch (paper.status) {
    case 'partially_filled':
      return 'PARTIALLY_FILLED';
    case 'filled':
      return 'FILLED';
    case 'canceled':
      return order.cancelRequested ? 'CANCELED' : 'EXPIRED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    default:
      return 'NEW';
  }
}

function profileOf(options: LedgerOptions): VenueProfile {
  const cash = Object.fromEntries(Object.entries(options.cash).map(([ccy, amount]) => [ccy, dec(amount)]));
  const account = makeAccount({
    id: PAPER_ACCOUNT,
    venue: 'fake-binance',
    type: 'cash',
    currency: 'USDT',
    marginMultiplier: dec(1),
    allowShort: false,
    cash,
  });
  return {
    id: 'fake-binance',
    name: 'Fake Binance spot',
    description: 'The paper exchange behind the fake Binance REST API.',
    assetClasses: ['crypto'],
    depthScale: dec(1),
    // Binance spot: 0.1 % each side; a market order's unfilled rest expires instead of waiting.
    options: { maker_fee_bps: options.feeBps, taker_fee_bps: options.feeBps, market_remainder: 'cancel' },
    symbolOptions: {},
    orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'market_if_touched', 'limit_if_touched'],
    nativeContingent: [],
    accounts: [account],
  };
}
