/**
 * For the ccxt adapter's unit tests: ccxt's real binance class, configured by the adapter's
 * factory, with the markets of the recorded exchangeInfo parsed in place (no HTTP), and the
 * recorded Binance payloads (test/fixtures/binance). Not imported by production code.
 */
import { readFileSync } from 'node:fs';
import type { Exchange, Market } from 'ccxt';
import { createCcxtExchange } from './exchange.js';

const FIXTURES = new URL('../../../test/fixtures/binance/', import.meta.url);

type Json = Record<string, unknown>;

/** A recorded Binance payload that is an object. */
export function fixtureObject(name: string): Json {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Json;
}

/** A recorded Binance payload that is a list of objects. */
export function fixtureList(name: string): Json[] {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Json[];
}

export const TEST_CREDENTIALS = { apiKey: 'unit-key-Rk29sQ', secret: 'unit-secret-Pz81wM' } as const;

/** ccxt's parser, which the typed Exchange keeps to itself. */
interface Parsers {
  parseMarket(market: unknown): Market;
}

/** The adapter's binance instance with BTC/USDT, ETH/USDT, LTC/USDT and BNB/BTC loaded from the fixture. */
export function binanceWithMarkets(): Exchange {
  const exchange = createCcxtExchange({
    exchangeId: 'binance',
    sandbox: false,
    credentials: TEST_CREDENTIALS,
    enableRateLimit: false,
  });
  // What fetchMarkets sets before parsing (no margin pairs were asked for).
  exchange.options['crossMarginPairsData'] = [];
  exchange.options['isolatedMarginPairsData'] = [];
  const symbols = fixtureObject('get_api_v3_exchangeInfo.json')['symbols'] as unknown[];
  const parsers = exchange as unknown as Parsers;
  exchange.setMarkets(symbols.map((s) => parsers.parseMarket(s)));
  return exchange;
}
