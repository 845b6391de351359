import { describe, expect, it } from 'vitest';
import { BPS, ONE, dec } from '../domain/decimal.js';
import { type PricedFill, type PricingContext, priceFill, takingSide } from './book-walk.js';
import { book, levels } from './test-support.js';

const fees = (taker: number, maker = 0) => ({ takerBps: dec(taker), makerBps: dec(maker) });
const market = (side: 'buy' | 'sell', impactBps = 0): PricingContext => ({
  side,
  limit: undefined,
  beyondBookFactor: BPS.plus(side === 'buy' ? impactBps : -impactBps).div(BPS),
});
const limit = (side: 'buy' | 'sell', price: string): PricingContext => ({
  side,
  limit: dec(price),
  beyondBookFactor: ONE,
});

/** Every Decimal field as a plain string, so 10.0 and 10 are equal and nothing passes through a float. */
function strings(fill: PricedFill): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fill).map(([key, value]) => [key, (value as typeof ONE).toFixed()]),
  );
}

describe('priceFill walks the taking side best level first (§2.4)', () => {
  it('buys 300 across three ask levels with a 10 bp taker fee', () => {
    const asks = levels([
      ['100', 100],
      ['101', 100],
      ['102', 500],
    ]);
    expect(strings(priceFill(asks, fees(10), dec(300), market('buy')))).toEqual({
      quantity: '300',
      notional: '30300',
      fees: '30.3',
      beyondBook: '0',
      expectedPrice: '101',
      cost: '30330.3',
    });
  });

  it('sells into the bids and reports the net proceeds as a negative cost', () => {
    const bids = takingSide(
      book(
        [],
        [
          ['100', 50],
          ['99.5', 50],
        ],
      ),
      'sell',
    );
    // 50 × 100 + 30 × 99.5 = 7985; fee 20 bp = 15.97; cost = 15.97 − 7985.
    expect(strings(priceFill(bids, fees(20), dec(80), market('sell')))).toEqual({
      quantity: '80',
      notional: '7985',
      fees: '15.97',
      beyondBook: '0',
      expectedPrice: '99.8125',
      cost: '-7969.03',
    });
  });

  it('stops a buy limit at its limit and rests the rest there, with the maker fee (a rebate here)', () => {
    const asks = levels([
      ['100', 100],
      ['100.05', 100],
      ['100.10', 500],
    ]);
    const fill = priceFill(asks, fees(10, -1), dec(300), limit('buy', '100.05'));
    // Takes 100 @ 100 + 100 @ 100.05 = 20005 (fee 20.005); rests 100 @ 100.05 = 10005 (rebate −1.0005).
    expect(strings(fill)).toMatchObject({
      notional: '30010',
      fees: '19.0045',
      beyondBook: '100',
      cost: '30029.0045',
    });
    expect(fill.expectedPrice.toFixed(6)).toBe('100.033333');
  });

  it('does not sell below a sell limit', () => {
    const bids = levels([
      ['50.00', 10],
      ['49.99', 10],
    ]);
    const fill = priceFill(bids, fees(0), dec(15), limit('sell', '50.00'));
    expect(strings(fill)).toMatchObject({ notional: '750', beyondBook: '5', cost: '-750' });
  });

  it("prices a market order's part beyond the book at the worst level moved by the impact", () => {
    const asks = levels([
      ['100', 10],
      ['101', 10],
    ]);
    // 1000 + 1010 + 10 × 101 × 1.005 (50 bp) = 2010 + 1015.05.
    const fill = priceFill(asks, fees(0), dec(30), market('buy', 50));
    expect(strings(fill)).toMatchObject({ notional: '3025.05', beyondBook: '10' });
    const sell = priceFill(levels([['100', 10]]), fees(0), dec(20), market('sell', 50));
    expect(strings(sell)).toMatchObject({ notional: '1995', beyondBook: '10', cost: '-1995' });
  });

  it('treats a level without size as unlimited (§2.5)', () => {
    const fill = priceFill(levels([['100.01', undefined]]), fees(1), dec(1_000_000), market('buy'));
    expect(strings(fill)).toMatchObject({ notional: '100010000', fees: '10001', beyondBook: '0' });
  });
});
