import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { evaluate } from '../test-support.js';
import { LIMIT_LEVELS } from '../types.js';
import { openPositions } from './open-positions.js';

const held = (count: number, holdsInstrument = false) => ({
  limits: { maxOpenPositions: 5 },
  openPositions: count,
  holdsInstrument,
});

describe('open_positions (§7.2 #15)', () => {
  it.each(LIMIT_LEVELS)('passes opening the 5th instrument at the %s limit 5 and denies the 6th', (level) => {
    expect(evaluate(openPositions, { levels: { [level]: held(4) } }).passed).toBe(true);
    const result = evaluate(openPositions, { levels: { [level]: held(5) } });
    expect(result).toMatchObject({
      name: 'open_positions',
      passed: false,
      code: 'MAX_OPEN_POSITIONS',
      level,
      limit: '5',
      actual: '6',
    });
    expect(result.message).toContain('maxOpenPositions');
  });

  it('passes an order in an instrument already held, even at the limit', () => {
    expect(evaluate(openPositions, { levels: { agent: held(5, true) } }).passed).toBe(true);
  });

  it('passes with no limit set, and is skipped for a reducing order', () => {
    expect(evaluate(openPositions, { levels: { agent: { openPositions: 1000 } } }).passed).toBe(true);
    const reducing = evaluate(openPositions, {
      levels: { agent: held(9) },
      order: { side: 'sell' },
      account: { position: dec(10) },
    });
    expect(reducing).toMatchObject({ passed: true, skipped: true });
  });
});
