/**
 * Builds the ccxt exchange instance the adapter talks through, configured the one way the adapter
 * and its tests (the static-request oracle among them) share: spot only, HTTP through the global
 * fetch, the published rate limit respected, the sandbox when asked.
 */
import ccxt, { type Exchange } from 'ccxt';
import { TradingError } from '../../domain/errors.js';
import { type Secret, secret } from '../credentials-secret.js';

/** API credentials; kept only inside the ccxt instance (never in errors, logs or JSON). */
export interface CcxtCredentials {
  readonly apiKey: string | Secret;
  readonly secret: string | Secret;
  /** The passphrase some exchanges add (OKX, KuCoin, Coinbase). */
  readonly password?: string | Secret;
}

export interface CcxtExchangeConfig {
  /** A ccxt exchange id: `binance`, `kraken`, ... */
  readonly exchangeId: string;
  readonly credentials?: CcxtCredentials;
  readonly sandbox: boolean;
  /**
   * ccxt's own limiter paces every call to the exchange's published rate limit (`rateLimit` and
   * the per-endpoint weights in its API map): that is how each broker's published limits are
   * respected. Default true; tests may turn it off to run without real-time pauses.
   */
  readonly enableRateLimit?: boolean;
  /** ccxt's per-request timeout; a call that runs out is ambiguous (§8.1). Default ccxt's 10 s. */
  readonly timeoutMs?: number;
}

/**
 * Per exchange, the options that keep `loadMarkets` on spot. On Binance the defaults also load
 * futures markets and call signed margin endpoints; with these only `/api/v3/exchangeInfo` is
 * called. Binance's `fetchOpenOrders` refuses to run without a symbol unless its warning is
 * acknowledged: the adapter asks for every symbol's open orders at once on purpose.
 */
const SPOT_OPTIONS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  binance: {
    fetchMarkets: { types: ['spot'] },
    fetchCurrencies: false,
    fetchMargins: false,
    warnOnFetchOpenOrdersWithoutSymbol: false,
  },
};

type ExchangeConstructor = new (config: Record<string, unknown>) => Exchange;

/** The exchange class for an id, or a CONFIG_INVALID error naming what ccxt offers. */
function exchangeClass(exchangeId: string): ExchangeConstructor {
  const known: readonly string[] = ccxt.exchanges;
  const candidate: unknown = (ccxt as unknown as Record<string, unknown>)[exchangeId];
  if (!known.includes(exchangeId) || typeof candidate !== 'function') {
    throw new TradingError('CONFIG_INVALID', `ccxt has no exchange "${exchangeId}".`, {
      hint: `Use a ccxt exchange id such as binance, kraken or okx (${known.length} are available).`,
      details: { exchangeId },
    });
  }
  return candidate as ExchangeConstructor;
}

/** A configured ccxt exchange; markets are not loaded yet. */
export function createCcxtExchange(config: CcxtExchangeConfig): Exchange {
  const Class = exchangeClass(config.exchangeId);
  const credentials = config.credentials;
  const exchange = new Class({
    ...(credentials === undefined
      ? {}
      : {
          apiKey: secret(credentials.apiKey).reveal(),
          secret: secret(credentials.secret).reveal(),
          ...(credentials.password === undefined ? {} : { password: secret(credentials.password).reveal() }),
        }),
    enableRateLimit: config.enableRateLimit ?? true,
    ...(config.timeoutMs === undefined ? {} : { timeout: config.timeoutMs }),
    options: { defaultType: 'spot', ...(SPOT_OPTIONS[config.exchangeId] ?? {}) },
  });
  // Since 4.5.65 ccxt sends HTTP through its own bundled undici pool; routing it through the
  // global fetch keeps one HTTP stack for the process (proxies, and msw in tests, see it).
  exchange.fetchImplementation = (url: string, init: RequestInit): Promise<Response> =>
    globalThis.fetch(url, init);
  if (config.sandbox) exchange.setSandboxMode(true);
  return exchange;
}
