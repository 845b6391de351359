import { describe, expect, it } from 'vitest';
import { ZERO, dec } from '../domain/decimal.js';
import type { Order } from '../domain/order.js';
import { raisesUsage } from './usage-book.js';

const base: Order = {
  id: 'o1',
  clientOrderId: 'c1',
  accountId: 'a1',
  venue: 'paper',
  symbol: 'AAPL',
  side: 'sell',
  type: 'trailing_stop',
  quantity: dec(10),
  timeInForce: 'gtc',
  trailPrice: dec(1),
  currentStop: dec(99),
  status: 'new',
  filledQty: ZERO,
  filledNotional: ZERO,
  overfillQty: ZERO,
  venueOrderIds: [],
  held: false,
  emulated: false,
  inferred: false,
  external: false,
  createdAt: 0,
  updatedAt: 0,
};

describe('raisesUsage', () => {
  it('a held leg released, or an inferred status re-opened, starts counting', () => {
    expect(raisesUsage({ ...base, held: true }, base)).toBe(true);
    expect(raisesUsage({ ...base, status: 'rejected', inferred: true }, base)).toBe(true);
    expect(raisesUsage(base, { ...base, held: true })).toBe(false);
  });

  it('a larger quantity or a higher price raises it; a fill, a cancel or a lower price does not', () => {
    expect(raisesUsage(base, { ...base, quantity: dec(11) })).toBe(true);
    expect(raisesUsage(base, { ...base, currentStop: dec('99.5') })).toBe(true);
    const { currentStop: _stop, ...unstopped } = base;
    expect(raisesUsage(unstopped, base)).toBe(true);
    expect(raisesUsage(base, { ...base, currentStop: dec('98.5') })).toBe(false);
    expect(raisesUsage(base, { ...base, status: 'partially_filled', filledQty: dec(4) })).toBe(false);
    expect(raisesUsage(base, { ...base, status: 'canceled' })).toBe(false);
    expect(raisesUsage(base, { ...base, quantity: dec(9) })).toBe(false);
  });
});
