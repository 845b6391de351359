/**
 * The daily best-execution report (pure): Markdown for people (per-venue and per-symbol tables and
 * the worst orders by slippage) and CSV for spreadsheets (one row per order, RFC 4180).
 */
import { type Decimal, toWire } from '../domain/decimal.js';
import { type ExecutionAggregate, aggregate, aggregateBy } from './execution-aggregates.js';
import type { ExecutionMetrics } from './execution-metrics.js';

export interface BestExReport {
  /** The UTC day, YYYY-MM-DD. */
  readonly date: string;
  /** The orders completed that day. */
  readonly rows: readonly ExecutionMetrics[];
  /** Filters the rows were selected with, shown under the title. */
  readonly filters?: { readonly venue?: string; readonly symbol?: string };
}

/** How many orders the "worst by slippage" table lists. */
export const WORST_ORDERS = 10;

const AGGREGATE_HEADER = [
  'Orders',
  'Fill rate',
  'Avg slippage (bps)',
  'Price improvement (bps)',
  'Impl. shortfall',
  'Avg latency (ms)',
];

export function renderBestExMarkdown(report: BestExReport): string {
  const { rows } = report;
  const lines = [`# Best execution report: ${report.date} (UTC)`, ''];
  const filters = Object.entries(report.filters ?? {}).map(([k, v]) => `${k} ${v}`);
  if (filters.length > 0) lines.push(`Filters: ${filters.join(', ')}.`, '');
  if (rows.length === 0) return [...lines, 'No executions were recorded on this day.', ''].join('\n');
  lines.push(
    `${rows.length} order(s) on ${new Set(rows.map((r) => r.venue)).size} venue(s). Slippage is against the arrival mid, positive = worse for the order; price improvement is against the quote taken at arrival (a resting limit: its limit price), positive = better; shortfall is in the quote currency, fees included.`,
    '',
    '## Per venue',
    '',
    ...groupTable('Venue', rows, (r) => r.venue),
    '',
    '## Per symbol',
    '',
    ...groupTable('Symbol', rows, (r) => r.symbol),
    '',
    `## Worst ${WORST_ORDERS} orders by slippage`,
    '',
    ...worstTable(rows),
    '',
  );
  return lines.join('\n');
}

function groupTable(
  label: string,
  rows: readonly ExecutionMetrics[],
  keyOf: (r: ExecutionMetrics) => string,
): string[] {
  const body = aggregateBy(rows, keyOf).map(({ key, aggregate: a }) => [key, ...aggregateCells(a)]);
  return table([label, ...AGGREGATE_HEADER], [...body, ['**All**', ...aggregateCells(aggregate(rows))]]);
}

function aggregateCells(a: ExecutionAggregate): string[] {
  return [
    String(a.orders),
    a.fillRate === undefined ? '-' : `${toWire(a.fillRate.times(100).toDecimalPlaces(2))}%`,
    cell(a.avgSlippageBps),
    cell(a.priceImprovementBps),
    cell(a.implementationShortfall.toDecimalPlaces(2)),
    cell(a.avgLatencyMs),
  ];
}

function worstTable(rows: readonly ExecutionMetrics[]): string[] {
  const measured = rows.filter((r) => r.slippageBps !== undefined);
  if (measured.length === 0) return ['No order had both a fill and an arrival quote.'];
  const worst = [...measured]
    .sort((a, b) => (b.slippageBps as Decimal).comparedTo(a.slippageBps as Decimal))
    .slice(0, WORST_ORDERS);
  return table(
    [
      'Order',
      'Venue',
      'Symbol',
      'Side',
      'Filled',
      'Avg price',
      'Arrival',
      'Slippage (bps)',
      'Impl. shortfall',
    ],
    worst.map((r) => [
      r.orderId,
      r.venue,
      r.symbol,
      r.side,
      `${toWire(r.filledQty)} / ${toWire(r.quantity)}`,
      cell(r.avgFillPrice),
      cell(r.arrivalPrice),
      cell(r.slippageBps),
      cell(r.implementationShortfall?.toDecimalPlaces(2)),
    ]),
  );
}

const cell = (d: Decimal | undefined): string => (d === undefined ? '-' : toWire(d));

/** A Markdown table; a `|` or a line break inside a cell would break the row, so they are escaped. */
function table(header: readonly string[], body: readonly (readonly string[])[]): string[] {
  const row = (cells: readonly string[]) =>
    `| ${cells.map((c) => c.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')).join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...body.map(row)];
}

export const CSV_COLUMNS = [
  'order_id',
  'completed_at',
  'venue',
  'account_id',
  'agent_id',
  'symbol',
  'side',
  'type',
  'status',
  'quantity',
  'filled_qty',
  'avg_fill_price',
  'fees',
  'arrival_price',
  'slippage_bps',
  'price_improvement_bps',
  'implementation_shortfall',
  'fill_rate',
  'latency_ms',
  'fill_latency_ms',
] as const;

/** One row per order, a header first, CRLF line ends; an absent figure is an empty field. */
export function renderBestExCsv(rows: readonly ExecutionMetrics[]): string {
  const lines = [CSV_COLUMNS.join(','), ...rows.map((r) => csvFields(r).map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

function csvFields(r: ExecutionMetrics): string[] {
  const d = (v: Decimal | undefined) => (v === undefined ? '' : toWire(v));
  const n = (v: number | undefined) => (v === undefined ? '' : String(v));
  return [
    r.orderId,
    new Date(r.completedAt).toISOString(),
    r.venue,
    r.accountId,
    r.agentId ?? '',
    r.symbol,
    r.side,
    r.type,
    r.status,
    d(r.quantity),
    d(r.filledQty),
    d(r.avgFillPrice),
    d(r.fees),
    d(r.arrivalPrice),
    d(r.slippageBps),
    d(r.priceImprovementBps),
    d(r.implementationShortfall),
    d(r.fillRate),
    n(r.latencyMs),
    n(r.fillLatencyMs),
  ];
}

/** RFC 4180: a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
