import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import { type SizingInput, type SizingResult, sizeSignal } from './sizing.js';

/** p = 0.6, entry 100, stop 95, take-profit 110 on 100000: b = 2, f* = 0.4, quarter Kelly risks 10000. */
function signal(overrides: Partial<SizingInput> = {}): SizingInput {
  return {
    action: 'BUY',
    confidence: dec('0.6'),
    entryPrice: dec(100),
    stopLoss: dec(95),
    takeProfit: dec(110),
    equity: dec(100_000),
    lotSize: dec(1),
    minQuantity: dec(1),
    ...overrides,
  };
}

/** The signal without the given fields (exactOptionalPropertyTypes: absent, not undefined). */
function without(input: SizingInput, ...keys: (keyof SizingInput)[]): SizingInput {
  return Object.fromEntries(
    Object.entries(input).filter(([key]) => !keys.includes(key as keyof SizingInput)),
  ) as unknown as SizingInput;
}

type DecimalField =
  | 'quantity'
  | 'kellyFraction'
  | 'appliedFraction'
  | 'payoffRatio'
  | 'riskPerUnit'
  | 'riskAmount'
  | 'notional';

/** Compares as plain decimal strings, so 10.0 and 10 are equal and nothing passes through a float. */
function expectSized(result: SizingResult, expected: Partial<Record<DecimalField, string>>): void {
  const fields = Object.keys(expected) as DecimalField[];
  expect(Object.fromEntries(fields.map((field) => [field, result[field]?.toFixed()]))).toEqual(expected);
}

describe('Kelly sizing of BUY and SELL', () => {
  it('sizes the worked example exactly: b = 2, f* = 0.4, budget 10000 at 5 per unit = 2000', () => {
    const result = sizeSignal(signal());
    expect(result.status).toBe('sized');
    expect(result.side).toBe('buy');
    expect(result.cappedBy).toBe('kelly');
    expectSized(result, {
      quantity: '2000',
      kellyFraction: '0.4',
      appliedFraction: '0.1',
      payoffRatio: '2',
      riskPerUnit: '5',
      riskAmount: '10000',
      notional: '200000',
    });
  });

  it('explains the sizing in a sentence with the numbers', () => {
    const { reason } = sizeSignal(signal({ maxPositionNotional: dec(50_000) }));
    expect(reason).toContain('win probability 0.6');
    expect(reason).toContain('payoff ratio 2');
    expect(reason).toContain('Kelly fraction 0.4 × 0.25 = 0.1 of equity 100000 risks 10000');
    expect(reason).toContain('capped by the max position notional 50000 to 500');
  });

  it('sizes a SELL the mirror way: stop above, take-profit below', () => {
    const result = sizeSignal(signal({ action: 'SELL', stopLoss: dec(105), takeProfit: dec(90) }));
    expect(result.side).toBe('sell');
    expectSized(result, { quantity: '2000', payoffRatio: '2', riskAmount: '10000' });
  });

  it('takes half Kelly when asked: 4000', () => {
    expectSized(sizeSignal(signal({ kellyFraction: dec('0.5') })), {
      quantity: '4000',
      appliedFraction: '0.2',
    });
  });

  it('without a stop or take-profit: even odds and the whole entry at risk (f* 0.2, 5000 / 100 = 50)', () => {
    const result = sizeSignal(without(signal(), 'stopLoss', 'takeProfit'));
    expectSized(result, {
      quantity: '50',
      kellyFraction: '0.2',
      appliedFraction: '0.05',
      payoffRatio: '1',
      riskPerUnit: '100',
      riskAmount: '5000',
    });
  });

  it('with a stop only: even odds, the stop distance at risk (5000 / 5 = 1000)', () => {
    expectSized(sizeSignal(without(signal(), 'takeProfit')), { quantity: '1000', riskPerUnit: '5' });
  });

  it('with a take-profit only: even odds, the whole entry at risk', () => {
    expectSized(sizeSignal(without(signal(), 'stopLoss')), { quantity: '50', payoffRatio: '1' });
  });

  it('keeps a repeating payoff ratio exact enough: p 0.55, stop 3 away, target 7 away', () => {
    // f* = (0.55 × 7 − 0.45 × 3) / 7 = 2.5 / 7; budget 100000 × 2.5/7 / 4 = 8928.57…; / 3 = 2976.19…
    const result = sizeSignal(signal({ confidence: dec('0.55'), stopLoss: dec(97), takeProfit: dec(107) }));
    expect(result.quantity.toFixed()).toBe('2976');
    expect(result.kellyFraction.toSignificantDigits(12).toFixed()).toBe('0.357142857143');
  });
});

describe('no edge and bad geometry', () => {
  it('ignores a coin flip at even odds: f* = 0', () => {
    const result = sizeSignal(without(signal({ confidence: dec('0.5') }), 'stopLoss', 'takeProfit'));
    expect(result.status).toBe('ignored');
    expect(result.reason).toMatch(/^no edge: /);
    expectSized(result, { quantity: '0', kellyFraction: '0', appliedFraction: '0', riskAmount: '0' });
  });

  it('ignores a negative edge and reports it: p 0.3 at b = 2 gives f* = −0.05', () => {
    const result = sizeSignal(signal({ confidence: dec('0.3') }));
    expect(result.status).toBe('ignored');
    expect(result.kellyFraction.toFixed()).toBe('-0.05');
    expect(result.reason).toContain('Kelly fraction of -0.05');
  });

  it.each([
    ['a BUY stop above the entry', signal({ stopLoss: dec(101) }), 'invalid stop-loss'],
    ['a BUY stop at the entry', signal({ stopLoss: dec(100) }), 'invalid stop-loss'],
    ['a BUY stop at zero', signal({ stopLoss: dec(0) }), 'invalid stop-loss'],
    ['a BUY take-profit below the entry', signal({ takeProfit: dec(99) }), 'invalid take-profit'],
    [
      'a SELL stop below the entry',
      signal({ action: 'SELL', stopLoss: dec(95), takeProfit: dec(90) }),
      'stop-loss',
    ],
    [
      'a SELL take-profit above',
      signal({ action: 'SELL', stopLoss: dec(105), takeProfit: dec(110) }),
      'take-profit',
    ],
  ])('rejects %s', (_name, input, message) => {
    const result = sizeSignal(input);
    expect(result.status).toBe('rejected');
    expect(result.reason).toContain(message);
    expect(result.quantity.toFixed()).toBe('0');
  });

  it.each([
    ['confidence above 1', { confidence: dec('1.2') }, 'confidence'],
    ['a zero entry price', { entryPrice: dec(0) }, 'entry price'],
    ['a zero lot size', { lotSize: dec(0) }, 'lot size'],
    ['a zero Kelly fraction', { kellyFraction: dec(0) }, 'Kelly fraction'],
    ['a Kelly fraction above 1', { kellyFraction: dec('1.5') }, 'Kelly fraction'],
    ['a zero requested quantity', { requestedQuantity: dec(0) }, 'requested quantity'],
    ['a NaN equity', { equity: dec(Number.NaN) }, 'equity'],
  ] as const)('rejects %s', (_name, overrides, message) => {
    const result = sizeSignal(signal(overrides));
    expect(result.status).toBe('rejected');
    expect(result.reason).toContain(`invalid ${message}`);
  });

  it('ignores a signal when there is no equity', () => {
    const result = sizeSignal(signal({ equity: dec(0) }));
    expect(result.status).toBe('ignored');
    expect(result.reason).toContain('no equity');
  });
});

describe('caps', () => {
  it.each([
    ['max_position_notional', { maxPositionNotional: dec(50_000) }, '500'],
    ['max_position_pct', { maxPositionPctOfEquity: dec(20) }, '200'],
    ['buying_power', { buyingPower: dec(30_000) }, '300'],
    ['requested_quantity', { requestedQuantity: dec(150) }, '150'],
  ] as const)('caps by %s', (cap, overrides, quantity) => {
    const result = sizeSignal(signal(overrides));
    expect(result.status).toBe('sized');
    expect(result.cappedBy).toBe(cap);
    expect(result.quantity.toFixed()).toBe(quantity);
    expect(result.riskAmount.toFixed()).toBe(dec(quantity).times(5).toFixed());
  });

  it('takes the tightest of several caps', () => {
    const result = sizeSignal(
      signal({
        maxPositionNotional: dec(50_000),
        maxPositionPctOfEquity: dec(20),
        buyingPower: dec(30_000),
        requestedQuantity: dec(250),
      }),
    );
    expect(result.cappedBy).toBe('max_position_pct');
    expect(result.quantity.toFixed()).toBe('200');
  });

  it('names Kelly when a cap ties with it (a limit is named only when it cut the size)', () => {
    const result = sizeSignal(signal({ requestedQuantity: dec(2000) }));
    expect(result.cappedBy).toBe('kelly');
  });

  it('counts a long already held against the position limit: 500 − 300 = 200', () => {
    const result = sizeSignal(signal({ maxPositionNotional: dec(50_000), currentPosition: dec(300) }));
    expect(result.quantity.toFixed()).toBe('200');
    expect(result.reason).toContain('with 300 already held that way');
  });

  it('lets a BUY against a short use the short as room: 500 + 300 = 800', () => {
    const result = sizeSignal(signal({ maxPositionNotional: dec(50_000), currentPosition: dec(-300) }));
    expect(result.quantity.toFixed()).toBe('800');
  });

  it('needs no buying power for the part that closes a short: 100 + 300 = 400', () => {
    const result = sizeSignal(signal({ buyingPower: dec(10_000), currentPosition: dec(-300) }));
    expect(result.quantity.toFixed()).toBe('400');
    expect(result.cappedBy).toBe('buying_power');
  });

  it('caps a SELL that opens a short by buying power too', () => {
    const result = sizeSignal(
      signal({ action: 'SELL', stopLoss: dec(105), takeProfit: dec(90), buyingPower: dec(25_000) }),
    );
    expect(result.quantity.toFixed()).toBe('250');
    expect(result.cappedBy).toBe('buying_power');
  });

  it('ignores a BUY when the position is already at its limit', () => {
    const result = sizeSignal(signal({ maxPositionNotional: dec(50_000), currentPosition: dec(600) }));
    expect(result.status).toBe('ignored');
    expect(result.cappedBy).toBe('max_position_notional');
    expect(result.quantity.toFixed()).toBe('0');
  });
});

describe('lots and the minimum quantity', () => {
  // p 0.55, stop 97, target 106: b = 2, f* = 0.325, budget 8125, 8125 / 3 = 2708.333…
  const odd = { confidence: dec('0.55'), stopLoss: dec(97), takeProfit: dec(106) };

  it('rounds down to whole lots', () => {
    expect(sizeSignal(signal(odd)).quantity.toFixed()).toBe('2708');
    expect(sizeSignal(signal({ ...odd, lotSize: dec(100) })).quantity.toFixed()).toBe('2700');
  });

  it('rounds down to fractional lots', () => {
    const result = sizeSignal(signal({ ...odd, lotSize: dec('0.01'), minQuantity: dec('0.01') }));
    expect(result.quantity.toFixed()).toBe('2708.33');
    expect(result.riskAmount.toFixed()).toBe('8124.99');
  });

  it('never exceeds a cap with a repeating quotient: 1000 / 3 in lots of 0.001', () => {
    const result = sizeSignal(
      signal({ entryPrice: dec(3), stopLoss: dec(2), takeProfit: dec(5), lotSize: dec('0.001') }),
    );
    const capped = sizeSignal(
      signal({
        entryPrice: dec(3),
        stopLoss: dec(2),
        takeProfit: dec(5),
        lotSize: dec('0.001'),
        maxPositionNotional: dec(1000),
      }),
    );
    expect(result.cappedBy).toBe('kelly');
    expect(capped.quantity.toFixed()).toBe('333.333');
    expect(capped.notional.toFixed()).toBe('999.999');
  });

  it('ignores a size that rounds away below one lot, naming the lot', () => {
    // equity 1000: budget 100 / 5 = 20, capped by buying power 50 to 0.5, rounds down to 0.
    const result = sizeSignal(signal({ equity: dec(1000), buyingPower: dec(50), minQuantity: dec(0) }));
    expect(result.status).toBe('ignored');
    expect(result.cappedBy).toBe('lot');
    expect(result.quantity.toFixed()).toBe('0');
    expect(result.reason).toContain('rounds down to 0 in lots of 1, below one lot');
  });

  it('names the cap, not the lot, when the size was below the minimum before rounding', () => {
    const result = sizeSignal(signal({ equity: dec(1000), buyingPower: dec(50) }));
    expect(result.status).toBe('ignored');
    expect(result.cappedBy).toBe('buying_power');
  });

  it('ignores a size below the minimum quantity, naming what made it small', () => {
    const result = sizeSignal(signal({ equity: dec(1000), minQuantity: dec(25) }));
    expect(result.status).toBe('ignored');
    expect(result.cappedBy).toBe('kelly');
    expect(result.reason).toContain('below the minimum quantity 25');
  });

  it('never exceeds a cap or the Kelly budget, and always lands on a lot (property)', () => {
    const cents = fc.integer({ min: 1, max: 10_000_000 }).map((n) => dec(n).div(100));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 99 }).map((n) => dec(n).div(100)),
        cents,
        fc.integer({ min: 1, max: 99 }),
        cents,
        cents,
        fc.constantFrom('1', '0.001', '10'),
        (p, entry, stopPct, budgetCap, equity, lot) => {
          const stop = entry.times(100 - stopPct).div(100);
          const result = sizeSignal(
            signal({
              confidence: p,
              entryPrice: entry,
              stopLoss: stop,
              takeProfit: entry.times(2),
              equity,
              maxPositionNotional: budgetCap,
              lotSize: dec(lot),
              minQuantity: dec(0),
            }),
          );
          expect(result.notional.lte(budgetCap)).toBe(true);
          expect(result.riskAmount.lte(equity.times(result.appliedFraction))).toBe(true);
          expect(result.quantity.mod(dec(lot)).isZero()).toBe(true);
        },
      ),
    );
  });
});

describe('CLOSE_LONG and CLOSE_SHORT', () => {
  it('closes the whole long with a sell, odd lot and all', () => {
    const result = sizeSignal(signal({ action: 'CLOSE_LONG', currentPosition: dec('10.5') }));
    expect(result.status).toBe('sized');
    expect(result.side).toBe('sell');
    expectSized(result, { quantity: '10.5', notional: '1050', riskAmount: '0', kellyFraction: '0' });
    expect(result.cappedBy).toBeUndefined();
  });

  it('closes the whole short with a buy', () => {
    const result = sizeSignal(signal({ action: 'CLOSE_SHORT', currentPosition: dec(-7) }));
    expect(result.side).toBe('buy');
    expect(result.quantity.toFixed()).toBe('7');
  });

  it('closes part when the signal asks for less, rounded down to lots', () => {
    const result = sizeSignal(
      signal({ action: 'CLOSE_LONG', currentPosition: dec(10), requestedQuantity: dec('4.5') }),
    );
    expect(result.quantity.toFixed()).toBe('4');
    expect(result.cappedBy).toBe('requested_quantity');
  });

  it('closes no more than is held', () => {
    const result = sizeSignal(
      signal({ action: 'CLOSE_LONG', currentPosition: dec(10), requestedQuantity: dec(20) }),
    );
    expect(result.quantity.toFixed()).toBe('10');
  });

  it('ignores a partial close that rounds to nothing', () => {
    const result = sizeSignal(
      signal({ action: 'CLOSE_SHORT', currentPosition: dec(-10), requestedQuantity: dec('0.5') }),
    );
    expect(result.status).toBe('ignored');
    expect(result.cappedBy).toBe('lot');
  });

  it.each([
    ['CLOSE_LONG', '-5'],
    ['CLOSE_LONG', '0'],
    ['CLOSE_SHORT', '5'],
  ] as const)('ignores %s with position %s', (action, position) => {
    const result = sizeSignal(signal({ action, currentPosition: dec(position) }));
    expect(result.status).toBe('ignored');
    expect(result.reason).toContain('position to close');
    expect(result.side).toBeUndefined();
  });

  it('ignores a close with no position given (flat)', () => {
    expect(sizeSignal(signal({ action: 'CLOSE_LONG' })).status).toBe('ignored');
  });
});
