/**
 * Contingent groups (ORDER-SEMANTICS.md §4) as Alpaca's native order classes. Alpaca takes one
 * request per group: the parent order with `take_profit` and/or `stop_loss` parameters, and answers
 * with the parent and its exits in `legs`, which it names itself (no client ids for legs). Which of
 * our legs is which Alpaca order is therefore remembered by role (take_profit: the limit exit,
 * stop_loss: the stop exit), see order-ids.ts.
 *
 * - bracket: entry + take-profit limit + stop-loss stop or stop-limit, one quantity, exits opposite.
 * - oco: two members of one side and quantity, a limit and a stop; Alpaca's parent is the limit.
 * - oto: a primary and one secondary exit (Alpaca allows exactly one).
 */
import type { trading } from '@alpacahq/alpaca-trade-api';
import { toWire } from '../../domain/decimal.js';
import type { BrokerCallError, GroupLeg, GroupSubmitRequest, VenueCapabilities } from '../broker.js';
import { invalidOrder } from './errors.js';
import type { ExitRole } from './order-ids.js';
import { checkClientOrderId, checkSpec, orderFields } from './requests.js';

/** The request to send and what each of our legs is in it, in the request's leg order. */
export interface GroupPlan {
  readonly body: trading.PostOrderRequest;
  /** Our client order id of Alpaca's parent order (the one sent as `client_order_id`). */
  readonly parentClientOrderId: string;
  readonly legs: readonly { readonly clientOrderId: string; readonly role: 'parent' | ExitRole }[];
}

type Refuse = (message: string) => BrokerCallError;

/** Alpaca's exits work for the parent's time in force; brackets take day or gtc only. */
const GROUP_TIF = ['day', 'gtc'] as const;

export function planGroup(venue: string, caps: VenueCapabilities, request: GroupSubmitRequest): GroupPlan {
  const refuse: Refuse = (message) =>
    invalidOrder(venue, `${venue} cannot take this ${request.orderClass} group: ${message}`);
  if (!caps.nativeContingent.includes(request.orderClass))
    throw refuse(`${request.orderClass} groups are not supported.`);
  checkShared(request, refuse);
  for (const leg of request.legs) {
    checkClientOrderId(venue, leg.clientOrderId);
    // Exits of a group are reduce-only by construction (§4), which Alpaca's classes already are.
    checkSpec(venue, caps, leg, { instructions: leg.role === 'entry' || leg.role === 'primary' });
  }
  if (request.orderClass === 'bracket') return planBracket(request.legs, refuse);
  if (request.orderClass === 'oco') return planOco(request.legs, refuse);
  return planOto(request.legs, refuse);
}

/** One account, one symbol, one quantity and one time in force across the group. */
function checkShared(request: GroupSubmitRequest, refuse: Refuse): void {
  const [first] = request.legs;
  if (first === undefined) throw refuse('it has no legs.');
  for (const leg of request.legs) {
    if (leg.accountId !== request.accountId) throw refuse('its legs belong to different accounts.');
    if (leg.symbol !== first.symbol) throw refuse('its legs trade different symbols.');
    if (!leg.quantity.eq(first.quantity)) throw refuse('Alpaca needs one quantity for all legs.');
    if (leg.timeInForce !== first.timeInForce) throw refuse('Alpaca needs one time in force for all legs.');
  }
  if (!(GROUP_TIF as readonly string[]).includes(first.timeInForce))
    throw refuse(`groups take time in force ${GROUP_TIF.join(' or ')} only.`);
}

function exitRoleOf(leg: GroupLeg, refuse: Refuse): ExitRole {
  if (leg.type === 'limit') return 'take_profit';
  if (leg.type === 'stop' || leg.type === 'stop_limit') return 'stop_loss';
  throw refuse(`an exit must be a limit, stop or stop_limit order, not ${leg.type}.`);
}

function exitParameters(leg: GroupLeg, role: ExitRole): Partial<trading.PostOrderRequest> {
  // checkSpec has made sure a limit has its limitPrice and a stop its stopPrice.
  const wire = (value: GroupLeg['limitPrice']): string => (value === undefined ? '' : toWire(value));
  if (role === 'take_profit') return { takeProfit: { limitPrice: wire(leg.limitPrice) } };
  const stopLoss: trading.PostOrderRequestStopLoss = { stopPrice: wire(leg.stopPrice) };
  if (leg.limitPrice !== undefined) stopLoss.limitPrice = toWire(leg.limitPrice);
  return { stopLoss };
}

function withRole(legs: readonly GroupLeg[], role: GroupLeg['role'], refuse: Refuse): GroupLeg[] {
  const found = legs.filter((l) => l.role === role);
  if (found.length === 0) throw refuse(`it has no ${role} leg.`);
  return found;
}

function planBracket(legs: readonly GroupLeg[], refuse: Refuse): GroupPlan {
  if (legs.length !== 3) throw refuse('a bracket has an entry, a take_profit and a stop_loss.');
  const [entry] = withRole(legs, 'entry', refuse);
  const [takeProfit] = withRole(legs, 'take_profit', refuse);
  const [stopLoss] = withRole(legs, 'stop_loss', refuse);
  if (entry === undefined || takeProfit === undefined || stopLoss === undefined)
    throw refuse('legs are missing.');
  if (exitRoleOf(takeProfit, refuse) !== 'take_profit')
    throw refuse('the take_profit must be a limit order.');
  if (exitRoleOf(stopLoss, refuse) !== 'stop_loss') throw refuse('the stop_loss must be a stop order.');
  if (takeProfit.side === entry.side || stopLoss.side === entry.side)
    throw refuse('exits must be opposite the entry.');
  return {
    body: {
      ...orderFields(entry),
      clientOrderId: entry.clientOrderId,
      orderClass: 'bracket',
      ...exitParameters(takeProfit, 'take_profit'),
      ...exitParameters(stopLoss, 'stop_loss'),
    },
    parentClientOrderId: entry.clientOrderId,
    legs: legs.map((leg) => ({
      clientOrderId: leg.clientOrderId,
      role: leg.role === 'entry' ? 'parent' : exitRoleOf(leg, refuse),
    })),
  };
}

function planOco(legs: readonly GroupLeg[], refuse: Refuse): GroupPlan {
  const members = withRole(legs, 'member', refuse);
  if (members.length !== 2 || legs.length !== 2) throw refuse('Alpaca takes exactly two OCO members.');
  const limit = members.find((m) => exitRoleOf(m, refuse) === 'take_profit');
  const stop = members.find((m) => exitRoleOf(m, refuse) === 'stop_loss');
  if (limit === undefined || stop === undefined) throw refuse('it needs one limit and one stop member.');
  if (limit.side !== stop.side) throw refuse('both members must be on one side.');
  const { limitPrice: _limit, ...parent } = orderFields(limit);
  return {
    body: {
      ...parent,
      clientOrderId: limit.clientOrderId,
      orderClass: 'oco',
      ...exitParameters(limit, 'take_profit'),
      ...exitParameters(stop, 'stop_loss'),
    },
    parentClientOrderId: limit.clientOrderId,
    legs: legs.map((leg) => ({
      clientOrderId: leg.clientOrderId,
      role: leg === limit ? 'parent' : 'stop_loss',
    })),
  };
}

function planOto(legs: readonly GroupLeg[], refuse: Refuse): GroupPlan {
  const [primary, ...more] = withRole(legs, 'primary', refuse);
  const secondaries = withRole(legs, 'secondary', refuse);
  const [secondary] = secondaries;
  if (primary === undefined || secondary === undefined || more.length > 0 || secondaries.length > 1)
    throw refuse('Alpaca takes one primary and one secondary.');
  if (secondary.side === primary.side) throw refuse('the secondary must be opposite the primary.');
  const role = exitRoleOf(secondary, refuse);
  return {
    body: {
      ...orderFields(primary),
      clientOrderId: primary.clientOrderId,
      orderClass: 'oto',
      ...exitParameters(secondary, role),
    },
    parentClientOrderId: primary.clientOrderId,
    legs: legs.map((leg) => ({ clientOrderId: leg.clientOrderId, role: leg === primary ? 'parent' : role })),
  };
}
