import { z } from 'zod';
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
});

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
}

/** Reads the configuration from an environment; throws CONFIG_INVALID naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PAPER_SEED=`) means unset, as in shells and env files.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TradingError('CONFIG_INVALID', `Invalid configuration: ${problems}`, {
      hint: 'Fix or unset the named environment variables (see README.md, Configuration).',
    });
  }
  const c = parsed.data;
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
  };
}
