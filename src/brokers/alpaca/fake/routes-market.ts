import type { Context, Hono } from 'hono';
import { DateTime } from 'luxon';
import type { Decimal } from '../../../domain/decimal.js';
import { calendarFor } from '../../../marketdata/calendar/index.js';
import type { BookSnapshot } from '../../../marketdata/types.js';
import { AlpacaFailure, invalid, notFound } from './alpaca-errors.js';
import type { JsonObject } from './fixtures.js';
import { type FakeContext, route } from './route-kit.js';

const NEW_YORK = 'America/New_York';
const DEFAULT_CALENDAR_DAYS = 30;

/**
 * Clock, calendar (the US equity calendar at the fake's venue time) and the market data subset,
 * read from the paper venue's current books. Market data prices and sizes are JSON numbers because
 * that is Alpaca's market-data shape (unlike the trading API's decimal strings); they are converted
 * from short decimal strings, which round-trip exactly.
 */
export function marketRoutes(app: Hono, ctx: FakeContext): void {
  const equities = calendarFor('us_equity');
  app.get(
    '/v2/clock',
    route(ctx, 'clock', (c) => {
      const now = ctx.clock.now();
      return Promise.resolve(
        c.json({
          ...ctx.templates.clock,
          timestamp: newYork(now),
          is_open: equities.isOpen(now),
          next_open: newYork(equities.nextOpen(now) ?? now),
          next_close: newYork(equities.nextClose(now) ?? now),
        }),
      );
    }),
  );
  app.get(
    '/v2/calendar',
    route(ctx, 'calendar', (c) => Promise.resolve(c.json(calendarDays(ctx, c)))),
  );
  app.get(
    '/v2/stocks/quotes/latest',
    route(ctx, 'market_data', (c) =>
      Promise.resolve(c.json({ quotes: quotes(ctx, c, ctx.templates.stockQuote) })),
    ),
  );
  app.get(
    '/v2/stocks/:symbol/quotes/latest',
    route(ctx, 'market_data', (c) => {
      const symbol = c.req.param('symbol') ?? '';
      const book = bookOf(ctx, symbol);
      if (book === undefined) throw new AlpacaFailure(notFound(`no quote found for ${symbol}`));
      return Promise.resolve(c.json({ symbol, quote: quoteJson(ctx.templates.stockQuote, book) }));
    }),
  );
  app.get(
    '/v2/stocks/snapshots',
    route(ctx, 'market_data', (c) => {
      const out: Record<string, JsonObject> = {};
      for (const [symbol, book] of books(ctx, c))
        out[symbol] = snapshotJson(ctx.templates.stockSnapshot, book);
      return Promise.resolve(c.json(out));
    }),
  );
  app.get(
    '/v1beta3/crypto/:loc/latest/quotes',
    route(ctx, 'market_data', (c) =>
      Promise.resolve(c.json({ quotes: quotes(ctx, c, ctx.templates.cryptoQuote) })),
    ),
  );
}

/** GET /v2/calendar?start&end (YYYY-MM-DD, New York dates); default: the next 30 days from today. */
function calendarDays(ctx: FakeContext, c: Context): JsonObject[] {
  const calendar = calendarFor('us_equity');
  const today = DateTime.fromMillis(ctx.clock.now(), { zone: NEW_YORK }).startOf('day');
  const start = day(c.req.query('start'), 'start') ?? today;
  const end = day(c.req.query('end'), 'end') ?? start.plus({ days: DEFAULT_CALENDAR_DAYS });
  const last = end.toISODate() ?? '';
  const days: JsonObject[] = [];
  let session = calendar.sessionFor(start.toMillis());
  while (session.date <= last) {
    const next = calendar.sessionFor(session.extendedClose);
    days.push({
      ...ctx.templates.calendarDay,
      date: session.date,
      open: clockTime(session.open, 'HH:mm'),
      close: clockTime(session.close, 'HH:mm'),
      session_open: clockTime(session.extendedOpen, 'HHmm'),
      session_close: clockTime(session.extendedClose, 'HHmm'),
      settlement_date: next.date,
    });
    session = next;
  }
  return days;
}

function quotes(ctx: FakeContext, c: Context, template: JsonObject): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  for (const [symbol, book] of books(ctx, c)) out[symbol] = quoteJson(template, book);
  return out;
}

/** `?symbols=` as asked, for those with a market (Alpaca leaves the others out). */
function books(ctx: FakeContext, c: Context): [string, BookSnapshot][] {
  const symbols = c.req.query('symbols');
  if (symbols === undefined || symbols === '') throw new AlpacaFailure(invalid('symbols is required'));
  const out: [string, BookSnapshot][] = [];
  for (const symbol of symbols.split(',')) {
    const book = bookOf(ctx, symbol.trim());
    if (book !== undefined) out.push([symbol.trim(), book]);
  }
  return out;
}

function bookOf(ctx: FakeContext, symbol: string): BookSnapshot | undefined {
  const instrument = ctx.instruments.find(symbol);
  const book = instrument === undefined ? undefined : ctx.broker.book(instrument.symbol);
  return book?.bids[0] === undefined && book?.asks[0] === undefined ? undefined : book;
}

function quoteJson(template: JsonObject, book: BookSnapshot): JsonObject {
  const bid = book.bids[0];
  const ask = book.asks[0];
  return {
    ...template,
    ap: num(ask?.price),
    as: num(ask?.size),
    bp: num(bid?.price),
    bs: num(bid?.size),
    t: new Date(book.ts).toISOString(),
  };
}

/** The snapshot fixture with the current quote; the last trade and bars sit at the mid (no tape). */
function snapshotJson(template: JsonObject, book: BookSnapshot): JsonObject {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  const mid = bid !== undefined && ask !== undefined ? bid.plus(ask).div(2) : (bid ?? ask);
  const t = new Date(book.ts).toISOString();
  const part = (key: string): JsonObject => {
    const value = template[key];
    return typeof value === 'object' && value !== null ? (value as JsonObject) : {};
  };
  const bar = (key: string): JsonObject => {
    const p = num(mid);
    return { ...part(key), o: p, h: p, l: p, c: p, vw: p, v: 0, n: 0, t };
  };
  return {
    ...template,
    latestQuote: quoteJson(part('latestQuote'), book),
    latestTrade: { ...part('latestTrade'), p: num(book.last ?? mid), s: num(book.lastSize), t },
    minuteBar: bar('minuteBar'),
    dailyBar: bar('dailyBar'),
    prevDailyBar: bar('prevDailyBar'),
  };
}

function num(value: Decimal | undefined): number {
  return value === undefined ? 0 : Number(value.toFixed());
}

function newYork(ms: number): string {
  return DateTime.fromMillis(ms, { zone: NEW_YORK }).toISO({ suppressMilliseconds: true }) ?? '';
}

function clockTime(ms: number, format: string): string {
  return DateTime.fromMillis(ms, { zone: NEW_YORK }).toFormat(format);
}

function day(value: string | undefined, field: string): DateTime | undefined {
  if (value === undefined) return undefined;
  const parsed = DateTime.fromISO(value.slice(0, 10), { zone: NEW_YORK });
  if (!parsed.isValid) throw new AlpacaFailure(invalid(`invalid ${field}`));
  return parsed.startOf('day');
}
