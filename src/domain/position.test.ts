import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPS, Decimal, dec } from './decimal.js';
import type { Side } from './order.js';
import {
  type Position,
  type PositionUpdate,
  applyFillToPosition,
  flatPosition,
  netRealizedPnl,
  unrealizedPnl,
} from './position.js';
import { type FillInput, makeFill } from './test-support.js';

const flat = (): Position => flatPosition('acc-1', 'AAPL');

function apply(position: Position, side: Side, quantity: string, price: string, fee = '0'): PositionUpdate {
  return applyFillToPosition(position, makeFill({ side, quantity, price, fee }));
}

function applyAll(fills: readonly FillInput[], start = flat()): Position {
  return fills.reduce((p, fill) => applyFillToPosition(p, makeFill(fill)).position, start);
}

/** Compares as plain decimal strings, so 10.0 and 10 are equal and nothing passes through a float. */
function expectPosition(position: Position, quantity: string, avg: string, realized: string): void {
  expect(position.quantity.toFixed()).toBe(dec(quantity).toFixed());
  expect(position.avgEntryPrice.toFixed()).toBe(dec(avg).toFixed());
  expect(position.realizedPnl.toFixed()).toBe(dec(realized).toFixed());
}

describe('§6.2 open and add', () => {
  it('opens a long at the fill price', () => {
    const update = apply(flat(), 'buy', '10', '100.25');
    expect(update.change).toBe('opened');
    expect(update.realized.toFixed()).toBe('0');
    expectPosition(update.position, '10', '100.25', '0');
  });

  it('adds at (|q|a + |f|p) / (|q| + |f|): 3 @ 10.01 then 7 @ 10.02 → 10.017', () => {
    const opened = apply(flat(), 'buy', '3', '10.01').position;
    const update = apply(opened, 'buy', '7', '10.02');
    expect(update.change).toBe('updated');
    expectPosition(update.position, '10', '10.017', '0');
  });

  it('opens and adds to a short the same way', () => {
    const opened = apply(flat(), 'sell', '0.5', '95000');
    expect(opened.change).toBe('opened');
    const added = apply(opened.position, 'sell', '1.5', '95100.2');
    expectPosition(added.position, '-2', '95075.15', '0');
  });
});

describe('§6.2 reduce and close', () => {
  it('reduces a long: realized += |f|(p − a), average unchanged', () => {
    const long = applyAll([{ side: 'buy', quantity: 10, price: '102.5' }]);
    const update = apply(long, 'sell', '4', '110.25');
    expect(update.change).toBe('updated');
    expect(update.realized.toFixed()).toBe('31');
    expectPosition(update.position, '6', '102.5', '31');
  });

  it('reduces a short: realized += |f|(p − a)·(−1)', () => {
    const short = applyAll([{ side: 'sell', quantity: 10, price: 50 }]);
    const update = apply(short, 'buy', '4', '45.55');
    expect(update.realized.toFixed()).toBe('17.8');
    expectPosition(update.position, '-6', '50', '17.8');
  });

  it('a losing reduce realizes a loss', () => {
    const long = applyAll([{ side: 'buy', quantity: 10, price: 100 }]);
    expect(apply(long, 'sell', '10', '99.99').realized.toFixed()).toBe('-0.1');
  });

  it('closes a long to flat: average 0, change closed', () => {
    const long = applyAll([{ side: 'buy', quantity: '2.5', price: 40 }]);
    const update = apply(long, 'sell', '2.5', '41.2');
    expect(update.change).toBe('closed');
    expectPosition(update.position, '0', '0', '3');
  });

  it('closes a short to flat: average 0, change closed', () => {
    const short = applyAll([{ side: 'sell', quantity: 3, price: 40 }]);
    const update = apply(short, 'buy', '3', '41');
    expect(update.change).toBe('closed');
    expectPosition(update.position, '0', '0', '-3');
  });
});

describe('§6.2 flip in one fill', () => {
  it('long → short: realized on |q| only, new average = p', () => {
    const long = applyAll([{ side: 'buy', quantity: 10, price: 100 }]);
    const update = apply(long, 'sell', '15', '104.1');
    expect(update.change).toBe('flipped');
    expect(update.realized.toFixed()).toBe('41');
    expectPosition(update.position, '-5', '104.1', '41');
  });

  it('short → long: realized on |q| only, new average = p', () => {
    const short = applyAll([{ side: 'sell', quantity: 10, price: 100 }]);
    const update = apply(short, 'buy', '15', '96.5');
    expect(update.change).toBe('flipped');
    expect(update.realized.toFixed()).toBe('35');
    expectPosition(update.position, '5', '96.5', '35');
  });

  it('charges the flipping fill’s whole fee', () => {
    const long = applyAll([{ side: 'buy', quantity: 10, price: 100, fee: '1' }]);
    const update = apply(long, 'sell', '15', '104', '1.5');
    expect(update.position.fees.toFixed()).toBe('2.5');
  });
});

describe('§6.2 fees and realized P&L', () => {
  it('fees accumulate and never enter the average entry', () => {
    const position = applyAll([
      { side: 'buy', quantity: 10, price: 100, fee: '1.5' },
      { side: 'buy', quantity: 10, price: 110, fee: '2.25' },
    ]);
    expect(position.avgEntryPrice.toFixed()).toBe('105');
    expect(position.fees.toFixed()).toBe('3.75');
  });

  it('net realized = gross − fees', () => {
    const position = applyAll([
      { side: 'buy', quantity: 10, price: 100, fee: '0.75' },
      { side: 'sell', quantity: 4, price: 105, fee: '0.5' },
    ]);
    expect(position.realizedPnl.toFixed()).toBe('20');
    expect(netRealizedPnl(position).toFixed()).toBe('18.75');
  });

  it('realized accumulates across lifecycles: open, close, reopen, close', () => {
    const position = applyAll([
      { side: 'buy', quantity: 10, price: 100, fee: '1' },
      { side: 'sell', quantity: 10, price: 103, fee: '1' },
      { side: 'sell', quantity: 5, price: 103, fee: '0.5' },
    ]);
    expectPosition(position, '-5', '103', '30');
    const closed = apply(position, 'buy', '5', '101').position;
    expectPosition(closed, '0', '0', '40');
    expect(closed.fees.toFixed()).toBe('2.5');
    expect(netRealizedPnl(closed).toFixed()).toBe('37.5');
  });

  it('paper fee = notional × bps / 10 000, exact: 0.123 BTC @ 95123.45 at 25 bps', () => {
    const quantity = dec('0.123');
    const price = dec('95123.45');
    const fee = quantity.times(price).times(25).div(BPS);
    expect(fee.toFixed()).toBe('29.250460875');
    const position = applyFillToPosition(flat(), makeFill({ quantity, price, fee })).position;
    expect(position.fees.toFixed()).toBe('29.250460875');
    expect(position.avgEntryPrice.toFixed()).toBe('95123.45');
  });
});

describe('§6.2 unrealized P&L = (mark − a) × q', () => {
  it('long', () => {
    const long = applyAll([{ side: 'buy', quantity: 10, price: '100.25' }]);
    expect(unrealizedPnl(long, dec('103.5')).toFixed()).toBe('32.5');
  });

  it('short', () => {
    const short = applyAll([{ side: 'sell', quantity: 10, price: '100.25' }]);
    expect(unrealizedPnl(short, dec('103.5')).toFixed()).toBe('-32.5');
    expect(unrealizedPnl(short, dec('99')).toFixed()).toBe('12.5');
  });

  it('flat is zero at any mark', () => {
    expect(unrealizedPnl(flat(), dec('123.45')).toFixed()).toBe('0');
  });
});

describe('§6.2 property: cash accounting agrees with P&L', () => {
  const START = dec(1_000_000);
  const fillArb = fc.record({
    side: fc.constantFrom<Side>('buy', 'sell'),
    quantity: fc.integer({ min: 1, max: 100 }),
    cents: fc.integer({ min: 1, max: 100_000_00 }),
    feeBps: fc.integer({ min: 0, max: 30 }),
  });
  type RawFill = typeof fillArb extends fc.Arbitrary<infer T> ? T : never;
  const fillsArb = fc.array(fillArb, { minLength: 1, maxLength: 40 });
  const markArb = fc.integer({ min: 1, max: 100_000_00 });

  /** Cash (start − Σ signed qty × price − fees) + q × mark − start, and realized + unrealized − fees. */
  function bothSides(fills: readonly RawFill[], markCents: number): { cashSide: Decimal; pnlSide: Decimal } {
    let cash = START;
    let position = flat();
    for (const { side, quantity, cents, feeBps } of fills) {
      const price = new Decimal(cents).div(100);
      const fee = price.times(quantity).times(feeBps).div(BPS);
      const signed = side === 'buy' ? dec(quantity) : dec(-quantity);
      cash = cash.minus(signed.times(price)).minus(fee);
      position = applyFillToPosition(position, makeFill({ side, quantity, price, fee })).position;
    }
    const mark = new Decimal(markCents).div(100);
    return {
      cashSide: cash.plus(position.quantity.times(mark)).minus(START),
      pnlSide: position.realizedPnl.plus(unrealizedPnl(position, mark)).minus(position.fees),
    };
  }

  /** Turns every fill that would add to an open position into a reducing (or flipping) one. */
  function withoutAdds(fills: readonly RawFill[]): RawFill[] {
    let q = 0;
    return fills.map((fill) => {
      const adds = q !== 0 && q > 0 === (fill.side === 'buy');
      const side: Side = adds ? (fill.side === 'buy' ? 'sell' : 'buy') : fill.side;
      q += side === 'buy' ? fill.quantity : -fill.quantity;
      return { ...fill, side };
    });
  }

  it('exactly, for open / reduce / close / flip sequences (every average entry is a fill price)', () => {
    fc.assert(
      fc.property(fillsArb, markArb, (raw, markCents) => {
        const { cashSide, pnlSide } = bothSides(withoutAdds(raw), markCents);
        expect(cashSide.toFixed()).toBe(pnlSide.toFixed());
      }),
      { numRuns: 500 },
    );
  });

  it('within 1e-20, for any sequence including adds (the §6.2 average is a rounded quotient)', () => {
    // (|q|a + |f|p) / (|q| + |f|) need not terminate (e.g. 32 / 3): with 40 significant digits the
    // average carries a ~1e-38 relative error, so the identity holds to ~1e-33, not exactly. A binary
    // float anywhere on the path would miss by ~1e-10, so this bound still catches one.
    fc.assert(
      fc.property(fillsArb, markArb, (raw, markCents) => {
        const { cashSide, pnlSide } = bothSides(raw, markCents);
        expect(cashSide.minus(pnlSide).abs().lessThanOrEqualTo('1e-20')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
