/**
 * A SubmitRequest checked against the venue's declared capabilities and the market, then turned
 * into ccxt `createOrder` arguments. Every refusal here is definitive and costs no call.
 */
import type { Exchange, OrderSide, OrderType as CcxtOrderType } from 'ccxt';
import type { Decimal } from '../../domain/decimal.js';
import { type ErrorCode, TradingError } from '../../domain/errors.js';
import type { InstrumentRegistry } from '../../domain/instruments.js';
import type { Instrument } from '../../domain/instrument.js';
import { validateOrderSpec } from '../../domain/order-validation.js';
import { BrokerCallError, type SubmitRequest, type VenueCapabilities } from '../broker.js';
import { RAW_ORDER_TYPE, marketTakes } from './capabilities.js';
import { ccxtNumber } from './values.js';

export interface CreateOrderArgs {
  readonly symbol: string;
  readonly type: CcxtOrderType;
  readonly side: OrderSide;
  readonly amount: number;
  readonly price: number | undefined;
  readonly params: Record<string, unknown>;
}

export interface RequestContext {
  readonly venue: string;
  readonly capabilities: VenueCapabilities;
  readonly instruments: InstrumentRegistry;
  readonly exchange: Exchange;
  readonly now: number;
}

/** The request's instrument after every check; throws a definitive BrokerCallError otherwise. */
export function checkRequest(request: SubmitRequest, ctx: RequestContext): Instrument {
  const refuse = (code: ErrorCode, message: string): never => {
    throw new BrokerCallError(ctx.venue, 'definitive', code, message);
  };
  const caps = ctx.capabilities;
  if (!caps.orderTypes.includes(request.type))
    refuse(
      'INVALID_ORDER',
      `${ctx.venue} does not take ${request.type} orders (it takes ${caps.orderTypes.join(', ')}).`,
    );
  if (!caps.timeInForce.includes(request.timeInForce)) {
    refuse(
      'INVALID_ORDER',
      `${ctx.venue} does not take time in force ${request.timeInForce} (it takes ${caps.timeInForce.join(', ')}).`,
    );
  }
  if (request.type === 'market' && request.timeInForce === 'fok')
    refuse(
      'INVALID_ORDER',
      `${ctx.venue} has no fill-or-kill market orders; send a fok limit at the price you accept.`,
    );
  if (request.postOnly === true && !caps.postOnly)
    refuse('INVALID_ORDER', `${ctx.venue} takes no post-only orders.`);
  if (request.reduceOnly === true)
    refuse('INVALID_ORDER', `${ctx.venue} is spot cash: it has no reduce-only orders.`);
  if (request.displayQty !== undefined) refuse('INVALID_ORDER', `${ctx.venue} takes no display quantity.`);
  if (request.extendedHours === true)
    refuse('INVALID_ORDER', `${ctx.venue} has no extended hours: crypto trades around the clock.`);
  const instrument = ctx.instruments.find(request.symbol);
  if (instrument === undefined)
    return refuse('INSTRUMENT_NOT_FOUND', `${ctx.venue} has no spot market "${request.symbol}".`);
  if (!instrument.tradable)
    refuse('SYMBOL_NOT_TRADABLE', `${instrument.symbol} is not trading at ${ctx.venue} now.`);
  try {
    validateOrderSpec(request, instrument, { now: ctx.now });
  } catch (error) {
    if (error instanceof TradingError) refuse(error.code, error.message);
    throw error;
  }
  const rawType = request.postOnly === true ? 'LIMIT_MAKER' : RAW_ORDER_TYPE[request.type];
  const market = ctx.exchange.market(instrument.symbol);
  if (rawType !== undefined && !marketTakes(market, rawType))
    refuse(
      'INVALID_ORDER',
      `${instrument.symbol} at ${ctx.venue} takes no ${request.type} orders${request.postOnly === true ? ' with postOnly' : ''}.`,
    );
  return instrument;
}

/**
 * The arguments of `createOrder`. Our client order id goes as ccxt's `clientOrderId`, which ccxt
 * sends as Binance's `newClientOrderId` as is (only an order without one gets ccxt's broker
 * prefix, `x-TKT5PX2F…` on spot in 4.5.84), so the venue stores exactly our id. Amounts and
 * prices are ccxt's own formatting of our exact decimals; a time in force goes only with the
 * types that take one (Binance refuses it on MARKET and LIMIT_MAKER).
 */
export function createOrderArgs(
  request: SubmitRequest,
  instrument: Instrument,
  exchange: Exchange,
): CreateOrderArgs {
  const symbol = instrument.symbol;
  const price = (value: Decimal, field: string): string =>
    formatted(exchange.priceToPrecision(symbol, value.toFixed()), field);
  const params: Record<string, unknown> = { clientOrderId: request.clientOrderId };
  if (request.stopPrice !== undefined) params['triggerPrice'] = price(request.stopPrice, 'stopPrice');
  if (request.postOnly === true) params['postOnly'] = true;
  else if (request.type === 'limit' || request.type === 'stop_limit')
    params['timeInForce'] = request.timeInForce.toUpperCase();
  const limit = request.limitPrice;
  return {
    symbol,
    type: request.type === 'market' || request.type === 'stop' ? 'market' : 'limit',
    side: request.side,
    amount: ccxtNumber(
      formatted(exchange.amountToPrecision(symbol, request.quantity.toFixed()), 'quantity'),
      'quantity',
    ),
    price: limit === undefined ? undefined : ccxtNumber(price(limit, 'limitPrice'), 'limitPrice'),
    params,
  };
}

function formatted(text: string | undefined, field: string): string {
  if (text === undefined || text === '') throw new Error(`ccxt could not format the ${field}.`);
  return text;
}
