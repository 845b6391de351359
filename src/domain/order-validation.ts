import { Decimal, ZERO } from './decimal.js';
import { TradingError } from './errors.js';
import { assertPrice, assertQuantity, type Instrument } from './instrument.js';
import {
  ORDER_TYPES,
  SIDES,
  TIME_IN_FORCE,
  type OrderSpec,
  type OrderType,
  type Side,
  type TimeInForce,
} from './order.js';

/**
 * The pure shape and precision checks of an order request: ORDER-SEMANTICS.md §7.2 checks 1
 * (INVALID_ORDER), 4 (PRICE_PRECISION) and 5 (QUANTITY_PRECISION), with the rules of §2.1, §3.1–§3.3
 * and the bracket price ordering of §4. Nothing here reads a clock, a quote or a session calendar.
 */
export interface ValidationContext {
  /** Epoch milliseconds; a gtd expireAt must be strictly after it. */
  readonly now: number;
}

const tifs = (...values: TimeInForce[]): readonly TimeInForce[] => Object.freeze(values);

/** §3.1 as data: which TIFs each order type accepts (opg/cls also need a session instrument). */
export const ALLOWED_TIF: Readonly<Record<OrderType, readonly TimeInForce[]>> = Object.freeze({
  market: tifs('day', 'gtc', 'ioc', 'fok', 'opg', 'cls'),
  limit: tifs('day', 'gtc', 'gtd', 'ioc', 'fok', 'opg', 'cls'),
  stop: tifs('day', 'gtc', 'gtd'),
  stop_limit: tifs('day', 'gtc', 'gtd'),
  trailing_stop: tifs('day', 'gtc'),
  market_if_touched: tifs('day', 'gtc', 'gtd'),
  limit_if_touched: tifs('day', 'gtc', 'gtd'),
});

const PRICE_FIELDS = ['limitPrice', 'stopPrice', 'triggerPrice', 'trailPrice', 'activationPrice'] as const;
type PriceField = (typeof PRICE_FIELDS)[number];
/** The per-type parameters of §2.1; trailPercent is an offset in percent, not a price. */
type TypeField = PriceField | 'trailPercent';
const TYPE_FIELDS: readonly TypeField[] = [...PRICE_FIELDS, 'trailPercent'];

interface FieldRule {
  readonly required: readonly TypeField[];
  readonly allowed: readonly TypeField[];
}

/** §2.1. trailing_stop's "exactly one of trailPrice, trailPercent" is checked separately. */
const FIELD_RULES: Readonly<Record<OrderType, FieldRule>> = {
  market: { required: [], allowed: [] },
  limit: { required: ['limitPrice'], allowed: ['limitPrice'] },
  stop: { required: ['stopPrice'], allowed: ['stopPrice'] },
  stop_limit: { required: ['stopPrice', 'limitPrice'], allowed: ['stopPrice', 'limitPrice'] },
  trailing_stop: { required: [], allowed: ['trailPrice', 'trailPercent', 'activationPrice'] },
  market_if_touched: { required: ['triggerPrice'], allowed: ['triggerPrice'] },
  limit_if_touched: { required: ['triggerPrice', 'limitPrice'], allowed: ['triggerPrice', 'limitPrice'] },
};

const FIELD_MEANING: Readonly<Record<TypeField, string>> = {
  limitPrice: 'the worst price per unit you accept',
  stopPrice: 'the price whose touch triggers the order',
  triggerPrice: 'the price whose touch releases the order',
  trailPrice: 'the trailing offset in price units',
  trailPercent: 'the trailing offset in percent',
  activationPrice: 'the price that activates the trailing stop',
};

const AUCTION_TIFS: ReadonlySet<TimeInForce> = new Set(['opg', 'cls']);
const POST_ONLY_TYPES: ReadonlySet<OrderType> = new Set(['limit', 'stop_limit', 'limit_if_touched']);
const IMMEDIATE_TIFS: ReadonlySet<TimeInForce> = new Set(['ioc', 'fok']);
const HUNDRED = new Decimal(100);

type Check = (spec: OrderSpec, instrument: Instrument, ctx: ValidationContext) => void;

/** Check 1 (INVALID_ORDER), in the order a caller would fix things: what, how much, which fields, then how. */
const SHAPE_CHECKS: readonly Check[] = [
  checkEnums,
  checkQuantity,
  checkRequiredFields,
  checkExtraFields,
  checkPositivePrices,
  checkTrailOffset,
  checkTimeInForce,
  checkExpiry,
  checkPostOnly,
  checkDisplayQty,
  checkExtendedHours,
];

/** Throws TradingError; returns nothing when the spec is valid. §7.2 order: 1 INVALID_ORDER, 4 PRICE_PRECISION, 5 QUANTITY_PRECISION. */
export function validateOrderSpec(spec: OrderSpec, instrument: Instrument, ctx: ValidationContext): void {
  for (const check of SHAPE_CHECKS) check(spec, instrument, ctx);
  for (const field of PRICE_FIELDS) {
    const price = spec[field];
    if (price !== undefined) assertPrice(instrument, field, price);
  }
  assertQuantity(instrument, 'quantity', spec.quantity);
  if (spec.displayQty !== undefined) assertQuantity(instrument, 'displayQty', spec.displayQty);
}

/** §4: buy: takeProfit.limitPrice > entry price (if any) > stopLoss.stopPrice; sell mirrored. */
export function validateBracketPrices(
  side: Side,
  entryPrice: Decimal | undefined,
  takeProfitLimit: Decimal,
  stopLossStop: Decimal,
): void {
  const prices = { side, entryPrice, takeProfitLimit, stopLossStop };
  if (entryPrice === undefined) {
    if (!isBeyond(side, takeProfitLimit, stopLossStop)) throw bracketError('takeProfit.limitPrice', prices);
    return;
  }
  if (!isBeyond(side, takeProfitLimit, entryPrice)) throw bracketError('takeProfit.limitPrice', prices);
  if (!isBeyond(side, entryPrice, stopLossStop)) throw bracketError('stopLoss.stopPrice', prices);
}

function checkEnums(spec: OrderSpec): void {
  if (!SIDES.includes(spec.side)) {
    throw invalid('side', `side "${spec.side}" is not a side.`, 'Send side "buy" or "sell".');
  }
  if (!ORDER_TYPES.includes(spec.type)) {
    throw invalid(
      'type',
      `type "${spec.type}" is not an order type this engine implements.`,
      `Send one of: ${ORDER_TYPES.join(', ')}.`,
    );
  }
  if (!TIME_IN_FORCE.includes(spec.timeInForce)) {
    const tif = spec.timeInForce;
    throw invalid(
      'timeInForce',
      `timeInForce "${tif}" is not a time in force.`,
      `Send one of: ${TIME_IN_FORCE.join(', ')}.`,
    );
  }
}

function checkQuantity(spec: OrderSpec): void {
  if (isPositive(spec.quantity)) return;
  throw invalid(
    'quantity',
    `quantity must be greater than 0, got ${spec.quantity.toFixed()}; the direction is given by side, not by the sign.`,
    'Send a positive quantity, and side "sell" to sell.',
    { value: spec.quantity.toFixed() },
  );
}

function checkRequiredFields(spec: OrderSpec): void {
  const missing = FIELD_RULES[spec.type].required.find((field) => spec[field] === undefined);
  if (missing === undefined) return;
  throw invalid(
    missing,
    `A ${spec.type} order needs ${missing} (${FIELD_MEANING[missing]}), got none.`,
    `Send ${missing}, or use a type that does not need it (${typesWithout(missing).join(', ')}).`,
    { type: spec.type },
  );
}

function checkExtraFields(spec: OrderSpec): void {
  const allowed = FIELD_RULES[spec.type].allowed;
  const extra = TYPE_FIELDS.find((field) => spec[field] !== undefined && !allowed.includes(field));
  if (extra === undefined) return;
  throw invalid(
    extra,
    `A ${spec.type} order does not take ${extra}, got ${describe(spec[extra])}.`,
    `Remove ${extra}, or use a type that takes it (${typesTaking(extra).join(', ')}).`,
    { type: spec.type, value: describe(spec[extra]) },
  );
}

function checkPositivePrices(spec: OrderSpec): void {
  const bad = PRICE_FIELDS.find((field) => {
    const price = spec[field];
    return price !== undefined && !isPositive(price);
  });
  if (bad === undefined) return;
  throw invalid(
    bad,
    `${bad} must be greater than 0, got ${describe(spec[bad])}.`,
    `Send a positive ${bad}.`,
    {
      value: describe(spec[bad]),
    },
  );
}

function checkTrailOffset(spec: OrderSpec): void {
  if (spec.type !== 'trailing_stop') return;
  const { trailPrice, trailPercent } = spec;
  if ((trailPrice === undefined) === (trailPercent === undefined)) {
    const got =
      trailPrice === undefined ? 'neither' : `both (${trailPrice.toFixed()} and ${describe(trailPercent)}%)`;
    throw invalid(
      'trailPrice',
      `A trailing_stop order needs exactly one of trailPrice or trailPercent, got ${got}.`,
      'Send either trailPrice (an offset in price units, e.g. "1.50") or trailPercent (e.g. "2" for 2%), not both.',
      { fields: ['trailPrice', 'trailPercent'] },
    );
  }
  if (trailPercent !== undefined && !(isPositive(trailPercent) && trailPercent.lessThan(HUNDRED))) {
    throw invalid(
      'trailPercent',
      `trailPercent must be between 0 and 100 (both excluded), got ${trailPercent.toFixed()}.`,
      'Send trailPercent as a percent strictly between 0 and 100, e.g. "2" for a stop 2% from the market.',
      { value: trailPercent.toFixed() },
    );
  }
}

function checkTimeInForce(spec: OrderSpec, instrument: Instrument): void {
  const { type, timeInForce: tif } = spec;
  const allowed = ALLOWED_TIF[type];
  if (!allowed.includes(tif)) {
    throw invalid(
      'timeInForce',
      `timeInForce "${tif}" is not allowed for a ${type} order; it accepts ${allowed.join(', ')}.`,
      `Send one of ${allowed.join(', ')}, or use a type that accepts "${tif}" (${typesAllowing(tif).join(', ')}).`,
      { value: tif, type, allowed: [...allowed] },
    );
  }
  if (AUCTION_TIFS.has(tif) && instrument.calendar !== 'us_equity') {
    const others = allowed.filter((t) => !AUCTION_TIFS.has(t));
    throw invalid(
      'timeInForce',
      `timeInForce "${tif}" executes in a session auction, and ${instrument.symbol} trades on the ${instrument.calendar} calendar, which has none.`,
      `Send one of ${others.join(', ')}.`,
      { value: tif, calendar: instrument.calendar },
    );
  }
}

function checkExpiry(spec: OrderSpec, _instrument: Instrument, ctx: ValidationContext): void {
  const { expireAt, timeInForce: tif } = spec;
  if (tif !== 'gtd') {
    if (expireAt === undefined) return;
    throw invalid(
      'expireAt',
      `expireAt (${describeTime(expireAt)}) is only used with timeInForce "gtd", but this order is "${tif}".`,
      'Remove expireAt, or send timeInForce "gtd" with it.',
      { value: expireAt },
    );
  }
  if (expireAt !== undefined && Number.isFinite(expireAt) && expireAt > ctx.now) return;
  throw invalid(
    'expireAt',
    expireAt === undefined
      ? 'timeInForce "gtd" needs expireAt, got none.'
      : `expireAt ${describeTime(expireAt)} is not in the future (now is ${describeTime(ctx.now)}).`,
    `Send expireAt as epoch milliseconds after ${describeTime(ctx.now)}, or use timeInForce "gtc" or "day".`,
    { value: expireAt, now: ctx.now },
  );
}

function checkPostOnly(spec: OrderSpec): void {
  if (spec.postOnly !== true) return;
  const { type, timeInForce: tif } = spec;
  if (!POST_ONLY_TYPES.has(type)) {
    throw invalid(
      'postOnly',
      `postOnly applies only to orders that rest at a limit price (${[...POST_ONLY_TYPES].join(', ')}); a ${type} order executes as a market order.`,
      'Remove postOnly, or use a limit order.',
      { type },
    );
  }
  if (IMMEDIATE_TIFS.has(tif)) {
    throw invalid(
      'postOnly',
      `postOnly cannot be combined with timeInForce "${tif}": a post-only order must rest, and "${tif}" never rests.`,
      'Remove postOnly, or send timeInForce "day", "gtc" or "gtd".',
      { timeInForce: tif },
    );
  }
}

function checkDisplayQty(spec: OrderSpec): void {
  const { displayQty, quantity } = spec;
  if (displayQty === undefined) return;
  if (spec.type !== 'limit') {
    throw invalid(
      'displayQty',
      `displayQty (iceberg) applies only to limit orders, got ${displayQty.toFixed()} on a ${spec.type} order.`,
      'Remove displayQty, or use a limit order.',
      { type: spec.type, value: displayQty.toFixed() },
    );
  }
  if (!isPositive(displayQty) || displayQty.greaterThan(quantity)) {
    throw invalid(
      'displayQty',
      `displayQty must be greater than 0 and at most quantity ${quantity.toFixed()}, got ${displayQty.toFixed()}.`,
      `Send a displayQty between 0 (excluded) and ${quantity.toFixed()}, or remove it to show the whole order.`,
      { value: displayQty.toFixed(), quantity: quantity.toFixed() },
    );
  }
}

/** §3.2, Alpaca's rule: https://docs.alpaca.markets/docs/orders-at-alpaca#extended-hours-trading */
function checkExtendedHours(spec: OrderSpec, instrument: Instrument): void {
  if (spec.extendedHours !== true) return;
  const isEquity = instrument.calendar === 'us_equity';
  if (isEquity && spec.type === 'limit' && spec.timeInForce === 'day') return;
  throw invalid(
    'extendedHours',
    `extendedHours is allowed only on limit orders with timeInForce "day" for US equities, got a ${spec.type} order with timeInForce "${spec.timeInForce}" on ${instrument.symbol}.`,
    isEquity
      ? 'Send type "limit" with timeInForce "day", or remove extendedHours to wait for the regular session.'
      : `Remove extendedHours: ${instrument.symbol} is not a US equity and has no extended-hours session.`,
    { type: spec.type, timeInForce: spec.timeInForce, calendar: instrument.calendar },
  );
}

interface BracketPrices {
  readonly side: Side;
  readonly entryPrice: Decimal | undefined;
  readonly takeProfitLimit: Decimal;
  readonly stopLossStop: Decimal;
}

function bracketError(field: string, p: BracketPrices): TradingError {
  const [tpWord, slWord] = p.side === 'buy' ? ['above', 'below'] : ['below', 'above'];
  const entry = p.entryPrice === undefined ? 'no entry price' : `entry price ${p.entryPrice.toFixed()}`;
  const order =
    p.entryPrice === undefined
      ? `takeProfit.limitPrice ${tpWord} stopLoss.stopPrice`
      : `takeProfit.limitPrice ${tpWord} the entry price and stopLoss.stopPrice ${slWord} it`;
  return invalid(
    field,
    `A ${p.side} bracket needs ${order}; ${field} is misordered: takeProfit.limitPrice ${p.takeProfitLimit.toFixed()}, ${entry}, stopLoss.stopPrice ${p.stopLossStop.toFixed()}.`,
    p.entryPrice === undefined
      ? `Send takeProfit.limitPrice ${tpWord} stopLoss.stopPrice, with the current price between them.`
      : `Send takeProfit.limitPrice ${tpWord} and stopLoss.stopPrice ${slWord} ${p.entryPrice.toFixed()}.`,
    {
      side: p.side,
      takeProfitLimitPrice: p.takeProfitLimit.toFixed(),
      stopLossStopPrice: p.stopLossStop.toFixed(),
      ...(p.entryPrice === undefined ? {} : { entryPrice: p.entryPrice.toFixed() }),
    },
  );
}

/** Strictly more favourable in the direction a take-profit lies from the entry: higher for a buy. */
function isBeyond(side: Side, a: Decimal, b: Decimal): boolean {
  return side === 'buy' ? a.greaterThan(b) : a.lessThan(b);
}

function invalid(
  field: string,
  message: string,
  hint: string,
  details: Readonly<Record<string, unknown>> = {},
): TradingError {
  return new TradingError('INVALID_ORDER', message, { hint, details: { field, ...details } });
}

function isPositive(value: Decimal): boolean {
  return value.isFinite() && value.greaterThan(ZERO);
}

function describe(value: Decimal | undefined): string {
  return value === undefined ? 'none' : value.toFixed();
}

function describeTime(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : `${date.toISOString()} (${epochMs})`;
}

function typesTaking(field: TypeField): OrderType[] {
  return ORDER_TYPES.filter((type) => FIELD_RULES[type].allowed.includes(field));
}

function typesWithout(field: TypeField): OrderType[] {
  return ORDER_TYPES.filter((type) => !FIELD_RULES[type].required.includes(field));
}

function typesAllowing(tif: TimeInForce): OrderType[] {
  return ORDER_TYPES.filter((type) => ALLOWED_TIF[type].includes(tif));
}
