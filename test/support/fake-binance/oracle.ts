/**
 * Helpers for the ccxt static-test oracle (test/integration/ccxt/static-oracle.test.ts): calling a
 * unified method by name, ccxt's comparison of a result with a stored one, and the adapter's
 * mapping checked against the raw payload's exact strings.
 */
import type { Balances, Exchange, Order, OrderBook, Ticker, Trade } from 'ccxt';
import { expect } from 'vitest';
import { toBookSnapshot, toFill, toVenueBalances, toVenueOrder } from '../../../src/brokers/ccxt/mapping.js';
import { quoteOf } from '../../../src/brokers/ccxt/market-data.js';
import { orderStatusOf, viewOf } from '../../../src/brokers/ccxt/order-view.js';
import { dec } from '../../../src/domain/decimal.js';
import { type JsonObject, templates } from './fixtures.js';

/** ccxt's static files write JS `undefined` as `null` (SOURCES.md); inputs are read back that way. */
export function jsonInput(input: readonly unknown[]): unknown[] {
  return input.map((value) => (value === null ? undefined : value));
}

/** Calls a unified method by its name, as ccxt's runner does. */
export async function callUnified(
  exchange: Exchange,
  method: string,
  args: readonly unknown[],
): Promise<unknown> {
  const fn: unknown = (exchange as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new Error(`binance has no ${method}`);
  const call = fn as (...a: unknown[]) => Promise<unknown>;
  return await call.apply(exchange, [...args]);
}

/**
 * ccxt's runner compares every key the stored result has (a key ccxt added since is not a
 * difference), recursively, with a stored `null` standing for `undefined`.
 */
export function assertMatchesStored(actual: unknown, stored: unknown, path = 'result'): void {
  if (stored === null) {
    expect(actual ?? null, path).toBeNull();
    return;
  }
  if (Array.isArray(stored)) {
    expect(Array.isArray(actual), `${path} is a list`).toBe(true);
    const list = actual as unknown[];
    expect(list.length, `${path}.length`).toBe(stored.length);
    stored.forEach((item, i) => {
      assertMatchesStored(list[i], item, `${path}[${String(i)}]`);
    });
    return;
  }
  if (typeof stored === 'object') {
    expect(typeof actual, `${path} is an object`).toBe('object');
    const record = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(stored))
      assertMatchesStored(record[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toBe(stored);
}

/**
 * The recorded exchangeInfo plus SOLUSDT for ccxt's createOrder response case (which trades
 * SOL/USDT): LTCUSDT's entry under SOL's names. Only the oracle uses it; nothing it checks depends
 * on SOLUSDT's real filters (0.05 at 241 is on LTCUSDT's steps too).
 */
export function exchangeInfoWith(): JsonObject {
  const info = templates().exchangeInfo;
  const symbols = info['symbols'] as JsonObject[];
  const ltc = symbols.find((s) => s['symbol'] === 'LTCUSDT');
  if (ltc === undefined) throw new Error('no LTCUSDT in exchangeInfo');
  return { ...info, symbols: [...symbols, { ...ltc, symbol: 'SOLUSDT', baseAsset: 'SOL' }] };
}

const exact = (value: unknown): string => dec(String(value)).toFixed();
const owner = (clientOrderId: string) => ({ venue: 'ccxt-binance', accountId: 'main', clientOrderId });

const STATUS: Readonly<Record<string, string>> = { NEW: 'new', FILLED: 'filled', CANCELED: 'canceled' };

function orderMatches(order: Order, raw: JsonObject): void {
  const view = viewOf(order, 0);
  const mapped = toVenueOrder(view, owner(String(raw['clientOrderId'])));
  expect(mapped.venueOrderId).toBe(String(raw['orderId']));
  expect(mapped.clientOrderId).toBe(raw['clientOrderId']);
  expect(mapped.quantity.toFixed()).toBe(exact(raw['origQty']));
  expect(mapped.filledQty.toFixed()).toBe(exact(raw['executedQty']));
  const price = dec(String(raw['price']));
  expect(mapped.limitPrice?.toFixed()).toBe(price.gt(0) ? price.toFixed() : undefined);
  const executed = dec(String(raw['executedQty']));
  const avg = executed.gt(0) ? dec(String(raw['cummulativeQuoteQty'])).div(executed).toFixed() : undefined;
  expect(mapped.avgFillPrice?.toFixed()).toBe(avg);
  expect(mapped.status).toBe(STATUS[String(raw['status'])]);
  expect(orderStatusOf(view)).toBe(mapped.status);
  expect(mapped.type).toBe(raw['type'] === 'MARKET' ? 'market' : 'limit');
  expect(mapped.postOnly ?? false).toBe(raw['type'] === 'LIMIT_MAKER');
  expect(mapped.createdAt).toBe(Number(raw['time'] ?? raw['transactTime']));
}

function tradeMatches(trade: Trade, raw: JsonObject): void {
  const symbol = trade.symbol ?? '';
  const context = { ...owner('ours'), venueOrderId: '', symbol, side: 'buy' as const, ts: 0 };
  const fill = toFill(trade, context);
  expect(fill.fillId).toBe(`${symbol}:${String(raw['id'])}`);
  expect(fill.venueOrderId).toBe(String(raw['orderId']));
  expect(fill.quantity.toFixed()).toBe(exact(raw['qty']));
  expect(fill.price.toFixed()).toBe(exact(raw['price']));
  expect(fill.fee.toFixed()).toBe(exact(raw['commission']));
  expect(fill.feeCurrency).toBe(raw['commissionAsset']);
  expect(fill.side).toBe(raw['isBuyer'] === true ? 'buy' : 'sell');
  expect(fill.liquidity).toBe(raw['isMaker'] === true ? 'maker' : 'taker');
  expect(fill.ts).toBe(Number(raw['time']));
}

function balanceMatches(balances: Balances, raw: JsonObject): void {
  const mapped = toVenueBalances(balances, (id) => id);
  const lines = raw['balances'] as JsonObject[];
  expect(mapped.map((b) => b.currency)).toEqual(lines.map((l) => l['asset']));
  lines.forEach((line, i) => {
    const total = dec(String(line['free'])).plus(dec(String(line['locked'])));
    expect(mapped[i]?.total.toFixed()).toBe(total.toFixed());
    expect(mapped[i]?.available.toFixed()).toBe(exact(line['free']));
  });
}

function bookMatches(book: OrderBook, raw: JsonObject): void {
  const snapshot = toBookSnapshot(book, 'BTC/USDT', 0);
  const side = (levels: unknown) => (levels as [string, string][]).map(([p, s]) => `${exact(p)}x${exact(s)}`);
  const mapped = (levels: typeof snapshot.bids) =>
    levels.map((l) => `${l.price.toFixed()}x${l.size?.toFixed() ?? ''}`);
  expect(mapped(snapshot.bids)).toEqual(side(raw['bids']));
  expect(mapped(snapshot.asks)).toEqual(side(raw['asks']));
}

function tickerMatches(ticker: Ticker, raw: JsonObject): void {
  const quote = quoteOf(ticker, 'BTC/USDT', 0);
  expect([quote.bid?.toFixed(), quote.ask?.toFixed(), quote.last?.toFixed()]).toEqual([
    exact(raw['bidPrice']),
    exact(raw['askPrice']),
    exact(raw['lastPrice']),
  ]);
}

/** The adapter's mapping of a unified result, checked against the raw answer it came from. */
export function assertAdapterMapping(method: string, result: unknown, raw: unknown): void {
  switch (method) {
    case 'fetchOrder':
    case 'createOrder':
      orderMatches(result as Order, raw as JsonObject);
      return;
    case 'fetchOpenOrders':
      (result as Order[]).forEach((o, i) => {
        orderMatches(o, (raw as JsonObject[])[i] ?? {});
      });
      return;
    case 'fetchMyTrades':
      (result as Trade[]).forEach((t, i) => {
        tradeMatches(t, (raw as JsonObject[])[i] ?? {});
      });
      return;
    case 'fetchBalance':
      balanceMatches(result as Balances, raw as JsonObject);
      return;
    case 'fetchOrderBook':
      bookMatches(result as OrderBook, raw as JsonObject);
      return;
    case 'fetchTicker':
      tickerMatches(result as Ticker, raw as JsonObject);
      return;
    default:
      throw new Error(`no adapter mapping for ${method}`);
  }
}
