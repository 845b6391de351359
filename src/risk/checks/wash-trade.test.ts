import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { washTrade } from './wash-trade.js';

const opposite = (bestLimit: string) => ({ opposite: { bestLimit: dec(bestLimit), limitOrders: 1 } });

describe('wash_trade (§7.2 #11)', () => {
  it('denies a buy at the own lowest sell limit and passes one a tick below', () => {
    const account = opposite('101');
    expect(evaluate(washTrade, { account, order: { limitPrice: dec('100.99') } }).passed).toBe(true);
    const result = evaluate(washTrade, { account, order: { limitPrice: dec('101') } });
    expect(result).toMatchObject({
      name: 'wash_trade',
      passed: false,
      code: 'WASH_TRADE',
      limit: '101',
      actual: '101',
    });
    expect(result.message).toContain('below 101');
  });

  it('denies a sell at the own highest buy limit and passes one a tick above', () => {
    const account = opposite('99');
    const order = (limit: string) => ({ side: 'sell' as const, limitPrice: dec(limit) });
    expect(evaluate(washTrade, { account, order: order('99.01') }).passed).toBe(true);
    expect(evaluate(washTrade, { account, order: order('99') })).toMatchObject({
      passed: false,
      actual: '99',
    });
  });

  it('denies a market order while any own limit order rests opposite', () => {
    const market = { type: 'market' as const, limitPrice: undefined };
    expect(evaluate(washTrade, { order: market }).passed).toBe(true);
    const result = evaluate(washTrade, { order: market, account: opposite('101') });
    expect(result).toMatchObject({ passed: false, code: 'WASH_TRADE', actual: '1' });
  });

  it('lets a stop without a limit rest opposite an own limit (not a market order until it triggers)', () => {
    const stop = { type: 'stop' as const, limitPrice: undefined, stopPrice: dec('95') };
    expect(evaluate(washTrade, { order: stop, account: opposite('101') }).passed).toBe(true);
  });

  it('passes when the account has no order on the other side', () => {
    expect(evaluate(washTrade, { order: { limitPrice: dec('1000') } }).passed).toBe(true);
  });
});
