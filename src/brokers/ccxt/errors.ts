/**
 * ccxt's error classes into the port's outcome and codes (ORDER-SEMANTICS.md §7.1, §8.1): a
 * structured refusal is definitive, a failure whose outcome is unknown (timeout, dropped
 * connection, 5xx, an unparseable answer) is ambiguous. Messages are scrubbed first: ccxt puts
 * the full request URL, query string and signature included, into some of them.
 */
import {
  AuthenticationError,
  BadRequest,
  BadSymbol,
  BaseError,
  DDoSProtection,
  DuplicateOrderId,
  ExchangeError,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  MarketClosed,
  NotSupported,
  OperationRejected,
  OrderImmediatelyFillable,
  OrderNotFillable,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  ArgumentsRequired,
} from 'ccxt';
import type { ErrorCode } from '../../domain/errors.js';
import { BrokerCallError, type CallOutcome } from '../broker.js';

/** What the failed call was: the same ccxt class means different things for a submit and a query. */
export type CallKind = 'submit' | 'cancel' | 'query';

export interface MappedError {
  readonly outcome: CallOutcome;
  readonly code: ErrorCode;
}

/**
 * Binance answers -2010 "Duplicate order sent." for a newClientOrderId already open (errors.md,
 * "Messages for -1010, -2010, -2011 and -2038"); ccxt raises it as a plain InvalidOrder.
 */
const DUPLICATE = /duplicate order|duplicate client|clientorderid.*(exist|duplicate)/i;
/** Binance -2010 "Stop price would trigger immediately." / "Order would trigger immediately.". */
const WOULD_TRIGGER = /would trigger immediately/i;

/** Order matters: subclasses before their parents (errorHierarchy.js). */
function classify(error: BaseError, kind: CallKind): MappedError {
  const definitive = (code: ErrorCode): MappedError => ({ outcome: 'definitive', code });
  if (error instanceof RateLimitExceeded || error instanceof DDoSProtection)
    return definitive('RATE_LIMITED');
  // A stale timestamp or nonce: the request was refused before it was read.
  if (error instanceof InvalidNonce) return definitive('BROKER_ERROR');
  if (!(error instanceof ExchangeError)) return { outcome: 'ambiguous', code: 'BROKER_UNAVAILABLE' };
  if (error instanceof PermissionDenied) return definitive('FORBIDDEN');
  if (error instanceof AuthenticationError) return definitive('UNAUTHORIZED');
  if (error instanceof BadSymbol) return definitive('INSTRUMENT_NOT_FOUND');
  if (error instanceof InsufficientFunds) return definitive('INSUFFICIENT_BUYING_POWER');
  if (error instanceof MarketClosed) return definitive('MARKET_CLOSED');
  if (error instanceof DuplicateOrderId || DUPLICATE.test(error.message))
    return definitive('DUPLICATE_CLIENT_ORDER_ID');
  if (error instanceof OrderImmediatelyFillable)
    return definitive(WOULD_TRIGGER.test(error.message) ? 'STOP_IN_MARKET' : 'POST_ONLY_WOULD_TAKE');
  if (error instanceof OrderNotFound) return definitive('NOT_FOUND_AT_VENUE');
  if (error instanceof OrderNotFillable) return definitive('VENUE_REJECTED');
  if (error instanceof InvalidOrder) return definitive('INVALID_ORDER');
  if (error instanceof BadRequest || error instanceof ArgumentsRequired || error instanceof NotSupported)
    return definitive(kind === 'submit' ? 'INVALID_ORDER' : 'BROKER_ERROR');
  if (error instanceof OperationRejected) return definitive('VENUE_REJECTED');
  return definitive(kind === 'submit' ? 'VENUE_REJECTED' : 'BROKER_ERROR');
}

/** The outcome and code of any failure of a ccxt call; errors that are not ccxt's are ambiguous. */
export function mapError(error: unknown, kind: CallKind): MappedError {
  if (error instanceof BrokerCallError) return { outcome: error.outcome, code: error.code };
  if (error instanceof BaseError) return classify(error, kind);
  // A TypeError in ccxt's parser and the like: the exchange answered something unreadable.
  return { outcome: 'ambiguous', code: 'BROKER_ERROR' };
}

/** Removes what must never be printed: query strings (signatures), and the credentials' values. */
export function scrub(message: string, secrets: readonly string[] = []): string {
  let out = message.replace(/(https?:\/\/[^\s?#"']+)[?#][^\s"']*/g, '$1');
  out = out.replace(/(signature|apiKey|api_key|secret|password|passphrase)=[^&\s"']+/gi, '$1=[redacted]');
  for (const value of secrets) if (value.length >= 4) out = out.split(value).join('[redacted]');
  return out;
}

/** A BrokerCallError for a failed ccxt call, with a scrubbed message and a scrubbed cause. */
export function toBrokerError(
  venue: string,
  error: unknown,
  kind: CallKind,
  what: string,
  secrets: readonly string[] = [],
): BrokerCallError {
  if (error instanceof BrokerCallError) return error;
  const mapped = mapError(error, kind);
  const text = scrub(error instanceof Error ? error.message : String(error), secrets);
  const cause = new Error(text);
  cause.name = error instanceof Error ? error.constructor.name : 'Error';
  return new BrokerCallError(venue, mapped.outcome, mapped.code, `${what} failed: ${text}`, cause);
}
