import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../package-root.js';

/** A JSON object as recorded: the fake spreads it and overrides the fields that carry state. */
export type JsonObject = Record<string, unknown>;

/**
 * Alpaca's own recorded payloads (test/fixtures/alpaca, see its SOURCES.md), one per shape the
 * fake answers with. Every body the fake produces starts from one of these so that its shape is
 * Alpaca's, never invented: a field Alpaca adds shows up here first, not in the fake's code.
 */
export interface AlpacaTemplates {
  readonly account: JsonObject;
  /** A REST Order (POST/GET/PATCH /v2/orders...). */
  readonly order: JsonObject;
  /** The Order inside a trade_updates message (it has `cancel_requested_at`, no `subtag`). */
  readonly streamOrder: JsonObject;
  /** The whole trade_updates message (a fill: `execution_id`, `price`, `qty`, `position_qty`). */
  readonly tradeUpdate: JsonObject;
  readonly streamAuthorized: JsonObject;
  readonly streamUnauthorized: JsonObject;
  readonly streamUnauthorizedListen: JsonObject;
  readonly streamListening: JsonObject;
  readonly position: JsonObject;
  /** An item of the DELETE /v2/orders 207 body, and one of DELETE /v2/positions. */
  readonly cancelAllItem: JsonObject;
  readonly closeAllItem: JsonObject;
  readonly closePositionOrder: JsonObject;
  readonly equityAsset: JsonObject;
  readonly cryptoAsset: JsonObject;
  readonly clock: JsonObject;
  readonly calendarDay: JsonObject;
  readonly stockQuote: JsonObject;
  readonly stockSnapshot: JsonObject;
  readonly cryptoQuote: JsonObject;
}

const FOLDER = ['test', 'fixtures', 'alpaca'];

let cached: Promise<AlpacaTemplates> | undefined;

/** Reads the templates once per process; fails with a message that says what is missing and where. */
export function loadTemplates(): Promise<AlpacaTemplates> {
  cached ??= packageRoot().then((root) => readTemplates(join(root, ...FOLDER)));
  return cached;
}

function readTemplates(folder: string): AlpacaTemplates {
  const file = (name: string): unknown => readJson(folder, name);
  const ws = object(file('ws_trade_updates.json'), 'ws_trade_updates.json');
  const tradeUpdate = object(ws['server_trade_update_fill'], 'server_trade_update_fill');
  const quotes = object(object(file('get_v2_stocks_quotes_latest.json'), 'quotes')['quotes'], 'quotes');
  const cryptoQuotes = object(file('get_v1beta3_crypto_loc_latest_quotes.json'), 'crypto quotes');
  return {
    account: object(file('get_v2_account.json'), 'get_v2_account.json'),
    order: object(file('get_v2_orders_id.json'), 'get_v2_orders_id.json'),
    streamOrder: object(object(tradeUpdate['data'], 'data')['order'], 'data.order'),
    tradeUpdate,
    streamAuthorized: object(ws['server_authorization_authorized'], 'authorized'),
    streamUnauthorized: object(ws['server_authorization_unauthorized_authenticate'], 'unauthorized'),
    streamUnauthorizedListen: object(ws['server_authorization_unauthorized_listen'], 'unauthorized listen'),
    streamListening: object(ws['server_listening'], 'server_listening'),
    position: object(file('get_v2_positions_symbol.json'), 'get_v2_positions_symbol.json'),
    cancelAllItem: first(file('delete_v2_orders.207.json'), 'delete_v2_orders.207.json'),
    closeAllItem: first(file('delete_v2_positions.207.json'), 'delete_v2_positions.207.json'),
    closePositionOrder: object(file('delete_v2_positions_symbol.json'), 'delete_v2_positions_symbol.json'),
    equityAsset: object(file('get_v2_assets_symbol.json'), 'get_v2_assets_symbol.json'),
    cryptoAsset: object(file('get_v2_assets_symbol.crypto.json'), 'get_v2_assets_symbol.crypto.json'),
    clock: object(file('get_v2_clock.json'), 'get_v2_clock.json'),
    calendarDay: first(file('get_v2_calendar.json'), 'get_v2_calendar.json'),
    stockQuote: object(quotes['AAPL'], 'quotes.AAPL'),
    stockSnapshot: object(object(file('get_v2_stocks_snapshots.json'), 'snapshots')['AAPL'], 'AAPL'),
    cryptoQuote: object(object(cryptoQuotes['quotes'], 'quotes')['BTC/USD'], 'quotes.BTC/USD'),
  };
}

function readJson(folder: string, name: string): unknown {
  const path = join(folder, name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `The fake Alpaca broker needs Alpaca's recorded payloads and could not read ${path}. ` +
        'It runs from a checkout of the repository (test/fixtures/alpaca is committed there), not from an installed package.',
      { cause: error },
    );
  }
  return JSON.parse(text) as unknown;
}

function object(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`Alpaca fixture ${what} is not a JSON object.`);
  return value as JsonObject;
}

function first(value: unknown, what: string): JsonObject {
  if (!Array.isArray(value) || value.length === 0) throw new Error(`Alpaca fixture ${what} is not a list.`);
  return object(value[0], `${what}[0]`);
}
