import { TradingError } from './errors.js';
import { defineInstrument, type Instrument } from './instrument.js';

const equity = (symbol: string, name: string, sector: string, fractionable = true): Instrument =>
  defineInstrument({
    symbol,
    name,
    assetClass: 'us_equity',
    tickSize: '0.01',
    // Fractional shares trade in steps of 0.0001 with a $1 minimum notional (Alpaca's rule).
    lotSize: fractionable ? '0.0001' : '1',
    minQuantity: fractionable ? '0.0001' : '1',
    minNotional: fractionable ? '1' : '0',
    fractionable,
    shortable: true,
    sector,
  });

const crypto = (symbol: string, tick: string, lot: string, minNotional: string): Instrument =>
  defineInstrument({
    symbol,
    name: `${symbol} spot`,
    assetClass: 'crypto',
    tickSize: tick,
    lotSize: lot,
    minNotional,
    fractionable: true,
    shortable: false,
  });

/**
 * The bundled instrument set. Equity ticks follow Reg NMS (0.01 at or above $1); crypto steps follow
 * Binance spot's PRICE_FILTER/LOT_SIZE/NOTIONAL filters for the pairs (see shared fixtures'
 * exchangeInfo), forex trades in whole units at a 0.00001 pip fraction.
 */
export const BUNDLED_INSTRUMENTS: readonly Instrument[] = [
  equity('AAPL', 'Apple Inc.', 'Information Technology'),
  equity('MSFT', 'Microsoft Corporation', 'Information Technology'),
  equity('NVDA', 'NVIDIA Corporation', 'Information Technology'),
  equity('TSLA', 'Tesla, Inc.', 'Consumer Discretionary'),
  equity('AMZN', 'Amazon.com, Inc.', 'Consumer Discretionary'),
  equity('GOOGL', 'Alphabet Inc. Class A', 'Communication Services'),
  equity('META', 'Meta Platforms, Inc.', 'Communication Services'),
  equity('JPM', 'JPMorgan Chase & Co.', 'Financials'),
  equity('XOM', 'Exxon Mobil Corporation', 'Energy'),
  equity('JNJ', 'Johnson & Johnson', 'Health Care'),
  equity('SPY', 'SPDR S&P 500 ETF Trust', 'ETF'),
  equity('QQQ', 'Invesco QQQ Trust', 'ETF'),
  equity('IWM', 'iShares Russell 2000 ETF', 'ETF', false),
  crypto('BTC/USD', '0.01', '0.00001', '5'),
  crypto('ETH/USD', '0.01', '0.0001', '5'),
  crypto('SOL/USD', '0.01', '0.001', '5'),
  crypto('BTC/USDT', '0.01', '0.00001', '5'),
  crypto('ETH/USDT', '0.01', '0.0001', '5'),
  crypto('SOL/USDT', '0.01', '0.001', '5'),
  defineInstrument({
    symbol: 'EUR/USD',
    name: 'Euro / US Dollar',
    assetClass: 'forex',
    tickSize: '0.00001',
    lotSize: '1',
    minQuantity: '1',
    fractionable: false,
    shortable: true,
  }),
];

/** Looks instruments up by symbol. Symbols are matched case-insensitively; "BTCUSD" finds "BTC/USD". */
export class InstrumentRegistry {
  private readonly bySymbol = new Map<string, Instrument>();

  constructor(instruments: readonly Instrument[] = BUNDLED_INSTRUMENTS) {
    for (const instrument of instruments) {
      this.bySymbol.set(normalize(instrument.symbol), instrument);
    }
  }

  /**
   * Adds what a broker connection lists (its assets or markets) for the symbols not known yet; a
   * symbol already here keeps its definition, so adding never changes how an order is validated.
   * Returns how many were added.
   */
  add(instruments: Iterable<Instrument>): number {
    let added = 0;
    for (const instrument of instruments) {
      const key = normalize(instrument.symbol);
      if (this.bySymbol.has(key)) continue;
      this.bySymbol.set(key, instrument);
      added += 1;
    }
    return added;
  }

  find(symbol: string): Instrument | undefined {
    return this.bySymbol.get(normalize(symbol));
  }

  get(symbol: string): Instrument {
    const instrument = this.find(symbol);
    if (instrument === undefined) {
      throw new TradingError('INSTRUMENT_NOT_FOUND', `Unknown symbol "${symbol}".`, {
        hint: `Use one of: ${this.symbols().slice(0, 12).join(', ')}${this.size > 12 ? ', ...' : ''}.`,
        details: { symbol },
      });
    }
    return instrument;
  }

  all(): readonly Instrument[] {
    return [...this.bySymbol.values()];
  }

  symbols(): string[] {
    return this.all().map((i) => i.symbol);
  }

  get size(): number {
    return this.bySymbol.size;
  }
}

function normalize(symbol: string): string {
  return symbol.trim().toUpperCase().replace(/[-/]/g, '');
}
