import { Decimal, ONE, dec } from '../../domain/decimal.js';
import { TradingError } from '../../domain/errors.js';
import { type Instrument, roundToStep, roundToTick } from '../../domain/instrument.js';

/** A range of integers drawn uniformly, in ticks or, for prices quoted in relative terms, tenths of a bp. */
export interface TickRange {
  readonly unit: 'ticks' | 'tenth-bps';
  readonly min: number;
  readonly max: number;
}

/** How one symbol's synthetic market behaves. Sizes are multiples of `sizeStep`, itself on the lot step. */
export interface WalkProfile {
  /** Standard deviation of one step's mid move, in basis points of the mid. */
  readonly volBps: number;
  readonly spread: TickRange;
  /** Distance between adjacent levels on one side. */
  readonly gap: TickRange;
  readonly sizeStep: Decimal;
  readonly sizeMin: Decimal;
  readonly sizeMax: Decimal;
}

/** Recent-ish prices (early 2026 levels are a guess; these only seed a random walk). */
export const DEFAULT_START_PRICES: Readonly<Record<string, string>> = {
  AAPL: '230',
  MSFT: '420',
  NVDA: '140',
  TSLA: '250',
  AMZN: '210',
  GOOGL: '175',
  META: '590',
  JPM: '240',
  XOM: '115',
  JNJ: '155',
  SPY: '580',
  QQQ: '500',
  IWM: '225',
  'BTC/USD': '95000',
  'ETH/USD': '3300',
  'SOL/USD': '190',
  'EUR/USD': '1.08',
};

/** Displayed size per level, in base units, for the crypto bases we know; others derive it from notional. */
const CRYPTO_SIZES: Readonly<Record<string, readonly [string, string]>> = {
  BTC: ['0.01', '2'],
  ETH: ['0.1', '30'],
  SOL: ['1', '500'],
};
const CRYPTO_NOTIONAL: readonly [string, string] = ['1000', '100000'];

/** The start price on the instrument's tick, from the options, the defaults, or the same base in USD. */
export function startPriceFor(instrument: Instrument, overrides: Readonly<Record<string, string>>): Decimal {
  const text =
    overrides[instrument.symbol] ??
    DEFAULT_START_PRICES[instrument.symbol] ??
    DEFAULT_START_PRICES[`${instrument.base}/USD`];
  if (text === undefined) {
    throw new TradingError('CONFIG_INVALID', `No start price for ${instrument.symbol}.`, {
      hint: `Pass startPrices: { '${instrument.symbol}': '<price>' } to the random-walk feed.`,
      details: { symbol: instrument.symbol },
    });
  }
  const price = roundToTick(instrument, dec(text), 'nearest');
  if (price.lessThanOrEqualTo(0)) {
    throw new TradingError('CONFIG_INVALID', `The start price of ${instrument.symbol} must be positive.`, {
      hint: `Give a start price of at least one tick (${instrument.tickSize.toFixed()}).`,
      details: { symbol: instrument.symbol, startPrice: text },
    });
  }
  return price;
}

export function profileFor(instrument: Instrument, startPrice: Decimal): WalkProfile {
  switch (instrument.assetClass) {
    case 'us_equity':
      // Liquid large caps: ~1 bp per step, 1-3 cent spreads, round hundreds to a couple of thousand shares.
      return {
        volBps: 1,
        spread: { unit: 'ticks', min: 1, max: 3 },
        gap: { unit: 'ticks', min: 1, max: 3 },
        ...sizes(instrument, ONE, '100', '2000'),
      };
    case 'crypto':
      // Spot majors: ~3 bp per step, spreads of 0.5-3 bp, levels 0.2-1 bp apart.
      return {
        volBps: 3,
        spread: { unit: 'tenth-bps', min: 5, max: 30 },
        gap: { unit: 'tenth-bps', min: 2, max: 10 },
        ...cryptoSizes(instrument, startPrice),
      };
    case 'forex':
      // Five-digit pricing: a pip is 10 ticks; spreads of 1-2 pips, sizes in thousands (micro lots).
      return {
        volBps: 0.5,
        spread: { unit: 'ticks', min: 10, max: 20 },
        gap: { unit: 'ticks', min: 2, max: 10 },
        ...sizes(instrument, new Decimal(1000), '100000', '5000000'),
      };
  }
}

function cryptoSizes(
  instrument: Instrument,
  startPrice: Decimal,
): Pick<WalkProfile, 'sizeStep' | 'sizeMin' | 'sizeMax'> {
  const known = CRYPTO_SIZES[instrument.base];
  if (known !== undefined) return sizes(instrument, instrument.lotSize, known[0], known[1]);
  const [low, high] = CRYPTO_NOTIONAL;
  return sizes(instrument, instrument.lotSize, dec(low).div(startPrice), dec(high).div(startPrice));
}

/** Size bounds on `step`, itself rounded up to the instrument's lot step; never below one step. */
function sizes(
  instrument: Instrument,
  step: Decimal,
  min: Decimal | string,
  max: Decimal | string,
): Pick<WalkProfile, 'sizeStep' | 'sizeMin' | 'sizeMax'> {
  const lot = instrument.lotSize;
  const sizeStep = Decimal.max(lot, roundToStep(step, lot, 'up'));
  const sizeMin = Decimal.max(sizeStep, roundToStep(dec(min), sizeStep, 'up'));
  const sizeMax = Decimal.max(sizeMin, roundToStep(dec(max), sizeStep, 'down'));
  return { sizeStep, sizeMin, sizeMax };
}
