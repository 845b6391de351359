/**
 * Binance's error answers, `{ code, msg }` (errors.json) with their HTTP statuses (rest-api.md
 * "HTTP Return Codes": 4XX for a refused request, 401 for a bad key). The -2010 messages that
 * errors.json does not carry are the ones Binance's errors.md lists under "Messages for -1010,
 * -2010, -2011 and -2038" (and ccxt's binance.js quotes them with their codes).
 */
import { HttpResponse } from 'msw';
import { templates } from './fixtures.js';

export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
  ) {
    super(msg);
  }

  response(): Response {
    return HttpResponse.json({ code: this.code, msg: this.msg }, { status: this.status });
  }
}

function fromFixture(key: string, status = 400): BinanceError {
  const body = templates().errors[key];
  if (body === undefined) throw new Error(`errors.json has no ${key}`);
  return new BinanceError(status, body.code, body.msg);
}

export const invalidSymbol = (): BinanceError => fromFixture('invalid_symbol_-1121');
export const invalidSignature = (): BinanceError => fromFixture('invalid_signature_-1022');
export const invalidApiKey = (): BinanceError => fromFixture('invalid_api_key_-2015', 401);
export const orderDoesNotExist = (): BinanceError => fromFixture('order_does_not_exist_-2013');
export const unknownOrderSent = (): BinanceError => fromFixture('cancel_unknown_order_-2011');
export const insufficientBalance = (): BinanceError => fromFixture('insufficient_balance_-2010');

const newOrderRejected = (msg: string): BinanceError => new BinanceError(400, -2010, msg);
export const duplicateOrder = (): BinanceError => newOrderRejected('Duplicate order sent.');
export const wouldTake = (): BinanceError => newOrderRejected('Order would immediately match and take.');
export const wouldTrigger = (): BinanceError => newOrderRejected('Stop price would trigger immediately.');
export const typeNotSupported = (kind: string): BinanceError =>
  newOrderRejected(`${kind} orders are not supported for this symbol.`);

/** -1013 INVALID_MESSAGE with a filter's name (filters.md: "Filter failure: LOT_SIZE"). */
export const filterFailure = (filter: string): BinanceError =>
  new BinanceError(400, -1013, `Filter failure: ${filter}`);

/** -1014 UNKNOWN_ORDER_COMPOSITION. */
export const unsupportedCombination = (): BinanceError =>
  new BinanceError(400, -1014, 'Unsupported order combination.');

/** -1102 MANDATORY_PARAM_EMPTY_OR_MALFORMED. */
export const missingParam = (name: string): BinanceError =>
  new BinanceError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);

/** -1104 NOT_ALL_PARAMS_READ: the fake reads none of what it does not implement. */
export const unreadParams = (names: readonly string[]): BinanceError =>
  new BinanceError(400, -1104, `Not all sent parameters were read; unread: ${names.join(', ')}.`);

/** -1003 TOO_MANY_REQUESTS with a 429, as Binance answers a request over its weight limit. */
export const tooManyRequests = (): BinanceError =>
  new BinanceError(
    429,
    -1003,
    'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
  );
