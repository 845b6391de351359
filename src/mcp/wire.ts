/**
 * The agent-facing shapes of CONTRACT.md: exact decimals in (JSON strings or numbers) and out
 * (always strings), the `Order` object, and errors as `{ error: { code, message, hint?, details? } }`.
 */
import { z } from 'zod';
import type { Fill, OrderEvent } from '../domain/events.js';
import { type Decimal, parseDecimal, toWire } from '../domain/decimal.js';
import { type ErrorBody, TradingError, isTradingError } from '../domain/errors.js';
import type { Order } from '../domain/order.js';
import type { StoredOrder } from '../engine/ports.js';
import type { BookSnapshot } from '../marketdata/types.js';

/** A decimal accepted as a JSON string ("0.0015") or number; parsed exactly, never through a float. */
export const decimalInput = (what: string) =>
  z
    .union([z.string(), z.number()])
    .describe(`${what}; decimal string like "187.42"`)
    .transform((value, ctx): Decimal => {
      const parsed = parseDecimal(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a decimal number, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return parsed;
    });

export const positiveDecimal = (what: string) =>
  decimalInput(what).refine((d) => d.isPositive() && !d.isZero(), { message: 'must be greater than 0' });

/**
 * A decimal on the wire: always a string. Output fields carry no descriptions: the names say what
 * they are, and tools/list stays small (the server's instructions say decimals are strings).
 */
export const decimalOutput = () => z.string();

const wireOrderBase = z.object({
  orderId: z.string(),
  clientOrderId: z.string(),
  parentOrderId: z.string().optional(),
  agentId: z.string(),
  symbol: z.string(),
  side: z.string(),
  type: z.string(),
  quantity: decimalOutput(),
  filledQuantity: decimalOutput(),
  averageFillPrice: decimalOutput().optional(),
  limitPrice: decimalOutput().optional(),
  stopPrice: decimalOutput().optional(),
  trailPercent: decimalOutput().optional(),
  trailPrice: decimalOutput().optional(),
  timeInForce: z.string(),
  status: z.string(),
  venue: z.string().optional(),
  account: z.string().optional(),
  orderClass: z.string(),
  /** parent (an algorithm or split), child, or a contingent leg: entry, take_profit, stop_loss, primary, secondary, member. */
  role: z.string().optional(),
  /** A contingent leg waiting for its group to activate it. */
  held: z.boolean().optional(),
  /** A parent's algorithm: twap, vwap, iceberg or split. */
  algo: z.string().optional(),
  rejectReason: z.string().optional(),
  reason: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const wireOrderSchema = wireOrderBase.extend({
  legs: z.array(wireOrderBase).optional(),
  children: z.array(wireOrderBase).optional(),
});
export type WireOrder = z.infer<typeof wireOrderSchema>;

/** An order with its group: a contingent order's legs, or a parent's children. */
export function toWireGroup(stored: StoredOrder, group: readonly StoredOrder[]): WireOrder {
  const order = toWireOrder(stored);
  const others = group.filter((g) => g.order.id !== stored.order.id).map((g) => toWireOrder(g));
  if (others.length === 0) return order;
  return stored.meta.role === 'parent' ? { ...order, children: others } : { ...order, legs: others };
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

const opt = (value: Decimal | undefined): string | undefined =>
  value === undefined ? undefined : toWire(value);

export function toWireOrder(stored: StoredOrder): WireOrder {
  const o: Order = stored.order;
  return {
    orderId: o.id,
    clientOrderId: o.clientOrderId,
    ...optional('parentOrderId', o.parentId),
    agentId: stored.meta.agentId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: toWire(o.quantity),
    filledQuantity: toWire(o.filledQty),
    ...optional('averageFillPrice', opt(o.avgFillPrice)),
    ...optional('limitPrice', opt(o.limitPrice)),
    ...optional('stopPrice', opt(o.stopPrice)),
    ...optional('trailPercent', opt(o.trailPercent)),
    ...optional('trailPrice', opt(o.trailPrice)),
    timeInForce: o.timeInForce,
    status: o.status,
    venue: o.venue,
    account: o.accountId,
    orderClass: stored.meta.orderClass,
    ...optional('role', stored.meta.role),
    ...optional('held', o.held ? true : undefined),
    ...optional(
      'algo',
      typeof stored.meta.algo?.['type'] === 'string' ? stored.meta.algo['type'] : undefined,
    ),
    ...optional('rejectReason', o.reject === undefined ? undefined : `${o.reject.code}: ${o.reject.message}`),
    ...optional('reason', stored.meta.reason),
    createdAt: new Date(o.createdAt).toISOString(),
    updatedAt: new Date(o.updatedAt).toISOString(),
  };
}

export const wireFillSchema = z.object({
  fillId: z.string(),
  quantity: decimalOutput(),
  price: decimalOutput(),
  fee: decimalOutput(),
  feeCurrency: z.string(),
  liquidity: z.string(),
  venue: z.string(),
  at: z.string(),
});

export function toWireFill(fill: Fill): z.infer<typeof wireFillSchema> {
  return {
    fillId: fill.fillId,
    quantity: toWire(fill.quantity),
    price: toWire(fill.price),
    fee: toWire(fill.fee),
    feeCurrency: fill.feeCurrency,
    liquidity: fill.liquidity,
    venue: fill.venue,
    at: new Date(fill.ts).toISOString(),
  };
}

export const wireEventSchema = z.object({
  kind: z.string().describe('ack, fill, cxl_req, cxl, rpl, exp, rej, ... (ORDER-SEMANTICS.md §1.3).'),
  at: z.string().describe('ISO-8601 UTC, venue time.'),
  detail: z.string().optional(),
});

export function toWireEvent(event: OrderEvent): z.infer<typeof wireEventSchema> {
  const detail =
    'code' in event
      ? `${event.code}: ${event.message}`
      : event.kind === 'fill'
        ? `${toWire(event.fill.quantity)} @ ${toWire(event.fill.price)}`
        : undefined;
  return { kind: event.kind, at: new Date(event.venueTime).toISOString(), ...optional('detail', detail) };
}

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** Any failure as the contract's error body; an unexpected one says INTERNAL and nothing inside. */
export function errorBody(error: unknown): ErrorBody {
  if (isTradingError(error)) return error.toBody();
  return {
    code: 'INTERNAL',
    message: 'The server failed to handle this call.',
    hint: 'Try again; if it persists, report it with the time of the call.',
  };
}

/** Zod issues as one INVALID_ARGUMENT error naming each field. */
export function invalidArgument(issues: readonly z.core.$ZodIssue[]): TradingError {
  const problems = issues.map((i) => `${i.path.length === 0 ? '(input)' : i.path.join('.')}: ${i.message}`);
  const first = issues[0]?.path.join('.');
  return new TradingError('INVALID_ARGUMENT', `Invalid arguments: ${problems.join('; ')}.`, {
    hint: "Fix the named fields; the tool's input schema describes each one.",
    ...(first === undefined || first === '' ? {} : { details: { field: first } }),
  });
}

/**
 * A tool's arguments parsed by its input schema, or INVALID_ARGUMENT naming the fields. Strings
 * with a NUL character or a lone UTF-16 surrogate are refused up front: no symbol, id or text has
 * one, and the database cannot store either (jsonb refuses an unpaired \ud800 escape).
 */
export function parseToolInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const nul = pathOfNul(raw, []);
  if (nul !== undefined) {
    throw new TradingError(
      'INVALID_ARGUMENT',
      `Invalid arguments: ${nul.join('.') || '(input)'}: contains a NUL character or an unpaired surrogate.`,
      {
        hint: 'Remove the control character (or the broken character) from the named field.',
        ...(nul.length === 0 ? {} : { details: { field: nul.join('.') } }),
      },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalidArgument(parsed.error.issues);
  return parsed.data;
}

/** A surrogate half without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A NUL or a lone surrogate: text the database cannot store. */
const unstorable = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

function pathOfNul(value: unknown, path: readonly string[]): readonly string[] | undefined {
  if (typeof value === 'string') return unstorable(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (unstorable(key)) return path;
    const found = pathOfNul(item, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A venue's top of book on the wire (getQuote, simulateMarket). */
export const topOfBook = z.object({
  venue: z.string(),
  bid: decimalOutput().optional(),
  bidSize: decimalOutput().optional(),
  ask: decimalOutput().optional(),
  askSize: decimalOutput().optional(),
  last: decimalOutput().optional(),
  timestamp: z.string().optional(),
});

export function wireTop(venue: string, book: BookSnapshot | undefined): z.infer<typeof topOfBook> {
  const bid = book?.bids[0];
  const ask = book?.asks[0];
  const top: z.infer<typeof topOfBook> = { venue };
  const set = (key: Exclude<keyof typeof top, 'venue'>, value: string | undefined): void => {
    if (value !== undefined) top[key] = value;
  };
  set('bid', bid === undefined ? undefined : toWire(bid.price));
  set('bidSize', bid?.size === undefined ? undefined : toWire(bid.size));
  set('ask', ask === undefined ? undefined : toWire(ask.price));
  set('askSize', ask?.size === undefined ? undefined : toWire(ask.size));
  set('last', book?.last === undefined ? undefined : toWire(book.last));
  set('timestamp', book === undefined ? undefined : new Date(book.ts).toISOString());
  return top;
}

/**
 * A risk denial as the tool error it must be (ORDER-SEMANTICS.md §7.1): the denial's code and
 * message, the denied order's id in the details. A denial never reads as a success.
 */
export function deniedError(stored: StoredOrder): TradingError {
  const order = stored.order;
  return new TradingError(
    (order.reject?.code ?? 'INVALID_ORDER') as ErrorBody['code'],
    order.reject?.message ?? 'Denied by the risk engine.',
    {
      hint: 'Nothing was sent. performRiskCheck shows every check and its limit; change the order, or ask a risk admin about the limit.',
      details: { orderId: order.id, clientOrderId: order.clientOrderId, status: 'denied' },
    },
  );
}
