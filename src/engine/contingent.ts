/**
 * Contingent orders (ORDER-SEMANTICS.md §4), the pure half: the legs a bracket, OCO or OTO request
 * makes, and what the engine must do to a group it emulates after any member changed. The
 * manager (contingent-manager.ts) carries the actions out; a venue with native groups does the
 * same itself.
 */
import type { ContingentClass, LegRole } from '../brokers/broker.js';
import { type Decimal, ZERO } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import { type Instrument, floorLot } from '../domain/instrument.js';
import { type Order, type OrderSpec, isTerminal, leavesQty } from '../domain/order.js';

/** What a request adds to its order to make a group (CONTRACT.md OrderRequest). */
export interface ContingentRequest {
  readonly orderClass: ContingentClass;
  readonly takeProfit?: { readonly limitPrice: Decimal };
  readonly stopLoss?: { readonly stopPrice: Decimal; readonly limitPrice?: Decimal };
}

/** One leg to place: its parameters, its part, whether it waits for activation, its id suffix. */
export interface LegPlan {
  readonly spec: OrderSpec;
  readonly role: LegRole;
  readonly held: boolean;
  /** Appended to the group's client order id; empty for the first leg (the request's own id). */
  readonly suffix: string;
}

const opposite = (side: OrderSpec['side']): OrderSpec['side'] => (side === 'buy' ? 'sell' : 'buy');

/**
 * The legs of a group, first leg first (bracket: entry, take-profit, stop-loss; OTO: primary,
 * secondary; OCO: take-profit then stop-loss, both on the request's side). Refuses, changing
 * nothing, a group whose parts are missing or whose prices are out of order.
 */
export function planLegs(spec: OrderSpec, request: ContingentRequest): LegPlan[] {
  const { takeProfit, stopLoss } = request;
  if (request.orderClass === 'oco') {
    if (takeProfit === undefined || stopLoss === undefined)
      throw invalid('An OCO order needs takeProfit and stopLoss.', 'takeProfit');
    return [
      { spec: exitLimit(spec, spec.side, takeProfit.limitPrice), role: 'member', held: false, suffix: '' },
      { spec: exitStop(spec, spec.side, stopLoss), role: 'member', held: false, suffix: '-M2' },
    ];
  }
  if (request.orderClass === 'oto') {
    if ((takeProfit === undefined) === (stopLoss === undefined))
      throw invalid('An OTO order needs exactly one of takeProfit or stopLoss.', 'takeProfit');
    const exit =
      takeProfit === undefined
        ? exitStop(spec, opposite(spec.side), stopLoss as NonNullable<typeof stopLoss>)
        : exitLimit(spec, opposite(spec.side), takeProfit.limitPrice);
    return [
      { spec, role: 'primary', held: false, suffix: '' },
      { spec: exit, role: 'secondary', held: true, suffix: '-S1' },
    ];
  }
  if (takeProfit === undefined || stopLoss === undefined)
    throw invalid('A bracket order needs takeProfit and stopLoss.', 'takeProfit');
  if (!['market', 'limit', 'stop', 'stop_limit'].includes(spec.type))
    throw invalid(`A bracket entry is market, limit, stop or stop_limit, not ${spec.type}.`, 'type');
  checkBracketPrices(spec, takeProfit.limitPrice, stopLoss.stopPrice);
  return [
    { spec, role: 'entry', held: false, suffix: '' },
    {
      spec: exitLimit(spec, opposite(spec.side), takeProfit.limitPrice),
      role: 'take_profit',
      held: true,
      suffix: '-TP',
    },
    { spec: exitStop(spec, opposite(spec.side), stopLoss), role: 'stop_loss', held: true, suffix: '-SL' },
  ];
}

/** Buy: take-profit limit > entry price (if any) > stop-loss stop; sell mirrored (§4). */
function checkBracketPrices(spec: OrderSpec, takeProfit: Decimal, stop: Decimal): void {
  const entry = spec.limitPrice ?? spec.stopPrice;
  const buy = spec.side === 'buy';
  const above = (a: Decimal, b: Decimal): boolean => (buy ? a.greaterThan(b) : a.lessThan(b));
  const ordered =
    above(takeProfit, stop) && (entry === undefined || (above(takeProfit, entry) && above(entry, stop)));
  if (ordered) return;
  const order = buy
    ? 'takeProfit.limitPrice > entry price > stopLoss.stopPrice'
    : 'takeProfit.limitPrice < entry price < stopLoss.stopPrice';
  throw new TradingError(
    'INVALID_ORDER',
    `Bracket prices out of order for a ${spec.side}: take-profit ${takeProfit.toFixed()}, entry ${entry?.toFixed() ?? 'market'}, stop-loss ${stop.toFixed()}.`,
    { hint: `A ${spec.side} bracket needs ${order}.`, details: { field: 'takeProfit' } },
  );
}

function exitLimit(spec: OrderSpec, side: OrderSpec['side'], limitPrice: Decimal): OrderSpec {
  return {
    symbol: spec.symbol,
    side,
    type: 'limit',
    quantity: spec.quantity,
    timeInForce: exitTif(spec),
    limitPrice,
    ...(side === spec.side ? {} : { reduceOnly: true }),
  };
}

function exitStop(
  spec: OrderSpec,
  side: OrderSpec['side'],
  stopLoss: { readonly stopPrice: Decimal; readonly limitPrice?: Decimal },
): OrderSpec {
  return {
    symbol: spec.symbol,
    side,
    type: stopLoss.limitPrice === undefined ? 'stop' : 'stop_limit',
    quantity: spec.quantity,
    timeInForce: exitTif(spec),
    stopPrice: stopLoss.stopPrice,
    ...(stopLoss.limitPrice === undefined ? {} : { limitPrice: stopLoss.limitPrice }),
    ...(side === spec.side ? {} : { reduceOnly: true }),
  };
}

/** Exits keep working after the session of an immediate entry: day stays day, ioc/fok become gtc. */
function exitTif(spec: OrderSpec): OrderSpec['timeInForce'] {
  return spec.timeInForce === 'day' || spec.timeInForce === 'gtc' || spec.timeInForce === 'gtd'
    ? spec.timeInForce === 'gtd'
      ? 'gtc'
      : spec.timeInForce
    : 'gtc';
}

function invalid(message: string, field: string): TradingError {
  return new TradingError('INVALID_ORDER', message, {
    hint: 'bracket: takeProfit.limitPrice and stopLoss.stopPrice; oco: both; oto: one of them.',
    details: { field },
  });
}

// ------------------------------------------------------------------ emulation

/** One member of a group as the engine holds it. */
export interface GroupMember {
  readonly order: Order;
  readonly role: LegRole;
}

/** What the engine does to one member of a group it emulates. */
export type GroupAction =
  /** A held leg starts working at this quantity (an `upd`, then it is sent). */
  | { readonly kind: 'activate'; readonly order: Order; readonly quantity: Decimal }
  /** A working leg's quantity becomes this (a replace at the venue). */
  | { readonly kind: 'resize'; readonly order: Order; readonly quantity: Decimal }
  /** A working leg is canceled at the venue. */
  | { readonly kind: 'cancel'; readonly order: Order; readonly reason: string }
  /** A held leg ends without ever being sent: canceled, or rejected with its primary. */
  | { readonly kind: 'drop'; readonly order: Order; readonly reason: string; readonly rejected: boolean };

/**
 * Everything a group's current state calls for (§4), from scratch: the same state gives the same
 * actions, so the manager can run it after every event, and again after a restart.
 */
export function groupActions(
  orderClass: ContingentClass,
  members: readonly GroupMember[],
  instrument: Instrument,
  otoTrigger: 'partial' | 'full' = 'partial',
): GroupAction[] {
  if (orderClass === 'oco') return ocoActions(members);
  const first = members[0];
  if (first === undefined) return [];
  const exits = members.slice(1);
  const primary = first.order;
  if (isTerminal(primary.status) && primary.filledQty.isZero()) {
    const rejected = primary.status === 'rejected' || primary.status === 'denied';
    return exits.flatMap(({ order }) =>
      end(order, `its ${first.role} ended unfilled (${primary.status})`, rejected),
    );
  }
  // Activation: on the first fill (partial), or once the primary is done filling (full).
  const ready =
    otoTrigger === 'partial' || primary.status === 'filled' || isTerminal(primary.status)
      ? primary.filledQty.gt(0)
      : false;
  if (orderClass === 'oto') {
    // Secondaries are for the primary's quantity: each works floor_lot(primary filled).
    const quantity = floorLot(instrument, primary.filledQty);
    return exits.flatMap(({ order }) => sizeTo(order, quantity, ready));
  }
  // Bracket: open quantity B = entry filled − exits filled; each open exit's leaves follow B.
  const exited = exits.reduce((sum, m) => sum.plus(m.order.filledQty), ZERO);
  const open = primary.filledQty.minus(exited);
  const actions = exits.flatMap(({ order }) =>
    open.gt(0) || !exited.gt(0)
      ? sizeTo(order, order.filledQty.plus(open.gt(0) ? open : ZERO), ready)
      : end(order, 'the position the bracket protected is closed', false),
  );
  if (exited.gt(0) && !open.gt(0) && !isTerminal(primary.status) && leavesQty(primary).gt(0))
    actions.push({ kind: 'cancel', order: primary, reason: 'the bracket is closed' });
  return actions;
}

/** OCO: group open quantity G = quantity − Σ filled; every other open member's leaves become G. */
function ocoActions(members: readonly GroupMember[]): GroupAction[] {
  const quantity = members[0]?.order.quantity ?? ZERO;
  const filled = members.reduce((sum, m) => sum.plus(m.order.filledQty), ZERO);
  if (filled.isZero()) return [];
  const open = quantity.minus(filled);
  return members.flatMap(({ order }) =>
    open.gt(0)
      ? sizeTo(order, order.filledQty.plus(open), true)
      : end(order, 'another member of its OCO group filled', false),
  );
}

/** A leg brought to a quantity: activated when held and ready, resized when working. */
function sizeTo(order: Order, quantity: Decimal, ready: boolean): GroupAction[] {
  if (isTerminal(order.status)) return [];
  if (order.held) return ready && quantity.gt(0) ? [{ kind: 'activate', order, quantity }] : [];
  if (quantity.lessThanOrEqualTo(order.filledQty))
    return end(order, 'its group has nothing left open', false);
  return quantity.equals(order.quantity) ? [] : [{ kind: 'resize', order, quantity }];
}

function end(order: Order, reason: string, rejected: boolean): GroupAction[] {
  if (isTerminal(order.status)) return [];
  return order.held ? [{ kind: 'drop', order, reason, rejected }] : [{ kind: 'cancel', order, reason }];
}
