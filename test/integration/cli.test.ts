/**
 * The real CLI (src/main.ts) as a child process, against README.md: `--help`, `--once` printing the
 * venues and their markets with nothing but the banner on stdout, every feed kind starting, a bad
 * variable stopping the start with CONFIG_INVALID on stderr, and the seed deciding the market.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT_MS = 30_000;
/** Variables the CLI reads: cleared so that the caller's environment cannot change the results. */
const OWN_VARIABLES = /^(TRADING_|PAPER_|LOG_LEVEL$|DATABASE_URL$|AGENTS_DIR$)/;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OWN_VARIABLES.test(name)));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      { cwd: ROOT, env: { ...base, DATABASE_URL: 'pglite://memory', ...env }, timeout: TIMEOUT_MS - 2_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`the CLI did not exit by itself: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

const VENUE_ROW = /^ {2}(paper-[a-z]+) +(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?) +(\d+) ms +(.+)$/;
const MARKET_ROW = /^ {2}([A-Z]+(?:\/[A-Z]+)?) +(paper-[a-z]+) +(\S+) +(\S+)$/;
const FIXED_LINES = new Set([
  '',
  'agent-trading-server: paper exchange ready (offline, simulated money)',
  '  venue           fees maker/taker bps   latency   accounts',
  '  symbol      venue           bid            ask',
  '  MCP over stdio: npm start -- --stdio (the HTTP surface is not built yet).',
  '  (- : no market data yet; the replay feed publishes its first bar a minute after start)',
]);

/** The banner's rows: venues, and markets as `symbol venue bid ask`. */
function parseBanner(stdout: string): { venues: string[]; markets: string[]; stray: string[] } {
  const venues: string[] = [];
  const markets: string[] = [];
  const stray: string[] = [];
  for (const line of stdout.split('\n')) {
    const venue = VENUE_ROW.exec(line);
    const market = MARKET_ROW.exec(line);
    if (venue !== null) venues.push(venue[1] ?? '');
    else if (market !== null) markets.push(market.slice(1).join(' '));
    else if (!FIXED_LINES.has(line) && !/^ {2}market data: /.test(line)) stray.push(line);
  }
  return { venues, markets, stray };
}

/** The market rows with a two-sided quote for a symbol: `[venue, bid, ask]`. */
function quotesFor(markets: readonly string[], symbol: string): string[][] {
  return markets
    .map((row) => row.split(' '))
    .filter(([s, , bid, ask]) => s === symbol && bid !== '-' && ask !== '-')
    .map(([, venue, bid, ask]) => [venue ?? '', bid ?? '', ask ?? '']);
}

describe('the CLI', () => {
  it(
    '--help prints the usage to stdout and exits 0',
    async () => {
      const result = await run(['--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage:');
      expect(result.stdout).toContain('--once');
      expect(result.stdout).toContain('PAPER_SEED');
      expect(result.stderr).toBe('');
    },
    TIMEOUT_MS,
  );

  it(
    '--once prints the three venues and their markets, and nothing else on stdout',
    async () => {
      const result = await run(['--once'], { LOG_LEVEL: 'trace' });
      expect(result.code).toBe(0);
      const { venues, markets, stray } = parseBanner(result.stdout);
      expect(venues).toEqual(['paper-value', 'paper-prime', 'paper-crypto']);
      expect(stray).toEqual([]);
      expect(result.stdout).toContain('market data: random (seed 42), clock: system');

      const aapl = quotesFor(markets, 'AAPL');
      const btc = quotesFor(markets, 'BTC/USD');
      expect(aapl.map(([venue]) => venue)).toEqual(['paper-value', 'paper-prime']);
      expect(btc.map(([venue]) => venue)).toEqual(['paper-crypto']);
      for (const [, bid, ask] of [...aapl, ...btc]) expect(Number(bid)).toBeLessThan(Number(ask));
      // One shared market: both equity venues show the same AAPL prices.
      expect(aapl[0]?.slice(1)).toEqual(aapl[1]?.slice(1));
    },
    TIMEOUT_MS,
  );

  it(
    'starts with the replay and the scripted feeds',
    async () => {
      const [replay, scripted] = await Promise.all([
        run(['--once'], { PAPER_FEED: 'replay' }),
        run(['--once'], { PAPER_FEED: 'scripted' }),
      ]);
      for (const [result, kind] of [
        [replay, 'replay'],
        [scripted, 'scripted'],
      ] as const) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain(`market data: ${kind}, clock: system`);
        const { venues, stray } = parseBanner(result.stdout);
        expect(venues).toEqual(['paper-value', 'paper-prime', 'paper-crypto']);
        expect(stray).toEqual([]);
      }
    },
    TIMEOUT_MS,
  );

  it(
    'stops with exit code 1 and CONFIG_INVALID naming the variable on stderr for a bad value',
    async () => {
      const result = await run(['--once'], { TRADING_CLOCK: 'banana' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('CONFIG_INVALID');
      expect(result.stderr).toContain('TRADING_CLOCK');
      expect(result.stdout).toBe('');
    },
    TIMEOUT_MS,
  );

  it(
    'prints the same markets for the same seed and other markets for another seed',
    async () => {
      const [first, second, other] = await Promise.all([
        run(['--once'], { PAPER_SEED: '7' }),
        run(['--once'], { PAPER_SEED: '7' }),
        run(['--once'], { PAPER_SEED: '8' }),
      ]);
      for (const result of [first, second, other]) expect(result.code, result.stderr).toBe(0);
      const markets = [first, second, other].map((r) => parseBanner(r.stdout).markets);
      expect(markets[0]).toHaveLength(9);
      expect(quotesFor(markets[0] ?? [], 'AAPL')).toHaveLength(2);
      expect(markets[1]).toEqual(markets[0]);
      expect(markets[2]).not.toEqual(markets[0]);
      expect(first.stdout).toContain('(seed 7)');
      expect(other.stdout).toContain('(seed 8)');
    },
    TIMEOUT_MS,
  );
});
