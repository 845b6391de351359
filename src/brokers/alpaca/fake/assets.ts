import { createHash } from 'node:crypto';
import type { Instrument } from '../../../domain/instrument.js';
import type { AlpacaTemplates, JsonObject } from './fixtures.js';

/** Alpaca's real asset ids, as its recorded payloads show them (test/fixtures/alpaca). */
const KNOWN_ASSET_IDS: Readonly<Record<string, string>> = {
  AAPL: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
  'BTC/USD': '276e2673-764b-4ab6-a611-caf665ca6340',
  'ETH/USD': 'a1733398-6acc-4e92-af24-0d0667f78713',
};

/** Listing venues of the bundled equities; Alpaca reports them on assets and positions. */
const EXCHANGES: Readonly<Record<string, string>> = {
  JPM: 'NYSE',
  XOM: 'NYSE',
  JNJ: 'NYSE',
  SPY: 'ARCA',
  IWM: 'ARCA',
};

/** A stable asset id per symbol: Alpaca's own where known, else a name-based UUID (v5 layout). */
export function assetId(symbol: string): string {
  const known = KNOWN_ASSET_IDS[symbol];
  if (known !== undefined) return known;
  const hex = createHash('sha1').update(`fake-alpaca-asset:${symbol}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export function exchangeOf(instrument: Instrument): string {
  // The crypto fixture's "FTXU" is dated (SOURCES.md); Alpaca's crypto venue is CRXL today.
  if (instrument.assetClass === 'crypto') return 'CRXL';
  return EXCHANGES[instrument.symbol] ?? 'NASDAQ';
}

/** How Alpaca names a position's symbol: crypto without the slash ("BTCUSD"), as its 207 bodies show. */
export function positionSymbol(instrument: Instrument): string {
  return instrument.assetClass === 'crypto' ? instrument.symbol.replace('/', '') : instrument.symbol;
}

/** GET /v2/assets/{symbol}: the equity or crypto asset fixture with this instrument's facts. */
export function assetJson(templates: AlpacaTemplates, instrument: Instrument): JsonObject {
  const common = {
    id: assetId(instrument.symbol),
    symbol: instrument.symbol,
    exchange: exchangeOf(instrument),
    status: instrument.tradable ? 'active' : 'inactive',
    tradable: instrument.tradable,
    shortable: instrument.shortable,
    easy_to_borrow: instrument.shortable,
    fractionable: instrument.fractionable,
  };
  if (instrument.assetClass === 'crypto') {
    return {
      ...templates.cryptoAsset,
      ...common,
      name: `${instrument.symbol} pair`,
      marginable: false,
      min_order_size: instrument.minQuantity.toFixed(),
      min_trade_increment: instrument.lotSize.toFixed(),
      price_increment: instrument.tickSize.toFixed(),
    };
  }
  return {
    ...templates.equityAsset,
    ...common,
    name: instrument.name,
    marginable: true,
    borrow_status: instrument.shortable ? 'easy_to_borrow' : 'hard_to_borrow',
  };
}
