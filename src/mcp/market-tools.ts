/**
 * Market data and paper-market tools: getBars (the paper exchange's own tape) and simulateMarket
 * (paper venues only). The engine parts live in marketdata/bars and brokers/paper/market-simulator.
 */
import { z } from 'zod';
import { toWire } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { OrderService } from '../engine/order-service.js';
import type { StoredOrder } from '../engine/ports.js';
import { TIMEFRAMES } from '../marketdata/bars/timeframe.js';
import type { Bar } from '../marketdata/types.js';
import { READ, type ToolDefinition, defined, symbolField, tool } from './tool-kit.js';
import {
  decimalInput,
  decimalOutput,
  positiveDecimal,
  topOfBook,
  toWireOrder,
  wireOrderSchema,
  wireTop,
} from './wire.js';

const isoTime = (what: string) => z.iso.datetime({ offset: true }).describe(`${what}, ISO-8601.`);

const getBarsInput = z
  .object({
    symbol: symbolField,
    timeframe: z
      .enum(TIMEFRAMES)
      .describe('Bar length: 1Min, 5Min, 15Min, 1Hour or 1Day; bars start on UTC boundaries.'),
    start: isoTime('Earliest bar open time (inclusive); without it you get the most recent bars').optional(),
    end: isoTime('Latest bar open time (inclusive); default now on the trading clock').optional(),
    limit: z.number().int().min(1).max(1000).default(100).describe('Bars per page, 1..1000 (default 100).'),
    cursor: z
      .string()
      .min(1)
      .optional()
      .describe('nextCursor of the previous page; send the same symbol, timeframe, start and end.'),
  })
  .refine((a) => a.start === undefined || a.end === undefined || Date.parse(a.start) <= Date.parse(a.end), {
    message: 'start must not be after end',
    path: ['start'],
  });

const barSchema = z.object({
  t: z.string(),
  o: decimalOutput(),
  h: decimalOutput(),
  l: decimalOutput(),
  c: decimalOutput(),
  v: decimalOutput(),
});

/** Where the next page lies: bars after this open time (paging forward) or before it (backward). */
interface BarCursor {
  readonly direction: 'after' | 'before';
  readonly ts: number;
}

function encodeCursor(cursor: BarCursor): string {
  return Buffer.from(`${cursor.direction === 'after' ? 'a' : 'b'}:${cursor.ts}`).toString('base64url');
}

function decodeCursor(text: string): BarCursor {
  const match = /^([ab]):(-?\d{1,16})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new TradingError('INVALID_ARGUMENT', 'This cursor is not one getBars gave out.', {
      hint: 'Send the nextCursor of the previous getBars page unchanged, or leave cursor out.',
      details: { field: 'cursor' },
    });
  }
  return { direction: match[1] === 'a' ? 'after' : 'before', ts: Number(match[2]) };
}

/**
 * The bar open times a page covers: [start, end] (end defaults to now), narrowed past the previous
 * page by the cursor. Without start, pages run from the newest bars backward; with it, forward.
 */
function barRange(
  args: Pick<z.output<typeof getBarsInput>, 'start' | 'end' | 'cursor'>,
  now: number,
): { from: number | undefined; to: number; newest: boolean } {
  const cursor = args.cursor === undefined ? undefined : decodeCursor(args.cursor);
  const start = args.start === undefined ? undefined : Date.parse(args.start);
  const end = args.end === undefined ? now : Date.parse(args.end);
  if (cursor?.direction === 'after')
    return { from: Math.max(cursor.ts + 1, start ?? -Infinity), to: end, newest: false };
  if (cursor?.direction === 'before') return { from: start, to: Math.min(cursor.ts - 1, end), newest: true };
  return { from: start, to: end, newest: start === undefined };
}

const wireBar = (b: Bar): z.infer<typeof barSchema> => ({
  t: new Date(b.ts).toISOString(),
  o: toWire(b.open),
  h: toWire(b.high),
  l: toWire(b.low),
  c: toWire(b.close),
  v: toWire(b.volume),
});

const level = z.tuple([positiveDecimal('Price'), positiveDecimal('Size')]);
const quoteFields = ['bid', 'ask', 'bidSize', 'askSize'] as const;

const simulateInput = z
  .object({
    venue: z
      .string()
      .min(1)
      .optional()
      .describe('One paper venue (see listVenues); default: every paper venue that trades the symbol.'),
    symbol: symbolField,
    bid: positiveDecimal('Best bid price').optional(),
    ask: positiveDecimal('Best ask price').optional(),
    bidSize: positiveDecimal('Size at the best bid; omitted: unlimited').optional(),
    askSize: positiveDecimal('Size at the best ask; omitted: unlimited').optional(),
    last: positiveDecimal('Last trade price; omitted: the previous last trade stands').optional(),
    book: z
      .object({
        bids: z.array(level).max(100).describe('[price, size] levels, best (highest) first.'),
        asks: z.array(level).max(100).describe('[price, size] levels, best (lowest) first.'),
      })
      .optional()
      .describe('A full L2 book instead of bid/ask.'),
    volume: decimalInput('Volume traded at this market, counted in getBars bars (default 0)')
      .refine((d) => !d.isNegative(), { message: 'must not be negative' })
      .optional(),
    at: isoTime(
      'Move the simulated clock to this time first (never backward); sessions open and close and day orders expire on the way',
    ).optional(),
  })
  .refine((a) => a.book === undefined || quoteFields.every((f) => a[f] === undefined), {
    message: 'give either book or bid/ask (with sizes), not both',
    path: ['book'],
  });

/** Replaces a paper market: not read-only; destructive, as it can fill and expire orders and moves time for good. */
const SIMULATE = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: false,
};

export const MARKET_TOOLS: readonly ToolDefinition[] = [
  tool({
    name: 'getBars',
    title: 'Get price bars',
    description:
      "OHLCV bars of a symbol as the paper exchange saw it: every market its venues matched against (the feed's trades and quotes, and simulated markets), in 1-minute bars rolled up to the timeframe. The newest bar may still be forming; the last two days of minutes are kept. Oldest first; without start, the most recent bars.",
    scope: 'read',
    annotations: READ,
    input: getBarsInput,
    output: z.object({
      symbol: z.string(),
      timeframe: z.string(),
      bars: z.array(barSchema),
      nextCursor: z.string().optional(),
      truncated: z
        .boolean()
        .describe(
          'True when the range holds bars left out of this page; nextCursor fetches them (older bars without start, newer ones with it).',
        ),
    }),
    run: (args, _caller, deps) => {
      const symbol = deps.instruments.get(args.symbol).symbol;
      const { from, to, newest } = barRange(args, deps.clock.now());
      const page = deps.bars?.query(symbol, args.timeframe, {
        ...defined({ from }),
        to,
        limit: args.limit,
        newest,
      }) ?? { bars: [], more: false };
      const bars = page.bars.map(wireBar);
      const edge = newest ? page.bars[0] : page.bars[page.bars.length - 1];
      const nextCursor =
        page.more && edge !== undefined
          ? encodeCursor({ direction: newest ? 'before' : 'after', ts: edge.ts })
          : undefined;
      return Promise.resolve({
        structured: {
          symbol,
          timeframe: args.timeframe,
          bars,
          truncated: page.more,
          ...defined({ nextCursor }),
        },
        text: barsText(symbol, args.timeframe, bars, deps.bars?.has(symbol) === true, page.more, newest),
      });
    },
  }),
  tool({
    name: 'simulateMarket',
    title: 'Simulate a paper market',
    description:
      "Paper venues only. Replaces a symbol's market at one paper venue (or all that trade it) with the bid/ask or book you give; sides you leave out are empty, and the last trade stands unless you give one. From then on the feed no longer moves the symbol at those venues: it stays as you set it until your next simulateMarket. The market (with volume) also goes into getBars. Matching runs at once: resting limits fill, stops trigger. With at (simulated clock only) the clock first moves forward to that time, so sessions open and close and day orders expire. Returns each venue's new top of book and the orders that changed.",
    scope: 'simulate',
    annotations: SIMULATE,
    available: (deps) => deps.paperMarket !== undefined,
    input: simulateInput,
    output: z.object({
      symbol: z.string(),
      now: z.string().describe('The trading clock after the call, ISO-8601.'),
      replaced: z.boolean().describe('False when the call only moved the clock.'),
      venues: z.array(topOfBook),
      orders: z
        .array(wireOrderSchema)
        .describe('Orders whose status or filled quantity changed: filled, triggered, expired, canceled.'),
    }),
    run: async (args, _caller, deps) => {
      const market = deps.paperMarket;
      if (market === undefined) {
        throw new TradingError('FORBIDDEN', 'simulateMarket needs paper venues, and this server has none.', {
          hint: 'Simulate markets on a server with paper venues enabled; live venues cannot be simulated.',
        });
      }
      const before = await openOrders(deps.service);
      const result = await market.simulate({
        symbol: args.symbol,
        ...defined({
          venue: args.venue,
          bid: args.bid,
          ask: args.ask,
          bidSize: args.bidSize,
          askSize: args.askSize,
          last: args.last,
          book: args.book,
          volume: args.volume,
          at: args.at === undefined ? undefined : Date.parse(args.at),
        }),
      });
      await deps.service.idle();
      const orders = (await changedOrders(deps.service, before)).map(toWireOrder);
      const venues = result.venues.map((v) => wireTop(v.venue, v.book));
      const now = new Date(result.now).toISOString();
      return {
        structured: { symbol: result.symbol, now, replaced: result.replaced, venues, orders },
        text: `${result.symbol}: ${venues.map((v) => `${v.venue} ${v.bid ?? '-'} / ${v.ask ?? '-'}`).join(', ')}; ${orders.length} order(s) changed; clock ${now}.`,
      };
    },
  }),
];

function barsText(
  symbol: string,
  timeframe: string,
  bars: readonly z.infer<typeof barSchema>[],
  seen: boolean,
  more: boolean,
  newest: boolean,
): string {
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (first === undefined || last === undefined) {
    return seen
      ? `No ${timeframe} bars for ${symbol} in this range.`
      : `No bars for ${symbol}: the paper exchange has not seen it trade or quote yet (or not recently).`;
  }
  const rest = more ? ` Truncated: more with nextCursor (${newest ? 'older' : 'newer'} bars).` : '';
  return `${bars.length} ${timeframe} bar(s) for ${symbol}, ${first.t} to ${last.t}; last close ${last.c}.${rest}`;
}

/** Every open order, by order id. */
async function openOrders(service: OrderService): Promise<Map<string, StoredOrder>> {
  const out = new Map<string, StoredOrder>();
  let cursor: string | undefined;
  do {
    const page = await service.listOrders({ status: 'open', limit: 200, ...defined({ cursor }) });
    for (const stored of page.orders) out.set(stored.order.id, stored);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

/** The orders open before whose status or filled quantity has changed since, as they are now. */
async function changedOrders(
  service: OrderService,
  before: ReadonlyMap<string, StoredOrder>,
): Promise<StoredOrder[]> {
  const open = await openOrders(service);
  const changed: StoredOrder[] = [];
  for (const [orderId, was] of before) {
    // An order no longer open finished during the call; one still open may have filled in part.
    const now = open.get(orderId) ?? (await service.getOrder({ orderId })).stored;
    const same = now.order.status === was.order.status && now.order.filledQty.equals(was.order.filledQty);
    if (!same) changed.push(now);
  }
  return changed;
}
