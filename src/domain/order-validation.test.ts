import { describe, expect, it } from 'vitest';
import { Decimal } from './decimal.js';
import { TradingError, type ErrorCode } from './errors.js';
import type { Instrument } from './instrument.js';
import { InstrumentRegistry } from './instruments.js';
import { ORDER_TYPES, TIME_IN_FORCE, type OrderSpec, type OrderType, type TimeInForce } from './order.js';
import { ALLOWED_TIF, validateBracketPrices, validateOrderSpec } from './order-validation.js';

const registry = new InstrumentRegistry();
const AAPL = registry.get('AAPL');
const IWM = registry.get('IWM');
const BTC = registry.get('BTC/USD');

const NOW = Date.UTC(2025, 0, 6, 15, 0, 0);
const ctx = { now: NOW };
const d = (value: string): Decimal => new Decimal(value);

/** A minimal valid spec for each type on AAPL; tests change one thing at a time. */
const BASE: Readonly<Record<OrderType, OrderSpec>> = {
  market: { symbol: 'AAPL', side: 'buy', type: 'market', quantity: d('10'), timeInForce: 'day' },
  limit: {
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: d('10'),
    timeInForce: 'day',
    limitPrice: d('187.42'),
  },
  stop: {
    symbol: 'AAPL',
    side: 'sell',
    type: 'stop',
    quantity: d('10'),
    timeInForce: 'day',
    stopPrice: d('180.00'),
  },
  stop_limit: {
    symbol: 'AAPL',
    side: 'sell',
    type: 'stop_limit',
    quantity: d('10'),
    timeInForce: 'day',
    stopPrice: d('180.00'),
    limitPrice: d('179.50'),
  },
  trailing_stop: {
    symbol: 'AAPL',
    side: 'sell',
    type: 'trailing_stop',
    quantity: d('10'),
    timeInForce: 'day',
    trailPercent: d('2'),
  },
  market_if_touched: {
    symbol: 'AAPL',
    side: 'buy',
    type: 'market_if_touched',
    quantity: d('10'),
    timeInForce: 'day',
    triggerPrice: d('185.00'),
  },
  limit_if_touched: {
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit_if_touched',
    quantity: d('10'),
    timeInForce: 'day',
    triggerPrice: d('185.00'),
    limitPrice: d('185.50'),
  },
};

function spec(type: OrderType, changes: Partial<OrderSpec> = {}, ...remove: (keyof OrderSpec)[]): OrderSpec {
  const entries = Object.entries({ ...BASE[type], ...changes });
  const kept = entries.filter(([key]) => !(remove as string[]).includes(key));
  return Object.fromEntries(kept) as unknown as OrderSpec;
}

function errorOf(run: () => void): TradingError {
  try {
    run();
  } catch (error) {
    if (error instanceof TradingError) return error;
    throw error;
  }
  throw new Error('expected a TradingError, but the call returned');
}

/** Asserts the code and an LLM-readable error: the field is named in the message and details, with a hint. */
function expectRefused(
  order: OrderSpec,
  code: ErrorCode,
  field: string,
  instrument: Instrument = AAPL,
  value?: string,
): TradingError {
  const error = errorOf(() => {
    validateOrderSpec(order, instrument, ctx);
  });
  expect(error.code).toBe(code);
  expect(error.details?.['field']).toBe(field);
  expect(error.message).toContain(field);
  if (value !== undefined) expect(error.message).toContain(value);
  expect(error.hint).toMatch(/\w{3,}/);
  return error;
}

function expectAccepted(order: OrderSpec, instrument: Instrument = AAPL): void {
  expect(() => {
    validateOrderSpec(order, instrument, ctx);
  }).not.toThrow();
}

describe('validateOrderSpec: required and extra fields (§2.1)', () => {
  it.each(ORDER_TYPES)('accepts a minimal %s order', (type) => {
    expectAccepted(BASE[type]);
  });

  it.each<[OrderType, keyof OrderSpec]>([
    ['limit', 'limitPrice'],
    ['stop', 'stopPrice'],
    ['stop_limit', 'stopPrice'],
    ['stop_limit', 'limitPrice'],
    ['market_if_touched', 'triggerPrice'],
    ['limit_if_touched', 'triggerPrice'],
    ['limit_if_touched', 'limitPrice'],
  ])('refuses a %s order without %s', (type, field) => {
    expectRefused(spec(type, {}, field), 'INVALID_ORDER', field);
  });

  it.each<[OrderType, Partial<OrderSpec>, string, string]>([
    ['market', { limitPrice: d('187.42') }, 'limitPrice', '187.42'],
    ['market', { stopPrice: d('180') }, 'stopPrice', '180'],
    ['limit', { stopPrice: d('180') }, 'stopPrice', '180'],
    ['limit', { triggerPrice: d('185') }, 'triggerPrice', '185'],
    ['limit', { trailPercent: d('2') }, 'trailPercent', '2'],
    ['stop', { limitPrice: d('179.5') }, 'limitPrice', '179.5'],
    ['stop_limit', { trailPrice: d('1') }, 'trailPrice', '1'],
    ['stop', { activationPrice: d('190') }, 'activationPrice', '190'],
    ['limit', { activationPrice: d('190') }, 'activationPrice', '190'],
    ['trailing_stop', { stopPrice: d('180') }, 'stopPrice', '180'],
    ['market_if_touched', { limitPrice: d('185.5') }, 'limitPrice', '185.5'],
    ['limit_if_touched', { stopPrice: d('180') }, 'stopPrice', '180'],
  ])('refuses a %s order with %o', (type, extra, field, value) => {
    expectRefused(spec(type, extra), 'INVALID_ORDER', field, AAPL, value);
  });

  it('accepts activationPrice on a trailing_stop', () => {
    expectAccepted(spec('trailing_stop', { activationPrice: d('195.00') }));
  });

  it('accepts reduceOnly on every type', () => {
    for (const type of ORDER_TYPES) expectAccepted(spec(type, { reduceOnly: true }));
  });
});

describe('validateOrderSpec: quantity and prices > 0', () => {
  it.each(['0', '-1', '-0.0001'])('refuses quantity %s', (quantity) => {
    expectRefused(spec('market', { quantity: d(quantity) }), 'INVALID_ORDER', 'quantity', AAPL, quantity);
  });

  it('refuses a quantity that is not a number', () => {
    expectRefused(spec('market', { quantity: new Decimal(NaN) }), 'INVALID_ORDER', 'quantity');
  });

  it('accepts the smallest lot', () => {
    expectAccepted(spec('market', { quantity: d('0.0001') }));
  });

  it.each<[OrderType, keyof OrderSpec]>([
    ['limit', 'limitPrice'],
    ['stop', 'stopPrice'],
    ['market_if_touched', 'triggerPrice'],
    ['trailing_stop', 'activationPrice'],
  ])('refuses a %s order with %s 0 or negative, accepts one tick', (type, field) => {
    expectRefused(spec(type, { [field]: d('0') }), 'INVALID_ORDER', field, AAPL, '0');
    expectRefused(spec(type, { [field]: d('-187.42') }), 'INVALID_ORDER', field, AAPL, '-187.42');
    expectAccepted(spec(type, { [field]: d('0.01') }));
  });
});

describe('validateOrderSpec: trailing stop offsets (§2.3)', () => {
  it('refuses a trailing stop without an offset', () => {
    const error = expectRefused(spec('trailing_stop', {}, 'trailPercent'), 'INVALID_ORDER', 'trailPrice');
    expect(error.message).toContain('trailPercent');
  });

  it('refuses a trailing stop with both offsets', () => {
    expectRefused(spec('trailing_stop', { trailPrice: d('1.50') }), 'INVALID_ORDER', 'trailPrice');
  });

  it.each(['0', '-1', '100', '100.01'])('refuses trailPercent %s', (percent) => {
    expectRefused(
      spec('trailing_stop', { trailPercent: d(percent) }),
      'INVALID_ORDER',
      'trailPercent',
      AAPL,
      percent,
    );
  });

  it.each(['0.01', '2', '99.99'])('accepts trailPercent %s', (percent) => {
    expectAccepted(spec('trailing_stop', { trailPercent: d(percent) }));
  });

  it('refuses trailPrice 0, accepts trailPrice 0.01', () => {
    const byPrice = (trailPrice: string): OrderSpec =>
      spec('trailing_stop', { trailPrice: d(trailPrice) }, 'trailPercent');
    expectRefused(byPrice('0'), 'INVALID_ORDER', 'trailPrice');
    expectRefused(byPrice('-0.01'), 'INVALID_ORDER', 'trailPrice');
    expectAccepted(byPrice('0.01'));
  });
});

describe('validateOrderSpec: time in force (§3.1)', () => {
  // Written from the doc's table, independently of ALLOWED_TIF.
  const allTypes = new Set<OrderType>(ORDER_TYPES);
  const docTable: Readonly<Record<TimeInForce, ReadonlySet<OrderType>>> = {
    day: allTypes,
    gtc: allTypes,
    gtd: new Set(ORDER_TYPES.filter((t) => t !== 'market' && t !== 'trailing_stop')),
    ioc: new Set(['market', 'limit']),
    fok: new Set(['market', 'limit']),
    opg: new Set(['market', 'limit']),
    cls: new Set(['market', 'limit']),
  };
  const withTif = (type: OrderType, tif: TimeInForce): OrderSpec =>
    spec(type, tif === 'gtd' ? { timeInForce: tif, expireAt: NOW + 60_000 } : { timeInForce: tif });
  const pairs = ORDER_TYPES.flatMap((type) => TIME_IN_FORCE.map((tif) => [type, tif] as const));

  it.each(pairs)('%s with %s on a session instrument (AAPL) follows the table', (type, tif) => {
    if (docTable[tif].has(type)) expectAccepted(withTif(type, tif));
    else expectRefused(withTif(type, tif), 'INVALID_ORDER', 'timeInForce', AAPL, tif);
  });

  it.each(pairs)('%s with %s on a 24/7 instrument (BTC/USD): no opg/cls', (type, tif) => {
    const order = { ...withTif(type, tif), symbol: 'BTC/USD', quantity: d('0.01') };
    const allowed = docTable[tif].has(type) && tif !== 'opg' && tif !== 'cls';
    if (allowed) expectAccepted(order, BTC);
    else expectRefused(order, 'INVALID_ORDER', 'timeInForce', BTC, tif);
  });

  it('ALLOWED_TIF is the doc table, and frozen', () => {
    for (const type of ORDER_TYPES) {
      const expected = TIME_IN_FORCE.filter((tif) => docTable[tif].has(type));
      expect([...ALLOWED_TIF[type]].sort()).toEqual([...expected].sort());
      expect(Object.isFrozen(ALLOWED_TIF[type])).toBe(true);
    }
    expect(Object.isFrozen(ALLOWED_TIF)).toBe(true);
  });
});

describe('validateOrderSpec: gtd expiry', () => {
  const gtd = (changes: Partial<OrderSpec>, ...remove: (keyof OrderSpec)[]): OrderSpec =>
    spec('limit', { timeInForce: 'gtd', ...changes }, ...remove);

  it('accepts expireAt 1 ms after now', () => {
    expectAccepted(gtd({ expireAt: NOW + 1 }));
  });

  it.each([NOW, NOW - 1, Number.NaN])('refuses expireAt %s (not after now)', (expireAt) => {
    expectRefused(gtd({ expireAt }), 'INVALID_ORDER', 'expireAt');
  });

  it('refuses gtd without expireAt', () => {
    expectRefused(gtd({}, 'expireAt'), 'INVALID_ORDER', 'expireAt');
  });

  it.each<TimeInForce>(['day', 'gtc', 'ioc'])('refuses expireAt with timeInForce %s', (tif) => {
    expectRefused(
      spec('limit', { timeInForce: tif, expireAt: NOW + 60_000 }),
      'INVALID_ORDER',
      'expireAt',
      AAPL,
      tif,
    );
  });
});

describe('validateOrderSpec: postOnly (§3.3)', () => {
  it.each<OrderType>(['limit', 'stop_limit', 'limit_if_touched'])('accepts postOnly on %s', (type) => {
    expectAccepted(spec(type, { postOnly: true }));
  });

  it.each<OrderType>(['market', 'stop', 'trailing_stop', 'market_if_touched'])(
    'refuses postOnly on %s',
    (type) => {
      expectRefused(spec(type, { postOnly: true }), 'INVALID_ORDER', 'postOnly', AAPL, type);
    },
  );

  it.each<TimeInForce>(['ioc', 'fok'])('refuses postOnly with %s', (tif) => {
    expectRefused(
      spec('limit', { postOnly: true, timeInForce: tif }),
      'INVALID_ORDER',
      'postOnly',
      AAPL,
      tif,
    );
  });

  it.each<TimeInForce>(['day', 'gtc'])('accepts postOnly with %s', (tif) => {
    expectAccepted(spec('limit', { postOnly: true, timeInForce: tif }));
  });

  it('accepts postOnly false on a market order (the flag is off)', () => {
    expectAccepted(spec('market', { postOnly: false }));
  });
});

describe('validateOrderSpec: displayQty (§3.3)', () => {
  it.each(['0.0001', '1', '10'])('accepts displayQty %s of 10', (displayQty) => {
    expectAccepted(spec('limit', { displayQty: d(displayQty) }));
  });

  it.each(['0', '-1', '10.0001'])('refuses displayQty %s of 10', (displayQty) => {
    expectRefused(
      spec('limit', { displayQty: d(displayQty) }),
      'INVALID_ORDER',
      'displayQty',
      AAPL,
      displayQty,
    );
  });

  it.each<OrderType>(['market', 'stop_limit', 'limit_if_touched'])('refuses displayQty on %s', (type) => {
    expectRefused(spec(type, { displayQty: d('1') }), 'INVALID_ORDER', 'displayQty', AAPL, type);
  });

  it('refuses displayQty off the lot step (QUANTITY_PRECISION)', () => {
    expectRefused(
      spec('limit', { displayQty: d('1.00005') }),
      'QUANTITY_PRECISION',
      'displayQty',
      AAPL,
      '1.00005',
    );
    const iwm = spec('limit', { symbol: 'IWM', quantity: d('10'), displayQty: d('1.5') });
    expectRefused(iwm, 'QUANTITY_PRECISION', 'displayQty', IWM, '1.5');
  });
});

describe('validateOrderSpec: extendedHours (§3.2)', () => {
  it('accepts a day limit on a US equity', () => {
    expectAccepted(spec('limit', { extendedHours: true }));
  });

  it.each<[OrderType, TimeInForce]>([
    ['limit', 'gtc'],
    ['limit', 'ioc'],
    ['market', 'day'],
    ['stop_limit', 'day'],
  ])('refuses a %s %s order', (type, tif) => {
    expectRefused(
      spec(type, { extendedHours: true, timeInForce: tif }),
      'INVALID_ORDER',
      'extendedHours',
      AAPL,
      tif,
    );
  });

  it('refuses it on a crypto pair', () => {
    const order = spec('limit', {
      symbol: 'BTC/USD',
      quantity: d('0.01'),
      limitPrice: d('65000'),
      extendedHours: true,
    });
    expectRefused(order, 'INVALID_ORDER', 'extendedHours', BTC, 'BTC/USD');
  });

  it('accepts extendedHours false on any order', () => {
    expectAccepted(spec('market', { extendedHours: false, timeInForce: 'gtc' }));
  });
});

describe('validateOrderSpec: PRICE_PRECISION (§7.2 #4)', () => {
  it('refuses AAPL at 187.005 and accepts 187.01', () => {
    const error = expectRefused(
      spec('limit', { limitPrice: d('187.005') }),
      'PRICE_PRECISION',
      'limitPrice',
      AAPL,
      '187.005',
    );
    expect(error.hint).toContain('187');
    expectAccepted(spec('limit', { limitPrice: d('187.01') }));
  });

  it.each<[OrderType, keyof OrderSpec, (keyof OrderSpec)[]]>([
    ['stop_limit', 'stopPrice', []],
    ['market_if_touched', 'triggerPrice', []],
    ['trailing_stop', 'trailPrice', ['trailPercent']],
    ['trailing_stop', 'activationPrice', []],
  ])('refuses a %s with %s off the tick', (type, field, remove) => {
    expectRefused(spec(type, { [field]: d('1.234') }, ...remove), 'PRICE_PRECISION', field, AAPL, '1.234');
  });

  it('refuses BTC/USD at 65000.001', () => {
    const order = spec('limit', { symbol: 'BTC/USD', quantity: d('0.01'), limitPrice: d('65000.001') });
    expectRefused(order, 'PRICE_PRECISION', 'limitPrice', BTC, '65000.001');
  });
});

describe('validateOrderSpec: QUANTITY_PRECISION (§7.2 #5)', () => {
  it('refuses 1.5 IWM (not fractionable) and accepts 2', () => {
    expectRefused(
      spec('market', { symbol: 'IWM', quantity: d('1.5') }),
      'QUANTITY_PRECISION',
      'quantity',
      IWM,
      '1.5',
    );
    expectAccepted(spec('market', { symbol: 'IWM', quantity: d('2') }), IWM);
  });

  it('refuses 0.000001 BTC/USD and accepts 0.00001', () => {
    const btc = (quantity: string): OrderSpec => spec('market', { symbol: 'BTC/USD', quantity: d(quantity) });
    expectRefused(btc('0.000001'), 'QUANTITY_PRECISION', 'quantity', BTC, '0.000001');
    expectAccepted(btc('0.00001'), BTC);
  });

  it('refuses 0.00005 AAPL (below the 0.0001 lot)', () => {
    expectRefused(
      spec('market', { quantity: d('0.00005') }),
      'QUANTITY_PRECISION',
      'quantity',
      AAPL,
      '0.00005',
    );
  });
});

describe('validateOrderSpec: check order and purity', () => {
  it('reports INVALID_ORDER before PRICE_PRECISION', () => {
    const order = spec('limit', { quantity: d('0'), limitPrice: d('187.005') });
    expectRefused(order, 'INVALID_ORDER', 'quantity');
    const badTif = spec('stop_limit', { stopPrice: d('180.005'), timeInForce: 'ioc' });
    expectRefused(badTif, 'INVALID_ORDER', 'timeInForce');
  });

  it('reports PRICE_PRECISION before QUANTITY_PRECISION', () => {
    const order = spec('limit', { symbol: 'IWM', quantity: d('1.5'), limitPrice: d('210.005') });
    expectRefused(order, 'PRICE_PRECISION', 'limitPrice', IWM);
  });

  it('changes nothing it is given', () => {
    const order = Object.freeze(
      spec('limit', { displayQty: d('5'), postOnly: true, timeInForce: 'gtd', expireAt: NOW + 1 }),
    );
    const instrument = Object.freeze({ ...AAPL });
    const before = JSON.stringify([order, instrument, ALLOWED_TIF]);
    expectAccepted(order, instrument);
    expectRefused({ ...order, limitPrice: d('1.001') }, 'PRICE_PRECISION', 'limitPrice', instrument);
    expect(JSON.stringify([order, instrument, ALLOWED_TIF])).toBe(before);
  });
});

describe('validateBracketPrices (§4)', () => {
  const bracketError = (run: () => void, field: string): void => {
    const error = errorOf(run);
    expect(error.code).toBe('INVALID_ORDER');
    expect(error.details?.['field']).toBe(field);
    expect(error.message).toContain(field);
    expect(error.hint).toMatch(/\w{3,}/);
  };

  it('accepts a buy with takeProfit > entry > stopLoss, and without an entry price', () => {
    expect(() => {
      validateBracketPrices('buy', d('100'), d('110'), d('95'));
    }).not.toThrow();
    expect(() => {
      validateBracketPrices('buy', undefined, d('110'), d('95'));
    }).not.toThrow();
  });

  it.each<[string, string | undefined, string, string, string]>([
    ['takeProfit at the entry', '100', '100', '95', 'takeProfit.limitPrice'],
    ['takeProfit below the entry', '100', '99.99', '95', 'takeProfit.limitPrice'],
    ['stopLoss at the entry', '100', '110', '100', 'stopLoss.stopPrice'],
    ['stopLoss above the entry', '100', '110', '100.01', 'stopLoss.stopPrice'],
    ['takeProfit at the stopLoss, no entry', undefined, '100', '100', 'takeProfit.limitPrice'],
  ])('refuses a buy with %s', (_name, entry, takeProfit, stopLoss, field) => {
    bracketError(() => {
      validateBracketPrices('buy', entry === undefined ? undefined : d(entry), d(takeProfit), d(stopLoss));
    }, field);
  });

  it('accepts a sell with takeProfit < entry < stopLoss, and without an entry price', () => {
    expect(() => {
      validateBracketPrices('sell', d('100'), d('90'), d('105'));
    }).not.toThrow();
    expect(() => {
      validateBracketPrices('sell', undefined, d('90'), d('105'));
    }).not.toThrow();
  });

  it.each<[string, string | undefined, string, string, string]>([
    ['takeProfit at the entry', '100', '100', '105', 'takeProfit.limitPrice'],
    ['takeProfit above the entry', '100', '100.01', '105', 'takeProfit.limitPrice'],
    ['stopLoss at the entry', '100', '90', '100', 'stopLoss.stopPrice'],
    ['stopLoss below the entry', '100', '90', '99.99', 'stopLoss.stopPrice'],
    ['takeProfit above the stopLoss, no entry', undefined, '106', '105', 'takeProfit.limitPrice'],
  ])('refuses a sell with %s', (_name, entry, takeProfit, stopLoss, field) => {
    bracketError(() => {
      validateBracketPrices('sell', entry === undefined ? undefined : d(entry), d(takeProfit), d(stopLoss));
    }, field);
  });

  it('a buy-ordered bracket is refused as a sell', () => {
    bracketError(() => {
      validateBracketPrices('sell', d('100'), d('110'), d('95'));
    }, 'takeProfit.limitPrice');
  });
});
