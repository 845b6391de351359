import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import { checkContext, reducesExposure, runChecks } from './run-checks.js';
import { type RiskInputOverrides, makeRiskInput } from './test-support.js';
import type { RiskLimits } from './types.js';
import { EXPECTED_CHECK_ORDER } from './test-support.js';

const ORDER = EXPECTED_CHECK_ORDER;
const REDUCING_SKIPPED = [
  'order_notional',
  'daily_notional',
  'position_limit',
  'open_positions',
  'open_orders',
  'exposure',
  'daily_loss',
  'buying_power',
];

/** A limit at every ᴿ check that a 10-lot at 100 breaks. */
const TIGHT: RiskLimits = {
  maxOrderNotional: dec(1),
  maxDailyNotional: dec(1),
  maxPositionQuantity: dec(1),
  maxOpenPositions: 0,
  maxOpenOrders: 0,
  maxGrossExposure: dec(1),
  dailyLossLimit: dec(1),
};
const tightEverywhere: RiskInputOverrides = {
  levels: { agent: { limits: TIGHT, position: dec(10), startOfDayEquity: dec(200_000) } },
  account: { position: dec(10), buyingPower: dec(0) },
};

const sell = (quantity: number) => ({ side: 'sell' as const, quantity: dec(quantity) });

describe('reducesExposure (§7.1)', () => {
  const reduces = (overrides: RiskInputOverrides) => reducesExposure(makeRiskInput(overrides));

  it('is false without a position', () => {
    expect(reduces({ order: sell(1) })).toBe(false);
  });

  it('is true for an opposite-side order up to |position|, counting open leaves on that side', () => {
    expect(reduces({ order: sell(10), account: { position: dec(10) } })).toBe(true);
    expect(reduces({ order: sell(11), account: { position: dec(10) } })).toBe(false);
    expect(reduces({ order: sell(4), account: { position: dec(10), openSellLeaves: dec(6) } })).toBe(true);
    expect(reduces({ order: sell(5), account: { position: dec(10), openSellLeaves: dec(6) } })).toBe(false);
  });

  it('ignores leaves on the other side', () => {
    expect(reduces({ order: sell(10), account: { position: dec(10), openBuyLeaves: dec(50) } })).toBe(true);
  });

  it('is false for a same-side order', () => {
    expect(reduces({ account: { position: dec(10) } })).toBe(false);
    expect(reduces({ order: sell(1), account: { position: dec(-10) } })).toBe(false);
  });

  it('covers a short with buys', () => {
    const account = { position: dec(-10), openBuyLeaves: dec(3) };
    expect(reduces({ order: { quantity: dec(7) }, account })).toBe(true);
    expect(reduces({ order: { quantity: dec(8) }, account })).toBe(false);
  });
});

describe('checkContext', () => {
  it('values the order at its order price exactly', () => {
    const input = makeRiskInput({ order: { quantity: dec(3) }, orderPrice: dec('100.01') });
    expect(checkContext(input).notional?.toFixed()).toBe('300.03');
  });

  it('has no notional without an order price', () => {
    expect(checkContext(makeRiskInput({ orderPrice: undefined })).notional).toBeUndefined();
  });
});

describe('runChecks', () => {
  it('approves the default order after every check, in §7.2 order', () => {
    const decision = runChecks(makeRiskInput());
    expect(decision.approved).toBe(true);
    expect(decision.code).toBeUndefined();
    expect(decision.checks.map((c) => c.name)).toEqual(ORDER);
    expect(decision.checks.every((c) => c.passed)).toBe(true);
  });

  it('stops at the first failure in order', () => {
    // Out of the price band (#8) and over the order notional limit (#13).
    const input = makeRiskInput({
      order: { limitPrice: dec(200) },
      levels: { agent: { limits: { maxOrderNotional: dec(1000) } } },
    });
    const decision = runChecks(input);
    expect(decision).toMatchObject({ approved: false, code: 'PRICE_BAND' });
    expect(decision.failed?.name).toBe('price_band');
    expect(decision.checks.map((c) => c.name)).toEqual(ORDER.slice(0, ORDER.indexOf('price_band') + 1));
  });

  it('reports every check with `all`, the first failure deciding', () => {
    const input = makeRiskInput({
      order: { limitPrice: dec(200) },
      levels: { agent: { limits: { maxOrderNotional: dec(1000) } } },
    });
    const decision = runChecks(input, { all: true });
    expect(decision).toMatchObject({ approved: false, code: 'PRICE_BAND' });
    expect(decision.checks.map((c) => c.name)).toEqual(ORDER);
    expect(decision.checks.filter((c) => !c.passed).map((c) => c.code)).toEqual([
      'PRICE_BAND',
      'ORDER_NOTIONAL_LIMIT',
    ]);
  });

  it('skips the ᴿ checks for an order that reduces exposure', () => {
    const decision = runChecks(makeRiskInput({ ...tightEverywhere, order: sell(10) }), { all: true });
    expect(decision.approved).toBe(true);
    const skipped = decision.checks.filter((c) => c.skipped === true);
    expect(skipped.map((c) => c.name)).toEqual(REDUCING_SKIPPED);
    for (const check of skipped) {
      expect(check).toMatchObject({ passed: true, message: 'skipped: the order reduces exposure' });
    }
  });

  it('runs the ᴿ checks for a sell past the position, which does not reduce', () => {
    // 12 sold from a long 10 leaves a short 2: over the position limit 1 as well.
    const decision = runChecks(makeRiskInput({ ...tightEverywhere, order: sell(12) }), { all: true });
    expect(decision.code).toBe('ORDER_NOTIONAL_LIMIT');
    const failed = decision.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed).toEqual(REDUCING_SKIPPED);
  });

  it('lets only reducing orders through in the reducing state', () => {
    const account = { position: dec(10) };
    const adding = runChecks(makeRiskInput({ tradingState: 'reducing', account }));
    expect(adding.code).toBe('REDUCE_ONLY');
    expect(adding.failed?.message).toContain('reducing');
    const closing = runChecks(makeRiskInput({ tradingState: 'reducing', account, order: sell(10) }));
    expect(closing.approved).toBe(true);
  });

  it('denies every order while halted, reducing or not', () => {
    const account = { position: dec(10) };
    for (const order of [sell(10), sell(11), { side: 'buy' as const }]) {
      const decision = runChecks(makeRiskInput({ tradingState: 'halted', account, order }));
      expect(decision).toMatchObject({ approved: false, code: 'TRADING_HALTED' });
    }
  });

  it('passes every limit check when no limit is set, however large the order', () => {
    const huge = makeRiskInput({
      order: { quantity: dec(1_000_000) },
      account: { buyingPower: dec(1e12) },
      levels: { agent: { grossExposure: dec(1e12), openOrders: 10_000, openPositions: 10_000 } },
    });
    expect(runChecks(huge).approved).toBe(true);
  });
});
