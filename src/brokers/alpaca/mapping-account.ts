/**
 * Alpaca's account, positions, assets, clock and calendar into the domain's shapes. Pure.
 */
import { DateTime } from 'luxon';
import { type Decimal, ZERO, maxDec, minDec } from '../../domain/decimal.js';
import { type AssetClass, type Instrument, defineInstrument } from '../../domain/instrument.js';
import type { VenueAccount, VenueBalance, VenuePosition } from '../broker.js';
import { decimalOf, optionalDecimalOf, ourSymbol, timeOf } from './values.js';
import type { AlpacaAccount, AlpacaAsset, AlpacaCalendarDay, AlpacaClock, AlpacaPosition } from './wire.js';

/**
 * The account. Alpaca's `multiplier` is 1 on a cash account and 2 or 4 on margin ones. Trading is
 * blocked when Alpaca blocks trading or the whole account, when the owner suspended trading, or
 * when the account is not ACTIVE.
 */
export function toVenueAccount(account: AlpacaAccount, accountId: string): VenueAccount {
  const multiplier = optionalDecimalOf(account.multiplier, 'multiplier');
  const blocked =
    account.trading_blocked === true ||
    account.account_blocked === true ||
    account.trade_suspended_by_user === true ||
    (account.status !== undefined && account.status !== null && account.status !== 'ACTIVE');
  return {
    accountId,
    type: multiplier !== undefined && multiplier.gt(1) ? 'margin' : 'cash',
    currency: account.currency,
    equity: decimalOf(account.equity, 'equity'),
    cash: decimalOf(account.cash, 'cash'),
    buyingPower: decimalOf(account.buying_power, 'buying_power'),
    patternDayTrader: account.pattern_day_trader === true,
    dayTradeCount: account.daytrade_count ?? 0,
    tradingBlocked: blocked,
  };
}

/**
 * The account's cash as one balance. Alpaca reports no "cash held by open orders" figure; its
 * `non_marginable_buying_power` is the cash left for purchases that cannot use margin, i.e. cash
 * less what open buy orders reserve. So available = min(cash, non_marginable_buying_power), never
 * below 0 (negative cash is a margin loan, not money to spend). Crypto holdings are positions at
 * Alpaca, not balances.
 */
export function toVenueBalances(account: AlpacaAccount): VenueBalance[] {
  const cash = decimalOf(account.cash, 'cash');
  const free = optionalDecimalOf(account.non_marginable_buying_power, 'non_marginable_buying_power') ?? cash;
  return [{ currency: account.currency, total: cash, available: maxDec(ZERO, minDec(cash, free)) }];
}

/** A position, signed: Alpaca's `side: short` (its qty may or may not carry the minus) is negative. */
export function toVenuePosition(position: AlpacaPosition): VenuePosition {
  const qty = decimalOf(position.qty, 'qty').abs();
  return {
    symbol: ourSymbol(position.symbol, position.asset_class),
    quantity: position.side === 'short' ? qty.negated() : qty,
    avgEntryPrice: decimalOf(position.avg_entry_price, 'avg_entry_price'),
  };
}

/** Alpaca's equity tick: a cent, or a hundredth of a cent below 1.00 (SEC Rule 612). */
export function equityTickSize(price: Decimal): Decimal {
  return price.lt(1) ? decimalOf('0.0001', 'tick') : decimalOf('0.01', 'tick');
}

/** Fractional equity quantities go to 9 decimal places at Alpaca. */
export const FRACTIONAL_LOT = '0.000000001';

const ASSET_CLASSES: ReadonlySet<string> = new Set<AssetClass>(['us_equity', 'crypto']);

/**
 * An asset as an Instrument; undefined for classes this adapter does not trade (options). Equities:
 * tick 0.01 (the Instrument holds one tick; sub-dollar prices may use 0.0001, see equityTickSize),
 * lot 1, or 0.000000001 when fractionable; minimum notional 0 (Alpaca's $1 minimum applies to
 * fractional orders only). Crypto: tick, lot and minimum from price_increment, min_trade_increment
 * and min_order_size.
 */
export function toInstrument(asset: AlpacaAsset): Instrument | undefined {
  if (!ASSET_CLASSES.has(asset.class)) return undefined;
  const assetClass = asset.class as AssetClass;
  const symbol = ourSymbol(asset.symbol, assetClass);
  const fractionable = asset.fractionable === true;
  const tradable = asset.tradable && asset.status === 'active';
  const name = asset.name ?? symbol;
  if (assetClass === 'crypto') {
    const lot = optionalDecimalOf(asset.min_trade_increment, 'min_trade_increment') ?? FRACTIONAL_LOT;
    return defineInstrument({
      symbol,
      name,
      assetClass,
      tickSize: optionalDecimalOf(asset.price_increment, 'price_increment') ?? '0.01',
      lotSize: lot,
      minQuantity: optionalDecimalOf(asset.min_order_size, 'min_order_size') ?? lot,
      fractionable: true,
      shortable: false,
      tradable,
    });
  }
  return defineInstrument({
    symbol,
    name,
    assetClass,
    tickSize: optionalDecimalOf(asset.price_increment, 'price_increment') ?? '0.01',
    lotSize: fractionable ? FRACTIONAL_LOT : 1,
    fractionable,
    shortable: asset.shortable === true,
    tradable,
  });
}

/** The market clock, times as epoch milliseconds. */
export interface MarketClock {
  readonly timestamp: number;
  readonly isOpen: boolean;
  readonly nextOpen: number;
  readonly nextClose: number;
}

export function toMarketClock(clock: AlpacaClock): MarketClock {
  return {
    timestamp: timeOf(clock.timestamp, 'timestamp'),
    isOpen: clock.is_open,
    nextOpen: timeOf(clock.next_open, 'next_open'),
    nextClose: timeOf(clock.next_close, 'next_close'),
  };
}

/** One trading day: the ISO date, and the regular and extended sessions as epoch milliseconds. */
export interface TradingDay {
  readonly date: string;
  readonly open: number;
  readonly close: number;
  readonly sessionOpen?: number;
  readonly sessionClose?: number;
  readonly settlementDate?: string;
}

const EXCHANGE_ZONE = 'America/New_York';

/** "09:30" or "0400" on a date in New York as epoch milliseconds. */
function wallClock(date: string, time: string): number {
  const hhmm = time.replace(':', '');
  const at = DateTime.fromISO(`${date}T${hhmm.slice(0, 2)}:${hhmm.slice(2, 4)}`, { zone: EXCHANGE_ZONE });
  if (!at.isValid) throw new Error(`Alpaca sent a malformed calendar time: ${date} ${time}.`);
  return at.toMillis();
}

export function toTradingDay(day: AlpacaCalendarDay): TradingDay {
  const mapped: { -readonly [K in keyof TradingDay]: TradingDay[K] } = {
    date: day.date,
    open: wallClock(day.date, day.open),
    close: wallClock(day.date, day.close),
  };
  if (day.session_open) mapped.sessionOpen = wallClock(day.date, day.session_open);
  if (day.session_close) mapped.sessionClose = wallClock(day.date, day.session_close);
  if (day.settlement_date) mapped.settlementDate = day.settlement_date;
  return mapped;
}
