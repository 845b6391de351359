/**
 * The SDK's generated REST clients, configured once. They send Alpaca's auth headers, apply the
 * per-request timeout and the client-side rate limit, refuse redirects (so the secret headers never
 * follow one off-host) and turn non-2xx answers into typed errors. They retry nothing: a generated
 * Api built from a bare Configuration has retries off unless `retry` is set, and it is never set
 * here, because retries are the connection guard's job and a submit must never be blindly re-sent.
 * Calls use the `*Raw` methods and read the wire JSON, which mapping.ts checks and maps.
 */
import { marketData, trading } from '@alpacahq/alpaca-trade-api';
import type { z } from 'zod';

export interface RestOptions {
  readonly keyId: string;
  readonly secret: string;
  readonly mode: 'paper' | 'live';
  /** Trading API root, e.g. a fake broker's `http://127.0.0.1:port`; default by mode. */
  readonly baseUrl?: string;
  /** Market data API root; default `https://data.alpaca.markets`. */
  readonly dataUrl?: string;
  /** Client-side limit per host, or false for none (tests). */
  readonly rateLimit: trading.RateLimitConfig | false;
  readonly timeoutMs: number;
}

export interface AlpacaApis {
  readonly orders: trading.OrdersApi;
  readonly account: trading.AccountsApi;
  readonly activities: trading.AccountActivitiesApi;
  readonly positions: trading.PositionsApi;
  readonly assets: trading.AssetsApi;
  readonly clock: trading.ClockApi;
  readonly calendar: trading.CalendarApi;
  readonly stocks: marketData.StockApi;
  readonly crypto: marketData.CryptoApi;
}

/** Alpaca's published limit: 200 requests a minute per key (applied to each host separately). */
export const DEFAULT_RATE_LIMIT: trading.RateLimitConfig = { maxRequests: 200, intervalMs: 60_000 };

export function createApis(options: RestOptions): AlpacaApis {
  const shared = {
    keyId: options.keyId,
    secret: options.secret,
    timeoutMs: options.timeoutMs,
    redirect: 'error' as const,
    ...(options.rateLimit === false ? {} : { rateLimit: options.rateLimit }),
  };
  const tradingConfig = new trading.Configuration({
    ...shared,
    paper: options.mode === 'paper',
    ...(options.baseUrl === undefined ? {} : { basePath: trimSlash(options.baseUrl) }),
  });
  const dataConfig = new marketData.Configuration({
    ...shared,
    ...(options.dataUrl === undefined ? {} : { basePath: trimSlash(options.dataUrl) }),
  });
  return {
    orders: new trading.OrdersApi(tradingConfig),
    account: new trading.AccountsApi(tradingConfig),
    activities: new trading.AccountActivitiesApi(tradingConfig),
    positions: new trading.PositionsApi(tradingConfig),
    assets: new trading.AssetsApi(tradingConfig),
    clock: new trading.ClockApi(tradingConfig),
    calendar: new trading.CalendarApi(tradingConfig),
    stocks: new marketData.StockApi(dataConfig),
    crypto: new marketData.CryptoApi(dataConfig),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The trade_updates endpoint: the given one, the base URL's `/stream`, or Alpaca's by mode. */
export function streamUrlOf(options: Pick<RestOptions, 'mode' | 'baseUrl'> & { streamUrl?: string }): string {
  if (options.streamUrl !== undefined) return options.streamUrl;
  if (options.baseUrl !== undefined) return `${trimSlash(options.baseUrl).replace(/^http/, 'ws')}/stream`;
  return options.mode === 'paper'
    ? 'wss://paper-api.alpaca.markets/stream'
    : 'wss://api.alpaca.markets/stream';
}

/** The JSON body of a successful raw call, checked against its wire schema. */
export async function wireJson<S extends z.ZodType>(
  call: Promise<{ readonly raw: Response }>,
  schema: S,
): Promise<z.infer<S>> {
  const response = await call;
  const body: unknown = await response.raw.json();
  return schema.parse(body);
}
