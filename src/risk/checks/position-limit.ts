import { type Decimal, dec } from '../../domain/decimal.js';
import type { CheckResult, LevelUsage, RiskCheck, RiskInput } from '../types.js';
import { REDUCES_NOTE, denied, limitName, passed, quantityAdvice, skipped } from './support.js';

const NAME = 'position_limit';
const CODE = 'POSITION_LIMIT';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);
const HUNDRED = dec(100);

/**
 * §7.2 #14 ᴿ: |position + this order + open same-side orders| over a level's limit in units
 * (maxPositionQuantity), at the reference price (maxPositionNotional), or as a share of the level's
 * equity (maxPositionPctOfEquity). Without a reference the order price values it; without either
 * only the quantity limit applies.
 */
export const positionLimit: RiskCheck = (input, { reduces }) => {
  if (reduces) return REDUCES;
  const price = input.reference ?? input.orderPrice;
  for (const usage of input.levels) {
    const result = checkLevel(input, usage, price);
    if (result !== undefined) return result;
  }
  return PASS;
};

function checkLevel(
  input: RiskInput,
  usage: LevelUsage,
  price: Decimal | undefined,
): CheckResult | undefined {
  const { maxPositionQuantity, maxPositionNotional, maxPositionPctOfEquity } = usage.limits;
  const unset = maxPositionQuantity === undefined && maxPositionNotional === undefined;
  if (unset && maxPositionPctOfEquity === undefined) return undefined;
  const { side, quantity } = input.order;
  const adding = quantity.plus(usage.sameSideLeaves);
  const size = (side === 'buy' ? usage.position.plus(adding) : usage.position.minus(adding)).abs();
  if (maxPositionQuantity !== undefined && size.greaterThan(maxPositionQuantity)) {
    return deny(input, usage, 'quantity', maxPositionQuantity, size, maxPositionQuantity);
  }
  if (price === undefined) return undefined;
  const notional = size.times(price);
  if (maxPositionNotional !== undefined && notional.greaterThan(maxPositionNotional)) {
    return deny(input, usage, 'notional', maxPositionNotional, notional, maxPositionNotional.div(price));
  }
  // notional > pct × equity / 100, compared without dividing (division is the slow operation).
  if (maxPositionPctOfEquity === undefined) return undefined;
  const scaledCap = maxPositionPctOfEquity.times(usage.equity);
  if (notional.times(HUNDRED).lessThanOrEqualTo(scaledCap)) return undefined;
  const cap = scaledCap.div(HUNDRED);
  return deny(input, usage, 'share of equity', cap, notional, cap.div(price));
}

const FIELDS = {
  quantity: 'maxPositionQuantity',
  notional: 'maxPositionNotional',
  'share of equity': 'maxPositionPctOfEquity',
} as const;

function deny(
  input: RiskInput,
  usage: LevelUsage,
  dimension: keyof typeof FIELDS,
  limit: Decimal,
  actual: Decimal,
  capQuantity: Decimal,
): CheckResult {
  const { level, position, sameSideLeaves } = usage;
  // What the position already commits on the order's side: the order may add the cap less this.
  const committed =
    input.order.side === 'buy' ? position.plus(sameSideLeaves) : sameSideLeaves.minus(position);
  const fits = capQuantity.minus(committed);
  const symbol = input.instrument.symbol;
  const field = FIELDS[dimension];
  const what =
    dimension === 'quantity'
      ? `The ${symbol} position would reach ${actual.toFixed()} units`
      : `The ${symbol} position would be worth ${actual.toFixed()}`;
  const cap =
    dimension === 'share of equity'
      ? `${limitName(level)} ${limit.toFixed()} (${usage.limits.maxPositionPctOfEquity?.toFixed() ?? ''}% of equity ${usage.equity.toFixed()}, ${field})`
      : `${limitName(level)} ${limit.toFixed()} (${field})`;
  return denied(NAME, CODE, {
    level,
    limit,
    actual,
    message: `${what} counting open ${input.order.side} orders, over ${cap} by ${actual.minus(limit).toFixed()}; ${quantityAdvice(input.instrument, fits)}, or ask a risk admin to raise ${field}.`,
  });
}
