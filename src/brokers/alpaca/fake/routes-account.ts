import type { Context, Hono } from 'hono';
import { type Decimal, ZERO, parseDecimal, sumDec } from '../../../domain/decimal.js';
import type { Instrument } from '../../../domain/instrument.js';
import { leavesQty } from '../../../domain/order.js';
import type { VenuePosition } from '../../broker.js';
import { queryActivities, activityJson } from './activities.js';
import { AlpacaFailure, invalid, notFound } from './alpaca-errors.js';
import { assetId, assetJson, exchangeOf, positionSymbol } from './assets.js';
import type { JsonObject } from './fixtures.js';
import { orderJson } from './order-json.js';
import { type FakeContext, route } from './route-kit.js';

/** Reg T: 50% initial margin, 25% maintenance, on gross position value. */
const INITIAL_MARGIN = '0.5';
const MAINTENANCE_MARGIN = '0.25';

/** Account, positions, assets and account activities. */
export function accountRoutes(app: Hono, ctx: FakeContext): void {
  app.get(
    '/v2/account',
    route(ctx, 'account', async (c) => c.json(await accountJson(ctx))),
  );
  app.get(
    '/v2/positions',
    route(ctx, 'positions', async (c) => {
      const positions = await openPositions(ctx);
      return c.json(positions.map(([p, instrument]) => positionJson(ctx, p, instrument)));
    }),
  );
  app.get(
    '/v2/positions/:symbol{.+}',
    route(ctx, 'positions', async (c) => {
      const instrument = knownSymbol(ctx, c.req.param('symbol') ?? '');
      const found = (await openPositions(ctx)).find(([p]) => p.symbol === instrument.symbol);
      if (found === undefined) throw new AlpacaFailure(notFound('position does not exist'));
      return c.json(positionJson(ctx, found[0], found[1]));
    }),
  );
  app.delete(
    '/v2/positions',
    route(ctx, 'positions', async (c) => {
      const item = ctx.templates.closeAllItem;
      const results = await ctx.exchange.closeAll(c.req.query('cancel_orders') === 'true');
      const body = results.map((r) => {
        const symbol = positionSymbol(r.instrument);
        if ('error' in r)
          return {
            ...item,
            symbol,
            status: r.error.status,
            body: { code: r.error.code, message: r.error.message },
          };
        return {
          ...item,
          symbol,
          status: 200,
          body: orderJson(ctx.render, ctx.templates.order, r.record, false),
        };
      });
      return c.json(body, 207);
    }),
  );
  app.delete(
    '/v2/positions/:symbol{.+}',
    route(ctx, 'positions', async (c) => {
      const instrument = knownSymbol(ctx, c.req.param('symbol') ?? '');
      const record = await ctx.exchange.closePosition(
        instrument,
        decimalParam(c, 'qty'),
        decimalParam(c, 'percentage'),
      );
      return c.json(orderJson(ctx.render, ctx.templates.closePositionOrder, record, false));
    }),
  );
  app.get(
    '/v2/assets/:symbol{.+}',
    route(ctx, 'assets', (c) => {
      const symbol = c.req.param('symbol') ?? '';
      const instrument = ctx.instruments.find(symbol);
      if (instrument === undefined) throw new AlpacaFailure(notFound(`asset not found for ${symbol}`));
      return Promise.resolve(c.json(assetJson(ctx.templates, instrument)));
    }),
  );
  app.get(
    '/v2/account/activities/FILL',
    route(ctx, 'activities', (c) => {
      const q = (name: string): string | undefined => c.req.query(name);
      const rows = queryActivities(ctx.exchange.updates.fills, {
        ...optional('after', q('after')),
        ...optional('until', q('until')),
        ...optional('direction', q('direction')),
        ...optional('pageSize', q('page_size')),
        ...optional('pageToken', q('page_token')),
      });
      return Promise.resolve(c.json(rows.map(activityJson)));
    }),
  );
}

async function accountJson(ctx: FakeContext): Promise<JsonObject> {
  const [account] = await ctx.broker.accounts();
  if (account === undefined) throw new Error('fake Alpaca bug: the venue has no account');
  const values = (await openPositions(ctx)).map(([p]) => p.quantity.times(mark(ctx, p)));
  const long = sumDec(values.filter((v) => v.isPositive()));
  const short = sumDec(values.filter((v) => v.isNegative()));
  const gross = long.minus(short);
  const cash = account.cash.toFixed();
  return {
    ...ctx.templates.account,
    id: ctx.alpacaAccountId,
    account_number: `PA${ctx.alpacaAccountId.replace(/-/g, '').slice(0, 10).toUpperCase()}`,
    created_at: new Date(ctx.createdAt).toISOString(),
    balance_asof: new Date(ctx.clock.now()).toISOString().slice(0, 10),
    cash,
    buying_power: account.buyingPower.toFixed(),
    regt_buying_power: account.buyingPower.toFixed(),
    effective_buying_power: account.buyingPower.toFixed(),
    daytrading_buying_power: '0',
    non_marginable_buying_power: account.cash.isNegative() ? '0' : cash,
    options_buying_power: account.cash.isNegative() ? '0' : cash,
    equity: account.equity.toFixed(),
    portfolio_value: account.equity.toFixed(),
    last_equity: ctx.openingCash,
    long_market_value: long.toFixed(),
    short_market_value: short.toFixed(),
    position_market_value: gross.toFixed(),
    initial_margin: gross.times(INITIAL_MARGIN).toFixed(),
    maintenance_margin: gross.times(MAINTENANCE_MARGIN).toFixed(),
    last_maintenance_margin: gross.times(MAINTENANCE_MARGIN).toFixed(),
    sma: account.equity.toFixed(),
    multiplier: '2',
    pattern_day_trader: account.patternDayTrader,
    daytrade_count: account.dayTradeCount,
    trading_blocked: account.tradingBlocked,
    account_blocked: false,
    shorting_enabled: true,
  };
}

async function openPositions(ctx: FakeContext): Promise<[VenuePosition, Instrument][]> {
  const positions = await ctx.broker.positions(ctx.accountId);
  return positions.filter((p) => !p.quantity.isZero()).map((p) => [p, ctx.instruments.get(p.symbol)]);
}

/** The mid of the current quote, else the average entry price. */
function mark(ctx: FakeContext, position: VenuePosition): Decimal {
  const book = ctx.broker.book(position.symbol);
  const bid = book?.bids[0]?.price;
  const ask = book?.asks[0]?.price;
  return bid !== undefined && ask !== undefined ? bid.plus(ask).div(2) : position.avgEntryPrice;
}

function positionJson(ctx: FakeContext, p: VenuePosition, instrument: Instrument): JsonObject {
  const price = mark(ctx, p);
  const marketValue = p.quantity.times(price);
  const costBasis = p.quantity.times(p.avgEntryPrice);
  const pl = marketValue.minus(costBasis);
  const plpc = costBasis.isZero() ? ZERO : pl.div(costBasis.abs()).toDecimalPlaces(16);
  const available = p.quantity.abs().minus(heldForOrders(ctx, p));
  const qtyAvailable = available.isNegative() ? ZERO : available;
  return {
    ...ctx.templates.position,
    asset_id: assetId(instrument.symbol),
    symbol: positionSymbol(instrument),
    exchange: exchangeOf(instrument),
    asset_class: instrument.assetClass,
    asset_marginable: instrument.assetClass === 'us_equity',
    avg_entry_price: p.avgEntryPrice.toFixed(),
    qty: p.quantity.toFixed(),
    qty_available: (p.quantity.isNegative() ? qtyAvailable.negated() : qtyAvailable).toFixed(),
    side: p.quantity.isNegative() ? 'short' : 'long',
    market_value: marketValue.toFixed(),
    cost_basis: costBasis.toFixed(),
    unrealized_pl: pl.toFixed(),
    unrealized_plpc: plpc.toFixed(),
    unrealized_intraday_pl: pl.toFixed(),
    unrealized_intraday_plpc: plpc.toFixed(),
    current_price: price.toFixed(),
    lastday_price: price.toFixed(),
    change_today: '0',
  };
}

/** What open orders on the closing side hold of a position (Alpaca's qty minus qty_available). */
function heldForOrders(ctx: FakeContext, p: VenuePosition): Decimal {
  const ledger = ctx.exchange.ledger;
  const closing = p.quantity.isPositive() ? 'sell' : 'buy';
  const orders = ledger
    .all()
    .filter((r) => ledger.isOpen(r))
    .map((r) => ledger.orderOf(r))
    .filter((o) => o.symbol === p.symbol && o.side === closing && !o.held);
  return sumDec(orders.map(leavesQty));
}

function knownSymbol(ctx: FakeContext, symbol: string): Instrument {
  const instrument = ctx.instruments.find(symbol);
  if (instrument === undefined) throw new AlpacaFailure(notFound('position does not exist'));
  return instrument;
}

function decimalParam(c: Context, name: string): Decimal | undefined {
  const value = c.req.query(name);
  if (value === undefined) return undefined;
  const parsed = parseDecimal(value);
  if (parsed === undefined || !parsed.isPositive()) throw new AlpacaFailure(invalid(`invalid ${name}`));
  return parsed;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
