/**
 * The order endpoints: Binance request parameters in, PaperBroker calls, Binance JSON out.
 * POST /api/v3/order, DELETE /api/v3/order, GET /api/v3/order, openOrders, allOrders, myTrades,
 * DELETE /api/v3/openOrders.
 */
import { BrokerCallError } from '../../../src/brokers/broker.js';
import { type Decimal, ZERO, dec, parseDecimal } from '../../../src/domain/decimal.js';
import type { OrderType, TimeInForce } from '../../../src/domain/order.js';
import {
  type BinanceError,
  duplicateOrder,
  filterFailure,
  insufficientBalance,
  invalidSymbol,
  missingParam,
  orderDoesNotExist,
  typeNotSupported,
  unknownOrderSent,
  unreadParams,
  unsupportedCombination,
  wouldTake,
  wouldTrigger,
} from './binance-errors.js';
import type { JsonObject } from './fixtures.js';
import type { FakeLedger, FakeOrder } from './ledger.js';
import { cancelJson, newOrderJson, orderJson, tradeJson } from './render.js';
import type { FakeSymbol } from './symbols.js';

/** Parameters every signed request may carry besides its own. */
const COMMON = ['timestamp', 'recvWindow', 'signature'];
const NEW_ORDER_PARAMS = new Set([
  ...COMMON,
  ...[
    'symbol',
    'side',
    'type',
    'timeInForce',
    'quantity',
    'price',
    'stopPrice',
    'newClientOrderId',
    'newOrderRespType',
  ],
]);

/** Binance order types as the paper exchange's, and Binance's word for each in its refusals. */
const TYPES: Readonly<Record<string, { type: OrderType; name: string }>> = {
  MARKET: { type: 'market', name: 'Market' },
  LIMIT: { type: 'limit', name: 'Limit' },
  LIMIT_MAKER: { type: 'limit', name: 'Limit maker' },
  STOP_LOSS: { type: 'stop', name: 'Stop loss' },
  STOP_LOSS_LIMIT: { type: 'stop_limit', name: 'Stop loss limit' },
  TAKE_PROFIT: { type: 'market_if_touched', name: 'Take profit' },
  TAKE_PROFIT_LIMIT: { type: 'limit_if_touched', name: 'Take profit limit' },
};
const PRICED = new Set(['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const TRIGGERED = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const TIF: Readonly<Record<string, TimeInForce>> = { GTC: 'gtc', IOC: 'ioc', FOK: 'fok' };

export class OrderRoutes {
  private cancelSeq = 0;

  constructor(private readonly ledger: FakeLedger) {}

  /** The `symbol` parameter's market; -1121 for one Binance does not list. */
  symbol(params: URLSearchParams): FakeSymbol {
    const symbol = this.optionalSymbol(params);
    if (symbol === undefined) throw missingParam('symbol');
    return symbol;
  }

  optionalSymbol(params: URLSearchParams): FakeSymbol | undefined {
    const id = params.get('symbol');
    if (id === null) return undefined;
    const symbol = this.ledger.symbols.find(id);
    if (symbol === undefined) throw invalidSymbol();
    return symbol;
  }

  async newOrder(params: URLSearchParams): Promise<JsonObject> {
    const symbol = this.symbol(params);
    const unread = [...params.keys()].filter((k) => !NEW_ORDER_PARAMS.has(k));
    if (unread.length > 0) throw unreadParams(unread);
    const rawType = required(params, 'type');
    const kind = TYPES[rawType];
    if (kind === undefined || !symbol.orderTypes.includes(rawType))
      throw typeNotSupported(kind?.name ?? rawType);
    const side = required(params, 'side');
    if (side !== 'BUY' && side !== 'SELL') throw missingParam('side');
    const clientOrderId = params.get('newClientOrderId') ?? `fake${String(this.ledger.nextOrderId())}`;
    if (await this.isOpen(symbol, clientOrderId)) throw duplicateOrder();
    const quantity = decimal(params, 'quantity');
    const price = PRICED.has(rawType) ? decimal(params, 'price') : ZERO;
    const stopPrice = TRIGGERED.has(rawType) ? decimal(params, 'stopPrice') : ZERO;
    const tifText =
      rawType === 'LIMIT' || rawType === 'STOP_LOSS_LIMIT' || rawType === 'TAKE_PROFIT_LIMIT'
        ? required(params, 'timeInForce')
        : 'GTC';
    const tif = TIF[tifText];
    if (tif === undefined) throw missingParam('timeInForce');
    if (price.gt(0) && price.times(quantity).lessThan(symbol.instrument.minNotional))
      throw filterFailure('NOTIONAL');
    const orderId = this.ledger.nextOrderId();
    const order: FakeOrder = {
      orderId,
      clientOrderId,
      paperId: `o${String(orderId)}`,
      symbol,
      side,
      type: rawType,
      timeInForce: rawType === 'MARKET' ? 'GTC' : tifText,
      price,
      stopPrice,
      origQty: quantity,
      time: this.ledger.clock.now(),
      cancelRequested: false,
    };
    await this.place(order, kind.type, tif, rawType === 'LIMIT_MAKER');
    const state = await this.ledger.state(order);
    const trades = this.ledger.tradesOfOrder(order);
    return newOrderJson(
      order,
      state,
      trades,
      params.get('newOrderRespType') ?? 'FULL',
      this.ledger.clock.now(),
    );
  }

  async cancel(params: URLSearchParams): Promise<JsonObject> {
    const order = this.order(params, unknownOrderSent);
    if (!(await this.ledger.state(order)).open) throw unknownOrderSent();
    await this.ledger.cancel(order);
    const cancelId = params.get('newClientOrderId') ?? `fakecancel${String(++this.cancelSeq)}`;
    return cancelJson(order, await this.ledger.state(order), cancelId, this.ledger.clock.now());
  }

  async cancelAll(params: URLSearchParams): Promise<JsonObject[]> {
    const symbol = this.symbol(params);
    const out: JsonObject[] = [];
    for (const order of this.ledger.ordersOf(symbol)) {
      if (!(await this.ledger.state(order)).open) continue;
      await this.ledger.cancel(order);
      out.push(
        cancelJson(
          order,
          await this.ledger.state(order),
          `fakecancel${String(++this.cancelSeq)}`,
          this.ledger.clock.now(),
        ),
      );
    }
    return out;
  }

  async query(params: URLSearchParams): Promise<JsonObject> {
    const order = this.order(params, orderDoesNotExist);
    return orderJson(order, await this.ledger.state(order));
  }

  async openOrders(params: URLSearchParams): Promise<JsonObject[]> {
    const out: JsonObject[] = [];
    for (const order of this.ledger.ordersOf(this.optionalSymbol(params))) {
      const state = await this.ledger.state(order);
      if (state.open) out.push(orderJson(order, state));
    }
    return out;
  }

  /** allOrders: by creation time (`startTime`, `endTime`), from `orderId` on, the newest `limit` (500). */
  async allOrders(params: URLSearchParams): Promise<JsonObject[]> {
    const symbol = this.symbol(params);
    const from = number(params, 'orderId') ?? 0;
    const within = window(params);
    const orders = this.ledger.ordersOf(symbol).filter((o) => o.orderId >= from && within(o.time));
    const out: JsonObject[] = [];
    for (const order of orders.slice(-(number(params, 'limit') ?? 500)))
      out.push(orderJson(order, await this.ledger.state(order)));
    return out;
  }

  /** myTrades: by time (`startTime`, `endTime`), from `fromId`, of one `orderId`, at most `limit` (500). */
  myTrades(params: URLSearchParams): JsonObject[] {
    const symbol = this.symbol(params);
    const fromId = number(params, 'fromId');
    const orderId = number(params, 'orderId');
    const within = window(params);
    const trades = this.ledger
      .tradesOf(symbol)
      .filter(
        (t) =>
          within(t.time) &&
          (fromId === undefined || t.id >= fromId) &&
          (orderId === undefined || t.orderId === orderId),
      );
    const limit = number(params, 'limit') ?? 500;
    const hasStart = params.has('startTime') || fromId !== undefined;
    return (hasStart ? trades.slice(0, limit) : trades.slice(-limit)).map(tradeJson);
  }

  private order(params: URLSearchParams, missing: () => BinanceError): FakeOrder {
    const symbol = this.symbol(params);
    const orderId = params.get('orderId');
    const clientOrderId = params.get('origClientOrderId');
    if (orderId === null && clientOrderId === null) throw missingParam('orderId');
    const order = this.ledger.find(symbol, orderId, clientOrderId);
    if (order === undefined) throw missing();
    return order;
  }

  private async isOpen(symbol: FakeSymbol, clientOrderId: string): Promise<boolean> {
    const order = this.ledger.find(symbol, null, clientOrderId);
    return order !== undefined && (await this.ledger.state(order)).open;
  }

  /** Hands the order to the paper exchange; its refusals come back as Binance's. */
  private async place(order: FakeOrder, type: OrderType, tif: TimeInForce, postOnly: boolean): Promise<void> {
    this.ledger.add(order);
    let refusal: string | undefined;
    try {
      const receipt = await this.ledger.submit({
        clientOrderId: order.paperId ?? '',
        symbol: order.symbol.instrument.symbol,
        side: order.side === 'BUY' ? 'buy' : 'sell',
        type,
        quantity: order.origQty,
        // A Binance market order takes what the book has and expires the rest: paper's ioc.
        timeInForce: type === 'market' ? 'ioc' : tif,
        ...(order.price.gt(0) ? { limitPrice: order.price } : {}),
        ...(order.stopPrice.gt(0)
          ? type === 'stop' || type === 'stop_limit'
            ? { stopPrice: order.stopPrice }
            : { triggerPrice: order.stopPrice }
          : {}),
        ...(postOnly ? { postOnly: true } : {}),
      });
      if (receipt.status === 'rejected') refusal = receipt.code;
    } catch (error) {
      if (!(error instanceof BrokerCallError)) throw error;
      refusal = error.code;
    }
    if (refusal === undefined) return;
    this.ledger.remove(order);
    // A market order meeting an empty book expires at once, unfilled.
    if (refusal === 'NO_MARKET') this.ledger.add({ ...order, paperId: undefined });
    else throw binanceRefusal(refusal);
  }
}

function binanceRefusal(code: string): BinanceError {
  switch (code) {
    case 'POST_ONLY_WOULD_TAKE':
      return wouldTake();
    case 'STOP_IN_MARKET':
      return wouldTrigger();
    case 'INSUFFICIENT_BUYING_POWER':
      return insufficientBalance();
    case 'PRICE_PRECISION':
      return filterFailure('PRICE_FILTER');
    case 'QUANTITY_PRECISION':
      return filterFailure('LOT_SIZE');
    default:
      return unsupportedCombination();
  }
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw missingParam(name);
  return value;
}

function decimal(params: URLSearchParams, name: string): Decimal {
  const value = parseDecimal(required(params, name));
  if (value === undefined || !value.gt(0)) throw missingParam(name);
  return dec(value);
}

function number(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  return value === null ? undefined : Number(value);
}

function window(params: URLSearchParams): (time: number) => boolean {
  const start = number(params, 'startTime') ?? -Infinity;
  const end = number(params, 'endTime') ?? Infinity;
  return (time) => time >= start && time <= end;
}
