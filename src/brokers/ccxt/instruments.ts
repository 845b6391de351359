/**
 * ccxt markets into Instruments. ccxt reports precision either as tick sizes (TICK_SIZE mode:
 * Binance since ccxt 4, e.g. `precision.price = 0.01`) or as decimal places (DECIMAL_PLACES mode,
 * e.g. `2`); both become a step. Symbols are ccxt's unified `BASE/QUOTE`, which is ours too.
 */
import { type MarketInterface, functions } from 'ccxt';
import { type Decimal, dec } from '../../domain/decimal.js';
import { type Instrument, defineInstrument } from '../../domain/instrument.js';
import { optionalDecimal } from './values.js';

/** A step from ccxt's precision value in the exchange's precision mode. */
export function stepOf(precision: number | undefined, mode: number | undefined, field: string): Decimal {
  if (precision === undefined) throw new Error(`The market has no ${field} precision.`);
  if (mode === functions.TICK_SIZE) {
    const step = optionalDecimal(precision, `${field} precision`);
    if (step === undefined || !step.gt(0)) throw new Error(`The market's ${field} tick is not positive.`);
    return step;
  }
  if (mode === functions.DECIMAL_PLACES && Number.isInteger(precision) && precision >= 0) {
    return dec(10).pow(-precision);
  }
  // SIGNIFICANT_DIGITS steps depend on the price: no fixed step to declare.
  throw new Error(`Precision mode ${String(mode)} of ${field} has no fixed step.`);
}

/** Whether a market is one this adapter trades: spot, and not a derivative or a prediction market. */
export function isSpot(market: MarketInterface): boolean {
  return market.spot === true && market.contract !== true;
}

/** A spot market as an Instrument; `tradable` follows the market's `active` flag. */
export function instrumentOf(market: MarketInterface, precisionMode: number | undefined): Instrument {
  const lot = stepOf(market.precision.amount, precisionMode, 'amount');
  const minAmount = optionalDecimal(market.limits.amount?.min, 'minimum amount');
  const maxAmount = optionalDecimal(market.limits.amount?.max, 'maximum amount');
  const minNotional = optionalDecimal(market.limits.cost?.min, 'minimum cost');
  return defineInstrument({
    symbol: market.symbol,
    name: `${market.base}/${market.quote} spot`,
    assetClass: 'crypto',
    base: market.base,
    quote: market.quote,
    tickSize: stepOf(market.precision.price, precisionMode, 'price'),
    lotSize: lot,
    minQuantity: minAmount !== undefined && minAmount.gt(0) ? minAmount : lot,
    ...(maxAmount !== undefined && maxAmount.gt(0) ? { maxQuantity: maxAmount } : {}),
    minNotional: minNotional ?? 0,
    fractionable: true,
    // Spot cash: nothing to borrow.
    shortable: false,
    tradable: market.active !== false,
  });
}

/**
 * Every loaded spot market as an Instrument. A market whose precision has no fixed step is left
 * out: the adapter could not check an order's price or quantity before sending it.
 */
export function spotInstruments(
  markets: Readonly<Record<string, MarketInterface>>,
  precisionMode: number | undefined,
): Instrument[] {
  const out: Instrument[] = [];
  for (const market of Object.values(markets)) {
    if (!isSpot(market)) continue;
    try {
      out.push(instrumentOf(market, precisionMode));
    } catch {
      continue;
    }
  }
  return out;
}
