import type { Decimal } from '../../domain/decimal.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { OrderSpec, Side } from '../../domain/order.js';
import type { ContingentClass, GroupLeg, GroupSubmitRequest, LegRole } from '../broker.js';

/** Why the venue refuses a request: a code and a reason written for the agent that sent it. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

const invalid = (message: string): Refusal => ({ code: 'INVALID_ORDER', message });

/** Legs a group holds until it activates them: bracket children and OTO secondaries (§4). */
export function isHeldRole(role: LegRole): boolean {
  return role === 'take_profit' || role === 'stop_loss' || role === 'secondary';
}

const ROLES: Readonly<Record<ContingentClass, string>> = {
  bracket: 'entry, take_profit, stop_loss',
  oto: 'primary, then one or more secondary',
  oco: 'two or more member',
};

/**
 * The checks a group fails as a whole, before any leg is looked at alone (ORDER-SEMANTICS.md §4):
 * the venue takes the class natively, the roles come in the class's order, every leg shares the
 * account and instrument, and the class's own rules hold (bracket types, sides, quantities and
 * price order; equal OCO quantities).
 */
export function groupShapeRefusal(
  request: GroupSubmitRequest,
  supported: readonly ContingentClass[],
  venue: string,
): Refusal | undefined {
  if (!supported.includes(request.orderClass))
    return invalid(`${venue} does not take native ${request.orderClass} orders.`);
  return rolesRefusal(request) ?? sharedRefusal(request) ?? classRefusal(request);
}

function rolesRefusal(request: GroupSubmitRequest): Refusal | undefined {
  const roles = request.legs.map((leg) => leg.role);
  const ok =
    request.orderClass === 'bracket'
      ? roles.join() === 'entry,take_profit,stop_loss'
      : request.orderClass === 'oto'
        ? roles.length >= 2 && roles[0] === 'primary' && roles.slice(1).every((r) => r === 'secondary')
        : roles.length >= 2 && roles.every((r) => r === 'member');
  if (ok) return undefined;
  const got = roles.length === 0 ? 'none' : roles.join(', ');
  return invalid(`a ${request.orderClass} group needs legs ${ROLES[request.orderClass]}; got ${got}.`);
}

function sharedRefusal(request: GroupSubmitRequest): Refusal | undefined {
  const symbol = request.legs[0]?.symbol;
  for (const leg of request.legs) {
    if (leg.accountId !== request.accountId) {
      return invalid(
        `every leg of a contingent group uses account ${request.accountId}; ${leg.clientOrderId} uses ${leg.accountId}.`,
      );
    }
    if (leg.symbol !== symbol) {
      return invalid(
        `every leg of a contingent group trades one instrument; ${leg.clientOrderId} trades ${leg.symbol}, not ${String(symbol)}.`,
      );
    }
  }
  return undefined;
}

function classRefusal(request: GroupSubmitRequest): Refusal | undefined {
  const [first, second, third] = request.legs;
  if (request.orderClass === 'bracket' && first && second && third)
    return bracketRefusal(first, second, third);
  if (request.orderClass === 'oco' && first !== undefined) {
    const unequal = request.legs.find((leg) => !leg.quantity.equals(first.quantity));
    if (unequal !== undefined) {
      return invalid(
        `OCO members have equal quantities; ${unequal.clientOrderId} asks ${unequal.quantity.toFixed()}, not ${first.quantity.toFixed()}.`,
      );
    }
  }
  return undefined;
}

const ENTRY_TYPES: ReadonlySet<string> = new Set(['market', 'limit', 'stop', 'stop_limit']);

function bracketRefusal(entry: GroupLeg, tp: GroupLeg, sl: GroupLeg): Refusal | undefined {
  if (!ENTRY_TYPES.has(entry.type))
    return invalid(`a bracket entry is a market, limit, stop or stop_limit order, not ${entry.type}.`);
  if (tp.type !== 'limit') return invalid(`a bracket take-profit is a limit order, not ${tp.type}.`);
  if (sl.type !== 'stop' && sl.type !== 'stop_limit')
    return invalid(`a bracket stop-loss is a stop or stop_limit order, not ${sl.type}.`);
  const exit: Side = entry.side === 'buy' ? 'sell' : 'buy';
  if (tp.side !== exit || sl.side !== exit)
    return invalid(`a ${entry.side} bracket's take-profit and stop-loss are ${exit} orders.`);
  if (tp.reduceOnly !== true || sl.reduceOnly !== true)
    return invalid('a bracket take-profit and stop-loss are reduce-only.');
  if (!tp.quantity.equals(entry.quantity) || !sl.quantity.equals(entry.quantity)) {
    return invalid(
      `a bracket take-profit and stop-loss are for the entry's quantity, ${entry.quantity.toFixed()}.`,
    );
  }
  return bracketPriceRefusal(entry.side, entry, tp, sl);
}

/**
 * Buy: take-profit limit > entry price (if any) > stop-loss stop; sell: mirrored (§4). The entry's
 * price is its limit, else its stop (as the engine checks it). A leg that no longer works is passed
 * as undefined and drops out of the chain (a replace checks the live legs).
 */
export function bracketPriceRefusal(
  side: Side,
  entry: OrderSpec | undefined,
  tp: OrderSpec | undefined,
  sl: OrderSpec | undefined,
): Refusal | undefined {
  const chain = [tp?.limitPrice, entry?.limitPrice ?? entry?.stopPrice, sl?.stopPrice].filter(
    (p) => p !== undefined,
  );
  const above = (a: Decimal, b: Decimal): boolean => (side === 'buy' ? a.greaterThan(b) : a.lessThan(b));
  if (chain.every((p, i) => i === 0 || above(chain[i - 1] ?? p, p))) return undefined;
  const relation = side === 'buy' ? '>' : '<';
  const shown = [tp?.limitPrice, entry?.limitPrice ?? entry?.stopPrice, sl?.stopPrice]
    .map((p) => p?.toFixed() ?? '-')
    .join(` ${relation} `);
  return invalid(
    `bracket prices out of order: a ${side} bracket needs take-profit limit ${relation} entry price ${relation} stop-loss stop; got ${shown}.`,
  );
}
