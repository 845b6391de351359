/**
 * Binance's recorded spot payloads (test/fixtures/binance, see its SOURCES.md). Every body the
 * fake answers with starts from one of these, spread, with only the fields that carry state
 * overridden: the shapes are Binance's, never invented here.
 */
import { readFileSync } from 'node:fs';

export type JsonObject = Record<string, unknown>;

const FOLDER = new URL('../../fixtures/binance/', import.meta.url);

/** A fixture file parsed. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, FOLDER), 'utf8')) as unknown;
}

function object(name: string): JsonObject {
  const value = fixture(name);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${name} is not an object`);
  return value as JsonObject;
}

function firstOf(name: string): JsonObject {
  const value = fixture(name);
  if (!Array.isArray(value) || typeof value[0] !== 'object' || value[0] === null) {
    throw new Error(`${name} is not a list of objects`);
  }
  return value[0] as JsonObject;
}

export interface BinanceTemplates {
  readonly exchangeInfo: JsonObject;
  readonly time: JsonObject;
  readonly depth: JsonObject;
  readonly ticker: JsonObject;
  readonly account: JsonObject;
  /** POST /api/v3/order answers, by `newOrderRespType`. */
  readonly orderFull: JsonObject;
  readonly orderResult: JsonObject;
  readonly orderAck: JsonObject;
  /** One entry of a FULL answer's `fills`. */
  readonly orderFill: JsonObject;
  readonly cancel: JsonObject;
  /** GET /api/v3/order; openOrders and allOrders list the same shape. */
  readonly order: JsonObject;
  readonly trade: JsonObject;
  readonly errors: Readonly<Record<string, { readonly code: number; readonly msg: string }>>;
}

let cached: BinanceTemplates | undefined;

export function templates(): BinanceTemplates {
  if (cached !== undefined) return cached;
  const full = object('post_api_v3_order.json');
  const fills = full['fills'];
  if (!Array.isArray(fills) || typeof fills[0] !== 'object' || fills[0] === null)
    throw new Error('no fills in FULL');
  cached = {
    exchangeInfo: object('get_api_v3_exchangeInfo.json'),
    time: object('get_api_v3_time.json'),
    depth: object('get_api_v3_depth.json'),
    ticker: object('get_api_v3_ticker_24hr.json'),
    account: object('get_api_v3_account.json'),
    orderFull: full,
    orderResult: object('post_api_v3_order.result.json'),
    orderAck: object('post_api_v3_order.ack.json'),
    orderFill: fills[0] as JsonObject,
    cancel: object('delete_api_v3_order.json'),
    order: object('get_api_v3_order.json'),
    trade: firstOf('get_api_v3_myTrades.json'),
    errors: object('errors.json') as BinanceTemplates['errors'],
  };
  return cached;
}
