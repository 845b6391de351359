/**
 * Alpaca's JSON as it arrives on the wire (snake_case, money as decimal strings), checked with zod
 * at the boundary (STYLE.md habit 7): corrupt venue data throws here instead of turning into a wrong
 * order downstream. Shapes follow Alpaca's OpenAPI specs and the recorded payloads in
 * test/fixtures/alpaca; fields we do not read are not listed (zod drops them).
 */
import { z } from 'zod';

/** A decimal string; a few Alpaca fields (bod_dtbp) arrive as bare numbers, so both are taken. */
const decimal = z.union([z.string(), z.number()]);
const optionalDecimal = decimal.nullish();
const text = z.string().nullish();

/** One order (`Order` in the spec); bracket and OCO parents carry their exits in `legs`. */
export const orderSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullish(),
  submitted_at: text,
  filled_at: text,
  canceled_at: text,
  expired_at: text,
  failed_at: text,
  replaced_at: text,
  replaced_by: text,
  replaces: text,
  asset_class: text,
  symbol: z.string(),
  notional: optionalDecimal,
  qty: optionalDecimal,
  filled_qty: decimal,
  filled_avg_price: optionalDecimal,
  order_class: text,
  order_type: text,
  type: z.string(),
  side: z.string(),
  time_in_force: z.string(),
  limit_price: optionalDecimal,
  stop_price: optionalDecimal,
  trail_price: optionalDecimal,
  trail_percent: optionalDecimal,
  hwm: optionalDecimal,
  status: z.string(),
  extended_hours: z.boolean().nullish(),
  get legs() {
    return z.array(orderSchema).nullish();
  },
});
export type AlpacaOrder = z.infer<typeof orderSchema>;

/** The `data` of a `trade_updates` frame: the event, the order after it, and for fills the execution. */
export const tradeUpdateSchema = z.object({
  event: z.string(),
  execution_id: text,
  order: orderSchema,
  timestamp: text,
  price: optionalDecimal,
  qty: optionalDecimal,
  position_qty: optionalDecimal,
});
export type AlpacaTradeUpdate = z.infer<typeof tradeUpdateSchema>;

export const accountSchema = z.object({
  id: z.string(),
  currency: z.string(),
  status: text,
  equity: decimal,
  cash: decimal,
  buying_power: decimal,
  non_marginable_buying_power: optionalDecimal,
  multiplier: optionalDecimal,
  pattern_day_trader: z.boolean().nullish(),
  daytrade_count: z.number().nullish(),
  trading_blocked: z.boolean().nullish(),
  account_blocked: z.boolean().nullish(),
  trade_suspended_by_user: z.boolean().nullish(),
});
export type AlpacaAccount = z.infer<typeof accountSchema>;

export const positionSchema = z.object({
  symbol: z.string(),
  asset_class: text,
  qty: decimal,
  side: z.string(),
  avg_entry_price: decimal,
});
export type AlpacaPosition = z.infer<typeof positionSchema>;

export const assetSchema = z.object({
  id: z.string(),
  class: z.string(),
  symbol: z.string(),
  name: z.string().nullish(),
  status: z.string(),
  tradable: z.boolean(),
  fractionable: z.boolean().nullish(),
  shortable: z.boolean().nullish(),
  min_order_size: optionalDecimal,
  min_trade_increment: optionalDecimal,
  price_increment: optionalDecimal,
});
export type AlpacaAsset = z.infer<typeof assetSchema>;

/**
 * One FILL account activity (`TradingActivities` in the spec). `id` ("<time>::<uuid>") doubles as
 * the page token; `cum_qty` is the order's filled quantity after this execution.
 */
export const fillActivitySchema = z.object({
  id: z.string(),
  activity_type: z.string(),
  transaction_time: z.string(),
  type: text,
  price: decimal,
  qty: decimal,
  side: z.string(),
  symbol: z.string(),
  leaves_qty: optionalDecimal,
  order_id: z.string(),
  cum_qty: decimal,
  order_status: text,
});
export type AlpacaFillActivity = z.infer<typeof fillActivitySchema>;

export const clockSchema = z.object({
  timestamp: z.string(),
  is_open: z.boolean(),
  next_open: z.string(),
  next_close: z.string(),
});
export type AlpacaClock = z.infer<typeof clockSchema>;

/** A legacy `/v2/calendar` day: times are America/New_York wall-clock ("09:30", "0400"). */
export const calendarDaySchema = z.object({
  date: z.string(),
  open: z.string(),
  close: z.string(),
  session_open: text,
  session_close: text,
  settlement_date: text,
});
export type AlpacaCalendarDay = z.infer<typeof calendarDaySchema>;

/** Alpaca's error envelope: an 8-digit code and a message; some carry more (symbol, available). */
export const errorBodySchema = z.object({
  code: z.union([z.number(), z.string()]).nullish(),
  message: z.string().nullish(),
});

/** One item of a multi-status (207) cancel-all answer. */
export const cancelAllItemSchema = z.object({
  id: z.string(),
  status: z.number(),
  body: errorBodySchema.nullish(),
});
export type CancelAllItem = z.infer<typeof cancelAllItemSchema>;

// Market data: compact keys, prices and sizes as JSON numbers, timestamps RFC 3339 with nanoseconds.

export const quoteSchema = z.object({
  ap: z.number().nullish(),
  as: z.number().nullish(),
  bp: z.number().nullish(),
  bs: z.number().nullish(),
  t: z.string(),
});
export type AlpacaQuote = z.infer<typeof quoteSchema>;

export const tradeSchema = z.object({ p: z.number(), s: z.number().nullish(), t: z.string() });
export type AlpacaTrade = z.infer<typeof tradeSchema>;

export const barSchema = z.object({
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  t: z.string(),
});
export type AlpacaBar = z.infer<typeof barSchema>;

export const snapshotSchema = z.object({
  latestQuote: quoteSchema.nullish(),
  latestTrade: tradeSchema.nullish(),
  minuteBar: barSchema.nullish(),
  dailyBar: barSchema.nullish(),
  prevDailyBar: barSchema.nullish(),
});
export type AlpacaSnapshot = z.infer<typeof snapshotSchema>;

export const latestQuotesSchema = z.object({ quotes: z.record(z.string(), quoteSchema) });
export const latestTradesSchema = z.object({ trades: z.record(z.string(), tradeSchema) });
export const latestBarsSchema = z.object({ bars: z.record(z.string(), barSchema) });
/** Stock snapshots are a bare symbol map; crypto ones are wrapped in `snapshots`. */
export const stockSnapshotsSchema = z.record(z.string(), snapshotSchema);
export const cryptoSnapshotsSchema = z.object({ snapshots: z.record(z.string(), snapshotSchema) });
export const barsPageSchema = z.object({
  bars: z.record(z.string(), z.array(barSchema)).nullish(),
  next_page_token: z.string().nullish(),
});
