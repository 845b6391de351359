import type { AccountMode } from '../domain/account.js';
import type { Decimal } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { BrokerKind } from './broker.js';

/** The venues that need credentials: every one but the built-in paper exchange. */
export type ConnectionKind = Exclude<BrokerKind, 'paper'>;

/** A broker connection without its credentials. */
export interface ConnectionInfo {
  /** e.g. `alpaca-paper`, `ccxt-binance-live`. */
  readonly id: string;
  readonly kind: ConnectionKind;
  /** The ccxt exchange id (`binance`, `kraken`); undefined for Alpaca. */
  readonly exchangeId: string | undefined;
  /** `paper`: the venue's paper account or sandbox; `live`: real money. */
  readonly mode: AccountMode;
}

/** The ceilings a live connection trades under, in its account currency. */
export interface LiveCaps {
  /** The largest notional of one order. */
  readonly maxOrderNotional: Decimal;
  /** The largest notional sent in one trading day, when set. */
  readonly maxDailyNotional?: Decimal;
}

/** An explicit live opt-in: the connections named, and the caps they trade under. */
export interface LiveOptIn {
  readonly connectionIds: readonly string[];
  readonly caps: LiveCaps | undefined;
}

export type LiveDecision =
  | { readonly allowed: true; readonly live: false }
  | { readonly allowed: true; readonly live: true; readonly caps: LiveCaps }
  | { readonly allowed: false; readonly reason: string };

/**
 * The live-trading rule. A paper connection (paper account, sandbox) always trades. A live one
 * (real money) trades only when both hold:
 * 1. its id is named in the opt-in, exactly: no wildcard, no default, a renamed connection is out;
 * 2. the opt-in carries caps: a positive maximum order notional and, when set, a positive maximum
 *    daily notional no smaller than it.
 * Otherwise it is refused, with the reason written for the operator.
 */
export function liveTradingAllowed(
  connection: Pick<ConnectionInfo, 'id' | 'mode'>,
  optIn: LiveOptIn,
): LiveDecision {
  if (connection.mode === 'paper') return { allowed: true, live: false };
  const named = `Broker connection "${connection.id}" trades real money (mode live)`;
  if (!optIn.connectionIds.includes(connection.id))
    return { allowed: false, reason: `${named} and is not opted in to live trading.` };
  if (optIn.caps === undefined)
    return {
      allowed: false,
      reason: `${named} and is opted in without caps: a maximum order notional is required.`,
    };
  const problem = capsProblem(optIn.caps);
  if (problem !== undefined)
    return { allowed: false, reason: `${named} and its caps are unusable: ${problem}.` };
  return { allowed: true, live: true, caps: optIn.caps };
}

/** Why caps are unusable, or undefined. */
export function capsProblem(caps: LiveCaps): string | undefined {
  if (!caps.maxOrderNotional.isFinite() || caps.maxOrderNotional.lte(0))
    return 'the maximum order notional must be above 0';
  const daily = caps.maxDailyNotional;
  if (daily === undefined) return undefined;
  if (!daily.isFinite() || daily.lte(0)) return 'the maximum daily notional must be above 0';
  if (daily.lt(caps.maxOrderNotional))
    return 'the maximum daily notional is below the maximum order notional';
  return undefined;
}

/** The caps a connection may trade under; throws CONFIG_INVALID with the reason and `hint` when refused. */
export function requireLiveAllowed(
  connection: Pick<ConnectionInfo, 'id' | 'mode'>,
  optIn: LiveOptIn,
  hint: string,
): LiveCaps | undefined {
  const decision = liveTradingAllowed(connection, optIn);
  if (!decision.allowed)
    throw new TradingError('CONFIG_INVALID', decision.reason, {
      hint,
      details: { connectionId: connection.id },
    });
  return decision.live ? decision.caps : undefined;
}
