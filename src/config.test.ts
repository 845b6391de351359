/**
 * loadConfig against README.md "Configuration": the defaults, every variable read, and a bad value
 * refused with CONFIG_INVALID naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openVault } from './brokers/credentials.js';
import { loadConfig } from './config.js';
import { dec } from './domain/decimal.js';
import { type TradingError, isTradingError } from './domain/errors.js';

/** The error loadConfig throws for an environment, or a failure when it does not throw one. */
function configError(env: NodeJS.ProcessEnv): TradingError {
  try {
    loadConfig(env);
  } catch (error) {
    if (isTradingError(error)) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      clock: 'system',
      clockStart: undefined,
      paperFeed: 'random',
      paperSeed: 42,
      paperFeedIntervalMs: 250,
      paperVenuesFile: undefined,
      paperStartingCash: undefined,
      logLevel: 'info',
      databaseUrl: 'pglite://.data/pglite',
      agentsDir: undefined,
      httpHost: '127.0.0.1',
      httpPort: 8420,
      httpAllowedOrigins: [],
      credentialsKey: undefined,
      previousCredentialsKey: undefined,
      brokerConnections: [],
      liveOptIn: { connectionIds: [], caps: undefined },
    });
  });

  it('reads the HTTP settings and refuses an allowed origin that is not an http(s) URL', () => {
    const config = loadConfig({
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: '0',
      HTTP_ALLOWED_ORIGINS: 'https://console.example.com, http://10.0.0.5:3000',
    });
    expect(config).toMatchObject({
      httpHost: '0.0.0.0',
      httpPort: 0,
      httpAllowedOrigins: ['https://console.example.com', 'http://10.0.0.5:3000'],
    });
    expect(() => loadConfig({ HTTP_ALLOWED_ORIGINS: 'ftp://files.example.com' })).toThrow(
      /HTTP_ALLOWED_ORIGINS/,
    );
    expect(() => loadConfig({ HTTP_PORT: '70000' })).toThrow(/HTTP_PORT/);
  });

  it('ignores variables it does not own', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'test' }).paperSeed).toBe(42);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      TRADING_CLOCK: 'simulated',
      TRADING_CLOCK_START: '2026-03-05T15:00:00Z',
      PAPER_FEED: 'replay',
      PAPER_SEED: '7',
      PAPER_FEED_INTERVAL_MS: '1000',
      PAPER_VENUES_FILE: 'fixtures/venues.json',
      PAPER_STARTING_CASH: '2500.50',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      clock: 'simulated',
      clockStart: Date.UTC(2026, 2, 5, 15, 0),
      paperFeed: 'replay',
      paperSeed: 7,
      paperFeedIntervalMs: 1000,
      paperVenuesFile: 'fixtures/venues.json',
      logLevel: 'debug',
    });
    expect(config.paperStartingCash?.equals(dec('2500.5'))).toBe(true);
  });

  it('reads each feed kind and log level', () => {
    for (const feed of ['random', 'replay', 'scripted'] as const)
      expect(loadConfig({ PAPER_FEED: feed }).paperFeed).toBe(feed);
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const)
      expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });

  it('reads a clock start with an offset as the instant it names', () => {
    expect(loadConfig({ TRADING_CLOCK_START: '2026-03-05T10:00:00-05:00' }).clockStart).toBe(
      Date.UTC(2026, 2, 5, 15, 0),
    );
  });

  it('accepts the bounds of the seed and the feed interval', () => {
    expect(loadConfig({ PAPER_SEED: '0' }).paperSeed).toBe(0);
    expect(loadConfig({ PAPER_SEED: String(2 ** 31 - 1) }).paperSeed).toBe(2 ** 31 - 1);
    expect(loadConfig({ PAPER_FEED_INTERVAL_MS: '10' }).paperFeedIntervalMs).toBe(10);
    expect(loadConfig({ PAPER_FEED_INTERVAL_MS: '60000' }).paperFeedIntervalMs).toBe(60_000);
  });

  it.each([
    ['TRADING_CLOCK', 'banana'],
    ['TRADING_CLOCK_START', 'yesterday'],
    ['PAPER_FEED', 'live'],
    ['PAPER_SEED', '-1'],
    ['PAPER_SEED', '1.5'],
    ['PAPER_SEED', 'seven'],
    ['PAPER_SEED', String(2 ** 31)],
    ['PAPER_FEED_INTERVAL_MS', '9'],
    ['PAPER_FEED_INTERVAL_MS', '60001'],
    ['PAPER_STARTING_CASH', 'abc'],
    ['PAPER_STARTING_CASH', '-100'],
    ['PAPER_STARTING_CASH', '1e6'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s with CONFIG_INVALID naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(name);
  });

  it('names every bad variable at once', () => {
    const error = configError({ TRADING_CLOCK: 'banana', PAPER_SEED: '-1', PAPER_STARTING_CASH: 'abc' });
    expect(error.code).toBe('CONFIG_INVALID');
    for (const name of ['TRADING_CLOCK', 'PAPER_SEED', 'PAPER_STARTING_CASH'])
      expect(error.message).toContain(name);
    expect(error.message).not.toContain('LOG_LEVEL');
  });

  it('does not read an empty PAPER_SEED as seed 0', () => {
    // An empty variable is either unset (the default 42) or a bad value (refused); it is never a
    // silent third seed that no one asked for.
    let seed: number | undefined;
    try {
      seed = loadConfig({ PAPER_SEED: '' }).paperSeed;
    } catch (error) {
      expect(isTradingError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('PAPER_SEED');
    }
    if (seed !== undefined) expect(seed).toBe(42);
  });
});

describe('DATABASE_URL', () => {
  it('accepts the three store targets and refuses anything else, naming the variable', () => {
    for (const url of [
      'pglite://memory',
      'pglite://./data',
      'postgres://127.0.0.1:5432/test',
      'postgresql://u:p@h/db',
    ]) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });
});

const KEY_ID = 'AKTESTKEYID0123456789';
const SECRET = 'zT4mQ9-very-secret-alpaca-key-7Hq2';
const CCXT_SECRET = 'ccxt-secret-Yp3vN8rW1xK5';
const PASSWORD = 'ccxt-passphrase-Jd6sL0';
const alpaca = { ALPACA_API_KEY_ID: KEY_ID, ALPACA_API_SECRET_KEY: SECRET };
const ccxt = { CCXT_EXCHANGE: 'binance', CCXT_API_KEY: KEY_ID, CCXT_SECRET, CCXT_PASSWORD: PASSWORD };

/** Everything an error can show: message, hint, body, its inspection. */
function shown(error: TradingError): string {
  return [
    error.message,
    error.hint,
    JSON.stringify(error.toBody()),
    String(error),
    inspect(error, { depth: 5 }),
  ].join('\n');
}

describe('broker credentials in the environment', () => {
  it('reads an Alpaca paper connection (paper unless ALPACA_PAPER=false), its secrets wrapped', () => {
    const config = loadConfig(alpaca);
    expect(config.brokerConnections).toHaveLength(1);
    const [connection] = config.brokerConnections;
    expect(connection).toMatchObject({
      id: 'alpaca-paper',
      kind: 'alpaca',
      mode: 'paper',
      liveCaps: undefined,
    });
    expect(connection?.credentials.apiKey.reveal()).toBe(KEY_ID);
    expect(connection?.credentials.apiSecret.reveal()).toBe(SECRET);
    expect(loadConfig({ ...alpaca, ALPACA_PAPER: 'true' }).brokerConnections[0]?.id).toBe('alpaca-paper');
    const printed = JSON.stringify(config) + inspect(config, { depth: 10 });
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toContain(KEY_ID);
  });

  it('reads a ccxt sandbox connection with its passphrase (sandbox unless CCXT_SANDBOX=false)', () => {
    const [connection] = loadConfig(ccxt).brokerConnections;
    expect(connection).toMatchObject({
      id: 'ccxt-binance-paper',
      kind: 'ccxt',
      exchangeId: 'binance',
      mode: 'paper',
    });
    expect(connection?.credentials.apiSecret.reveal()).toBe(CCXT_SECRET);
    expect(connection?.credentials.passphrase?.reveal()).toBe(PASSWORD);
  });

  it('refuses credentials that come in halves, naming the missing variable', () => {
    expect(configError({ ALPACA_API_KEY_ID: KEY_ID }).message).toContain('ALPACA_API_SECRET_KEY');
    expect(configError({ ALPACA_API_SECRET_KEY: SECRET }).message).toContain('ALPACA_API_KEY_ID');
    expect(configError({ CCXT_API_KEY: KEY_ID, CCXT_SECRET }).message).toContain('CCXT_EXCHANGE');
    expect(configError({ CCXT_EXCHANGE: 'binance', CCXT_SECRET }).message).toContain('CCXT_API_KEY');
    expect(configError({ CCXT_EXCHANGE: 'Binance!', CCXT_API_KEY: KEY_ID, CCXT_SECRET }).message).toContain(
      'CCXT_EXCHANGE',
    );
  });

  it('refuses a live connection without an opt-in naming it', () => {
    const error = configError({ ...alpaca, ALPACA_PAPER: 'false' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('"alpaca-live"');
    expect(error.message).toContain('not opted in');
    expect(error.hint).toContain('TRADING_LIVE_OPT_IN=alpaca-live');
    expect(error.hint).toContain('TRADING_LIVE_MAX_ORDER_NOTIONAL');
    const other = configError({
      ...alpaca,
      ALPACA_PAPER: 'false',
      TRADING_LIVE_OPT_IN: 'alpaca-paper,ccxt-binance-live',
      TRADING_LIVE_MAX_ORDER_NOTIONAL: '1000',
    });
    expect(other.message).toContain('not opted in');
    expect(configError({ ...ccxt, CCXT_SANDBOX: 'false' }).message).toContain('"ccxt-binance-live"');
  });

  it('refuses a live connection opted in without caps, or with unusable ones', () => {
    const live = { ...alpaca, ALPACA_PAPER: 'false', TRADING_LIVE_OPT_IN: 'alpaca-live' };
    expect(configError(live).message).toContain('without caps');
    expect(configError({ ...live, TRADING_LIVE_MAX_ORDER_NOTIONAL: '0' }).message).toContain('above 0');
    expect(
      configError({ ...live, TRADING_LIVE_MAX_ORDER_NOTIONAL: '100', TRADING_LIVE_MAX_DAILY_NOTIONAL: '50' })
        .message,
    ).toContain('below the maximum order notional');
    expect(configError({ ...live, TRADING_LIVE_MAX_ORDER_NOTIONAL: '-5' }).message).toContain(
      'TRADING_LIVE_MAX_ORDER_NOTIONAL',
    );
  });

  it('accepts a live connection opted in with caps, and carries them', () => {
    const config = loadConfig({
      ...alpaca,
      ...ccxt,
      ALPACA_PAPER: 'false',
      CCXT_SANDBOX: 'false',
      TRADING_LIVE_OPT_IN: ' alpaca-live , ccxt-binance-live ',
      TRADING_LIVE_MAX_ORDER_NOTIONAL: '2500.50',
      TRADING_LIVE_MAX_DAILY_NOTIONAL: '10000',
    });
    expect(config.liveOptIn.connectionIds).toEqual(['alpaca-live', 'ccxt-binance-live']);
    expect(config.brokerConnections.map((c) => [c.id, c.mode])).toEqual([
      ['alpaca-live', 'live'],
      ['ccxt-binance-live', 'live'],
    ]);
    const caps = config.brokerConnections[0]?.liveCaps;
    expect(caps?.maxOrderNotional.equals(dec('2500.5'))).toBe(true);
    expect(caps?.maxDailyNotional?.equals(dec('10000'))).toBe(true);
  });

  it('refuses ALPACA_PAPER and CCXT_SANDBOX other than true or false', () => {
    expect(configError({ ALPACA_PAPER: 'no' }).message).toContain('ALPACA_PAPER');
    expect(configError({ CCXT_SANDBOX: '0' }).message).toContain('CCXT_SANDBOX');
  });
});

describe('TRADING_CREDENTIALS_KEY', () => {
  const key = randomBytes(32);

  it('reads a base64 or hex key as a Secret, and the previous key for a rotation', () => {
    const config = loadConfig({
      TRADING_CREDENTIALS_KEY: key.toString('base64'),
      TRADING_CREDENTIALS_PREVIOUS_KEY: randomBytes(32).toString('hex'),
    });
    expect(config.credentialsKey?.reveal()).toBe(key.toString('base64'));
    expect(JSON.stringify(config)).not.toContain(key.toString('base64'));
    expect(openVault(config.credentialsKey, config.previousCredentialsKey).keyIds).toHaveLength(2);
    expect(loadConfig({ TRADING_CREDENTIALS_KEY: key.toString('hex') }).credentialsKey).toBeDefined();
  });

  it('is needed only to store credentials: missing, the vault refuses with how to make one', () => {
    const config = loadConfig({});
    expect(config.credentialsKey).toBeUndefined();
    try {
      openVault(config.credentialsKey, config.previousCredentialsKey);
      expect.unreachable();
    } catch (error) {
      expect(isTradingError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as TradingError).message).toContain('TRADING_CREDENTIALS_KEY');
      expect((error as TradingError).hint).toContain('randomBytes(32)');
    }
  });

  it('refuses a short key as CONFIG_INVALID naming the variable, not the value', () => {
    const short = randomBytes(16).toString('base64');
    const error = configError({ TRADING_CREDENTIALS_KEY: short });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('TRADING_CREDENTIALS_KEY');
    expect(error.message).toContain('32 random bytes');
    expect(shown(error)).not.toContain(short);
    expect(configError({ TRADING_CREDENTIALS_PREVIOUS_KEY: 'abc' }).message).toContain(
      'TRADING_CREDENTIALS_PREVIOUS_KEY',
    );
  });
});

describe('configuration errors never show a secret', () => {
  it.each([
    [
      'a live connection without an opt-in',
      { ...alpaca, ...ccxt, ALPACA_PAPER: 'false', CCXT_SANDBOX: 'false' },
    ],
    ['a key without its secret', { ALPACA_API_SECRET_KEY: SECRET, CCXT_SECRET, CCXT_PASSWORD: PASSWORD }],
    ['a secret pasted into ALPACA_PAPER', { ...alpaca, ALPACA_PAPER: SECRET }],
    ['a secret pasted into CCXT_SANDBOX', { ...ccxt, CCXT_SANDBOX: CCXT_SECRET }],
    ['a secret pasted into CCXT_EXCHANGE', { CCXT_EXCHANGE: SECRET, CCXT_API_KEY: KEY_ID, CCXT_SECRET }],
    ['a secret pasted into the caps', { ...alpaca, TRADING_LIVE_MAX_ORDER_NOTIONAL: SECRET }],
    ['a secret pasted into the opt-in', { ...alpaca, ALPACA_PAPER: 'false', TRADING_LIVE_OPT_IN: SECRET }],
    ['a secret as the credentials key', { ...alpaca, TRADING_CREDENTIALS_KEY: SECRET }],
    ['a secret pasted into LOG_LEVEL', { ...alpaca, LOG_LEVEL: SECRET }],
  ])('%s', (_, env) => {
    const error = configError(env);
    expect(error.code).toBe('CONFIG_INVALID');
    const text = shown(error);
    for (const hidden of [SECRET, CCXT_SECRET, PASSWORD, KEY_ID]) expect(text).not.toContain(hidden);
  });
});
