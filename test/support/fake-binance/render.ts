/**
 * The fake's state as Binance JSON: each body is a fixture spread with its stateful fields
 * overridden (ids, symbol, prices, quantities, status, times, fills).
 */
import type { Decimal } from '../../../src/domain/decimal.js';
import { type JsonObject, templates } from './fixtures.js';
import type { FakeOrder, FakeTrade, OrderState } from './ledger.js';

/** Binance's 8-decimal strings ("4.00000100"); a value with more places is never rounded. */
export function wire(value: Decimal): string {
  return value.decimalPlaces() > 8 ? value.toFixed() : value.toFixed(8);
}

function orderCore(order: FakeOrder, state: OrderState): JsonObject {
  return {
    symbol: order.symbol.id,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    price: wire(order.price),
    origQty: wire(order.origQty),
    executedQty: wire(state.executedQty),
    cummulativeQuoteQty: wire(state.cumQuote),
    status: state.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
  };
}

/** GET /api/v3/order, and each entry of openOrders and allOrders. */
export function orderJson(order: FakeOrder, state: OrderState): JsonObject {
  return {
    ...templates().order,
    ...orderCore(order, state),
    stopPrice: wire(order.stopPrice),
    time: order.time,
    updateTime: state.updateTime,
    isWorking: state.isWorking,
    workingTime: state.isWorking ? state.workingTime : -1,
  };
}

/** POST /api/v3/order, in the response type asked for (ccxt asks FULL on spot). */
export function newOrderJson(
  order: FakeOrder,
  state: OrderState,
  trades: readonly FakeTrade[],
  respType: string,
  now: number,
): JsonObject {
  const ids = {
    symbol: order.symbol.id,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
  };
  if (respType === 'ACK') return { ...templates().orderAck, ...ids, transactTime: now };
  const result = {
    ...orderCore(order, state),
    transactTime: now,
    workingTime: state.isWorking ? state.workingTime : -1,
  };
  if (respType === 'RESULT') return { ...templates().orderResult, ...result };
  return { ...templates().orderFull, ...result, fills: trades.map(fillJson) };
}

function fillJson(trade: FakeTrade): JsonObject {
  return {
    ...templates().orderFill,
    price: wire(trade.price),
    qty: wire(trade.qty),
    commission: wire(trade.commission),
    commissionAsset: trade.commissionAsset,
    tradeId: trade.id,
  };
}

/** DELETE /api/v3/order: the canceled order under the cancel request's own client id. */
export function cancelJson(order: FakeOrder, state: OrderState, cancelId: string, now: number): JsonObject {
  return {
    ...templates().cancel,
    ...orderCore(order, state),
    origClientOrderId: order.clientOrderId,
    clientOrderId: cancelId,
    transactTime: now,
  };
}

/** GET /api/v3/myTrades entries. */
export function tradeJson(trade: FakeTrade): JsonObject {
  return {
    ...templates().trade,
    symbol: trade.symbol.id,
    id: trade.id,
    orderId: trade.orderId,
    orderListId: -1,
    price: wire(trade.price),
    qty: wire(trade.qty),
    quoteQty: wire(trade.price.times(trade.qty)),
    commission: wire(trade.commission),
    commissionAsset: trade.commissionAsset,
    time: trade.time,
    isBuyer: trade.isBuyer,
    isMaker: trade.isMaker,
    isBestMatch: true,
  };
}

export interface BalanceLine {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
}

/** GET /api/v3/account, with the fake's commission rates (in basis points, and as fractions). */
export function accountJson(balances: readonly BalanceLine[], feeBps: Decimal, now: number): JsonObject {
  const account = templates().account;
  const rates = (account['commissionRates'] ?? {}) as JsonObject;
  const rate = wire(feeBps.div(10_000));
  return {
    ...account,
    makerCommission: feeBps.toNumber(),
    takerCommission: feeBps.toNumber(),
    commissionRates: { ...rates, maker: rate, taker: rate },
    canTrade: true,
    updateTime: now,
    balances: balances.map((b) => ({ asset: b.asset, free: wire(b.free), locked: wire(b.locked) })),
  };
}
