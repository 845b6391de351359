/**
 * What a ccxt exchange can do for this adapter (STYLE.md habit 3): the methods it must have (its
 * `has` map), and the capabilities it declares, derived from ccxt's `features` for spot and the
 * loaded markets. Routing reads them; a request outside them is refused before any call.
 */
import type { Exchange, MarketInterface } from 'ccxt';
import { BPS, type Decimal, ZERO } from '../../domain/decimal.js';
import { TradingError } from '../../domain/errors.js';
import type { OrderType, TimeInForce } from '../../domain/order.js';
import type { VenueCapabilities } from '../broker.js';
import { isSpot } from './instruments.js';
import { optionalDecimal } from './values.js';

/** The unified methods the adapter calls; one of each group is enough. */
const REQUIRED: readonly (readonly string[])[] = [
  ['createOrder'],
  ['cancelOrder'],
  ['fetchOrder'],
  ['fetchOpenOrders'],
  ['fetchMyTrades'],
  ['fetchBalance'],
  ['fetchOrderBook', 'fetchTicker'],
];

/** Refuses (CONFIG_INVALID) an exchange that lacks a method the adapter needs. */
export function assertCapable(exchange: Exchange, venue: string): void {
  const missing = REQUIRED.filter((group) => !group.some((m) => isTruthy(exchange.has[m])));
  if (missing.length === 0) return;
  const names = missing.map((group) => group.join(' or ')).join(', ');
  throw new TradingError(
    'CONFIG_INVALID',
    `ccxt's ${exchange.id} lacks what venue ${venue} needs: ${names}.`,
    {
      hint: 'Pick an exchange whose ccxt `has` map offers every one of these methods.',
      details: { venue, exchangeId: exchange.id, missing: names },
    },
  );
}

/** What a venue declares before its markets are loaded: the least any spot exchange takes. */
export function initialCapabilities(): VenueCapabilities {
  return {
    assetClasses: ['crypto'],
    symbols: [],
    orderTypes: ['market', 'limit'],
    timeInForce: ['gtc'],
    fractional: true,
    shorting: false,
    postOnly: false,
    reduceOnly: false,
    displayQuantity: false,
    extendedHours: false,
    replace: false,
    nativeContingent: [],
    fees: { makerBps: ZERO, takerBps: ZERO },
  };
}

/** ccxt's spot `createOrder` features (`exchange.features.spot.createOrder`), loosely typed there. */
interface CreateOrderFeatures {
  readonly triggerPrice?: unknown;
  readonly timeInForce?: Readonly<Record<string, unknown>>;
}

function createOrderFeatures(exchange: Exchange): CreateOrderFeatures {
  const spot: unknown = exchange.features['spot'];
  if (typeof spot !== 'object' || spot === null) return {};
  const create: unknown = (spot as Record<string, unknown>)['createOrder'];
  return typeof create === 'object' && create !== null ? create : {};
}

/**
 * Binance's raw order types per market (`info.orderTypes`). Where a market lists them, a type is
 * declared only when every such market takes it: routing trusts a declaration, and a type the
 * venue lacks is emulated by the engine (§2.1) rather than refused symbol by symbol.
 */
function everyMarketTakes(markets: readonly MarketInterface[], rawType: string): boolean {
  const listed = markets
    .map((m): unknown => (m.info as Record<string, unknown> | undefined)?.['orderTypes'])
    .filter((types): types is unknown[] => Array.isArray(types));
  return listed.every((types) => types.includes(rawType));
}

/** Whether one market takes a raw order type; markets that list none take whatever ccxt offers. */
export function marketTakes(market: MarketInterface, rawType: string): boolean {
  const types: unknown = (market.info as Record<string, unknown> | undefined)?.['orderTypes'];
  return !Array.isArray(types) || types.includes(rawType);
}

/** Binance's raw type for each of our types the adapter can send (ccxt maps them, createOrderRequest). */
export const RAW_ORDER_TYPE: Readonly<Partial<Record<OrderType, string>>> = {
  market: 'MARKET',
  limit: 'LIMIT',
  stop: 'STOP_LOSS',
  stop_limit: 'STOP_LOSS_LIMIT',
};

export function deriveCapabilities(exchange: Exchange, symbols: readonly string[]): VenueCapabilities {
  const markets = spotMarkets(exchange).filter((m) => m.active !== false);
  const create = createOrderFeatures(exchange);
  const triggers = isTruthy(create.triggerPrice);
  const orderTypes: OrderType[] = ['market', 'limit'];
  // Trailing stops stay undeclared: Binance's trailingDelta (basis points of the last price) is not
  // §2.3's bid/ask trail, so the engine emulates them.
  if (triggers && everyMarketTakes(markets, 'STOP_LOSS')) orderTypes.push('stop');
  if (triggers && everyMarketTakes(markets, 'STOP_LOSS_LIMIT')) orderTypes.push('stop_limit');
  const tif = create.timeInForce ?? {};
  const timeInForce: TimeInForce[] = ['gtc'];
  if (isTruthy(tif['IOC'])) timeInForce.push('ioc');
  if (isTruthy(tif['FOK'])) timeInForce.push('fok');
  return {
    ...initialCapabilities(),
    symbols,
    orderTypes,
    timeInForce,
    postOnly: isTruthy(tif['PO']) && everyMarketTakes(markets, 'LIMIT_MAKER'),
    fees: feesOf(markets),
  };
}

/** The loaded spot markets. */
export function spotMarkets(exchange: Exchange): MarketInterface[] {
  const markets = (exchange.markets ?? {}) as Record<string, MarketInterface>;
  return Object.values(markets).filter(isSpot);
}

/** The highest maker and taker rates among the markets (ccxt fractions, 0.001) in basis points. */
function feesOf(markets: readonly MarketInterface[]): VenueCapabilities['fees'] {
  let maker: Decimal = ZERO;
  let taker: Decimal = ZERO;
  for (const m of markets) {
    const mk = optionalDecimal(m.maker, 'maker fee');
    const tk = optionalDecimal(m.taker, 'taker fee');
    if (mk !== undefined && mk.gt(maker)) maker = mk;
    if (tk !== undefined && tk.gt(taker)) taker = tk;
  }
  return { makerBps: maker.times(BPS), takerBps: taker.times(BPS) };
}

function isTruthy(value: unknown): boolean {
  return value === true || value === 'emulated';
}
