/**
 * The exchange's own payloads under ccxt's `info`, where their shape is known: Binance spot's
 * order, trade, fill and account objects (test/fixtures/binance). They carry quantities and prices
 * as exact strings, which the adapter prefers to ccxt's floats. Anything else parses to undefined
 * and the mappers fall back to ccxt's unified fields, so the adapter stays exchange-agnostic.
 */
import { z } from 'zod';

/** A decimal as the wire sends it; ccxt's static captures store numbers as strings too. */
const text = z.union([z.string(), z.number()]).transform((v) => String(v));

export const rawOrderSchema = z.object({
  symbol: z.string(),
  orderId: text,
  clientOrderId: z.string(),
  origQty: text,
  executedQty: text,
  cummulativeQuoteQty: text.optional(),
  price: text.optional(),
  stopPrice: text.optional(),
  status: z.string(),
  type: z.string(),
  timeInForce: z.string().optional(),
  side: z.string(),
  /** False while a conditional order waits for its trigger (Binance `isWorking`). */
  isWorking: z.boolean().optional(),
});
export type RawOrder = z.infer<typeof rawOrderSchema>;

/** One entry of a FULL `POST /api/v3/order` response's `fills`. */
export const rawFillSchema = z.object({
  price: text,
  qty: text,
  commission: text,
  commissionAsset: z.string(),
  tradeId: text,
});
export type RawFill = z.infer<typeof rawFillSchema>;

/** One entry of `GET /api/v3/myTrades`. */
export const rawTradeSchema = z.object({
  symbol: z.string(),
  id: text,
  orderId: text,
  price: text,
  qty: text,
  commission: text,
  commissionAsset: z.string(),
  isBuyer: z.boolean(),
  isMaker: z.boolean(),
});
export type RawTrade = z.infer<typeof rawTradeSchema>;

const rawBalanceSchema = z.object({ asset: z.string(), free: text, locked: text });

/** `GET /api/v3/account`: the balances and whether the account may trade. */
export const rawAccountSchema = z.object({
  canTrade: z.boolean().optional(),
  balances: z.array(rawBalanceSchema),
});
export type RawAccount = z.infer<typeof rawAccountSchema>;

/** `info` parsed with a schema, or undefined when the exchange sends another shape. */
export function rawOf<T>(schema: z.ZodType<T>, info: unknown): T | undefined {
  const parsed = schema.safeParse(info);
  return parsed.success ? parsed.data : undefined;
}
