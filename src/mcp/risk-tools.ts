/**
 * The risk tools of CONTRACT.md: getRiskLimits, setRiskLimits, emergencyStop, resumeTrading and
 * submitSignal (performRiskCheck sits with the order tools: it takes an OrderRequest).
 */
import { z } from 'zod';
import { toWire } from '../domain/decimal.js';
import type { SizingResult } from '../risk/sizing.js';
import { wireSizing } from '../engine/signals.js';
import { TradingError } from '../domain/errors.js';
import type { LevelReport } from '../engine/risk-engine.js';
import {
  ASSET_CLASSES,
  COUNT_LIMITS,
  DECIMAL_LIMITS,
  type LimitsPatch,
  limitsToJson,
} from '../risk/limits.js';
import type { PortfolioMetrics, TailRisk } from '../risk/portfolio-metrics.js';
import type { LimitLevel, RiskLimits } from '../risk/types.js';
import {
  type RiskDeps,
  READ,
  TRADE,
  type ToolDefinition,
  type ToolDeps,
  defined,
  symbolField,
  tool,
  w,
} from './tool-kit.js';
import {
  decimalInput,
  decimalOutput,
  deniedError,
  positiveDecimal,
  toWireOrder,
  wireOrderSchema,
} from './wire.js';

const states = z.enum(['active', 'reducing', 'halted']);
const levels = z.enum(['global', 'account', 'agent']);

/** One level's limits on the wire: decimals as strings, counts as integers. */
const limitsOutput = z.object({
  ...Object.fromEntries(DECIMAL_LIMITS.map((k) => [k, decimalOutput().optional()])),
  ...Object.fromEntries(COUNT_LIMITS.map((k) => [k, z.number().int().optional()])),
  maxAssetClassExposure: z.record(z.string(), decimalOutput()).optional(),
});

const LIMIT_HELP: Record<(typeof DECIMAL_LIMITS)[number] | (typeof COUNT_LIMITS)[number], string> = {
  maxOrderNotional: 'Largest notional of one order',
  maxDailyNotional: 'Largest notional accepted per trading day',
  maxPositionQuantity: 'Largest |position| in one instrument, in units, open orders included',
  maxPositionNotional: 'Largest |position| notional in one instrument, open orders included',
  maxPositionPctOfEquity: 'Largest position in one instrument as % of equity',
  maxGrossExposure: 'Largest gross exposure (positions plus open orders that add exposure)',
  maxSectorExposurePct: 'Largest gross exposure of one sector as % of equity',
  dailyLossLimit: 'Loss since the day started at which trading turns reducing (a positive amount)',
  maxIntradayDrawdownPct: 'Fall from the day’s equity peak, in %, at which trading halts',
  priceBandPct: 'Fat-finger band around the reference price, in % (default 10)',
  maxOpenPositions: 'Most instruments held at once',
  maxOpenOrders: 'Most open orders at once',
  maxQuoteAgeMs: 'Oldest usable quote while the market is open, ms (default 5000)',
  maxOrdersPerSecond: 'Most orders per agent per second (default 20)',
  maxOrdersPerMinute: 'Most orders per agent per minute (default 300)',
};

/** A limits change: a value sets the limit, null removes it, an absent field stays as it is. */
const limitsPatchInput = z.strictObject({
  ...Object.fromEntries(DECIMAL_LIMITS.map((k) => [k, positiveDecimal(LIMIT_HELP[k]).nullable().optional()])),
  ...Object.fromEntries(
    COUNT_LIMITS.map((k) => [k, z.number().int().min(1).nullable().optional().describe(LIMIT_HELP[k])]),
  ),
  maxAssetClassExposure: z
    .partialRecord(z.enum(ASSET_CLASSES as [string, ...string[]]), positiveDecimal('Gross exposure limit'))
    .nullable()
    .optional()
    .describe('Largest gross exposure per asset class (us_equity, crypto, forex).'),
}) as unknown as z.ZodType<LimitsPatch>;

const usageOutput = z.object({
  level: levels,
  scopeId: z.string(),
  openOrders: z.number().int(),
  openPositions: z.number().int(),
  grossExposure: decimalOutput(),
  equity: decimalOutput(),
  startOfDayEquity: decimalOutput().optional(),
  dailyPnl: decimalOutput().optional(),
  dailyNotional: decimalOutput(),
  ordersLastMinute: z.number().int(),
});

const tailOutput = z.object({
  valueAtRisk: decimalOutput(),
  valueAtRiskAmount: decimalOutput(),
  expectedShortfall: decimalOutput(),
  expectedShortfallAmount: decimalOutput(),
});

/** Portfolio risk metrics on the wire (fractions: 0.05 = 5%). */
export const metricsOutput = z.object({
  observations: z.number().int().describe('Daily returns the VaR, ES and Sharpe figures rest on.'),
  var95: tailOutput.optional(),
  var99: tailOutput.optional(),
  maxDrawdown: decimalOutput().optional(),
  currentDrawdown: decimalOutput().optional(),
  sharpeRatio: decimalOutput().optional(),
});

export function wireMetrics(m: PortfolioMetrics): z.input<typeof metricsOutput> {
  const tail = (t: TailRisk | undefined) =>
    t === undefined
      ? undefined
      : {
          valueAtRisk: toWire(t.valueAtRisk.toDecimalPlaces(6)),
          valueAtRiskAmount: toWire(t.valueAtRiskAmount.toDecimalPlaces(2)),
          expectedShortfall: toWire(t.expectedShortfall.toDecimalPlaces(6)),
          expectedShortfallAmount: toWire(t.expectedShortfallAmount.toDecimalPlaces(2)),
        };
  return defined({
    observations: m.observations,
    var95: tail(m.var95),
    var99: tail(m.var99),
    maxDrawdown: w(m.maxDrawdown?.fraction.toDecimalPlaces(6)),
    currentDrawdown: w(m.currentDrawdown?.fraction.toDecimalPlaces(6)),
    sharpeRatio: w(m.sharpeRatio?.toDecimalPlaces(4)),
  });
}

const riskOf = (deps: ToolDeps): RiskDeps => {
  if (deps.risk === undefined) {
    throw new TradingError('INTERNAL', 'The risk engine is not running on this server.', {
      hint: 'Start the server with its trading core (npm start).',
    });
  }
  return deps.risk;
};
const hasRisk = (deps: ToolDeps): boolean => deps.risk !== undefined;

const wireLimits = (limits: RiskLimits) => limitsToJson(limits);

const wireUsage = (u: LevelReport): z.input<typeof usageOutput> =>
  defined({
    level: u.level,
    scopeId: u.scopeId,
    openOrders: u.openOrders,
    openPositions: u.openPositions,
    grossExposure: toWire(u.grossExposure.toDecimalPlaces(2)),
    equity: toWire(u.equity),
    startOfDayEquity: w(u.startOfDayEquity),
    dailyPnl: w(u.dailyPnl),
    dailyNotional: toWire(u.dailyNotional.toDecimalPlaces(2)),
    ordersLastMinute: u.ordersLastMinute,
  });

const ADMIN = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false };

export const RISK_TOOLS: readonly ToolDefinition[] = [
  tool({
    name: 'getRiskLimits',
    title: 'Get risk limits and usage',
    description:
      'The trading state, the limits in force at the global, account and agent levels (defaults included), each level’s current usage, recent risk alerts, and portfolio risk metrics (VaR, expected shortfall, drawdown, Sharpe).',
    scope: 'read',
    annotations: READ,
    available: hasRisk,
    input: z.object({
      account: z.string().min(1).optional().describe('Show this account’s level too.'),
      agentId: z.string().min(1).optional().describe('Show this agent’s level (default: yours).'),
    }),
    output: z.object({
      tradingState: states,
      stateReason: z.string(),
      limits: z.object({
        global: limitsOutput,
        account: limitsOutput.optional(),
        agent: limitsOutput.optional(),
      }),
      usage: z.array(usageOutput),
      alerts: z.array(
        z.object({ at: z.string(), kind: z.string(), severity: z.string(), message: z.string() }),
      ),
      metrics: metricsOutput,
    }),
    run: async (args, caller, deps) => {
      const risk = riskOf(deps);
      const agentId = args.agentId ?? caller.id;
      if (agentId !== caller.id && !caller.scopes.has('risk:admin') && !caller.scopes.has('admin')) {
        throw new TradingError(
          'FORBIDDEN',
          `Only a risk admin may read another agent's limits (${agentId}).`,
          {
            hint: 'Omit agentId to see your own.',
          },
        );
      }
      const state = await risk.engine.refreshState();
      const [inForce, usage, metrics] = await Promise.all([
        risk.engine.limitsInForce(args.account, agentId),
        risk.engine.usageReport(args.account, agentId),
        risk.controls.portfolioMetrics(),
      ]);
      const limits = defined({
        global: wireLimits(inForce.global),
        account: inForce.account === undefined ? undefined : wireLimits(inForce.account),
        agent: inForce.agent === undefined ? undefined : wireLimits(inForce.agent),
      });
      const alerts = risk.controls
        .alerts()
        .slice(-10)
        .map((a) => ({
          at: new Date(a.at).toISOString(),
          kind: a.kind,
          severity: a.severity,
          message: a.message,
        }));
      return {
        structured: {
          tradingState: state.state,
          stateReason: state.reason,
          limits,
          usage: usage.map(wireUsage),
          alerts,
          metrics: wireMetrics(metrics),
        },
        text: `Trading ${state.state}; ${Object.keys(limits.global).length} global limit(s) in force; ${alerts.length} recent alert(s).`,
      };
    },
  }),
  tool({
    name: 'setRiskLimits',
    title: 'Set risk limits',
    description:
      'Changes the limits of one level (global, an account, or an agent): a value sets a limit, null removes it, fields left out stay. Takes effect on the next order in every server process; recorded in the audit log.',
    scope: 'risk:admin',
    annotations: ADMIN,
    available: hasRisk,
    input: z.object({
      level: levels.describe('global, account or agent.'),
      scopeId: z.string().min(1).optional().describe('The account id or agent id (not for global).'),
      limits: limitsPatchInput,
      reason: z.string().min(1).max(500).describe('Why; kept in the audit log.'),
    }),
    output: z.object({ level: levels, scopeId: z.string(), limits: limitsOutput }),
    run: async (args, caller, deps) => {
      const level: LimitLevel = args.level;
      if (level !== 'global' && args.scopeId === undefined) {
        throw new TradingError('INVALID_ARGUMENT', `scopeId is required for the ${level} level.`, {
          hint: `Give the ${level === 'account' ? 'account id (getAccount lists them)' : 'agent id (listAgents lists them)'}.`,
          details: { field: 'scopeId' },
        });
      }
      const scopeId = level === 'global' ? '*' : (args.scopeId ?? '');
      const next = await riskOf(deps).engine.setLimits(
        level,
        scopeId,
        args.limits,
        `${caller.id}: ${args.reason}`,
      );
      const limits = wireLimits(next);
      return {
        structured: { level, scopeId, limits },
        text: `${level} ${scopeId} limits: ${
          Object.entries(limits)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(', ') || 'none'
        }.`,
      };
    },
  }),
  tool({
    name: 'emergencyStop',
    title: 'Emergency stop (kill switch)',
    description:
      'Halts trading at once for every agent: new orders are denied TRADING_HALTED (cancels still pass). Cancels every open order (cancelOrders, default true) and, with flatten, closes every position with reduce-only market orders.',
    scope: 'risk:admin',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    available: hasRisk,
    input: z.object({
      reason: z.string().min(1).max(500).describe('Why; shown to every agent and kept in the audit log.'),
      cancelOrders: z.boolean().default(true).describe('Cancel every open order (default true).'),
      flatten: z.boolean().default(false).describe('Close every position too (default false).'),
    }),
    output: z.object({
      tradingState: z.literal('halted'),
      canceled: z.array(wireOrderSchema),
      closing: z.array(wireOrderSchema),
    }),
    run: async (args, caller, deps, call) => {
      const result = await riskOf(deps).controls.emergencyStop(
        { reason: args.reason, cancelOrders: args.cancelOrders, flatten: args.flatten, actor: caller.id },
        {
          signal: call.signal,
          onProgress: (done, total) => {
            call.progress(done, total);
          },
        },
      );
      const canceled = result.canceled.map(toWireOrder);
      const closing = result.closing.map(toWireOrder);
      return {
        structured: { tradingState: 'halted' as const, canceled, closing },
        text: `Trading halted; ${canceled.length} order(s) canceled, ${closing.length} closing order(s).`,
      };
    },
  }),
  tool({
    name: 'resumeTrading',
    title: 'Resume trading',
    description:
      'Ends a halt or a reducing state: active lets every order through the checks again, reducing only orders that reduce exposure.',
    scope: 'risk:admin',
    annotations: ADMIN,
    available: hasRisk,
    input: z.object({
      state: z.enum(['active', 'reducing']).describe('active or reducing.'),
      reason: z.string().min(1).max(500).describe('Why; kept in the audit log.'),
    }),
    output: z.object({ tradingState: states }),
    run: async (args, caller, deps) => {
      const record = await riskOf(deps).controls.resumeTrading({
        state: args.state,
        reason: args.reason,
        actor: caller.id,
      });
      return { structured: { tradingState: record.state }, text: `Trading ${record.state}.` };
    },
  }),
  tool({
    name: 'submitSignal',
    title: 'Submit a trading signal',
    description:
      'A model’s signal, sized by fractional Kelly from its confidence and its stop-loss and take-profit distances, capped by the limits and buying power, and placed through the same risk checks as executeOrder (a limit at entryPrice, else a market order; the exit plan is recorded). The same signalId returns the recorded outcome.',
    scope: 'trade',
    annotations: { ...TRADE, idempotentHint: true },
    available: hasRisk,
    input: z.object({
      signalId: z
        .string()
        .min(1)
        .max(64)
        .regex(/^[A-Za-z0-9_.:-]+$/)
        .describe('Your id for the signal: one id, one decision.'),
      modelId: z.string().min(1).max(100).describe('The model that produced it.'),
      symbol: symbolField,
      action: z.enum(['BUY', 'SELL', 'CLOSE_LONG', 'CLOSE_SHORT']),
      confidence: decimalInput('Probability the trade wins, 0..1').refine((d) => d.gte(0) && d.lte(1), {
        message: 'must be between 0 and 1',
      }),
      quantity: positiveDecimal('Most units to trade (an upper bound on the sizing)').optional(),
      entryPrice: positiveDecimal('Entry limit price; default the current mark, at market').optional(),
      stopLoss: positiveDecimal('Stop-loss price').optional(),
      takeProfit: positiveDecimal('Take-profit price').optional(),
      account: z.string().min(1).optional().describe('Account to trade in.'),
      metadata: z.record(z.string(), z.unknown()).optional().describe('Anything to keep with the signal.'),
    }),
    output: z.object({
      signalId: z.string(),
      status: z.enum(['accepted', 'rejected', 'ignored']),
      order: wireOrderSchema.optional(),
      sizing: z.record(z.string(), z.unknown()),
    }),
    run: async (args, caller, deps) => {
      const outcome = await riskOf(deps).signals.submit(
        {
          signalId: args.signalId,
          modelId: args.modelId,
          symbol: args.symbol,
          action: args.action,
          confidence: args.confidence,
          ...defined({
            quantity: args.quantity,
            entryPrice: args.entryPrice,
            stopLoss: args.stopLoss,
            takeProfit: args.takeProfit,
            account: args.account,
            metadata: args.metadata,
          }),
        },
        caller.id,
      );
      if (outcome.order?.order.status === 'denied' && !outcome.replayed) throw deniedError(outcome.order);
      const sizing: Record<string, unknown> = outcome.replayed
        ? { ...outcome.sizing }
        : wireSizing(outcome.sizing as SizingResult);
      const order = outcome.order === undefined ? undefined : toWireOrder(outcome.order);
      return {
        structured: defined({ signalId: outcome.signalId, status: outcome.status, order, sizing }),
        text: `Signal ${outcome.signalId} ${outcome.status}${order === undefined ? '' : `: ${order.side} ${order.quantity} ${order.symbol} (${order.status})`}. ${typeof sizing['reason'] === 'string' ? sizing['reason'] : ''}`,
      };
    },
  }),
];
