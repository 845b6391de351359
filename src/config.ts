import { z } from 'zod';
import { type Credentials, Secret } from './brokers/credentials.js';
import { credentialsKeyProblem } from './brokers/credentials-key.js';
import {
  type ConnectionInfo,
  type LiveCaps,
  type LiveOptIn,
  requireLiveAllowed,
} from './brokers/credentials-live.js';
import { type Decimal, dec } from './domain/decimal.js';
import { TradingError } from './domain/errors.js';
import { DEFAULT_DATABASE_URL } from './store/db.js';

const amount = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected a non-negative decimal such as "100000"')
  .transform((v) => dec(v));

const wholeNumber = z
  .string()
  .regex(/^\d+$/, 'expected a whole number such as 42')
  .transform((v) => Number(v));

/** A secret variable: wrapped at once, so no message, log or dump can show its value. */
const secretValue = z
  .string()
  .min(1)
  .transform((v) => new Secret(v));

/** A credentials key: 32 bytes as base64 or hex (src/brokers/credentials-key.ts). */
const credentialsKey = z
  .string()
  .superRefine((v, ctx) => {
    const problem = credentialsKeyProblem(v);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((v) => new Secret(v));

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Every setting, read once from the environment at start and validated; a bad value stops the start. */
const schema = z.object({
  /** `system`: wall-clock time; `simulated`: time moves only when told (tests, simulateMarket `at`). */
  TRADING_CLOCK: z.enum(['system', 'simulated']).default('system'),
  /** The simulated clock's start (ISO-8601); default: now. */
  TRADING_CLOCK_START: z.iso.datetime({ offset: true }).optional(),
  /** Paper market data: a seeded random walk, replay of the bundled 1-minute bars, or scripted only. */
  PAPER_FEED: z.enum(['random', 'replay', 'scripted']).default('random'),
  PAPER_SEED: wholeNumber.pipe(z.number().max(2 ** 31 - 1)).default(42),
  /** Milliseconds between random-walk steps. */
  PAPER_FEED_INTERVAL_MS: wholeNumber.pipe(z.number().min(10).max(60_000)).default(250),
  /** Venue profiles file (relative to the working directory or absolute). */
  PAPER_VENUES_FILE: z.string().min(1).optional(),
  /** Replaces every paper account's starting cash (per currency). */
  PAPER_STARTING_CASH: amount.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pglite://<folder> (default .data/pglite), pglite://memory, or postgres://... */
  DATABASE_URL: z
    .string()
    .regex(
      /^(pglite:\/\/.+|postgres(ql)?:\/\/.+)$/,
      'expected pglite://memory, pglite://<folder> or postgres://...',
    )
    .default(DEFAULT_DATABASE_URL),
  /** The agent cards' folder; default: the bundled agents/. */
  AGENTS_DIR: z.string().min(1).optional(),
  /** The HTTP surface's address: loopback by default (set 0.0.0.0 only behind a proxy with TLS). */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** The HTTP port; 0 picks a free one (printed at start). */
  HTTP_PORT: wholeNumber.pipe(z.number().max(65_535)).default(8420),
  /** Comma-separated origins allowed besides the loopback ones, e.g. https://console.example.com. */
  HTTP_ALLOWED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ })))
    .default([]),
  /** 32 random bytes (base64 or hex) that encrypt the stored broker credentials. */
  TRADING_CREDENTIALS_KEY: credentialsKey.optional(),
  /** The key TRADING_CREDENTIALS_KEY replaces, while its ciphertexts are re-encrypted. */
  TRADING_CREDENTIALS_PREVIOUS_KEY: credentialsKey.optional(),
  ALPACA_API_KEY_ID: secretValue.optional(),
  ALPACA_API_SECRET_KEY: secretValue.optional(),
  /** Alpaca's paper account unless `false` (live: real money, see TRADING_LIVE_OPT_IN). */
  ALPACA_PAPER: flag.default(true),
  /**
   * Where the Alpaca connection's trading REST API, trade_updates stream and market data live:
   * Alpaca's own hosts by default; set them to a fake broker to try the Alpaca path offline.
   */
  ALPACA_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  ALPACA_STREAM_URL: z.url({ protocol: /^wss?$/ }).optional(),
  ALPACA_DATA_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The ccxt exchange id, e.g. binance. */
  CCXT_EXCHANGE: z
    .string()
    .regex(/^[a-z0-9_]+$/, 'expected a ccxt exchange id such as binance')
    .optional(),
  CCXT_API_KEY: secretValue.optional(),
  CCXT_SECRET: secretValue.optional(),
  /** The passphrase some exchanges add (ccxt's `password`). */
  CCXT_PASSWORD: secretValue.optional(),
  /** The exchange's sandbox unless `false` (live: real money, see TRADING_LIVE_OPT_IN). */
  CCXT_SANDBOX: flag.default(true),
  /** Comma-separated ids of the connections allowed to trade live, e.g. alpaca-live. */
  TRADING_LIVE_OPT_IN: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    )
    .default([]),
  /** The live connections' caps: the largest order notional, and the largest per trading day. */
  TRADING_LIVE_MAX_ORDER_NOTIONAL: amount.optional(),
  TRADING_LIVE_MAX_DAILY_NOTIONAL: amount.optional(),
});

type Settings = z.infer<typeof schema>;
const checked = schema.superRefine(checkConnectionVariables);

/** A broker connection given in the environment (not stored): its credentials come from there too. */
export interface EnvConnection extends ConnectionInfo {
  readonly credentials: Credentials;
  /** The caps a live connection trades under; undefined for a paper one. */
  readonly liveCaps: LiveCaps | undefined;
  /** Hosts other than the venue's own (a fake broker, a proxy). */
  readonly endpoints?: BrokerEndpoints;
}

export interface BrokerEndpoints {
  readonly baseUrl?: string;
  readonly streamUrl?: string;
  readonly dataUrl?: string;
}

export interface Config {
  readonly clock: 'system' | 'simulated';
  readonly clockStart: number | undefined;
  readonly paperFeed: 'random' | 'replay' | 'scripted';
  readonly paperSeed: number;
  readonly paperFeedIntervalMs: number;
  readonly paperVenuesFile: string | undefined;
  readonly paperStartingCash: Decimal | undefined;
  readonly logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  readonly databaseUrl: string;
  readonly agentsDir: string | undefined;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly httpAllowedOrigins: readonly string[];
  readonly credentialsKey: Secret | undefined;
  readonly previousCredentialsKey: Secret | undefined;
  /** The connections given by ALPACA_* and CCXT_*; a live one only with its opt-in and caps. */
  readonly brokerConnections: readonly EnvConnection[];
  /** TRADING_LIVE_OPT_IN and the TRADING_LIVE_MAX_* caps. */
  readonly liveOptIn: LiveOptIn;
}

/**
 * Reads the configuration from an environment; throws CONFIG_INVALID naming every bad variable.
 * Messages name variables and what was expected, never a value: a secret in the wrong variable
 * must not end up in a log.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PAPER_SEED=`) means unset, as in shells and env files.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = checked.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TradingError('CONFIG_INVALID', `Invalid configuration: ${problems}`, {
      hint: 'Fix or unset the named environment variables (see README.md, Configuration).',
    });
  }
  const c = parsed.data;
  const liveOptIn: LiveOptIn = {
    connectionIds: c.TRADING_LIVE_OPT_IN,
    caps:
      c.TRADING_LIVE_MAX_ORDER_NOTIONAL === undefined
        ? undefined
        : {
            maxOrderNotional: c.TRADING_LIVE_MAX_ORDER_NOTIONAL,
            ...(c.TRADING_LIVE_MAX_DAILY_NOTIONAL === undefined
              ? {}
              : { maxDailyNotional: c.TRADING_LIVE_MAX_DAILY_NOTIONAL }),
          },
  };
  return {
    clock: c.TRADING_CLOCK,
    clockStart: c.TRADING_CLOCK_START === undefined ? undefined : Date.parse(c.TRADING_CLOCK_START),
    paperFeed: c.PAPER_FEED,
    paperSeed: c.PAPER_SEED,
    paperFeedIntervalMs: c.PAPER_FEED_INTERVAL_MS,
    paperVenuesFile: c.PAPER_VENUES_FILE,
    paperStartingCash: c.PAPER_STARTING_CASH,
    logLevel: c.LOG_LEVEL,
    databaseUrl: c.DATABASE_URL,
    agentsDir: c.AGENTS_DIR,
    httpHost: c.HTTP_HOST,
    httpPort: c.HTTP_PORT,
    httpAllowedOrigins: c.HTTP_ALLOWED_ORIGINS,
    credentialsKey: c.TRADING_CREDENTIALS_KEY,
    previousCredentialsKey: c.TRADING_CREDENTIALS_PREVIOUS_KEY,
    brokerConnections: envConnections(c).map((connection) => ({
      ...connection,
      liveCaps: requireLiveAllowed(connection, liveOptIn, liveHint(connection.id)),
    })),
    liveOptIn,
  };
}

/** Credentials come whole: a key without its secret (or a ccxt key without an exchange) is refused. */
function checkConnectionVariables(c: Settings, ctx: z.RefinementCtx): void {
  const require = (given: unknown, variable: string, because: string): void => {
    if (given === undefined)
      ctx.addIssue({ code: 'custom', path: [variable], message: `required ${because}` });
  };
  if (c.ALPACA_API_KEY_ID !== undefined || c.ALPACA_API_SECRET_KEY !== undefined) {
    require(c.ALPACA_API_KEY_ID, 'ALPACA_API_KEY_ID', 'with ALPACA_API_SECRET_KEY');
    require(c.ALPACA_API_SECRET_KEY, 'ALPACA_API_SECRET_KEY', 'with ALPACA_API_KEY_ID');
  }
  if (c.CCXT_API_KEY !== undefined || c.CCXT_SECRET !== undefined || c.CCXT_PASSWORD !== undefined) {
    require(c.CCXT_EXCHANGE, 'CCXT_EXCHANGE', 'with ccxt credentials');
    require(c.CCXT_API_KEY, 'CCXT_API_KEY', 'with CCXT_SECRET');
    require(c.CCXT_SECRET, 'CCXT_SECRET', 'with CCXT_API_KEY');
  }
}

/** The connections the environment gives: `alpaca-<mode>` and `ccxt-<exchange>-<mode>`. */
function envConnections(c: Settings): Omit<EnvConnection, 'liveCaps'>[] {
  const connections: Omit<EnvConnection, 'liveCaps'>[] = [];
  if (c.ALPACA_API_KEY_ID !== undefined && c.ALPACA_API_SECRET_KEY !== undefined) {
    const mode = c.ALPACA_PAPER ? 'paper' : 'live';
    connections.push({
      id: `alpaca-${mode}`,
      kind: 'alpaca',
      exchangeId: undefined,
      mode,
      credentials: { apiKey: c.ALPACA_API_KEY_ID, apiSecret: c.ALPACA_API_SECRET_KEY },
      endpoints: {
        ...(c.ALPACA_BASE_URL === undefined ? {} : { baseUrl: c.ALPACA_BASE_URL }),
        ...(c.ALPACA_STREAM_URL === undefined ? {} : { streamUrl: c.ALPACA_STREAM_URL }),
        ...(c.ALPACA_DATA_URL === undefined ? {} : { dataUrl: c.ALPACA_DATA_URL }),
      },
    });
  }
  if (c.CCXT_EXCHANGE !== undefined && c.CCXT_API_KEY !== undefined && c.CCXT_SECRET !== undefined) {
    const mode = c.CCXT_SANDBOX ? 'paper' : 'live';
    connections.push({
      id: `ccxt-${c.CCXT_EXCHANGE}-${mode}`,
      kind: 'ccxt',
      exchangeId: c.CCXT_EXCHANGE,
      mode,
      credentials: {
        apiKey: c.CCXT_API_KEY,
        apiSecret: c.CCXT_SECRET,
        ...(c.CCXT_PASSWORD === undefined ? {} : { passphrase: c.CCXT_PASSWORD }),
      },
    });
  }
  return connections;
}

function liveHint(id: string): string {
  return (
    `To trade real money through it, set TRADING_LIVE_OPT_IN=${id} and TRADING_LIVE_MAX_ORDER_NOTIONAL ` +
    `(optionally TRADING_LIVE_MAX_DAILY_NOTIONAL); otherwise use its paper account or sandbox ` +
    `(ALPACA_PAPER=true, CCXT_SANDBOX=true).`
  );
}
