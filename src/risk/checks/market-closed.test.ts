import { describe, expect, it } from 'vitest';
import { evaluate } from '../test-support.js';
import { marketClosed } from './market-closed.js';

describe('market_closed (§7.2 #6)', () => {
  it.each(['ioc', 'fok'] as const)('denies %s while the session is closed', (timeInForce) => {
    const result = evaluate(marketClosed, { sessionOpen: false, order: { timeInForce } });
    expect(result).toMatchObject({ name: 'market_closed', passed: false, code: 'MARKET_CLOSED' });
    expect(result.message).toContain(timeInForce);
  });

  it.each(['ioc', 'fok'] as const)('passes %s while the session is open', (timeInForce) => {
    expect(evaluate(marketClosed, { sessionOpen: true, order: { timeInForce } }).passed).toBe(true);
  });

  it.each(['day', 'gtc'] as const)('passes %s while the session is closed (it rests)', (timeInForce) => {
    expect(evaluate(marketClosed, { sessionOpen: false, order: { timeInForce } }).passed).toBe(true);
  });
});
