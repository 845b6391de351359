import { BPS, type Decimal, ONE, ZERO, maxDec } from '../../domain/decimal.js';
import type { CheckResult, RiskCheck, RiskInput } from '../types.js';
import { NO_PRICE_NOTE, REDUCES_NOTE, denied, passed, quantityAdvice, skipped } from './support.js';

const NAME = 'buying_power';
const CODE = 'INSUFFICIENT_BUYING_POWER';
const PASS = passed(NAME, CODE);
const REDUCES = skipped(NAME, CODE, REDUCES_NOTE);
const NO_PRICE = skipped(NAME, CODE, NO_PRICE_NOTE);

/**
 * §7.2 #18 ᴿ, for the order's account: a buy's notional plus the estimated taker fee over the buying
 * power that open orders leave free; on a cash account, a sell of more than is held less open sells
 * (no short selling); on a margin account, the part of a sell beyond the long position is paid for
 * like a buy.
 */
export const buyingPower: RiskCheck = (input, { notional, reduces }) => {
  if (reduces) return REDUCES;
  const { account, order, orderPrice } = input;
  if (order.side === 'buy') return notional === undefined ? NO_PRICE : cost(input, notional, ZERO);
  const held = account.position.minus(account.openSellLeaves);
  if (account.type === 'cash') return cashSell(input, held);
  const long = maxDec(ZERO, held);
  const short = order.quantity.minus(long);
  if (!short.greaterThan(ZERO)) return PASS;
  return orderPrice === undefined ? NO_PRICE : cost(input, short.times(orderPrice), long);
};

/** Denies when `notional` plus its taker fee exceeds free buying power; `base` is what needs none. */
function cost(input: RiskInput, notional: Decimal, base: Decimal): CheckResult {
  const { buyingPower: power, reserved, takerFeeBps } = input.account;
  const free = power.minus(reserved);
  // notional × (1 + bps / 10 000) ≤ free, compared without dividing (division is the slow operation).
  if (notional.times(BPS.plus(takerFeeBps)).lessThanOrEqualTo(free.times(BPS))) return PASS;
  const fee = notional.times(takerFeeBps).div(BPS);
  const needed = notional.plus(fee);
  const price = input.orderPrice;
  const perUnit = price?.times(ONE.plus(takerFeeBps.div(BPS)));
  const advice =
    perUnit === undefined || perUnit.isZero()
      ? 'reduce quantity'
      : quantityAdvice(input.instrument, base.plus(maxDec(ZERO, free).div(perUnit)), 'the free buying power');
  const what = base.isZero() ? 'This order' : 'The part of this sell beyond the long position';
  return denied(NAME, CODE, {
    limit: free,
    actual: needed,
    message: `${what} needs ${needed.toFixed()} (notional ${notional.toFixed()} plus estimated taker fee ${fee.toFixed()}), but only ${free.toFixed()} of buying power is free (${power.toFixed()} less ${reserved.toFixed()} reserved by open orders); ${advice}, or cancel open orders to free buying power.`,
  });
}

function cashSell(input: RiskInput, held: Decimal): CheckResult {
  const { quantity } = input.order;
  if (quantity.lessThanOrEqualTo(held)) return PASS;
  const { position, openSellLeaves } = input.account;
  const available = maxDec(ZERO, held);
  return denied(NAME, CODE, {
    limit: available,
    actual: quantity,
    message: `A cash account cannot sell short: it holds ${position.toFixed()} ${input.instrument.symbol} and open sells already cover ${openSellLeaves.toFixed()}, so at most ${available.toFixed()} more can be sold; ${quantityAdvice(input.instrument, available, 'what is held')}, or cancel open sell orders first.`,
  });
}
