import { describe, expect, it } from 'vitest';
import { BrokerCallError } from '../broker.js';
import { type AlpacaOperation, brokerCallError, classifyFailure, scrubberOf } from './errors.js';
import { fixture } from './test-support.js';

interface Body {
  readonly code: number;
  readonly message: string;
}

const errors = fixture('errors.json') as Record<string, Body>;
const recorded = (name: string): Body => {
  const body = errors[name];
  if (body === undefined) throw new Error(`no ${name} in errors.json`);
  return body;
};

const classify = (op: AlpacaOperation, status: number | undefined, body: Partial<Body>) =>
  classifyFailure(op, {
    message: body.message ?? '',
    ...(status === undefined ? {} : { status }),
    ...(body.code === undefined ? {} : { code: body.code }),
  });

describe('recorded Alpaca error bodies', () => {
  it('reads 40410000 order not found as NOT_FOUND_AT_VENUE for orders, INSTRUMENT_NOT_FOUND for a submit', () => {
    const body = recorded('order_not_found_40410000');
    expect(classify('cancel', 404, body)).toEqual({ outcome: 'definitive', code: 'NOT_FOUND_AT_VENUE' });
    expect(classify('read', 404, body)).toEqual({ outcome: 'definitive', code: 'NOT_FOUND_AT_VENUE' });
    expect(classify('submit', 404, body)).toEqual({ outcome: 'definitive', code: 'INSTRUMENT_NOT_FOUND' });
  });

  it('reads the 403s for insufficient quantity and shorting as INSUFFICIENT_BUYING_POWER', () => {
    for (const name of ['insufficient_qty_40310000', 'not_allowed_to_short_40310000']) {
      expect(classify('submit', 403, recorded(name))).toEqual({
        outcome: 'definitive',
        code: 'INSUFFICIENT_BUYING_POWER',
      });
    }
  });
});

describe('classification', () => {
  it.each([
    ['submit', 422, 'client_order_id must be unique', 'DUPLICATE_CLIENT_ORDER_ID'],
    ['submit', 422, 'asset "NOSUCHSYMBOL" not found', 'INSTRUMENT_NOT_FOUND'],
    ['submit', 422, 'asset not found for NOSUCHSYMBOL', 'INSTRUMENT_NOT_FOUND'],
    ['submit', 422, 'sub-penny increment does not fulfill minimum pricing criteria', 'PRICE_PRECISION'],
    ['submit', 422, 'qty must be a whole number: AAPL is not fractionable', 'QUANTITY_PRECISION'],
    ['submit', 422, 'post-only limit would take liquidity.', 'POST_ONLY_WOULD_TAKE'],
    ['submit', 422, 'stop trigger already holds at acceptance.', 'STOP_IN_MARKET'],
    ['submit', 422, 'ioc orders need an open session; AAPL is closed now.', 'MARKET_CLOSED'],
    ['submit', 422, 'invalid order type', 'INVALID_ORDER'],
    ['submit', 400, 'request body format is invalid', 'INVALID_ORDER'],
    ['submit', 403, 'insufficient buying power', 'INSUFFICIENT_BUYING_POWER'],
    ['submit', 403, 'trade denied due to pattern day trading protection', 'PATTERN_DAY_TRADER'],
    ['submit', 403, 'forbidden.', 'FORBIDDEN'],
    ['submit', 401, 'request is not authorized', 'UNAUTHORIZED'],
    ['submit', 429, 'rate limit exceeded', 'RATE_LIMITED'],
    ['submit', 418, 'teapot', 'VENUE_REJECTED'],
    ['cancel', 422, 'order is already in "filled" state', 'ORDER_NOT_OPEN'],
    ['replace', 422, 'cannot replace order in filled status', 'ORDER_NOT_OPEN'],
    ['replace', 422, 'cannot replace order in pending_new status', 'ORDER_PENDING'],
    ['replace', 422, 'qty must be > filled_qty', 'QUANTITY_BELOW_FILLED'],
    ['replace', 422, 'stop trigger already holds at acceptance.', 'STOP_IN_MARKET'],
    ['read', 422, 'invalid page_token', 'BROKER_ERROR'],
  ] as const)('%s answered %i "%s" is %s', (op, status, message, code) => {
    expect(classify(op, status, { message })).toEqual({ outcome: 'definitive', code });
  });

  it('leaves 5xx answers and missing answers ambiguous', () => {
    for (const status of [500, 502, 503, 504, undefined]) {
      expect(classify('submit', status, { message: 'x' })).toEqual({
        outcome: 'ambiguous',
        code: 'BROKER_UNAVAILABLE',
      });
    }
  });
});

describe('BrokerCallError', () => {
  const scrub = scrubberOf(['KEYID123', 'SECRET456']);

  it('passes a BrokerCallError through unchanged', () => {
    const error = new BrokerCallError('v', 'definitive', 'INVALID_ORDER', 'no');
    expect(brokerCallError('v', 'submit', 'submit', error, scrub)).toBe(error);
  });

  it('makes a plain failure ambiguous and names what failed', () => {
    const error = brokerCallError('alpaca-paper', 'submit', 'submit of ours-1', new Error('boom'), scrub);
    expect([error.outcome, error.code, error.retryable, error.venue]).toEqual([
      'ambiguous',
      'BROKER_UNAVAILABLE',
      true,
      'alpaca-paper',
    ]);
    expect(error.message).toBe('Alpaca submit of ours-1 failed (no answer): the answer could not be read');
  });

  it('scrubs the credentials out of any text', () => {
    expect(scrub('key KEYID123 and SECRET456 twice SECRET456')).toBe(
      'key [redacted] and [redacted] twice [redacted]',
    );
  });
});
