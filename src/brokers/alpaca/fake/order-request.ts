import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Decimal, parseDecimal } from '../../../domain/decimal.js';
import type { OrderChanges } from '../../../domain/events.js';
import type { InstrumentRegistry } from '../../../domain/instruments.js';
import type { Instrument } from '../../../domain/instrument.js';
import type { OrderSpec, Side } from '../../../domain/order.js';
import type { ContingentClass, LegRole } from '../../broker.js';
import { AlpacaFailure, invalid, malformed, unprocessable } from './alpaca-errors.js';

/** Alpaca sends decimals as strings but accepts numbers too; either becomes a Decimal, never a float. */
const decimal = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseDecimal(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a decimal number` });
    return z.NEVER;
  }
  return parsed;
});

/** POST /v2/orders as Alpaca documents it (the subset the fake supports; unknown fields are ignored). */
const submitSchema = z.object({
  symbol: z.string().min(1),
  qty: decimal.optional(),
  notional: decimal.optional(),
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  time_in_force: z.enum(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']),
  limit_price: decimal.optional(),
  stop_price: decimal.optional(),
  trail_price: decimal.optional(),
  trail_percent: decimal.optional(),
  extended_hours: z.boolean().optional(),
  client_order_id: z.string().min(1).max(128).optional(),
  order_class: z.enum(['simple', 'bracket', 'oco', 'oto', '']).optional(),
  take_profit: z.object({ limit_price: decimal }).optional(),
  stop_loss: z.object({ stop_price: decimal, limit_price: decimal.optional() }).optional(),
});
type SubmitBody = z.output<typeof submitSchema>;

/** PATCH /v2/orders/{order_id}: `trail` is the new trail_price or trail_percent, as the order has. */
const replaceSchema = z.object({
  qty: decimal.optional(),
  time_in_force: z.enum(['day', 'gtc', 'opg', 'cls', 'ioc', 'fok']).optional(),
  limit_price: decimal.optional(),
  stop_price: decimal.optional(),
  trail: decimal.optional(),
  client_order_id: z.string().min(1).max(128).optional(),
});

/** One order the fake will create: its Alpaca id (also its key at the paper venue) and client id. */
export interface LegPlan {
  readonly id: string;
  readonly clientOrderId: string;
  readonly role?: LegRole;
  readonly spec: OrderSpec;
}

export type AlpacaOrderClass = 'simple' | ContingentClass;

/** A parsed submit: the parent (legs[0]) and, for a contingent class, its legs in the paper venue's order. */
export interface SubmitPlan {
  readonly orderClass: AlpacaOrderClass;
  readonly instrument: Instrument;
  readonly legs: readonly LegPlan[];
}

export interface ReplacePlan {
  readonly clientOrderId?: string;
  readonly qty?: Decimal;
  readonly timeInForce?: OrderSpec['timeInForce'];
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly trail?: Decimal;
}

export function parseSubmit(body: unknown, instruments: InstrumentRegistry): SubmitPlan {
  const parsed = validate(submitSchema, body);
  const instrument = instruments.find(parsed.symbol);
  if (instrument === undefined)
    throw new AlpacaFailure(unprocessable(`asset not found for ${parsed.symbol}`));
  if (parsed.notional !== undefined)
    throw new AlpacaFailure(unprocessable('notional orders are not supported by the fake broker; send qty'));
  if (parsed.qty === undefined) throw new AlpacaFailure(invalid('qty or notional is required'));
  if (instrument.assetClass === 'crypto') cryptoChecks(parsed);
  const main = mainSpec(parsed, instrument.symbol, parsed.qty);
  const orderClass =
    parsed.order_class === undefined || parsed.order_class === '' ? 'simple' : parsed.order_class;
  const parent = { id: randomUUID(), clientOrderId: parsed.client_order_id ?? randomUUID() };
  if (orderClass === 'simple') return { orderClass, instrument, legs: [{ ...parent, spec: main }] };
  return { orderClass, instrument, legs: contingentLegs(orderClass, parsed, main, parent) };
}

export function parseReplace(body: unknown): ReplacePlan {
  const parsed = validate(replaceSchema, body);
  return {
    ...(parsed.client_order_id === undefined ? {} : { clientOrderId: parsed.client_order_id }),
    ...(parsed.qty === undefined ? {} : { qty: parsed.qty }),
    ...(parsed.time_in_force === undefined ? {} : { timeInForce: parsed.time_in_force }),
    ...(parsed.limit_price === undefined ? {} : { limitPrice: parsed.limit_price }),
    ...(parsed.stop_price === undefined ? {} : { stopPrice: parsed.stop_price }),
    ...(parsed.trail === undefined ? {} : { trail: parsed.trail }),
  };
}

/** The paper venue's changes for a replace; `trail` goes to whichever trail the order was sent with. */
export function replaceChanges(plan: ReplacePlan, order: OrderSpec): OrderChanges {
  const trailField = order.trailPercent === undefined ? 'trailPrice' : 'trailPercent';
  const changes: OrderChanges = {
    ...(plan.qty === undefined ? {} : { quantity: plan.qty }),
    ...(plan.timeInForce === undefined ? {} : { timeInForce: plan.timeInForce }),
    ...(plan.limitPrice === undefined ? {} : { limitPrice: plan.limitPrice }),
    ...(plan.stopPrice === undefined ? {} : { stopPrice: plan.stopPrice }),
    ...(plan.trail === undefined ? {} : { [trailField]: plan.trail }),
  };
  if (Object.keys(changes).length === 0)
    throw new AlpacaFailure(unprocessable('order parameters are not changed'));
  return changes;
}

function validate<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (typeof body !== 'object' || body === null) throw new AlpacaFailure(malformed());
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') ?? 'body';
  throw new AlpacaFailure(invalid(`invalid ${field}: ${issue?.message ?? 'bad value'}`));
}

/** Alpaca's crypto rules: gtc and ioc only, market, limit and stop_limit only. */
function cryptoChecks(body: SubmitBody): void {
  if (body.time_in_force !== 'gtc' && body.time_in_force !== 'ioc')
    throw new AlpacaFailure(unprocessable('invalid crypto time_in_force'));
  if (body.type !== 'market' && body.type !== 'limit' && body.type !== 'stop_limit')
    throw new AlpacaFailure(unprocessable('invalid crypto order type'));
}

function mainSpec(body: SubmitBody, symbol: string, quantity: Decimal): OrderSpec {
  return {
    symbol,
    side: body.side,
    type: body.type,
    quantity,
    timeInForce: body.time_in_force,
    ...(body.limit_price === undefined ? {} : { limitPrice: body.limit_price }),
    ...(body.stop_price === undefined ? {} : { stopPrice: body.stop_price }),
    ...(body.trail_price === undefined ? {} : { trailPrice: body.trail_price }),
    ...(body.trail_percent === undefined ? {} : { trailPercent: body.trail_percent }),
    ...(body.extended_hours === true ? { extendedHours: true } : {}),
  };
}

/**
 * Alpaca's advanced classes as paper groups (ORDER-SEMANTICS.md §4). Bracket: the entry, then a
 * take-profit limit and a stop-loss on the exit side (reduce-only). OCO: the take-profit limit is
 * the parent, the stop-loss its one leg, both on the request's side. OTO: the entry, then one exit.
 */
function contingentLegs(
  orderClass: ContingentClass,
  body: SubmitBody,
  main: OrderSpec,
  parent: { readonly id: string; readonly clientOrderId: string },
): LegPlan[] {
  const exit: Side = main.side === 'buy' ? 'sell' : 'buy';
  const leg = (role: LegRole, spec: OrderSpec): LegPlan => ({
    id: randomUUID(),
    clientOrderId: randomUUID(),
    role,
    spec,
  });
  if (orderClass === 'bracket') {
    const tp = takeProfit(body, main, exit, true);
    const sl = stopLoss(body, main, exit, true);
    if (tp === undefined || sl === undefined)
      throw new AlpacaFailure(invalid('bracket orders require take_profit and stop_loss'));
    return [{ ...parent, role: 'entry', spec: main }, leg('take_profit', tp), leg('stop_loss', sl)];
  }
  if (orderClass === 'oco') {
    const tp = takeProfit(body, main, main.side, false);
    const sl = stopLoss(body, main, main.side, false);
    if (main.type !== 'limit' || tp === undefined || sl === undefined)
      throw new AlpacaFailure(invalid('oco orders require type limit, take_profit and stop_loss'));
    return [{ ...parent, role: 'member', spec: tp }, leg('member', sl)];
  }
  const exitSpec = takeProfit(body, main, exit, false) ?? stopLoss(body, main, exit, false);
  if (exitSpec === undefined || (body.take_profit !== undefined && body.stop_loss !== undefined))
    throw new AlpacaFailure(invalid('oto orders require exactly one of take_profit or stop_loss'));
  return [{ ...parent, role: 'primary', spec: main }, leg('secondary', exitSpec)];
}

function takeProfit(
  body: SubmitBody,
  main: OrderSpec,
  side: Side,
  reduceOnly: boolean,
): OrderSpec | undefined {
  const limitPrice = body.take_profit?.limit_price ?? (side === main.side ? body.limit_price : undefined);
  if (body.take_profit === undefined || limitPrice === undefined) return undefined;
  return { ...exitBase(main, side, reduceOnly), type: 'limit', limitPrice };
}

function stopLoss(body: SubmitBody, main: OrderSpec, side: Side, reduceOnly: boolean): OrderSpec | undefined {
  const sl = body.stop_loss;
  if (sl === undefined) return undefined;
  const base = { ...exitBase(main, side, reduceOnly), stopPrice: sl.stop_price };
  return sl.limit_price === undefined
    ? { ...base, type: 'stop' }
    : { ...base, type: 'stop_limit', limitPrice: sl.limit_price };
}

function exitBase(main: OrderSpec, side: Side, reduceOnly: boolean): Omit<OrderSpec, 'type'> {
  return {
    symbol: main.symbol,
    side,
    quantity: main.quantity,
    timeInForce: main.timeInForce,
    ...(reduceOnly ? { reduceOnly: true } : {}),
  };
}
