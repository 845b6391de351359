import {
  AuthenticationError,
  BadRequest,
  BadSymbol,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  OperationFailed,
  OperationRejected,
  OrderImmediatelyFillable,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import { describe, expect, it } from 'vitest';
import { BrokerCallError } from '../broker.js';
import { mapError, scrub, toBrokerError } from './errors.js';

/** The messages ccxt 4.5.84 builds from Binance's answers (binance.js handleErrors). */
const CASES: readonly [string, Error, string, string][] = [
  [
    '-2010 insufficient balance',
    new InsufficientFunds('binance Account has insufficient balance for requested action.'),
    'definitive',
    'INSUFFICIENT_BUYING_POWER',
  ],
  [
    '-2010 post-only would take',
    new OrderImmediatelyFillable('binance Order would immediately match and take.'),
    'definitive',
    'POST_ONLY_WOULD_TAKE',
  ],
  [
    '-2010 stop would trigger',
    new OrderImmediatelyFillable('binance Stop price would trigger immediately.'),
    'definitive',
    'STOP_IN_MARKET',
  ],
  [
    '-2010 duplicate',
    new InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'),
    'definitive',
    'DUPLICATE_CLIENT_ORDER_ID',
  ],
  [
    '-2010 other',
    new InvalidOrder('binance {"code":-2010,"msg":"Market is closed."}'),
    'definitive',
    'INVALID_ORDER',
  ],
  [
    '-2013 order does not exist',
    new OrderNotFound('binance {"code":-2013,"msg":"Order does not exist."}'),
    'definitive',
    'NOT_FOUND_AT_VENUE',
  ],
  [
    '-1121 invalid symbol',
    new BadSymbol('binance {"code":-1121,"msg":"Invalid symbol."}'),
    'definitive',
    'INSTRUMENT_NOT_FOUND',
  ],
  [
    '-2015 invalid key',
    new AuthenticationError('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'),
    'definitive',
    'UNAUTHORIZED',
  ],
  [
    'permission denied',
    new PermissionDenied('binance This account may not place or cancel orders.'),
    'definitive',
    'FORBIDDEN',
  ],
  ['429', new DDoSProtection('binance 429 Too Many Requests {"code":-1003}'), 'definitive', 'RATE_LIMITED'],
  ['rate limit', new RateLimitExceeded('binance {"code":-1003}'), 'definitive', 'RATE_LIMITED'],
  ['-1021 recvWindow', new InvalidNonce('binance {"code":-1021}'), 'definitive', 'BROKER_ERROR'],
  [
    '503',
    new ExchangeNotAvailable('binance GET https://api.binance.com/api/v3/order 503'),
    'ambiguous',
    'BROKER_UNAVAILABLE',
  ],
  [
    'timeout',
    new RequestTimeout('binance POST https://api.binance.com/api/v3/order request timed out'),
    'ambiguous',
    'BROKER_UNAVAILABLE',
  ],
  ['network', new NetworkError('binance fetch failed'), 'ambiguous', 'BROKER_UNAVAILABLE'],
  ['-1001 internal', new OperationFailed('binance {"code":-1001}'), 'ambiguous', 'BROKER_UNAVAILABLE'],
  [
    'unparseable',
    new TypeError("Cannot read properties of undefined (reading 'orderId')"),
    'ambiguous',
    'BROKER_ERROR',
  ],
];

describe('ccxt errors into outcomes and codes', () => {
  for (const [what, error, outcome, code] of CASES) {
    it(`${what}: ${outcome} ${code}`, () => {
      expect(mapError(error, 'submit')).toEqual({ outcome, code });
    });
  }

  it('reads a bad request as INVALID_ORDER on a submit and BROKER_ERROR elsewhere', () => {
    expect(mapError(new BadRequest('binance -1102'), 'submit').code).toBe('INVALID_ORDER');
    expect(mapError(new BadRequest('binance -1102'), 'query').code).toBe('BROKER_ERROR');
    expect(mapError(new OperationRejected('binance'), 'cancel').code).toBe('VENUE_REJECTED');
    expect(mapError(new ExchangeError('binance ?'), 'submit')).toEqual({
      outcome: 'definitive',
      code: 'VENUE_REJECTED',
    });
  });
});

describe('scrubbing', () => {
  const url =
    'https://api.binance.com/api/v3/openOrders?timestamp=1795271436838&recvWindow=10000&signature=9c5c0a63da17';

  it('drops query strings, so no signature is ever printed', () => {
    expect(scrub(`binance GET ${url} 503 Service Unavailable oops`)).toBe(
      'binance GET https://api.binance.com/api/v3/openOrders 503 Service Unavailable oops',
    );
    expect(scrub('body timestamp=1&signature=abcdef&x=1')).toBe('body timestamp=1&signature=[redacted]&x=1');
  });

  it('removes the credentials wherever they appear', () => {
    expect(scrub('key sk-live-1234 and secret s3cr3t-99', ['sk-live-1234', 's3cr3t-99'])).toBe(
      'key [redacted] and secret [redacted]',
    );
  });

  it('builds a BrokerCallError whose message and cause are scrubbed', () => {
    const error = toBrokerError(
      'ccxt-binance',
      new ExchangeNotAvailable(`binance GET ${url} 503`),
      'query',
      'fetchOpenOrders',
      ['9c5c0a63da17'],
    );
    expect(error).toBeInstanceOf(BrokerCallError);
    expect([error.outcome, error.code, error.retryable]).toEqual(['ambiguous', 'BROKER_UNAVAILABLE', true]);
    expect(error.message).not.toContain('signature');
    expect((error.cause as Error).message).not.toContain('signature');
    expect((error.cause as Error).name).toBe('ExchangeNotAvailable');
  });
});
