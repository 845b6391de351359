import { type Decimal, parseDecimal, toWire } from '../../domain/decimal.js';
import { type ErrorCode, TradingError } from '../../domain/errors.js';
import type { Bar } from '../types.js';

/** The bundled bar files' format: one symbol per file, named by symbolFileName. */
export const BAR_CSV_HEADER = 'ts,open,high,low,close,volume';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

/**
 * Parses one symbol's bars. Prices and volumes stay decimal strings until Decimal reads them, so the
 * values are exactly those written. Rows must be in strictly increasing time order.
 */
export function loadBarsCsv(text: string, symbol: string): Bar[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== BAR_CSV_HEADER) {
    throw csvError(symbol, 1, `the header must be "${BAR_CSV_HEADER}", got "${header ?? ''}"`);
  }
  const bars: Bar[] = [];
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === '') return;
    const bar = parseRow(symbol, line, index + 2);
    const previous = bars.at(-1);
    if (previous !== undefined && bar.ts <= previous.ts) {
      throw csvError(symbol, index + 2, 'rows must be in strictly increasing time order');
    }
    bars.push(bar);
  });
  return bars;
}

/** The inverse of loadBarsCsv for one symbol's bars: ISO-8601 UTC times, plain decimal strings. */
export function formatBarsCsv(bars: readonly Bar[]): string {
  const rows = bars.map((bar) =>
    [formatTs(bar.ts), bar.open, bar.high, bar.low, bar.close, bar.volume]
      .map((v) => (typeof v === 'string' ? v : toWire(v)))
      .join(','),
  );
  return [BAR_CSV_HEADER, ...rows].join('\n') + '\n';
}

/** "BTC/USD" is stored as BTC-USD.csv. */
export function symbolFileName(symbol: string): string {
  return `${symbol.replaceAll('/', '-')}.csv`;
}

export function symbolFromFileName(fileName: string): string {
  return fileName.replace(/\.csv$/i, '').replaceAll('-', '/');
}

/** Refuses a bar whose high and low do not bound its open and close, or with a negative volume. */
export function assertBar(bar: Bar, code: ErrorCode = 'INVALID_ORDER'): void {
  const problem = barProblem(bar);
  if (problem === undefined) return;
  throw new TradingError(code, `Bar ${bar.symbol} at ${formatTs(bar.ts)}: ${problem}.`, {
    hint: 'A bar needs 0 < low <= open, close <= high and volume >= 0.',
    details: { symbol: bar.symbol, ts: bar.ts },
  });
}

function barProblem(bar: Bar): string | undefined {
  if (!Number.isFinite(bar.ts)) return 'the time is not a valid epoch-ms number';
  if (bar.low.lessThanOrEqualTo(0)) return 'the low must be positive';
  if (bar.low.greaterThan(bar.open) || bar.low.greaterThan(bar.close))
    return 'the low is above the open or close';
  if (bar.high.lessThan(bar.open) || bar.high.lessThan(bar.close))
    return 'the high is below the open or close';
  if (bar.volume.isNegative()) return 'the volume is negative';
  return undefined;
}

function parseRow(symbol: string, line: string, lineNumber: number): Bar {
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length !== 6) throw csvError(symbol, lineNumber, `expected 6 fields, got ${fields.length}`);
  const [tsText = '', ...numbers] = fields;
  const ts = ISO_UTC.test(tsText) ? Date.parse(tsText) : Number.NaN;
  if (Number.isNaN(ts)) throw csvError(symbol, lineNumber, `"${tsText}" is not an ISO-8601 UTC time`);
  const [open, high, low, close, volume] = numbers.map((text) => decimalField(symbol, lineNumber, text));
  if (
    open === undefined ||
    high === undefined ||
    low === undefined ||
    close === undefined ||
    volume === undefined
  ) {
    throw csvError(symbol, lineNumber, 'missing a price or volume');
  }
  const bar: Bar = { symbol, ts, open, high, low, close, volume };
  const problem = barProblem(bar);
  if (problem !== undefined) throw csvError(symbol, lineNumber, problem);
  return bar;
}

function decimalField(symbol: string, lineNumber: number, text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw csvError(symbol, lineNumber, `"${text}" is not a decimal number`);
  return value;
}

function formatTs(ts: number): string {
  return Number.isFinite(ts) ? new Date(ts).toISOString().replace('.000Z', 'Z') : String(ts);
}

function csvError(symbol: string, lineNumber: number, problem: string): TradingError {
  return new TradingError('CONFIG_INVALID', `Bar data for ${symbol}, line ${lineNumber}: ${problem}.`, {
    hint: `Each line after the header is "${BAR_CSV_HEADER}" with an ISO-8601 UTC time and decimal numbers.`,
    details: { symbol, line: lineNumber },
  });
}
