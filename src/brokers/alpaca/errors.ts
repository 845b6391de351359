/**
 * Alpaca's refusals and failures as BrokerCallErrors (ORDER-SEMANTICS.md §7.1, §8.1). A structured
 * answer (HTTP 4xx with `{code, message}`) is definitive: nothing was done, or the request was
 * refused; a timeout, a dropped connection, a 5xx or an unreadable answer leaves the outcome
 * unknown (ambiguous). The venue's own text is kept in the message; credentials never are.
 */
import { ApiError, FetchError } from '@alpacahq/alpaca-trade-api';
import type { ErrorCode } from '../../domain/errors.js';
import { BrokerCallError, type CallOutcome } from '../broker.js';
import type { CancelAllItem } from './wire.js';

/** What the failed call was: the same HTTP answer means different things for each. */
export type AlpacaOperation = 'submit' | 'cancel' | 'replace' | 'read';

/** An HTTP answer reduced to what the mapping needs; `status` undefined when there was none. */
export interface AlpacaFailure {
  readonly status?: number;
  readonly code?: number | string;
  readonly message: string;
}

export interface ErrorMapping {
  readonly outcome: CallOutcome;
  readonly code: ErrorCode;
}

type Rule = readonly [RegExp, ErrorCode];

const CLOSED = /market (is )?closed|is closed|open session|market hours|accepted (from|until)/i;

/** Message patterns of Alpaca's 403s (its code 40310000 covers all of them). */
const FORBIDDEN_RULES: readonly Rule[] = [
  [
    /insufficient (buying power|qty|quantity|day ?trading buying power)|not allowed to short/i,
    'INSUFFICIENT_BUYING_POWER',
  ],
  [/cannot be sold short|not shortable|short.*not (allowed|available)/i, 'INSUFFICIENT_BUYING_POWER'],
  [/pattern day trad/i, 'PATTERN_DAY_TRADER'],
  [/not tradable|not active|does not trade/i, 'SYMBOL_NOT_TRADABLE'],
  [CLOSED, 'MARKET_CLOSED'],
];

/**
 * Message patterns of Alpaca's 400/422s (codes 40010001, 42210000). Alpaca's texts where they are
 * published ("client_order_id must be unique", "asset ... not found", "sub-penny increment ..."),
 * and the wording of the domain's own checks, which a fake broker may pass through.
 */
const INVALID_RULES: readonly Rule[] = [
  [/client_order_id must be unique|duplicate client.?order.?id|already used/i, 'DUPLICATE_CLIENT_ORDER_ID'],
  [
    /asset .*not found|could not find asset|unknown (symbol|asset)|invalid symbol|symbol .*not found/i,
    'INSTRUMENT_NOT_FOUND',
  ],
  [/not tradable|not active|does not trade/i, 'SYMBOL_NOT_TRADABLE'],
  [/insufficient (buying power|qty|quantity)|not allowed to short/i, 'INSUFFICIENT_BUYING_POWER'],
  [/post-?only/i, 'POST_ONLY_WOULD_TAKE'],
  [/reduce-?only/i, 'REDUCE_ONLY'],
  [
    /trigger already holds|stop price .*(above|below|greater|less) than .*(current|market)/i,
    'STOP_IN_MARKET',
  ],
  [CLOSED, 'MARKET_CLOSED'],
  [/sub-?penny|minimum pricing criteria|not a multiple of .*tick/i, 'PRICE_PRECISION'],
  [
    /lot step|whole number|not fractionable|(below|above) .*(minimum|maximum)|qty .*(integer|increment)/i,
    'QUANTITY_PRECISION',
  ],
  [/notional/i, 'MIN_NOTIONAL'],
];

/** Replace refusals (a 422 on PATCH) by what the order is. */
const REPLACE_RULES: readonly Rule[] = [
  [
    /qty must be (>|greater).*filled|(less|lower|smaller) than .*filled|below .*filled/i,
    'QUANTITY_BELOW_FILLED',
  ],
  [/pending|accepted/i, 'ORDER_PENDING'],
  [
    /cannot replace|not (replaceable|open)|already (in|filled|canceled|cancelled)|is (filled|canceled|expired)/i,
    'ORDER_NOT_OPEN',
  ],
];

function firstMatch(rules: readonly Rule[], message: string): ErrorCode | undefined {
  return rules.find(([pattern]) => pattern.test(message))?.[1];
}

function invalid(op: AlpacaOperation, message: string): ErrorCode {
  const matched = firstMatch(INVALID_RULES, message);
  if (op === 'cancel') return matched === 'DUPLICATE_CLIENT_ORDER_ID' ? 'INVALID_ORDER' : 'ORDER_NOT_OPEN';
  if (op === 'replace') return firstMatch(REPLACE_RULES, message) ?? matched ?? 'INVALID_ORDER';
  if (op === 'read') return 'BROKER_ERROR';
  return matched ?? 'INVALID_ORDER';
}

/**
 * The code and outcome of a failed call. 429 is definitive (nothing was accepted) and retryable;
 * 404 on a submit can only be the asset; 422 on a cancel means the order is no longer open.
 */
export function classifyFailure(op: AlpacaOperation, failure: AlpacaFailure): ErrorMapping {
  const { status, message } = failure;
  const definitive = (code: ErrorCode): ErrorMapping => ({ outcome: 'definitive', code });
  if (status === undefined || status >= 500) return { outcome: 'ambiguous', code: 'BROKER_UNAVAILABLE' };
  if (status === 429) return definitive('RATE_LIMITED');
  if (status === 401) return definitive('UNAUTHORIZED');
  if (status === 403) return definitive(firstMatch(FORBIDDEN_RULES, message) ?? 'FORBIDDEN');
  if (status === 404 || failure.code === 40410000)
    return definitive(op === 'submit' ? 'INSTRUMENT_NOT_FOUND' : 'NOT_FOUND_AT_VENUE');
  if (status === 400 || status === 422) return definitive(invalid(op, message));
  return definitive(op === 'submit' ? 'VENUE_REJECTED' : 'BROKER_ERROR');
}

/** A 429: refused before anything happened, so the same request may be sent again after a pause. */
export class RateLimitedError extends BrokerCallError {
  override readonly retryable = true;
  override readonly hint = 'Alpaca is rate limiting this key; wait a moment and send the request again.';
}

/** Reads what an SDK failure says: an HTTP answer (ApiError), or none at all (FetchError, other). */
export function failureOf(error: unknown): AlpacaFailure {
  if (error instanceof ApiError) {
    const failure = { status: error.status, message: error.message || `HTTP ${error.status}` };
    return error.code === undefined ? failure : { ...failure, code: error.code };
  }
  if (error instanceof FetchError) {
    const timeout = error.cause.name === 'TimeoutError' || error.cause.name === 'AbortError';
    return { message: timeout ? 'the request timed out' : 'the connection failed' };
  }
  if (error instanceof SyntaxError) return { message: 'the answer was not valid JSON' };
  return { message: 'the answer could not be read' };
}

/** Replaces every occurrence of the credentials in a text (defence in depth: none is expected). */
export type Scrub = (text: string) => string;

export function scrubberOf(secrets: readonly string[]): Scrub {
  const values = secrets.filter((s) => s.length >= 4);
  return (text) => values.reduce((out, value) => out.split(value).join('[redacted]'), text);
}

/**
 * The BrokerCallError for a failed call. The SDK error is not attached as `cause`: it holds the
 * Response, and nothing of the request (headers carry the key) should travel further than here.
 */
export function brokerCallError(
  venue: string,
  op: AlpacaOperation,
  what: string,
  error: unknown,
  scrub: Scrub,
): BrokerCallError {
  if (error instanceof BrokerCallError) return error;
  const failure = failureOf(error);
  const { outcome, code } = classifyFailure(op, failure);
  const answer =
    failure.status === undefined
      ? 'no answer'
      : `HTTP ${failure.status}${failure.code === undefined ? '' : `, code ${String(failure.code)}`}`;
  const verb = outcome === 'ambiguous' ? 'failed' : 'was refused';
  const message = scrub(`Alpaca ${what} ${verb} (${answer}): ${failure.message}`);
  return code === 'RATE_LIMITED'
    ? new RateLimitedError(venue, outcome, code, message)
    : new BrokerCallError(venue, outcome, code, message);
}

/** A request refused before any call: outside the venue's capabilities or malformed. */
export function invalidOrder(venue: string, message: string): BrokerCallError {
  return new BrokerCallError(venue, 'definitive', 'INVALID_ORDER', message);
}

/** One order of a cancel-all: canceled, or refused with the code its status and body map to. */
export interface CancelAllResult {
  readonly venueOrderId: string;
  readonly ok: boolean;
  readonly code?: ErrorCode;
  readonly message?: string;
}

/**
 * DELETE /v2/orders answers 207 with one `{id, status, body?}` per open order; a failed item's body
 * is Alpaca's error envelope (recorded in delete_v2_orders.207.json).
 */
export function cancelAllResultsOf(items: readonly CancelAllItem[]): CancelAllResult[] {
  return items.map((item) => {
    if (item.status >= 200 && item.status < 300) return { venueOrderId: item.id, ok: true };
    const message = item.body?.message ?? `HTTP ${item.status}`;
    const failure = {
      status: item.status,
      message,
      ...(item.body?.code == null ? {} : { code: item.body.code }),
    };
    return { venueOrderId: item.id, ok: false, code: classifyFailure('cancel', failure).code, message };
  });
}
