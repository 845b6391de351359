/**
 * The analytics tool of CONTRACT.md: getExecutionAnalytics, the execution quality recorded per
 * order (src/analytics/execution-metrics.ts), aggregated per venue and in total.
 */
import { z } from 'zod';
import type { ExecutionAggregate } from '../analytics/execution-aggregates.js';
import { toWire } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { AnalyticsPort } from '../engine/analytics-ports.js';
import { READ, type ToolDefinition, type ToolDeps, defined, symbolField, tool, w } from './tool-kit.js';
import { decimalOutput } from './wire.js';

const aggregateOutput = z.object({
  orders: z.number().int(),
  fillRate: decimalOutput().optional(),
  avgSlippageBps: decimalOutput().optional(),
  priceImprovementBps: decimalOutput().optional(),
  implementationShortfall: decimalOutput(),
  avgLatencyMs: decimalOutput().optional(),
});

const wireAggregate = (a: ExecutionAggregate): z.input<typeof aggregateOutput> =>
  defined({
    orders: a.orders,
    fillRate: w(a.fillRate),
    avgSlippageBps: w(a.avgSlippageBps),
    priceImprovementBps: w(a.priceImprovementBps),
    implementationShortfall: toWire(a.implementationShortfall),
    avgLatencyMs: w(a.avgLatencyMs),
  });

const analyticsOf = (deps: ToolDeps): AnalyticsPort => {
  if (deps.analytics === undefined) {
    throw new TradingError('INTERNAL', 'Execution analytics are not recorded on this server.', {
      hint: 'Start the server with its trading core (npm start), which measures every order that ends.',
    });
  }
  return deps.analytics;
};

export const ANALYTICS_TOOLS: readonly ToolDefinition[] = [
  tool({
    name: 'getExecutionAnalytics',
    title: 'Get execution analytics',
    description:
      'Execution quality of finished orders (filled, canceled, expired, rejected at a venue), per venue and in total. fillRate: share of each order that filled (0..1), averaged over orders. avgSlippageBps: average fill against the arrival mid (the best bid/ask when the order was decided), in basis points, positive = worse for the order. priceImprovementBps: average fill against the quote the order would take at arrival (a resting limit: its limit price), positive = better. Both weighted by filled notional. implementationShortfall: total cost against arrival in the quote currency, fees included, positive = cost. avgLatencyMs: sent to the venue’s first answer. Orders without an arrival quote or a fill have no slippage figures.',
    scope: 'read',
    annotations: READ,
    input: z.object({
      since: z.iso
        .datetime({ offset: true })
        .optional()
        .describe('Only orders that ended at or after this time, ISO-8601; default: every recorded order.'),
      symbol: symbolField.optional().describe('Only this instrument, e.g. "AAPL" or "BTC/USD".'),
      venue: z.string().min(1).max(64).optional().describe('Only this venue id (listVenues shows them).'),
    }),
    output: z.object({
      since: z.string().optional(),
      symbol: z.string().optional(),
      venue: z.string().optional(),
      venues: z.array(aggregateOutput.extend({ venue: z.string() })),
      totals: aggregateOutput,
    }),
    run: async (args, _caller, deps) => {
      const analytics = analyticsOf(deps);
      const symbol =
        args.symbol === undefined ? undefined : (deps.instruments.find(args.symbol)?.symbol ?? args.symbol);
      const since = args.since === undefined ? undefined : Date.parse(args.since);
      const { venues, totals } = await analytics.venueAggregates(
        defined({ since, symbol, venue: args.venue }),
      );
      return {
        structured: {
          ...defined({
            since: since === undefined ? undefined : new Date(since).toISOString(),
            symbol,
            venue: args.venue,
          }),
          venues: venues.map((v) => ({ venue: v.venue, ...wireAggregate(v) })),
          totals: wireAggregate(totals),
        },
        text: summary(venues.length, totals),
      };
    },
  }),
];

function summary(venues: number, totals: ExecutionAggregate): string {
  if (totals.orders === 0) return 'No finished orders recorded for this selection.';
  const figures = [
    totals.fillRate === undefined ? undefined : `fill rate ${toWire(totals.fillRate)}`,
    totals.avgSlippageBps === undefined ? undefined : `slippage ${toWire(totals.avgSlippageBps)} bps`,
    `shortfall ${toWire(totals.implementationShortfall.toDecimalPlaces(2))}`,
  ].filter((f) => f !== undefined);
  return `${totals.orders} order(s) on ${venues} venue(s): ${figures.join(', ')}.`;
}
