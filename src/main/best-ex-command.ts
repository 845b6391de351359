import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderBestExCsv, renderBestExMarkdown } from '../analytics/best-ex-report.js';
import type { Config } from '../config.js';
import { TradingError } from '../domain/errors.js';
import { AnalyticsStore } from '../store/analytics-store.js';
import { openStore } from '../store/db.js';

const USAGE =
  'Usage: best-ex [--date YYYY-MM-DD] [--format md|csv] [--out FILE] [--venue VENUE] [--symbol SYMBOL]';
const DAY_MS = 24 * 60 * 60_000;

export interface BestExIo {
  /** Wall-clock now (epoch ms), for the default day. */
  readonly now?: () => number;
  /** Where the report (without --out) and messages go; default stdout. */
  readonly write?: (text: string) => void;
}

/**
 * `best-ex`: the best-execution report of one UTC day from the configured store, without starting
 * the venues. The default day is the last completed UTC day (yesterday): today's report would be
 * partial. Orders count on the day they ended (execution_metrics.completed_at, trading-clock time:
 * with a simulated clock, give --date). Markdown by default; CSV is one row per order.
 */
export async function bestExCommand(
  argv: readonly string[],
  config: Pick<Config, 'databaseUrl'>,
  io: BestExIo = {},
): Promise<number> {
  const options = parse(argv);
  const write =
    io.write ??
    ((text: string) => {
      process.stdout.write(text);
    });
  const date = options.date ?? new Date((io.now ?? Date.now)() - DAY_MS).toISOString().slice(0, 10);
  const from = dayStart(date);
  const store = await openStore(config.databaseUrl);
  try {
    const rows = await new AnalyticsStore(store).executions({
      from,
      to: from + DAY_MS,
      ...(options.venue === undefined ? {} : { venue: options.venue }),
      ...(options.symbol === undefined ? {} : { symbol: options.symbol }),
    });
    const report =
      options.format === 'csv'
        ? renderBestExCsv(rows)
        : renderBestExMarkdown({
            date,
            rows,
            filters: {
              ...(options.venue === undefined ? {} : { venue: options.venue }),
              ...(options.symbol === undefined ? {} : { symbol: options.symbol }),
            },
          });
    if (options.out === undefined) write(report);
    else {
      await writeFile(options.out, report, 'utf8');
      write(`Best-execution report for ${date} (${rows.length} order(s)) written to ${options.out}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

interface BestExOptions {
  readonly date?: string;
  readonly format: 'md' | 'csv';
  readonly out?: string;
  readonly venue?: string;
  readonly symbol?: string;
}

function parse(argv: readonly string[]): BestExOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        date: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        venue: { type: 'string' },
        symbol: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new TradingError('INVALID_ARGUMENT', `best-ex: ${(error as Error).message}`, {
      hint: USAGE,
      cause: error,
    });
  }
  const { date, format = 'md', out, venue, symbol } = values;
  if (format !== 'md' && format !== 'csv') {
    throw new TradingError('INVALID_ARGUMENT', `best-ex: unknown format "${format}".`, { hint: USAGE });
  }
  if (date !== undefined) dayStart(date);
  return {
    format,
    ...(date === undefined ? {} : { date }),
    ...(out === undefined ? {} : { out }),
    ...(venue === undefined ? {} : { venue }),
    ...(symbol === undefined ? {} : { symbol }),
  };
}

/** The UTC midnight of a YYYY-MM-DD day (epoch ms); refuses anything else. */
function dayStart(date: string): number {
  const at = Date.parse(`${date}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(at) ||
    new Date(at).toISOString().slice(0, 10) !== date
  ) {
    throw new TradingError('INVALID_ARGUMENT', `best-ex: "${date}" is not a day (YYYY-MM-DD).`, {
      hint: USAGE,
    });
  }
  return at;
}
