import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { buyingPower } from './buying-power.js';

const sell = (quantity: number) => ({ side: 'sell' as const, quantity: dec(quantity) });

describe('buying_power (§7.2 #18)', () => {
  it('passes a buy costing exactly the free buying power and denies a tick more', () => {
    const account = { buyingPower: dec(1000) };
    expect(evaluate(buyingPower, { account }).passed).toBe(true); // 10 × 100
    const result = evaluate(buyingPower, { account, order: { limitPrice: dec('100.01') } });
    expect(result).toMatchObject({
      name: 'buying_power',
      passed: false,
      code: 'INSUFFICIENT_BUYING_POWER',
      limit: '1000',
      actual: '1000.1',
    });
    expect(result.level).toBeUndefined();
    expect(result.message).toContain('at most 9');
  });

  it('adds the estimated taker fee', () => {
    const fee = { takerFeeBps: dec(10) }; // 1000 × 10 / 10 000 = 1
    expect(evaluate(buyingPower, { account: { ...fee, buyingPower: dec(1001) } }).passed).toBe(true);
    const result = evaluate(buyingPower, { account: { ...fee, buyingPower: dec('1000.99') } });
    expect(result).toMatchObject({ passed: false, limit: '1000.99', actual: '1001' });
    expect(result.message).toContain('taker fee 1');
  });

  it('subtracts what open orders reserve', () => {
    const account = (reserved: string) => ({ buyingPower: dec(2000), reserved: dec(reserved) });
    expect(evaluate(buyingPower, { account: account('1000') }).passed).toBe(true);
    expect(evaluate(buyingPower, { account: account('1000.01') })).toMatchObject({
      passed: false,
      limit: '999.99',
    });
  });

  it('skips a buy without a price', () => {
    const result = evaluate(buyingPower, { account: { buyingPower: dec(0) }, orderPrice: undefined });
    expect(result).toMatchObject({ passed: true, skipped: true });
  });

  describe('a sell on a cash account', () => {
    it('denies selling more than is held', () => {
      const account = { type: 'cash' as const, position: dec(10), buyingPower: dec(1e9) };
      expect(evaluate(buyingPower, { account, order: sell(11) })).toMatchObject({
        passed: false,
        code: 'INSUFFICIENT_BUYING_POWER',
        limit: '10',
        actual: '11',
      });
    });

    it('counts open sell leaves against what is held', () => {
      const account = { type: 'cash' as const, position: dec(10), openSellLeaves: dec(5) };
      const result = evaluate(buyingPower, { account, order: sell(6) });
      expect(result).toMatchObject({ passed: false, limit: '5', actual: '6' });
      expect(result.message).toContain('cannot sell short');
    });

    it('denies any sell with nothing held', () => {
      const account = { type: 'cash' as const, position: dec(0) };
      expect(evaluate(buyingPower, { account, order: sell(1) })).toMatchObject({ passed: false, limit: '0' });
    });
  });

  describe('a sell on a margin account', () => {
    it('pays for the part beyond the long position like a buy', () => {
      const account = (power: string) => ({ position: dec(10), buyingPower: dec(power) });
      expect(evaluate(buyingPower, { account: account('500'), order: sell(15) }).passed).toBe(true);
      const result = evaluate(buyingPower, { account: account('499.99'), order: sell(15) });
      expect(result).toMatchObject({ passed: false, limit: '499.99', actual: '500' });
      expect(result.message).toContain('beyond the long position');
      expect(result.message).toContain('at most 14');
    });

    it('pays for all of a sell that opens a short', () => {
      expect(evaluate(buyingPower, { account: { buyingPower: dec(1000) }, order: sell(10) }).passed).toBe(
        true,
      );
      expect(evaluate(buyingPower, { account: { buyingPower: dec('999.99') }, order: sell(10) }).passed).toBe(
        false,
      );
    });
  });

  it('is skipped for an order that reduces exposure', () => {
    const account = { position: dec(10), buyingPower: dec(0), type: 'cash' as const };
    expect(evaluate(buyingPower, { account, order: sell(10) })).toMatchObject({
      passed: true,
      skipped: true,
    });
  });
});
