/**
 * Error codes an agent can act on (CONTRACT.md, ORDER-SEMANTICS.md §7). Few error classes,
 * string codes, retryability as data.
 */
export const ERROR_CODES = [
  'INVALID_ORDER',
  'INSTRUMENT_NOT_FOUND',
  'SYMBOL_NOT_TRADABLE',
  'TRADING_HALTED',
  'PRICE_PRECISION',
  'QUANTITY_PRECISION',
  'MARKET_CLOSED',
  'STALE_QUOTE',
  'PRICE_BAND',
  'MIN_NOTIONAL',
  'REDUCE_ONLY',
  'WASH_TRADE',
  'PATTERN_DAY_TRADER',
  'ORDER_NOTIONAL_LIMIT',
  'DAILY_NOTIONAL_LIMIT',
  'POSITION_LIMIT',
  'MAX_OPEN_POSITIONS',
  'MAX_OPEN_ORDERS',
  'EXPOSURE_LIMIT',
  'DAILY_LOSS_LIMIT',
  'INSUFFICIENT_BUYING_POWER',
  'RATE_LIMITED',
  'POST_ONLY_WOULD_TAKE',
  'STOP_IN_MARKET',
  'NO_MARKET',
  'QUANTITY_BELOW_FILLED',
  'NOT_FOUND_AT_VENUE',
  'VENUE_REJECTED',
  'NOT_FOUND',
  'ORDER_NOT_OPEN',
  'ORDER_PENDING',
  'DUPLICATE_CLIENT_ORDER_ID',
  'BROKER_ERROR',
  'BROKER_UNAVAILABLE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CONFIRMATION_REQUIRED',
  'CANCELED',
  'CONFIG_INVALID',
  'INVALID_ARGUMENT',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface TradingErrorOptions {
  readonly hint?: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/** An expected, typed failure: bad input, a refused request, an unavailable venue. */
export class TradingError extends Error {
  override readonly name = 'TradingError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: TradingErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isTradingError(error: unknown, code?: ErrorCode): error is TradingError {
  return error instanceof TradingError && (code === undefined || error.code === code);
}
