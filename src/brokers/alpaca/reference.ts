/**
 * Reads that are not about orders: the account and its positions, instruments from Alpaca's assets
 * (cached for the broker's life), the market clock and the trading calendar.
 */
import { z } from 'zod';
import type { Instrument } from '../../domain/instrument.js';
import { BrokerCallError } from '../broker.js';
import {
  type MarketClock,
  type TradingDay,
  toInstrument,
  toMarketClock,
  toTradingDay,
} from './mapping-account.js';
import type { ReadCall } from './market-data.js';
import { type AlpacaApis, wireJson } from './rest.js';
import {
  type AlpacaAccount,
  type AlpacaPosition,
  accountSchema,
  assetSchema,
  calendarDaySchema,
  clockSchema,
  positionSchema,
} from './wire.js';

export class AlpacaReference {
  /** The SDK clients hold the credentials: a private field keeps them out of inspect and JSON. */
  readonly #apis: Pick<AlpacaApis, 'account' | 'positions' | 'assets' | 'clock' | 'calendar'>;
  private readonly read: ReadCall;
  private readonly assets = new Map<string, Instrument>();

  constructor(
    apis: Pick<AlpacaApis, 'account' | 'positions' | 'assets' | 'clock' | 'calendar'>,
    read: ReadCall,
  ) {
    this.#apis = apis;
    this.read = read;
  }

  /** GET /v2/account. */
  account(): Promise<AlpacaAccount> {
    return this.read('account', () => wireJson(this.#apis.account.getAccountRaw(), accountSchema));
  }

  /** GET /v2/positions. */
  positions(): Promise<AlpacaPosition[]> {
    return this.read('positions', () =>
      wireJson(this.#apis.positions.getAllOpenPositionsRaw(), z.array(positionSchema)),
    );
  }

  /**
   * Instruments from GET /v2/assets/{symbol}; without symbols, the ones read so far. Unknown
   * symbols and asset classes this adapter does not trade (options) are left out.
   */
  async instruments(symbols?: readonly string[]): Promise<Instrument[]> {
    if (symbols === undefined) return [...this.assets.values()];
    const out: Instrument[] = [];
    for (const symbol of symbols) {
      const instrument = this.assets.get(symbol) ?? (await this.asset(symbol));
      if (instrument !== undefined) out.push(instrument);
    }
    return out;
  }

  private async asset(symbol: string): Promise<Instrument | undefined> {
    try {
      const asset = await this.read(`asset ${symbol}`, () =>
        wireJson(this.#apis.assets.getV2AssetsSymbolOrAssetIdRaw({ symbolOrAssetId: symbol }), assetSchema),
      );
      const instrument = toInstrument(asset);
      if (instrument !== undefined) this.assets.set(symbol, instrument);
      return instrument;
    } catch (error) {
      if (error instanceof BrokerCallError && error.code === 'NOT_FOUND_AT_VENUE') return undefined;
      throw error;
    }
  }

  /** GET /v2/clock. */
  async clock(): Promise<MarketClock> {
    const clock = await this.read('clock', () => wireJson(this.#apis.clock.legacyClockRaw(), clockSchema));
    return toMarketClock(clock);
  }

  /** GET /v2/calendar between two ISO dates (`2025-01-02`), both included. */
  async calendar(start: string, end: string): Promise<TradingDay[]> {
    const request = { start: new Date(`${start}T00:00:00Z`), end: new Date(`${end}T00:00:00Z`) };
    const days = await this.read('calendar', () =>
      wireJson(this.#apis.calendar.legacyCalendarRaw(request), z.array(calendarDaySchema)),
    );
    return days.map(toTradingDay);
  }
}
