/**
 * The fake's markets: exactly the symbols of the exchangeInfo fixture (BTCUSDT, ETHUSDT, LTCUSDT,
 * BNBBTC), each as an Instrument built from its own filters (PRICE_FILTER tick, LOT_SIZE step and
 * bounds, NOTIONAL minimum) for the paper exchange behind the fake, with the order types the
 * symbol lists.
 */
import { z } from 'zod';
import { dec } from '../../../src/domain/decimal.js';
import { type Instrument, defineInstrument } from '../../../src/domain/instrument.js';
import { InstrumentRegistry } from '../../../src/domain/instruments.js';
import { templates } from './fixtures.js';

const filterSchema = z.looseObject({
  filterType: z.string(),
  tickSize: z.string().optional(),
  stepSize: z.string().optional(),
  minQty: z.string().optional(),
  maxQty: z.string().optional(),
  minNotional: z.string().optional(),
});

const symbolSchema = z.looseObject({
  symbol: z.string(),
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  orderTypes: z.array(z.string()),
  filters: z.array(filterSchema),
});

export interface FakeSymbol {
  /** Binance's id, `BTCUSDT`. */
  readonly id: string;
  readonly instrument: Instrument;
  readonly orderTypes: readonly string[];
}

function symbolOf(raw: z.infer<typeof symbolSchema>): FakeSymbol {
  const filter = (type: string) => raw.filters.find((f) => f.filterType === type);
  const price = filter('PRICE_FILTER');
  const lot = filter('LOT_SIZE');
  if (price?.tickSize === undefined || lot?.stepSize === undefined)
    throw new Error(`${raw.symbol} lacks filters`);
  const instrument = defineInstrument({
    symbol: `${raw.baseAsset}/${raw.quoteAsset}`,
    name: `${raw.baseAsset}/${raw.quoteAsset} spot`,
    assetClass: 'crypto',
    base: raw.baseAsset,
    quote: raw.quoteAsset,
    tickSize: dec(price.tickSize),
    lotSize: dec(lot.stepSize),
    ...(lot.minQty === undefined ? {} : { minQuantity: dec(lot.minQty) }),
    ...(lot.maxQty === undefined ? {} : { maxQuantity: dec(lot.maxQty) }),
    minNotional: dec(filter('NOTIONAL')?.minNotional ?? '0'),
    fractionable: true,
    shortable: false,
    tradable: raw.status === 'TRADING',
  });
  return { id: raw.symbol, instrument, orderTypes: raw.orderTypes };
}

export class FakeSymbols {
  private readonly byId: ReadonlyMap<string, FakeSymbol>;
  readonly registry: InstrumentRegistry;

  constructor() {
    const raw = z.object({ symbols: z.array(symbolSchema) }).parse(templates().exchangeInfo);
    const symbols = raw.symbols.map(symbolOf);
    this.byId = new Map(symbols.map((s) => [s.id, s]));
    this.registry = new InstrumentRegistry(symbols.map((s) => s.instrument));
  }

  /** By Binance id (`BTCUSDT`). */
  find(id: string | undefined): FakeSymbol | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** By our symbol (`BTC/USDT`). */
  bySymbol(symbol: string): FakeSymbol | undefined {
    return [...this.byId.values()].find((s) => s.instrument.symbol === symbol);
  }
}
