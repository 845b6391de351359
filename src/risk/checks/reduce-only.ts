import { ZERO } from '../../domain/decimal.js';
import type { RiskCheck, RiskInput } from '../types.js';
import { denied, passed } from './support.js';

const NAME = 'reduce_only';
const CODE = 'REDUCE_ONLY';
const PASS = passed(NAME, CODE);

/**
 * §7.2 #10 and §7.4: a reduce-only order, or any order while the trading state is `reducing`, must
 * reduce exposure (§7.1).
 */
export const reduceOnly: RiskCheck = (input, { reduces }) => {
  if (reduces) return PASS;
  if (input.tradingState === 'reducing') {
    return denied(NAME, CODE, {
      message: `The trading state is reducing (trading_state reducing): only orders that reduce an existing position are accepted, and ${describe(input)}; ${advice(input)}, or wait for a risk admin to resume active trading.`,
    });
  }
  if (input.order.reduceOnly !== true) return PASS;
  return denied(NAME, CODE, {
    message: `The order is reduce-only but ${describe(input)}; ${advice(input)}, or drop reduceOnly if it may open or add.`,
  });
};

function describe(input: RiskInput): string {
  const { order, account, instrument } = input;
  const leaves = order.side === 'sell' ? account.openSellLeaves : account.openBuyLeaves;
  const held = leaves.isZero() ? '' : ` (open ${order.side} orders already cover ${leaves.toFixed()})`;
  return `this ${order.side} of ${order.quantity.toFixed()} ${instrument.symbol} would not reduce the account's position ${account.position.toFixed()}${held}`;
}

/** The largest order on the reducing side that still reduces, or that there is nothing to reduce. */
function advice(input: RiskInput): string {
  const { position, openSellLeaves, openBuyLeaves } = input.account;
  if (position.isZero()) return 'there is no position to reduce';
  const side = position.isPositive() ? 'sell' : 'buy';
  const room = position.abs().minus(side === 'sell' ? openSellLeaves : openBuyLeaves);
  if (room.lessThanOrEqualTo(ZERO)) return `open ${side} orders already cover the position`;
  return `send a ${side} of at most ${room.toFixed()}`;
}
