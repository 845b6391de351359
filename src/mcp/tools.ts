/**
 * The MCP tools of CONTRACT.md whose engine part exists, as data: name, scope, annotations, input
 * and output schemas, and a handler over the trading core. The server registers those an agent's
 * scopes allow; the REST API calls the same handlers.
 */
import { z } from 'zod';
import { type Decimal, ZERO, toWire } from '../domain/decimal.js';
import type { BookSnapshot } from '../marketdata/types.js';
import { TradingError } from '../domain/errors.js';
import type { OrderRef, SubmitInput } from '../engine/order-service.js';
import type { ExecutionRequest } from '../engine/execution-desk.js';
import type { StoredOrder } from '../engine/ports.js';
import { isTerminal } from '../domain/order.js';
import { ROUTING_OBJECTIVES } from '../routing/types.js';
import { RISK_TOOLS } from './risk-tools.js';
import { calendarFor } from '../marketdata/calendar/index.js';
import {
  decimalInput,
  decimalOutput,
  deniedError,
  positiveDecimal,
  toWireEvent,
  toWireFill,
  toWireGroup,
  toWireOrder,
  topOfBook,
  wireEventSchema,
  wireTop,
  wireFillSchema,
  wireOrderSchema,
} from './wire.js';
import { MARKET_TOOLS } from './market-tools.js';
import { ANALYTICS_TOOLS } from './analytics-tools.js';
import { confirmationRequired, needsConfirmation, previewText, wireNotional } from './confirmation.js';
import {
  type CallContext,
  type CallerAgent,
  READ,
  TRADE,
  type ToolDefinition,
  type ToolDeps,
  defined,
  symbolField,
  tool,
  w,
} from './tool-kit.js';

/** The fields that name one order; exactly one of orderId and clientOrderId (see oneOrder). */
const orderRefFields = {
  orderId: z.string().min(1).optional().describe('The server order id (from executeOrder or listOrders).'),
  clientOrderId: z.string().min(1).optional().describe('Or your client order id.'),
  account: z.string().min(1).optional().describe('The account, to disambiguate a client order id.'),
};
type OrderRefInput = {
  orderId?: string | undefined;
  clientOrderId?: string | undefined;
  account?: string | undefined;
};
/** Refines a schema built on orderRefFields: it must name exactly one order. */
const oneOrder = <S extends z.ZodType<OrderRefInput>>(schema: S) =>
  schema.refine((r) => (r.orderId === undefined) !== (r.clientOrderId === undefined), {
    message: 'give exactly one of orderId or clientOrderId',
    path: ['orderId'],
  });

const orderRef = oneOrder(z.object(orderRefFields));

function refOf(input: OrderRefInput): OrderRef {
  if (input.orderId !== undefined) return { orderId: input.orderId };
  return {
    clientOrderId: input.clientOrderId ?? '',
    ...(input.account === undefined ? {} : { accountId: input.account }),
  };
}

const executeInput = z.object({
  symbol: symbolField,
  side: z.enum(['buy', 'sell']).describe('buy or sell.'),
  quantity: positiveDecimal('Quantity in units (shares, coins)'),
  type: z
    .enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'])
    .default('market')
    .describe('Order type; limit and stop_limit need limitPrice, stop and stop_limit need stopPrice.'),
  limitPrice: positiveDecimal('Limit price').optional(),
  stopPrice: positiveDecimal('Stop (trigger) price').optional(),
  trailPercent: positiveDecimal('Trailing stop distance in percent (give this or trailPrice)').optional(),
  trailPrice: positiveDecimal('Trailing stop distance in price (give this or trailPercent)').optional(),
  timeInForce: z
    .enum(['day', 'gtc', 'ioc', 'fok', 'opg', 'cls'])
    .default('day')
    .describe('day (default), gtc, ioc, fok, opg (opening auction), cls (closing auction).'),
  extendedHours: z.boolean().optional().describe('Allow pre-market and after-hours (limit orders, day tif).'),
  clientOrderId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .optional()
    .describe(
      'Idempotency key: the same id with the same request returns the existing order and places nothing new.',
    ),
  account: z.string().min(1).optional().describe('Account to trade in; default: the first that trades it.'),
  venue: z.string().min(1).optional().describe('Venue to send to; default: the first that trades it.'),
  reduceOnly: z.boolean().optional().describe('Only ever reduce the position; never open or flip it.'),
  postOnly: z.boolean().optional().describe('Limit orders only: cancel rather than take liquidity.'),
  reason: z.string().max(500).optional().describe('Why you place this order; kept in the audit trail.'),
  orderClass: z
    .enum(['simple', 'bracket', 'oco', 'oto'])
    .default('simple')
    .describe(
      'bracket: this entry plus takeProfit and stopLoss exits (OCO to each other); oco: takeProfit limit and stopLoss stop on your side, one cancels the other; oto: this order, then one exit once it fills.',
    ),
  takeProfit: z
    .object({ limitPrice: positiveDecimal('Take-profit limit price') })
    .optional()
    .describe('bracket/oco/oto exit at a profit.'),
  stopLoss: z
    .object({
      stopPrice: positiveDecimal('Stop-loss trigger price'),
      limitPrice: positiveDecimal('Limit once triggered (stop_limit); omit for a stop').optional(),
    })
    .optional()
    .describe('bracket/oco/oto protective stop.'),
  algo: z
    .object({
      type: z.enum(['twap', 'vwap', 'iceberg']),
      durationSeconds: z.number().int().min(1).max(604_800).optional().describe('twap/vwap horizon'),
      slices: z
        .number()
        .int()
        .min(1)
        .max(1_000)
        .optional()
        .describe('twap/vwap child count; default one a minute'),
      displayQuantity: positiveDecimal('iceberg: quantity shown at a time (limit orders)').optional(),
    })
    .optional()
    .describe(
      'Work the order over time as a parent with child orders. Send a progress token to hear each fill until it ends.',
    ),
  routing: z
    .object({
      objective: z.enum(ROUTING_OBJECTIVES).optional().describe('default smart_balance'),
      allowSplit: z.boolean().optional().describe('split across venues when cheaper than the best one'),
    })
    .optional()
    .describe('How the router picks venues when you pin none; analyzeOrder shows the plan.'),
  confirmToken: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('From a CONFIRMATION_REQUIRED refusal, once the person approved the preview.'),
});

/** OrderRequest without the confirmation token: what performRiskCheck takes. */
const orderRequest = executeInput.omit({ confirmToken: true });

/** The service's submit input for an OrderRequest from this caller. */
function submitInputOf(args: z.output<typeof orderRequest>, caller: CallerAgent): ExecutionRequest {
  if (
    args.account !== undefined &&
    caller.accounts !== undefined &&
    !caller.accounts.includes(args.account)
  ) {
    throw new TradingError('FORBIDDEN', `Agent ${caller.id} may not trade account ${args.account}.`, {
      hint: `Its card allows: ${caller.accounts.join(', ')}. Omit account to let the router choose among them.`,
      details: { account: args.account },
    });
  }
  return {
    symbol: args.symbol,
    side: args.side,
    type: args.type,
    quantity: args.quantity,
    timeInForce: args.timeInForce,
    agentId: caller.id,
    ...(caller.accounts === undefined ? {} : { allowedAccounts: caller.accounts }),
    ...contingentOf(args),
    ...(args.algo === undefined ? {} : { algo: defined(args.algo) }),
    ...(args.routing === undefined ? {} : { routing: defined(args.routing) }),
    ...defined({
      limitPrice: args.limitPrice,
      stopPrice: args.stopPrice,
      trailPercent: args.trailPercent,
      trailPrice: args.trailPrice,
      extendedHours: args.extendedHours,
      clientOrderId: args.clientOrderId,
      accountId: args.account,
      venue: args.venue,
      reduceOnly: args.reduceOnly,
      postOnly: args.postOnly,
      reason: args.reason,
    }),
  };
}

/** The group part of a request: takeProfit/stopLoss belong to bracket, oco and oto orders only. */
function contingentOf(args: z.output<typeof orderRequest>): Pick<SubmitInput, 'contingent'> {
  if (args.orderClass === 'simple') {
    if (args.takeProfit !== undefined || args.stopLoss !== undefined) {
      throw new TradingError(
        'INVALID_ARGUMENT',
        'takeProfit and stopLoss need orderClass bracket, oco or oto.',
        {
          hint: 'Set orderClass, or drop takeProfit and stopLoss.',
          details: { field: 'orderClass' },
        },
      );
    }
    return {};
  }
  return {
    contingent: {
      orderClass: args.orderClass,
      ...(args.takeProfit === undefined ? {} : { takeProfit: args.takeProfit }),
      ...(args.stopLoss === undefined ? {} : { stopLoss: defined(args.stopLoss) }),
    },
  };
}

const ordersOutput = z.object({ orders: z.array(wireOrderSchema) });

const positionView = z.object({
  symbol: z.string(),
  quantity: decimalOutput(),
  side: z.enum(['long', 'short', 'flat']),
  averageEntryPrice: decimalOutput(),
  currentPrice: decimalOutput().optional(),
  marketValue: decimalOutput().optional(),
  unrealizedPnl: decimalOutput().optional(),
  unrealizedPnlPercent: decimalOutput().optional(),
  realizedPnl: decimalOutput(),
  byAccount: z.array(
    z.object({
      account: z.string(),
      venue: z.string(),
      quantity: decimalOutput(),
      averageEntryPrice: decimalOutput(),
      realizedPnl: decimalOutput(),
    }),
  ),
});

function orderLine(o: z.input<typeof wireOrderSchema>): string {
  const price = o.limitPrice === undefined ? '' : ` @ ${o.limitPrice}`;
  const filled = o.filledQuantity === '0' ? '' : `, ${o.filledQuantity} filled`;
  const avg = o.averageFillPrice === undefined ? '' : ` at ${o.averageFillPrice}`;
  return `${o.side} ${o.quantity} ${o.symbol} ${o.type}${price}: ${o.status}${filled}${avg} (${o.orderId})`;
}

/**
 * Refuses an order above the caller's confirmAboveNotional unless the person confirmed it: through
 * elicitation (call.confirmation) or with the confirm token of an earlier refusal. A retry of an
 * order that already exists (same clientOrderId) needs no second confirmation.
 */
async function confirmIfLarge(
  args: z.output<typeof executeInput>,
  caller: CallerAgent,
  deps: ToolDeps,
  call: CallContext,
): Promise<void> {
  const threshold = caller.confirmAboveNotional;
  if (threshold === undefined) return;
  const notional = estimatedNotional(args, deps);
  if (!needsConfirmation(notional, threshold)) return;
  if (call.confirmation === 'accepted') return;
  if (
    args.clientOrderId !== undefined &&
    (await deps.service.findOrder(refOf({ clientOrderId: args.clientOrderId, account: args.account }))) !==
      undefined
  )
    return;
  const preview = defined({
    symbol: args.symbol,
    side: args.side,
    quantity: toWire(args.quantity),
    type: args.type,
    estimatedNotional: wireNotional(notional),
    threshold: toWire(threshold),
  });
  if (call.confirmation === 'declined') {
    throw new TradingError('CONFIRMATION_REQUIRED', `Declined by the person asked. ${previewText(preview)}`, {
      hint: 'Nothing was placed. Ask the person before trying again, or place a smaller order.',
      details: { preview },
    });
  }
  if (args.confirmToken !== undefined) {
    if (deps.confirmations.redeem(args.confirmToken, caller.id, args)) return;
    throw confirmationRequired(
      deps.confirmations,
      caller.id,
      args,
      preview,
      'The confirm token is used up, expired, or was issued for a different request.',
    );
  }
  throw confirmationRequired(deps.confirmations, caller.id, args, preview);
}

/** quantity × the price it would trade at: the limit, else the stop, else the touch it would take. */
function estimatedNotional(args: z.output<typeof executeInput>, deps: ToolDeps): Decimal | undefined {
  const price = args.limitPrice ?? args.stopPrice ?? touch(args.symbol, args.side, deps);
  return price === undefined ? undefined : args.quantity.times(price);
}

function touch(requested: string, side: 'buy' | 'sell', deps: ToolDeps): Decimal | undefined {
  let symbol: string;
  try {
    symbol = deps.instruments.get(requested).symbol;
  } catch {
    return undefined;
  }
  for (const broker of deps.brokers) {
    const book = broker.book(symbol);
    const level = side === 'buy' ? book?.asks[0] : book?.bids[0];
    const price = level?.price ?? book?.last;
    if (price !== undefined) return price;
  }
  return undefined;
}

/** A symbol as the registry spells it ("aapl" is AAPL); an unknown one is INSTRUMENT_NOT_FOUND. */
const canonical = (symbol: string | undefined, deps: ToolDeps): string | undefined =>
  symbol === undefined ? undefined : deps.instruments.get(symbol).symbol;

const canceledByCaller = (): TradingError =>
  new TradingError('CANCELED', 'The call was canceled before the order was placed; nothing was sent.', {
    hint: 'Call again if you still want the order.',
  });

export const TOOLS: readonly ToolDefinition[] = [
  tool({
    name: 'executeOrder',
    title: 'Place an order',
    description:
      'Places an order on a venue (the built-in paper exchange by default). Returns the order as the venue answered it: acknowledged, filled, or rejected with a code. Safe to retry with the same clientOrderId.',
    scope: 'trade',
    annotations: TRADE,
    input: executeInput,
    output: wireOrderSchema,
    run: async (args, caller, deps, call) => {
      await confirmIfLarge(args, caller, deps, call);
      if (call.signal.aborted) throw canceledByCaller();
      const request = submitInputOf(args, caller);
      let stored =
        deps.desk === undefined ? await deps.service.submit(request) : await deps.desk.execute(request);
      if (stored.order.status === 'denied') throw deniedError(stored);
      if (stored.meta.role === 'parent' && call.progressRequested === true && deps.algos !== undefined)
        stored = await followParent(stored, deps.algos, deps, call);
      const order = toWireGroup(stored, await deps.service.group(stored));
      return { structured: order, text: orderLine(order) };
    },
  }),
  tool({
    name: 'analyzeOrder',
    title: 'Plan an order’s routing',
    description:
      'Shows how the router would execute this order, without placing it: the venue allocations (split across venues when allowed and cheaper), expected average price, fees, estimated cost and a market-impact estimate, with every venue’s scores.',
    scope: 'read',
    annotations: READ,
    input: orderRequest,
    output: z.object({
      allocations: z.array(
        z.object({
          venue: z.string(),
          account: z.string(),
          quantity: decimalOutput(),
          expectedPrice: decimalOutput().optional(),
          fees: decimalOutput(),
          score: z.number(),
        }),
      ),
      split: z.boolean(),
      objective: z.string(),
      expectedAveragePrice: decimalOutput().optional(),
      estimatedCost: decimalOutput().describe(
        'net cash paid: notional + fees for a buy; fees − notional for a sell',
      ),
      marketImpactBps: decimalOutput(),
      bestSingleVenue: z
        .object({
          venue: z.string(),
          account: z.string(),
          expectedAveragePrice: decimalOutput().optional(),
          estimatedCost: decimalOutput(),
        })
        .optional(),
      venues: z.array(
        z.object({
          venue: z.string(),
          account: z.string(),
          eligible: z.boolean(),
          reason: z.string().optional(),
          score: z.number(),
          priceScore: z.number(),
          liquidityScore: z.number(),
          latencyScore: z.number(),
          reliabilityScore: z.number(),
        }),
      ),
    }),
    run: async (args, caller, deps) => {
      if (deps.desk === undefined)
        throw new TradingError('INTERNAL', 'This server runs without a router.', {
          hint: 'Place the order with a venue instead.',
        });
      const { plan } = await deps.desk.plan(submitInputOf(args, caller));
      const round = (n: number): number => Math.round(n * 10_000) / 10_000;
      const structured = {
        allocations: plan.allocations.map((a) =>
          defined({
            venue: a.venue,
            account: a.accountId,
            quantity: toWire(a.quantity),
            expectedPrice: a.expectedPrice === undefined ? undefined : toWire(a.expectedPrice),
            fees: toWire(a.fees),
            score: round(a.score),
          }),
        ),
        split: plan.split,
        objective: plan.objective,
        ...defined({
          expectedAveragePrice:
            plan.expectedAveragePrice === undefined ? undefined : toWire(plan.expectedAveragePrice),
        }),
        estimatedCost: toWire(plan.estimatedCost),
        marketImpactBps: toWire(plan.marketImpactBps),
        ...(plan.bestSingle === undefined
          ? {}
          : {
              bestSingleVenue: defined({
                venue: plan.bestSingle.venue,
                account: plan.bestSingle.accountId,
                expectedAveragePrice:
                  plan.bestSingle.expectedAveragePrice === undefined
                    ? undefined
                    : toWire(plan.bestSingle.expectedAveragePrice),
                estimatedCost: toWire(plan.bestSingle.estimatedCost),
              }),
            }),
        venues: plan.scores.map((s) =>
          defined({
            venue: s.venue,
            account: s.accountId,
            eligible: s.eligible,
            reason: s.reason,
            score: round(s.total),
            priceScore: round(s.price),
            liquidityScore: round(s.liquidity),
            latencyScore: round(s.latency),
            reliabilityScore: round(s.reliability),
          }),
        ),
      };
      const where = plan.allocations.map((a) => `${toWire(a.quantity)} on ${a.venue}`).join(', ');
      return {
        structured,
        text:
          plan.allocations.length === 0
            ? 'No venue can take this order now; see venues[].reason.'
            : `${plan.split ? 'Split' : 'Route'}: ${where}; expected average ${structured.expectedAveragePrice ?? 'n/a'}, impact ${structured.marketImpactBps} bp.`,
      };
    },
  }),
  tool({
    name: 'performRiskCheck',
    title: 'Check an order against the risk limits',
    description:
      'Runs every pre-trade check executeOrder would run on this order, in order, without placing it: each check with its limit and the value checked. Nothing is recorded.',
    scope: 'read',
    annotations: READ,
    input: orderRequest,
    output: z.object({
      approved: z.boolean(),
      code: z.string().optional().describe('The first failed check’s code.'),
      tradingState: z.enum(['active', 'reducing', 'halted']),
      checks: z.array(
        z.object({
          name: z.string(),
          passed: z.boolean(),
          skipped: z.boolean().optional(),
          level: z.enum(['global', 'account', 'agent']).optional(),
          limit: z.string().optional(),
          actual: z.string().optional(),
          message: z.string().optional(),
        }),
      ),
    }),
    run: async (args, caller, deps) => {
      const decision = await deps.service.checkRisk(submitInputOf(args, caller));
      const checks = decision.checks.map((c) =>
        defined({
          name: c.name,
          passed: c.passed,
          skipped: c.skipped,
          level: c.level,
          limit: c.limit,
          actual: c.actual,
          message: c.message,
        }),
      );
      const failed = decision.failed;
      return {
        structured: {
          approved: decision.approved,
          ...(decision.code === undefined ? {} : { code: decision.code }),
          tradingState: deps.risk?.engine.tradingState().state ?? 'active',
          checks,
        },
        text: decision.approved
          ? `Approved: all ${checks.length} checks pass.`
          : `Denied ${decision.code ?? ''}: ${failed?.message ?? ''}`,
      };
    },
  }),
  tool({
    name: 'modifyOrder',
    title: 'Modify an open order',
    description:
      'Changes the quantity, prices or time in force of an open order (cancel-replace at the venue). Refused with ORDER_NOT_OPEN for a finished order and ORDER_PENDING while another request is in flight.',
    scope: 'trade',
    annotations: TRADE,
    input: oneOrder(
      z.object({
        orderId: orderRefFields.orderId,
        clientOrderId: orderRefFields.clientOrderId,
        quantity: positiveDecimal('New total quantity (not below what has filled)').optional(),
        limitPrice: positiveDecimal('New limit price').optional(),
        stopPrice: positiveDecimal('New stop price').optional(),
        trailPercent: positiveDecimal('New trailing distance in percent').optional(),
        trailPrice: positiveDecimal('New trailing distance in price').optional(),
        timeInForce: z.enum(['day', 'gtc']).optional().describe('New time in force.'),
      }),
    ).refine((r) => r.trailPercent === undefined || r.trailPrice === undefined, {
      message: 'give trailPercent or trailPrice, not both',
      path: ['trailPercent'],
    }),
    output: wireOrderSchema,
    run: async (args, _caller, deps) => {
      const changes = defined({
        quantity: args.quantity,
        limitPrice: args.limitPrice,
        stopPrice: args.stopPrice,
        trailPercent: args.trailPercent,
        trailPrice: args.trailPrice,
        timeInForce: args.timeInForce,
      });
      if (Object.keys(changes).length === 0) {
        throw new TradingError('INVALID_ARGUMENT', 'Nothing to change.', {
          hint: 'Give at least one of quantity, limitPrice, stopPrice, trailPercent, trailPrice, timeInForce.',
        });
      }
      const order = toWireOrder(await deps.service.replace(refOf(args), changes));
      return { structured: order, text: orderLine(order) };
    },
  }),
  tool({
    name: 'cancelOrder',
    title: 'Cancel an order',
    description:
      'Cancels an open order. Returns the order as the venue answered: canceled, or filled if the fill came first.',
    scope: 'trade',
    annotations: { ...TRADE, idempotentHint: true },
    input: orderRef,
    output: wireOrderSchema,
    run: async (args, _caller, deps) => {
      const order = toWireOrder(await deps.service.cancel(refOf(args)));
      return { structured: order, text: orderLine(order) };
    },
  }),
  tool({
    name: 'cancelAllOrders',
    title: 'Cancel all open orders',
    description: 'Cancels every open order, or those of one symbol or account.',
    scope: 'trade',
    annotations: { ...TRADE, idempotentHint: true },
    input: z.object({
      symbol: symbolField.optional(),
      account: z.string().min(1).optional().describe('Only this account.'),
    }),
    output: z.object({ canceled: z.array(wireOrderSchema) }),
    run: async (args, _caller, deps, call) => {
      const canceled = (
        await deps.service.cancelAll(
          defined({ symbol: canonical(args.symbol, deps), accountId: args.account }),
          {
            onProgress: (done, total) => {
              call.progress(done, total, `${done} of ${total} cancel request(s) answered`);
            },
          },
        )
      ).map(toWireOrder);
      return { structured: { canceled }, text: `${canceled.length} order(s) canceled.` };
    },
  }),
  tool({
    name: 'getOrder',
    title: 'Get one order',
    description: 'One order with its fills and its event history.',
    scope: 'read',
    annotations: READ,
    input: orderRef,
    output: wireOrderSchema.extend({ fills: z.array(wireFillSchema), events: z.array(wireEventSchema) }),
    run: async (args, _caller, deps) => {
      const details = await deps.service.getOrder(refOf(args));
      const order = toWireOrder(details.stored);
      return {
        structured: {
          ...order,
          fills: details.fills.map(toWireFill),
          events: details.events.map(toWireEvent),
        },
        text: orderLine(order),
      };
    },
  }),
  tool({
    name: 'listOrders',
    title: 'List orders',
    description: 'Orders, newest first, filtered by status and symbol; paginated with cursor.',
    scope: 'read',
    annotations: READ,
    input: z.object({
      status: z.enum(['open', 'closed', 'all']).default('open').describe('open (default), closed or all.'),
      symbol: symbolField.optional(),
      limit: z.number().int().min(1).max(200).default(50).describe('Page size, 1..200 (default 50).'),
      cursor: z.string().min(1).optional().describe('nextCursor of the previous page.'),
    }),
    output: z.object({
      orders: z.array(wireOrderSchema),
      nextCursor: z.string().optional(),
      truncated: z.boolean().describe('True when more orders follow this page.'),
    }),
    run: async (args, _caller, deps) => {
      const page = await deps.service.listOrders(
        defined({
          status: args.status,
          symbol: canonical(args.symbol, deps),
          limit: args.limit,
          cursor: args.cursor,
        }),
      );
      const orders = page.orders.map(toWireOrder);
      return {
        structured: {
          orders,
          truncated: page.nextCursor !== undefined,
          ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
        },
        text: `${orders.length} order(s)${page.nextCursor === undefined ? '' : ', more with nextCursor'}.`,
      };
    },
  }),
  tool({
    name: 'getPositions',
    title: 'Get positions',
    description:
      'Positions aggregated across every broker account, valued at the current mark, with the per-account breakdown and totals.',
    scope: 'read',
    annotations: READ,
    input: z.object({ symbol: symbolField.optional(), account: z.string().min(1).optional() }),
    output: z.object({
      positions: z.array(positionView),
      totals: z.object({
        marketValue: decimalOutput(),
        unrealizedPnl: decimalOutput(),
        realizedPnl: decimalOutput(),
        unpriced: z.array(z.string()).describe('Symbols without a mark, left out of the totals.'),
      }),
    }),
    run: async (args, _caller, deps) => {
      const symbol = args.symbol === undefined ? undefined : deps.instruments.get(args.symbol).symbol;
      const view = await deps.service.portfolio(defined({ symbol, accountId: args.account }));
      const positions = view.positions.map((p) =>
        defined({
          symbol: p.symbol,
          quantity: toWire(p.quantity),
          side: p.side,
          averageEntryPrice: toWire(p.averageEntryPrice),
          currentPrice: w(p.currentPrice),
          marketValue: w(p.marketValue),
          unrealizedPnl: w(p.unrealizedPnl),
          unrealizedPnlPercent: w(p.unrealizedPnlPercent?.toDecimalPlaces(4)),
          realizedPnl: toWire(p.realizedPnl),
          byAccount: p.byAccount.map((a) => ({
            account: a.accountId,
            venue: a.venue,
            quantity: toWire(a.quantity),
            averageEntryPrice: toWire(a.averageEntryPrice),
            realizedPnl: toWire(a.realizedPnl),
          })),
        }),
      );
      const open = positions.filter((p) => p.side !== 'flat');
      return {
        structured: {
          positions,
          totals: {
            marketValue: toWire(view.totals.marketValue),
            unrealizedPnl: toWire(view.totals.unrealizedPnl),
            realizedPnl: toWire(view.totals.realizedPnl),
            unpriced: [...view.totals.unpriced],
          },
        },
        text:
          open.length === 0
            ? 'No open positions.'
            : `${open.map((p) => `${p.symbol} ${p.quantity}`).join(', ')}; unrealized P&L ${toWire(view.totals.unrealizedPnl)}.`,
      };
    },
  }),
  tool({
    name: 'closePosition',
    title: 'Close a position',
    description:
      'Closes a position (all of it, a quantity, or a percentage) with reduce-only market orders, in every account that holds it or in one.',
    scope: 'trade',
    annotations: TRADE,
    input: z.object({
      symbol: symbolField,
      quantity: positiveDecimal('Quantity to close; default all').optional(),
      percentage: decimalInput('Percentage to close, in (0, 100]').optional(),
      account: z.string().min(1).optional().describe('Only this account.'),
      reason: z.string().max(500).optional().describe('Why; kept in the audit trail.'),
    }),
    output: ordersOutput,
    run: async (args, caller, deps) => {
      const orders = (
        await deps.service.closePosition({
          symbol: args.symbol,
          agentId: caller.id,
          ...defined({
            quantity: args.quantity,
            percentage: args.percentage,
            accountId: args.account,
            reason: args.reason,
          }),
        })
      ).map(toWireOrder);
      return { structured: { orders }, text: orders.map(orderLine).join('\n') || 'Nothing to close.' };
    },
  }),
  tool({
    name: 'closeAllPositions',
    title: 'Close all positions',
    description:
      'Closes every position with reduce-only market orders, symbol by symbol, reporting progress; optionally cancels open orders first. Canceling the call stops before the next symbol.',
    scope: 'trade',
    annotations: TRADE,
    input: z.object({
      cancelOrders: z.boolean().default(false).describe('Cancel open orders first (default false).'),
      reason: z.string().max(500).optional().describe('Why; kept in the audit trail.'),
    }),
    output: ordersOutput,
    run: async (args, caller, deps, call) => {
      const orders = (
        await deps.service.closeAllPositions(
          {
            cancelOrders: args.cancelOrders,
            agentId: caller.id,
            ...defined({ reason: args.reason }),
          },
          {
            signal: call.signal,
            onProgress: (done, total) => {
              call.progress(done, total, `${done} of ${total} symbol(s) closed`);
            },
          },
        )
      ).map(toWireOrder);
      return {
        structured: { orders },
        text: orders.length === 0 ? 'No open positions.' : `${orders.length} closing order(s).`,
      };
    },
  }),
  tool({
    name: 'getAccount',
    title: 'Get accounts',
    description: 'Every broker account: equity, cash, buying power, day trades; with totals.',
    scope: 'read',
    annotations: READ,
    input: z.object({ account: z.string().min(1).optional().describe('Only this account.') }),
    output: z.object({
      accounts: z.array(
        z.object({
          account: z.string(),
          venue: z.string(),
          mode: z.enum(['paper', 'live']),
          currency: z.string(),
          equity: decimalOutput(),
          cash: decimalOutput(),
          buyingPower: decimalOutput(),
          dayTradeCount: z.number().int(),
          patternDayTrader: z.boolean(),
          tradingBlocked: z.boolean(),
        }),
      ),
      totals: z.object({
        equity: decimalOutput(),
        cash: decimalOutput(),
        buyingPower: decimalOutput(),
      }),
      tradingState: z.enum(['active', 'reducing', 'halted']),
    }),
    run: async (args, _caller, deps) => {
      const summary = await deps.service.accounts(args.account);
      const accounts = summary.accounts.map((a) => ({
        account: a.accountId,
        venue: a.venue,
        mode: a.mode,
        currency: a.currency,
        equity: toWire(a.equity),
        cash: toWire(a.cash),
        buyingPower: toWire(a.buyingPower),
        dayTradeCount: a.dayTradeCount,
        patternDayTrader: a.patternDayTrader,
        tradingBlocked: a.tradingBlocked,
      }));
      if (args.account !== undefined && accounts.length === 0) {
        throw new TradingError('NOT_FOUND', `No account ${args.account}.`, {
          hint: 'Call getAccount without an account to list them all.',
        });
      }
      return {
        structured: {
          accounts,
          totals: {
            equity: toWire(summary.totals.equity),
            cash: toWire(summary.totals.cash),
            buyingPower: toWire(summary.totals.buyingPower),
          },
          tradingState: deps.risk?.engine.tradingState().state ?? 'active',
        },
        text: `${accounts.length} account(s); equity ${toWire(summary.totals.equity)}, buying power ${toWire(summary.totals.buyingPower)}.`,
      };
    },
  }),
  tool({
    name: 'getQuote',
    title: 'Get quotes',
    description:
      'Best bid and ask (with sizes) and last trade per symbol, from the first venue that has a book.',
    scope: 'read',
    annotations: READ,
    input: z.object({ symbols: z.array(symbolField).min(1).max(50).describe('Up to 50 symbols.') }),
    output: z.object({
      quotes: z.array(topOfBook.extend({ symbol: z.string(), timestamp: z.string() })),
    }),
    run: (args, _caller, deps) => {
      const quotes = args.symbols.map((requested) => {
        const symbol = deps.instruments.get(requested).symbol;
        for (const broker of deps.brokers) {
          const book = broker.book(symbol);
          if (book === undefined) continue;
          return { symbol, ...wireTop(broker.venue, book), timestamp: new Date(book.ts).toISOString() };
        }
        throw new TradingError('NO_MARKET', `No venue has a market for ${symbol}.`, {
          hint: 'listVenues shows what each venue trades.',
          details: { symbol },
        });
      });
      return Promise.resolve({
        structured: { quotes },
        text: quotes.map((q) => `${q.symbol} ${q.bid ?? '-'} / ${q.ask ?? '-'}`).join('; '),
      });
    },
  }),
  tool({
    name: 'getMarketStatus',
    title: 'Market status',
    description: "Whether a symbol's market is open now, and when it next opens or closes.",
    scope: 'read',
    annotations: READ,
    input: z.object({ symbol: symbolField.default('SPY').describe('Instrument symbol (default SPY).') }),
    output: z.object({
      symbol: z.string(),
      assetClass: z.string(),
      isOpen: z.boolean(),
      nextOpen: z.string().optional(),
      nextClose: z.string().optional(),
    }),
    run: (args, _caller, deps) => {
      const instrument = deps.instruments.get(args.symbol);
      const calendar = calendarFor(instrument.calendar);
      const now = deps.clock.now();
      const iso = (t: number | undefined): string | undefined =>
        t === undefined ? undefined : new Date(t).toISOString();
      const isOpen = calendar.isOpen(now);
      const status = defined({
        symbol: instrument.symbol,
        assetClass: instrument.assetClass,
        isOpen,
        nextOpen: iso(calendar.nextOpen(now)),
        nextClose: iso(calendar.nextClose(now)),
      });
      return Promise.resolve({
        structured: status,
        text: `${instrument.symbol} (${instrument.assetClass}) is ${isOpen ? 'open' : 'closed'}.`,
      });
    },
  }),
  tool({
    name: 'listVenues',
    title: 'List venues',
    description:
      'The connected venues: kind, mode, what they trade, fees, order types, health and our measured latency, error and fill rates; with a symbol, each venue’s spread and displayed depth.',
    scope: 'read',
    annotations: READ,
    input: z.object({ symbol: symbolField.optional() }),
    output: z.object({
      venues: z.array(
        z.object({
          venue: z.string(),
          kind: z.string(),
          mode: z.enum(['paper', 'live']),
          assetClasses: z.array(z.string()),
          status: z.enum(['connected', 'degraded', 'down']),
          latencyMs: z.number().optional(),
          errorRate: z.number().optional(),
          fillRate: z.number().optional(),
          slippageBps: z.number().optional(),
          fees: z.object({
            makerBps: decimalOutput(),
            takerBps: decimalOutput(),
          }),
          orderTypes: z.array(z.string()),
          timeInForce: z.array(z.string()),
          nativeContingent: z.array(z.string()),
          market: z
            .object({
              bid: decimalOutput().optional(),
              ask: decimalOutput().optional(),
              spreadBps: decimalOutput().optional(),
              bidDepth: decimalOutput(),
              askDepth: decimalOutput(),
            })
            .optional(),
        }),
      ),
    }),
    run: (args, _caller, deps) => {
      const symbol = canonical(args.symbol, deps);
      const venues = deps.brokers.map((b) => {
        const stats = deps.venueStats?.(b.venue);
        const round = (n: number): number => Math.round(n * 1_000) / 1_000;
        return {
          venue: b.venue,
          kind: b.kind,
          mode: b.mode,
          assetClasses: [...b.capabilities.assetClasses],
          status: deps.venueHealth?.(b.venue).status ?? ('connected' as const),
          ...(stats === undefined
            ? {}
            : {
                latencyMs: round(stats.latencyMs),
                errorRate: round(stats.errorRate),
                fillRate: round(stats.fillRate),
                slippageBps: round(stats.slippageBps),
              }),
          fees: {
            makerBps: toWire(b.capabilities.fees.makerBps),
            takerBps: toWire(b.capabilities.fees.takerBps),
          },
          orderTypes: [...b.capabilities.orderTypes],
          timeInForce: [...b.capabilities.timeInForce],
          nativeContingent: [...b.capabilities.nativeContingent],
          ...(symbol === undefined ? {} : marketOf(b.book(symbol))),
        };
      });
      return Promise.resolve({
        structured: { venues },
        text: venues.map((v) => `${v.venue} (${v.mode}: ${v.assetClasses.join(', ')})`).join('; '),
      });
    },
  }),
  tool({
    name: 'listAgents',
    title: 'List agents',
    description: 'The agent registry: each agent, its capabilities with proficiency, and its scopes.',
    scope: 'read',
    annotations: READ,
    input: z.object({}),
    output: z.object({
      agents: z.array(
        z.object({
          agentId: z.string(),
          name: z.string(),
          capabilities: z.array(z.object({ name: z.string(), proficiency: z.string() })),
          scopes: z.array(z.string()),
        }),
      ),
    }),
    run: (_args, _caller, deps) => {
      const agents = deps.agents().map((a) => ({
        agentId: a.agentId,
        name: a.name,
        capabilities: a.capabilities.map((c) => ({ name: c.name, proficiency: c.proficiency })),
        scopes: [...a.scopes],
      }));
      return Promise.resolve({
        structured: { agents },
        text: agents.map((a) => a.agentId).join(', '),
      });
    },
  }),
  ...RISK_TOOLS,
  ...MARKET_TOOLS,
  ...ANALYTICS_TOOLS,
];

/** The tools an agent may see and call, in the table's fixed order. */
export function toolsFor(caller: CallerAgent, deps?: ToolDeps): readonly ToolDefinition[] {
  return TOOLS.filter(
    (t) =>
      (caller.scopes.has(t.scope) || caller.scopes.has('admin')) &&
      (deps === undefined || t.available === undefined || t.available(deps)),
  );
}

/**
 * Keeps an algorithm order's call open, reporting its fills as progress, until it ends or the
 * caller cancels the call (which stops the reporting, not the algorithm).
 */
async function followParent(
  stored: StoredOrder,
  algos: NonNullable<ToolDeps['algos']>,
  deps: ToolDeps,
  call: CallContext,
): Promise<StoredOrder> {
  const total = stored.order.quantity.toNumber();
  const report = (o: { filledQty: Decimal; status: string }): void => {
    call.progress(
      o.filledQty.toNumber(),
      total,
      `${o.filledQty.toFixed()} of ${stored.order.quantity.toFixed()} filled (${o.status})`,
    );
  };
  report(stored.order);
  await new Promise<void>((resolve) => {
    const stop = algos.watch(stored.order.id, (parent) => {
      report(parent);
      if (isTerminal(parent.status)) finish();
    });
    const finish = (): void => {
      stop();
      call.signal.removeEventListener('abort', finish);
      resolve();
    };
    call.signal.addEventListener('abort', finish);
    void deps.service.findOrder({ orderId: stored.order.id }).then((now) => {
      if (now !== undefined && isTerminal(now.order.status)) finish();
    });
  });
  return (await deps.service.findOrder({ orderId: stored.order.id })) ?? stored;
}

/** One venue's market for a symbol: touch, spread and displayed depth. */
function marketOf(book: BookSnapshot | undefined): {
  market?: { bid?: string; ask?: string; spreadBps?: string; bidDepth: string; askDepth: string };
} {
  if (book === undefined) return {};
  const depth = (levels: BookSnapshot['bids']): string =>
    toWire(levels.reduce((sum, l) => (l.size === undefined ? sum : sum.plus(l.size)), ZERO));
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  const spreadBps =
    bid === undefined || ask === undefined
      ? undefined
      : ask.minus(bid).div(ask.plus(bid).div(2)).times(10_000).toDecimalPlaces(2);
  return {
    market: defined({
      bid: bid === undefined ? undefined : toWire(bid),
      ask: ask === undefined ? undefined : toWire(ask),
      spreadBps: spreadBps === undefined ? undefined : toWire(spreadBps),
      bidDepth: depth(book.bids),
      askDepth: depth(book.asks),
    }),
  };
}
