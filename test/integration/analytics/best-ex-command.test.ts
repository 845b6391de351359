/**
 * `best-ex` (src/main/best-ex-command.ts) on a configured store, PGlite on disk and PostgreSQL: the
 * report of one UTC day as Markdown on stdout or CSV in a file, the last completed day by default,
 * and a clear refusal of bad arguments.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../../src/analytics/best-ex-report.js';
import { metricsRow } from '../../../src/analytics/test-support.js';
import { isTradingError } from '../../../src/domain/errors.js';
import { bestExCommand } from '../../../src/main/best-ex-command.js';
import { AnalyticsStore } from '../../../src/store/analytics-store.js';
import { TEST_BACKENDS, type TestDatabase, createTestDatabase } from '../../support/databases.js';

const DAY = Date.UTC(2026, 2, 4);
const HOUR = 3_600_000;

describe.each(TEST_BACKENDS)('best-ex on %s', (backend) => {
  let folder: string;
  let database: TestDatabase;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'best-ex-'));
    database = await createTestDatabase(backend, backend === 'pglite' ? join(folder, 'db') : undefined);
    const store = await database.open();
    try {
      const analytics = new AnalyticsStore(store);
      await analytics.record(metricsRow({ orderId: 'o1', slippageBps: '3', completedAt: DAY + HOUR }));
      await analytics.record(
        metricsRow({
          orderId: 'o2',
          venue: 'venue-b',
          symbol: 'MSFT',
          slippageBps: '-1',
          completedAt: DAY + 2 * HOUR,
        }),
      );
      // The next day, and the last millisecond of the day before: not in the report.
      await analytics.record(metricsRow({ orderId: 'next', completedAt: DAY + 24 * HOUR }));
      await analytics.record(metricsRow({ orderId: 'before', completedAt: DAY - 1 }));
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    await database.drop();
    await rm(folder, { recursive: true, force: true });
  });

  const run = async (argv: string[], now = DAY + 30 * HOUR): Promise<{ code: number; out: string }> => {
    let out = '';
    const code = await bestExCommand(
      argv,
      { databaseUrl: database.url },
      {
        now: () => now,
        write: (text) => {
          out += text;
        },
      },
    );
    return { code, out };
  };

  it('prints the Markdown report of the last completed UTC day by default', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toBe('# Best execution report: 2026-03-04 (UTC)');
    expect(out).toContain('2 order(s) on 2 venue(s).');
    expect(out).toContain('| venue-a | 1 | 100% | 3 | - | 0 | - |');
    expect(out).not.toContain('| next |');
  });

  it('writes CSV to a file, one row per order of the day', async () => {
    const file = join(folder, 'report.csv');
    const { code, out } = await run(['--date', '2026-03-04', '--format', 'csv', '--out', file]);
    expect(code).toBe(0);
    expect(out).toBe(`Best-execution report for 2026-03-04 (2 order(s)) written to ${file}\n`);
    const lines = (await readFile(file, 'utf8')).split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(['o1', 'o2']);
  });

  it('filters by venue and says when a day has nothing', async () => {
    const { out } = await run(['--date', '2026-03-04', '--venue', 'venue-b']);
    expect(out).toContain('Filters: venue venue-b.');
    expect(out).toContain('1 order(s) on 1 venue(s).');
    expect((await run(['--date', '2026-02-01'])).out).toContain('No executions were recorded on this day.');
  });

  it('refuses bad arguments with INVALID_ARGUMENT and the usage', async () => {
    for (const argv of [['--date', '2026-02-30'], ['--format', 'pdf'], ['--colour'], ['extra']]) {
      const error = await run(argv).catch((e: unknown) => e);
      expect(isTradingError(error, 'INVALID_ARGUMENT'), argv.join(' ')).toBe(true);
      expect((error as { hint?: string }).hint).toMatch(/^Usage: best-ex/);
    }
  });
});
