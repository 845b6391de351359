import { Decimal, ZERO, type DecimalInput, dec } from './decimal.js';
import { TradingError } from './errors.js';

export type AssetClass = 'us_equity' | 'crypto' | 'forex';
/** Which market calendar an instrument trades on. */
export type CalendarId = 'us_equity' | 'crypto' | 'forex';

export interface Instrument {
  readonly symbol: string;
  readonly name: string;
  readonly assetClass: AssetClass;
  readonly calendar: CalendarId;
  readonly base: string;
  /** Currency of prices, notional and fees. */
  readonly quote: string;
  readonly tickSize: Decimal;
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  readonly maxQuantity?: Decimal;
  readonly minNotional: Decimal;
  readonly fractionable: boolean;
  readonly shortable: boolean;
  readonly tradable: boolean;
  /** GICS-style sector for equities (exposure limits by sector). */
  readonly sector?: string;
}

export type RoundingMode = 'down' | 'up' | 'nearest';

const ROUNDING = {
  down: Decimal.ROUND_FLOOR,
  up: Decimal.ROUND_CEIL,
  nearest: Decimal.ROUND_HALF_EVEN,
} as const;

export function roundToStep(value: Decimal, step: Decimal, mode: RoundingMode): Decimal {
  return value.div(step).toDecimalPlaces(0, ROUNDING[mode]).times(step);
}

export function isOnStep(value: Decimal, step: Decimal): boolean {
  return value.mod(step).isZero();
}

export function roundToTick(instrument: Instrument, price: Decimal, mode: RoundingMode): Decimal {
  return roundToStep(price, instrument.tickSize, mode);
}

/** `floor_lot` of ORDER-SEMANTICS.md §0: engine-computed quantities round down to the lot step. */
export function floorLot(instrument: Instrument, quantity: Decimal): Decimal {
  return roundToStep(quantity, instrument.lotSize, 'down');
}

/** Refuses a price that is not positive or not on the tick (PRICE_PRECISION, §7.2 #4). */
export function assertPrice(instrument: Instrument, field: string, price: Decimal): void {
  if (!price.isFinite() || price.lessThanOrEqualTo(ZERO)) {
    throw new TradingError('INVALID_ORDER', `${field} must be greater than 0, got ${price.toFixed()}.`, {
      hint: `Send a positive ${field}.`,
      details: { field },
    });
  }
  if (!isOnStep(price, instrument.tickSize)) {
    throw new TradingError(
      'PRICE_PRECISION',
      `${field} ${price.toFixed()} is not a multiple of ${instrument.symbol}'s tick size ${instrument.tickSize.toFixed()}.`,
      {
        hint: `Round ${field} to the tick, e.g. ${roundToTick(instrument, price, 'nearest').toFixed()}.`,
        details: { field, tickSize: instrument.tickSize.toFixed() },
      },
    );
  }
}

/** Refuses a quantity that is not positive, off the lot step, or outside the size limits (§7.2 #5). */
export function assertQuantity(instrument: Instrument, field: string, quantity: Decimal): void {
  if (!quantity.isFinite() || quantity.lessThanOrEqualTo(ZERO)) {
    throw new TradingError('INVALID_ORDER', `${field} must be greater than 0, got ${quantity.toFixed()}.`, {
      hint: `Send a positive ${field}.`,
      details: { field },
    });
  }
  const step = instrument.lotSize;
  if (!isOnStep(quantity, step)) {
    const whole = !instrument.fractionable && !quantity.isInteger();
    throw new TradingError(
      'QUANTITY_PRECISION',
      whole
        ? `${instrument.symbol} is not fractionable: ${field} must be a whole number, got ${quantity.toFixed()}.`
        : `${field} ${quantity.toFixed()} is not a multiple of ${instrument.symbol}'s lot step ${step.toFixed()}.`,
      {
        hint: `Round ${field} down to the lot step, e.g. ${floorLot(instrument, quantity).toFixed()}.`,
        details: { field, lotSize: step.toFixed() },
      },
    );
  }
  if (quantity.lessThan(instrument.minQuantity)) {
    throw new TradingError(
      'QUANTITY_PRECISION',
      `${field} ${quantity.toFixed()} is below ${instrument.symbol}'s minimum ${instrument.minQuantity.toFixed()}.`,
      { hint: `Send at least ${instrument.minQuantity.toFixed()}.`, details: { field } },
    );
  }
  if (instrument.maxQuantity !== undefined && quantity.greaterThan(instrument.maxQuantity)) {
    throw new TradingError(
      'QUANTITY_PRECISION',
      `${field} ${quantity.toFixed()} is above ${instrument.symbol}'s maximum ${instrument.maxQuantity.toFixed()}.`,
      {
        hint: `Split the order into pieces of at most ${instrument.maxQuantity.toFixed()}.`,
        details: { field },
      },
    );
  }
}

export interface InstrumentSpec {
  readonly symbol: string;
  readonly name: string;
  readonly assetClass: AssetClass;
  readonly base?: string;
  readonly quote?: string;
  readonly tickSize: DecimalInput;
  readonly lotSize: DecimalInput;
  readonly minQuantity?: DecimalInput;
  readonly maxQuantity?: DecimalInput;
  readonly minNotional?: DecimalInput;
  readonly fractionable?: boolean;
  readonly shortable?: boolean;
  readonly tradable?: boolean;
  readonly sector?: string;
}

export function defineInstrument(spec: InstrumentSpec): Instrument {
  const [base, quote] = spec.symbol.includes('/') ? spec.symbol.split('/') : [spec.symbol, 'USD'];
  const lotSize = dec(spec.lotSize);
  return {
    symbol: spec.symbol,
    name: spec.name,
    assetClass: spec.assetClass,
    calendar: spec.assetClass,
    base: spec.base ?? base ?? spec.symbol,
    quote: spec.quote ?? quote ?? 'USD',
    tickSize: dec(spec.tickSize),
    lotSize,
    minQuantity: dec(spec.minQuantity ?? lotSize),
    ...(spec.maxQuantity === undefined ? {} : { maxQuantity: dec(spec.maxQuantity) }),
    minNotional: dec(spec.minNotional ?? 0),
    fractionable: spec.fractionable ?? !lotSize.isInteger(),
    shortable: spec.shortable ?? spec.assetClass !== 'crypto',
    tradable: spec.tradable ?? true,
    ...(spec.sector === undefined ? {} : { sector: spec.sector }),
  };
}
