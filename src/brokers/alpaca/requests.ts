/**
 * Our requests as Alpaca order requests, checked against what Alpaca takes before any call
 * (STYLE.md habit 3): a type, time in force or instruction outside the capabilities is a definitive
 * INVALID_ORDER that never reaches the network. Amounts go out as decimal strings (`"150"`), the
 * shape of Alpaca's own request examples (test/fixtures/alpaca/post_v2_orders.request.json).
 */
import type { trading } from '@alpacahq/alpaca-trade-api';
import { toWire } from '../../domain/decimal.js';
import type { OrderChanges } from '../../domain/events.js';
import { ALLOWED_TIF } from '../../domain/order-validation.js';
import type { OrderSpec, OrderType, TimeInForce } from '../../domain/order.js';
import type { BrokerCallError, SubmitRequest, VenueCapabilities } from '../broker.js';
import { isSendableClientOrderId } from './client-ids.js';
import { invalidOrder } from './errors.js';
import { alpacaSymbol, isCryptoSymbol } from './values.js';

/** Alpaca's crypto rules: market, limit and stop-limit orders, gtc or ioc, no extended hours. */
const CRYPTO_TYPES: readonly OrderType[] = ['market', 'limit', 'stop_limit'];
const CRYPTO_TIF: readonly TimeInForce[] = ['gtc', 'ioc'];

type Refuse = (message: string) => BrokerCallError;

/** What may be said of one order; `instructions` false when the caller vouches for them (group exits). */
interface SpecCheck {
  readonly instructions: boolean;
}

/**
 * Refuses, before any call, what Alpaca cannot take: a type or TIF outside the capabilities or
 * not allowed for the type (§3.1), a quantity or price that is not positive, missing or extra price
 * fields (§2.1), instructions Alpaca lacks (post-only, reduce-only, display quantity, trigger or
 * activation prices, gtd), crypto outside gtc/ioc and market/limit/stop-limit, and extended hours
 * other than a day limit (Alpaca's rule, §3.2).
 */
export function checkSpec(
  venue: string,
  caps: VenueCapabilities,
  spec: OrderSpec,
  check: SpecCheck = { instructions: true },
): void {
  const refuse: Refuse = (message) => invalidOrder(venue, `${venue} cannot take this order: ${message}`);
  if (!caps.orderTypes.includes(spec.type)) throw refuse(`${spec.type} orders are not supported.`);
  if (!caps.timeInForce.includes(spec.timeInForce) || !ALLOWED_TIF[spec.type].includes(spec.timeInForce))
    throw refuse(`time in force ${spec.timeInForce} is not supported for ${spec.type} orders.`);
  if (!spec.quantity.isFinite() || !spec.quantity.gt(0))
    throw refuse(`quantity must be greater than 0, got ${spec.quantity.toFixed()}.`);
  checkPrices(spec, refuse);
  checkInstructions(spec, refuse, check.instructions);
  if (isCryptoSymbol(spec.symbol)) {
    if (!CRYPTO_TYPES.includes(spec.type))
      throw refuse(`crypto takes ${CRYPTO_TYPES.join(', ')} orders only.`);
    if (!CRYPTO_TIF.includes(spec.timeInForce)) throw refuse('crypto takes time in force gtc or ioc only.');
  }
  if (
    spec.extendedHours === true &&
    (spec.type !== 'limit' || spec.timeInForce !== 'day' || isCryptoSymbol(spec.symbol))
  )
    throw refuse('extended hours apply to day limit orders on equities only.');
}

function checkPrices(spec: OrderSpec, refuse: Refuse): void {
  const needsLimit = spec.type === 'limit' || spec.type === 'stop_limit';
  const needsStop = spec.type === 'stop' || spec.type === 'stop_limit';
  const fields = [
    ['limitPrice', spec.limitPrice, needsLimit],
    ['stopPrice', spec.stopPrice, needsStop],
  ] as const;
  for (const [field, value, needed] of fields) {
    if (needed && value === undefined) throw refuse(`${spec.type} orders need ${field}.`);
    if (!needed && value !== undefined) throw refuse(`${spec.type} orders take no ${field}.`);
    if (value !== undefined && !value.gt(0)) throw refuse(`${field} must be greater than 0.`);
  }
  const trails = [spec.trailPrice, spec.trailPercent].filter((v) => v !== undefined);
  if (spec.type !== 'trailing_stop' && trails.length > 0) throw refuse(`${spec.type} orders take no trail.`);
  if (spec.type === 'trailing_stop' && trails.length !== 1)
    throw refuse('trailing_stop orders need exactly one of trailPrice and trailPercent.');
  if (trails.some((t) => !t.gt(0))) throw refuse('the trail must be greater than 0.');
}

function checkInstructions(spec: OrderSpec, refuse: Refuse, instructions: boolean): void {
  if (spec.postOnly === true) throw refuse('post-only is not supported.');
  if (instructions && spec.reduceOnly === true) throw refuse('reduce-only is not supported.');
  if (spec.displayQty !== undefined) throw refuse('display quantity (iceberg) is not supported.');
  if (spec.triggerPrice !== undefined) throw refuse('trigger prices are not supported.');
  if (spec.activationPrice !== undefined) throw refuse('trailing stop activation prices are not supported.');
  if (spec.expireAt !== undefined) throw refuse('an expiry time (gtd) is not supported.');
}

/** Refuses a client order id that Alpaca's revision suffix could confuse. */
export function checkClientOrderId(venue: string, clientOrderId: string): void {
  if (!isSendableClientOrderId(clientOrderId))
    throw invalidOrder(
      venue,
      `client order id "${clientOrderId}" is empty or contains "~", which is reserved.`,
    );
}

/** The price and amount fields of an order request, as Alpaca spells them. */
export function orderFields(spec: OrderSpec): trading.PostOrderRequest {
  const body: trading.PostOrderRequest = {
    symbol: alpacaSymbol(spec.symbol),
    qty: toWire(spec.quantity),
    side: spec.side,
    type: spec.type as trading.OrderType,
    timeInForce: spec.timeInForce as trading.TimeInForce,
  };
  if (spec.limitPrice !== undefined) body.limitPrice = toWire(spec.limitPrice);
  if (spec.stopPrice !== undefined) body.stopPrice = toWire(spec.stopPrice);
  if (spec.trailPrice !== undefined) body.trailPrice = toWire(spec.trailPrice);
  if (spec.trailPercent !== undefined) body.trailPercent = toWire(spec.trailPercent);
  if (spec.extendedHours === true) body.extendedHours = true;
  return body;
}

/** POST /v2/orders for one order, under our client order id. */
export function submitBody(request: SubmitRequest): trading.PostOrderRequest {
  return { ...orderFields(request), clientOrderId: request.clientOrderId };
}

/** The order being replaced, as far as a replace needs it. */
export interface ReplaceTarget {
  type: OrderType;
  trailKind?: 'price' | 'percent';
}

/**
 * PATCH /v2/orders/{id}: quantity, limit, stop, trail and TIF (Alpaca's replaceable fields, §5),
 * under the revision's client order id. A trail goes out as `trail` and must keep the order's kind
 * (price or percent). Anything else Alpaca cannot change is refused before the call.
 */
export function replaceBody(
  venue: string,
  caps: VenueCapabilities,
  changes: OrderChanges,
  target: ReplaceTarget,
  clientOrderId: string,
): trading.PatchOrderRequest {
  const refuse: Refuse = (message) => invalidOrder(venue, `${venue} cannot replace this order: ${message}`);
  const unsupported = (['triggerPrice', 'expireAt', 'displayQty', 'currentStop', 'held'] as const).filter(
    (field) => changes[field] !== undefined,
  );
  if (unsupported.length > 0) throw refuse(`${unsupported.join(', ')} cannot be changed.`);
  const body: trading.PatchOrderRequest = { clientOrderId };
  if (changes.quantity !== undefined) {
    if (!changes.quantity.gt(0)) throw refuse('quantity must be greater than 0.');
    body.qty = toWire(changes.quantity);
  }
  for (const [field, value] of [
    ['limitPrice', changes.limitPrice],
    ['stopPrice', changes.stopPrice],
  ] as const) {
    if (value !== undefined && !value.gt(0)) throw refuse(`${field} must be greater than 0.`);
  }
  if (changes.limitPrice !== undefined) body.limitPrice = toWire(changes.limitPrice);
  if (changes.stopPrice !== undefined) body.stopPrice = toWire(changes.stopPrice);
  const trail = trailOf(changes, target, refuse);
  if (trail !== undefined) body.trail = trail;
  if (changes.timeInForce !== undefined) {
    if (
      !caps.timeInForce.includes(changes.timeInForce) ||
      !ALLOWED_TIF[target.type].includes(changes.timeInForce)
    )
      throw refuse(`time in force ${changes.timeInForce} is not supported for ${target.type} orders.`);
    body.timeInForce = changes.timeInForce as trading.TimeInForce;
  }
  if (Object.keys(body).length === 1) throw refuse('nothing to change.');
  return body;
}

function trailOf(changes: OrderChanges, target: ReplaceTarget, refuse: Refuse): string | undefined {
  const { trailPrice, trailPercent } = changes;
  if (trailPrice === undefined && trailPercent === undefined) return undefined;
  if (target.type !== 'trailing_stop') throw refuse('only a trailing stop has a trail.');
  if (trailPrice !== undefined && trailPercent !== undefined)
    throw refuse('send one of trailPrice and trailPercent.');
  const kind = trailPrice === undefined ? 'percent' : 'price';
  if (target.trailKind !== undefined && target.trailKind !== kind)
    throw refuse(`the order trails by ${target.trailKind}; Alpaca cannot switch it to ${kind}.`);
  const value = trailPrice ?? trailPercent;
  if (value === undefined || !value.gt(0)) throw refuse('the trail must be greater than 0.');
  return toWire(value);
}
