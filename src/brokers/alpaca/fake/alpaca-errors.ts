/**
 * An Alpaca error answer: HTTP status plus `{code, message}` (spec `#/components/schemas/Error`;
 * the codes are 8 digits: the HTTP status, then a sub-code). Messages are Alpaca's where a
 * recorded one exists (test/fixtures/alpaca/errors.json, Alpaca's published error tables).
 */
export interface AlpacaError {
  readonly status: 400 | 401 | 403 | 404 | 422 | 429 | 500;
  readonly code: number;
  readonly message: string;
}

export class AlpacaFailure extends Error {
  readonly error: AlpacaError;

  constructor(error: AlpacaError) {
    super(error.message);
    this.error = error;
  }
}

export const unauthorized = (): AlpacaError => ({
  status: 401,
  code: 40110000,
  message: 'request is not authorized',
});
export const malformed = (): AlpacaError => ({
  status: 400,
  code: 40010000,
  message: 'request body format is invalid',
});
export const invalid = (message: string): AlpacaError => ({ status: 422, code: 40010001, message });
export const unprocessable = (message: string): AlpacaError => ({ status: 422, code: 42210000, message });
export const forbidden = (message: string): AlpacaError => ({ status: 403, code: 40310000, message });
export const orderNotFound = (): AlpacaError => ({ status: 404, code: 40410000, message: 'order not found' });
export const notFound = (message: string): AlpacaError => ({ status: 404, code: 40410000, message });
export const internal = (): AlpacaError => ({
  status: 500,
  code: 50010000,
  message: 'internal server error',
});
export const rateLimited = (): AlpacaError => ({
  status: 429,
  code: 42910000,
  message: 'rate limit exceeded',
});
export const duplicateClientId = (): AlpacaError => invalid('client_order_id must be unique');

/** Alpaca answers a cancel or replace of a closed order with 422 42210000 naming its status. */
export const notCancelable = (status: string): AlpacaError =>
  unprocessable(`order is already in "${status}" state`);
export const notReplaceable = (status: string): AlpacaError =>
  unprocessable(`cannot replace order in ${status} status`);

/**
 * How Alpaca refuses a submit the paper venue refuses at acceptance. Alpaca checks buying power,
 * stops already through the market and auction windows synchronously, so these are HTTP errors and
 * no order exists afterwards; other refusals (no market) are asynchronous rejections.
 */
export function submitRefusal(code: string, message: string): AlpacaError | undefined {
  switch (code) {
    case 'INSUFFICIENT_BUYING_POWER':
      return forbidden('insufficient buying power');
    case 'STOP_IN_MARKET':
    case 'POST_ONLY_WOULD_TAKE':
    case 'MARKET_CLOSED':
    case 'REDUCE_ONLY':
      return unprocessable(message);
    default:
      return undefined;
  }
}

/** A request the paper venue refuses outright (malformed or impossible): Alpaca's 422s. */
export function inputRefusal(code: string, message: string): AlpacaError {
  switch (code) {
    case 'DUPLICATE_CLIENT_ORDER_ID':
      return duplicateClientId();
    case 'INSTRUMENT_NOT_FOUND':
    case 'SYMBOL_NOT_TRADABLE':
    case 'PRICE_PRECISION':
    case 'QUANTITY_PRECISION':
    case 'MIN_NOTIONAL':
      return unprocessable(message);
    case 'QUANTITY_BELOW_FILLED':
      return unprocessable('qty must be > filled_qty');
    case 'NOT_FOUND_AT_VENUE':
    case 'NOT_FOUND':
      return orderNotFound();
    default:
      return invalid(message);
  }
}

export function errorResponse(error: AlpacaError, headers: Record<string, string> = {}): Response {
  return Response.json({ code: error.code, message: error.message }, { status: error.status, headers });
}
