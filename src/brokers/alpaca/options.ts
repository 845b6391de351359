/**
 * What an AlpacaBroker is built from, and what Alpaca takes (its declared capabilities).
 */
import type { streaming, trading } from '@alpacahq/alpaca-trade-api';
import type { AccountMode } from '../../domain/account.js';
import { ZERO } from '../../domain/decimal.js';
import type { VenueCapabilities } from '../broker.js';
import type { MarketDataTtl } from './market-data.js';
import type { LegLinkStore } from './order-ids.js';
import { DEFAULT_RATE_LIMIT, type RestOptions, streamUrlOf } from './rest.js';
import type { ReconnectPolicy, TradeStreamOptions } from './trade-stream.js';

export interface AlpacaBrokerOptions {
  /** Venue id, e.g. `alpaca-paper`. */
  readonly venue: string;
  /** Our name for the one account behind the key (default `alpaca`). */
  readonly accountId?: string;
  readonly mode: AccountMode;
  /** Plain credentials from the caller; kept inside the SDK clients only. */
  readonly keyId: string;
  readonly secret: string;
  /** Trading REST root (a fake broker); default Alpaca's paper or live host by mode. */
  readonly baseUrl?: string;
  /** Market data root; default `https://data.alpaca.markets`. */
  readonly dataUrl?: string;
  /** trade_updates WebSocket; default `{baseUrl}/stream` as ws(s), else Alpaca's by mode. */
  readonly streamUrl?: string;
  /** Client-side rate limit per host (default Alpaca's published 200 requests a minute); false for none. */
  readonly rateLimit?: false | trading.RateLimitConfig;
  /** Per-request deadline (default 10 s); a request that runs out is ambiguous. */
  readonly timeoutMs?: number;
  /** How long connect() waits for the stream to listen (default 15 s). */
  readonly connectTimeoutMs?: number;
  readonly now?: () => number;
  /** Creates the stream's sockets (the SDK's factory hook; tests and proxies). */
  readonly wsFactory?: streaming.WebSocketFactory;
  readonly marketDataTtl?: Partial<MarketDataTtl>;
  readonly reconnect?: ReconnectPolicy;
  /** Stream keepalive ping interval (default the SDK's 10 s; 0 disables). */
  readonly pingIntervalMs?: number;
  /** Where exit legs' links to their parents live (default in memory; see order-ids.ts). */
  readonly legLinks?: LegLinkStore;
  /** Hears stream and catch-up problems that have no caller to throw to. Texts carry no credentials. */
  readonly onError?: (message: string) => void;
}

/**
 * What Alpaca takes. Fees: equities trade commission-free; crypto fees exist but are not reported
 * with fills (mapping.ts), so 0 is declared. Post-only, reduce-only and iceberg orders do not exist
 * at Alpaca; opg/cls apply to equities and crypto takes gtc/ioc only (checked per order).
 */
export const ALPACA_CAPABILITIES: VenueCapabilities = {
  assetClasses: ['us_equity', 'crypto'],
  orderTypes: ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'],
  timeInForce: ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'],
  fractional: true,
  shorting: true,
  postOnly: false,
  reduceOnly: false,
  displayQuantity: false,
  extendedHours: true,
  replace: true,
  nativeContingent: ['bracket', 'oco', 'oto'],
  fees: { makerBps: ZERO, takerBps: ZERO },
};

/** The SDK's REST configuration from the broker's options. */
export function restOptionsOf(options: AlpacaBrokerOptions): RestOptions {
  return {
    keyId: options.keyId,
    secret: options.secret,
    mode: options.mode,
    rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.dataUrl === undefined ? {} : { dataUrl: options.dataUrl }),
  };
}

/** The trade_updates stream's configuration from the broker's options. */
export function streamOptionsOf(options: AlpacaBrokerOptions, now: () => number): TradeStreamOptions {
  return {
    venue: options.venue,
    url: streamUrlOf(options),
    keyId: options.keyId,
    secret: options.secret,
    now,
    ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
    ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
    ...(options.wsFactory === undefined ? {} : { wsFactory: options.wsFactory }),
  };
}
