import { z } from 'zod';
import { type Decimal, dec } from '../../domain/decimal.js';
import type { AssetClass } from '../../domain/instrument.js';

/** Paper venue configuration, ORDER-SEMANTICS.md §10, with its defaults. */
export interface PaperOptions {
  readonly liquidityConsumption: boolean;
  readonly queuePosition: boolean;
  readonly barLimitFill: 'cross' | 'touch';
  readonly barPath: 'ohlc' | 'adaptive';
  readonly rejectStopsInMarket: boolean;
  readonly triggerSource: 'bid_ask' | 'last';
  readonly marketRemainder: 'keep' | 'cancel';
  readonly latencySubmitMs: number;
  readonly latencyReplaceMs: number;
  readonly latencyCancelMs: number;
  readonly makerFeeBps: Decimal;
  readonly takerFeeBps: Decimal;
  readonly noDepthSlippageBps: Decimal;
  readonly otoTrigger: 'partial' | 'full';
  /** America/New_York wall-clock times, HH:MM. */
  readonly opgCutoff: string;
  readonly clsCutoff: string;
}

const decimalString = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const text = String(v);
  if (!/^\d+(\.\d+)?$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `expected a non-negative decimal, got "${text}"` });
    return z.NEVER;
  }
  return text;
});

const hhmm = z.string().regex(/^\d{2}:\d{2}$/, 'expected HH:MM');

/** The options as they appear in config (snake_case as in the doc, all optional). */
export const paperOptionsSchema = z
  .object({
    liquidity_consumption: z.boolean(),
    queue_position: z.boolean(),
    bar_limit_fill: z.enum(['cross', 'touch']),
    bar_path: z.enum(['ohlc', 'adaptive']),
    reject_stops_in_market: z.boolean(),
    trigger_source: z.enum(['bid_ask', 'last']),
    market_remainder: z.enum(['keep', 'cancel']),
    latency_submit_ms: z.number().int().min(0),
    latency_replace_ms: z.number().int().min(0),
    latency_cancel_ms: z.number().int().min(0),
    maker_fee_bps: decimalString,
    taker_fee_bps: decimalString,
    no_depth_slippage_bps: decimalString,
    oto_trigger: z.enum(['partial', 'full']),
    opg_cutoff: hhmm,
    cls_cutoff: hhmm,
  })
  .partial()
  .strict();
export type PaperOptionsInput = z.input<typeof paperOptionsSchema>;

/** Fee defaults differ by asset class: equities 0/0, crypto 15/25 bps (§10). */
export function defaultPaperOptions(assetClass: AssetClass): PaperOptions {
  const crypto = assetClass === 'crypto';
  return {
    liquidityConsumption: true,
    queuePosition: false,
    barLimitFill: 'cross',
    barPath: 'adaptive',
    rejectStopsInMarket: true,
    triggerSource: 'bid_ask',
    marketRemainder: 'keep',
    latencySubmitMs: 0,
    latencyReplaceMs: 0,
    latencyCancelMs: 0,
    makerFeeBps: dec(crypto ? 15 : 0),
    takerFeeBps: dec(crypto ? 25 : 0),
    noDepthSlippageBps: dec(0),
    otoTrigger: 'partial',
    opgCutoff: '09:28',
    clsCutoff: '15:50',
  };
}

export function resolvePaperOptions(assetClass: AssetClass, input: PaperOptionsInput = {}): PaperOptions {
  const o = paperOptionsSchema.parse(input);
  const d = defaultPaperOptions(assetClass);
  return {
    liquidityConsumption: o.liquidity_consumption ?? d.liquidityConsumption,
    queuePosition: o.queue_position ?? d.queuePosition,
    barLimitFill: o.bar_limit_fill ?? d.barLimitFill,
    barPath: o.bar_path ?? d.barPath,
    rejectStopsInMarket: o.reject_stops_in_market ?? d.rejectStopsInMarket,
    triggerSource: o.trigger_source ?? d.triggerSource,
    marketRemainder: o.market_remainder ?? d.marketRemainder,
    latencySubmitMs: o.latency_submit_ms ?? d.latencySubmitMs,
    latencyReplaceMs: o.latency_replace_ms ?? d.latencyReplaceMs,
    latencyCancelMs: o.latency_cancel_ms ?? d.latencyCancelMs,
    makerFeeBps: o.maker_fee_bps === undefined ? d.makerFeeBps : dec(o.maker_fee_bps),
    takerFeeBps: o.taker_fee_bps === undefined ? d.takerFeeBps : dec(o.taker_fee_bps),
    noDepthSlippageBps:
      o.no_depth_slippage_bps === undefined ? d.noDepthSlippageBps : dec(o.no_depth_slippage_bps),
    otoTrigger: o.oto_trigger ?? d.otoTrigger,
    opgCutoff: o.opg_cutoff ?? d.opgCutoff,
    clsCutoff: o.cls_cutoff ?? d.clsCutoff,
  };
}
