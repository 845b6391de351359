/**
 * The MCP tools of CONTRACT.md whose engine part exists, as data: name, scope, annotations, input
 * and output schemas, and a handler over the trading core. The server registers those an agent's
 * scopes allow; the REST API calls the same handlers.
 */
import { z } from 'zod';
import { type Decimal, toWire } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { OrderRef, SubmitInput } from '../engine/order-service.js';
import { RISK_TOOLS } from './risk-tools.js';
import { calendarFor } from '../marketdata/calendar/index.js';
import {
  decimalInput,
  decimalOutput,
  deniedError,
  positiveDecimal,
  toWireEvent,
  toWireFill,
  toWireOrder,
  topOfBook,
  wireEventSchema,
  wireTop,
  wireFillSchema,
  wireOrderSchema,
} from './wire.js';
import { MARKET_TOOLS } from './market-tools.js';
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
function submitInputOf(args: z.output<typeof orderRequest>, caller: CallerAgent): SubmitInput {
  return {
    symbol: args.symbol,
    side: args.side,
    type: args.type,
    quantity: args.quantity,
    timeInForce: args.timeInForce,
    agentId: caller.id,
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
      const stored = await deps.service.submit(submitInputOf(args, caller));
      if (stored.order.status === 'denied') throw deniedError(stored);
      const order = toWireOrder(stored);
      return { structured: order, text: orderLine(order) };
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
    description: 'The connected venues: kind, mode, what they trade, fees and order types.',
    scope: 'read',
    annotations: READ,
    input: z.object({}),
    output: z.object({
      venues: z.array(
        z.object({
          venue: z.string(),
          kind: z.string(),
          mode: z.enum(['paper', 'live']),
          assetClasses: z.array(z.string()),
          status: z.enum(['connected', 'degraded', 'down']),
          fees: z.object({
            makerBps: decimalOutput(),
            takerBps: decimalOutput(),
          }),
          orderTypes: z.array(z.string()),
        }),
      ),
    }),
    run: (_args, _caller, deps) => {
      const venues = deps.brokers.map((b) => ({
        venue: b.venue,
        kind: b.mode === 'paper' ? 'paper' : b.venue,
        mode: b.mode,
        assetClasses: [...b.capabilities.assetClasses],
        status: 'connected' as const,
        fees: {
          makerBps: toWire(b.capabilities.fees.makerBps),
          takerBps: toWire(b.capabilities.fees.takerBps),
        },
        orderTypes: [...b.capabilities.orderTypes],
      }));
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
];

/** The tools an agent may see and call, in the table's fixed order. */
export function toolsFor(caller: CallerAgent, deps?: ToolDeps): readonly ToolDefinition[] {
  return TOOLS.filter(
    (t) =>
      (caller.scopes.has(t.scope) || caller.scopes.has('admin')) &&
      (deps === undefined || t.available === undefined || t.available(deps)),
  );
}
