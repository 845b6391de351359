import { roundToStep } from '../../domain/instrument.js';
import type { RiskCheck } from '../types.js';
import { NO_PRICE_NOTE, denied, passed, skipped } from './support.js';

const NAME = 'min_notional';
const CODE = 'MIN_NOTIONAL';
const PASS = passed(NAME, CODE);
const NO_PRICE = skipped(NAME, CODE, NO_PRICE_NOTE);

/** §7.2 #9: notional below the instrument's minimum. */
export const minNotional: RiskCheck = (input, { notional }) => {
  const { instrument, orderPrice } = input;
  if (notional === undefined || orderPrice === undefined) return NO_PRICE;
  const minimum = instrument.minNotional;
  if (notional.greaterThanOrEqualTo(minimum)) return PASS;
  const least = roundToStep(minimum.div(orderPrice), instrument.lotSize, 'up');
  return denied(NAME, CODE, {
    limit: minimum,
    actual: notional,
    message: `Order notional ${notional.toFixed()} is below ${instrument.symbol}'s minimum ${minimum.toFixed()}; increase quantity to at least ${least.toFixed()} at ${orderPrice.toFixed()}.`,
  });
};
