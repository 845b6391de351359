/**
 * loadConfig against README.md "Configuration": the defaults, every variable read, and a bad value
 * refused with CONFIG_INVALID naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { dec } from './domain/decimal.js';
import { isTradingError } from './domain/errors.js';

/** The error loadConfig throws for an environment, or a failure when it does not throw one. */
function configError(env: NodeJS.ProcessEnv): { code: string; message: string } {
  try {
    loadConfig(env);
  } catch (error) {
    if (isTradingError(error)) return { code: error.code, message: error.message };
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
