/**
 * ccxt's unified structures into the Broker port's values: orders (via OrderView), trades into
 * Fills, balances, order books. Exact decimals from the exchange's raw strings where `info` has
 * them (raw.ts), ccxt's floats through their text otherwise.
 */
import type { Balances, OrderBook, Trade } from 'ccxt';
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Fill } from '../../domain/events.js';
import type { Side } from '../../domain/order.js';
import type { BookLevel, BookSnapshot } from '../../marketdata/types.js';
import type { VenueBalance, VenueOrder } from '../broker.js';
import { type OrderView, orderStatusOf } from './order-view.js';
import { rawAccountSchema, rawFillSchema, rawOf, rawTradeSchema } from './raw.js';
import { optionalDecimal, preferRaw, requiredDecimal } from './values.js';

export interface OrderOwner {
  readonly venue: string;
  readonly accountId: string;
  /** Our id for the order; the venue's stored id when the order is not ours. */
  readonly clientOrderId: string;
}

export function toVenueOrder(view: OrderView, owner: OrderOwner): VenueOrder {
  const touched = view.type === 'market_if_touched' || view.type === 'limit_if_touched';
  const avg =
    view.filledQty.gt(0) && view.filledNotional !== undefined && view.filledNotional.gt(0)
      ? view.filledNotional.div(view.filledQty)
      : undefined;
  return {
    symbol: view.symbol,
    side: view.side,
    type: view.type,
    quantity: view.quantity,
    timeInForce: view.timeInForce,
    ...(view.limitPrice === undefined ? {} : { limitPrice: view.limitPrice }),
    ...(view.stopPrice === undefined
      ? {}
      : touched
        ? { triggerPrice: view.stopPrice }
        : { stopPrice: view.stopPrice }),
    ...(view.postOnly ? { postOnly: true } : {}),
    venue: owner.venue,
    accountId: owner.accountId,
    clientOrderId: owner.clientOrderId,
    venueOrderId: view.venueOrderId,
    status: orderStatusOf(view),
    filledQty: view.filledQty,
    ...(avg === undefined ? {} : { avgFillPrice: avg }),
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/** What a trade does not say about itself: whose it is, and defaults for what it leaves out. */
export interface FillContext extends OrderOwner {
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  /** Venue time to use when the trade has none (a submit response's fills carry none). */
  readonly ts: number;
}

/**
 * The unique fill id: the exchange's trade id qualified by the symbol, because Binance numbers
 * trades per symbol (BTCUSDT and ETHUSDT both have a trade 56) while the engine keys fills by
 * (venue, account, fillId) across symbols (§6.1).
 */
export function fillIdOf(symbol: string, tradeId: string): string {
  return `${symbol}:${tradeId}`;
}

/** A trade from `fetchMyTrades`, or a fill of a create-order response, as a Fill. */
export function toFill(trade: Trade, context: FillContext): Fill {
  const raw = rawOf(rawTradeSchema, trade.info);
  const fill = raw === undefined ? rawOf(rawFillSchema, trade.info) : undefined;
  const symbol = trade.symbol ?? context.symbol;
  const tradeId = raw?.id ?? fill?.tradeId ?? trade.id;
  if (tradeId === undefined) throw new Error(`The venue sent a trade of ${symbol} without an id.`);
  const side = trade.side === 'buy' || trade.side === 'sell' ? trade.side : context.side;
  return {
    fillId: fillIdOf(symbol, tradeId),
    clientOrderId: context.clientOrderId,
    venueOrderId: raw?.orderId ?? trade.order ?? context.venueOrderId,
    venue: context.venue,
    accountId: context.accountId,
    symbol,
    side,
    quantity: requiredDecimal(raw?.qty ?? fill?.qty ?? trade.amount, 'trade amount'),
    price: requiredDecimal(raw?.price ?? fill?.price ?? trade.price, 'trade price'),
    // Fills on arrival (a create-order response's) take liquidity.
    liquidity: trade.takerOrMaker === 'maker' ? 'maker' : 'taker',
    fee: preferRaw(raw?.commission ?? fill?.commission, trade.fee?.cost, 'trade fee') ?? ZERO,
    feeCurrency: trade.fee?.currency ?? raw?.commissionAsset ?? fill?.commissionAsset ?? '',
    ts: trade.timestamp ?? context.ts,
  };
}

const BALANCE_KEYS: ReadonlySet<string> = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total']);

/**
 * Balances per currency: total and available (free). From Binance's raw `free`/`locked` strings
 * (total = free + locked) when present, else from ccxt's unified per-currency entries.
 */
export function toVenueBalances(balances: Balances, currencyCode: (id: string) => string): VenueBalance[] {
  const raw = rawOf(rawAccountSchema, balances.info);
  if (raw !== undefined) {
    return raw.balances.map((b) => {
      const free = requiredDecimal(b.free, `${b.asset} free`);
      const locked = requiredDecimal(b.locked, `${b.asset} locked`);
      return { currency: currencyCode(b.asset), total: free.plus(locked), available: free };
    });
  }
  const out: VenueBalance[] = [];
  for (const [currency, entry] of Object.entries(balances)) {
    if (BALANCE_KEYS.has(currency)) continue;
    const total = optionalDecimal(entry.total, `${currency} total`) ?? ZERO;
    out.push({ currency, total, available: optionalDecimal(entry.free, `${currency} free`) ?? total });
  }
  return out;
}

/** Whether the venue lets the account trade (Binance `canTrade`); unknown means yes. */
export function canTrade(balances: Balances): boolean {
  return rawOf(rawAccountSchema, balances.info)?.canTrade ?? true;
}

export function toBookSnapshot(book: OrderBook, symbol: string, now: number): BookSnapshot {
  return {
    symbol,
    ts: book.timestamp ?? now,
    bids: book.bids.map(levelOf),
    asks: book.asks.map(levelOf),
  };
}

function levelOf([price, size]: [number | undefined, number | undefined]): BookLevel {
  const level: { price: Decimal; size?: Decimal } = { price: requiredDecimal(price, 'book price') };
  const parsed = optionalDecimal(size, 'book size');
  if (parsed !== undefined) level.size = parsed;
  return level;
}
