/** The bar timeframes of getBars (CONTRACT.md), as Alpaca names them. */
export const TIMEFRAMES = ['1Min', '5Min', '15Min', '1Hour', '1Day'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE_MS = 60_000;

/** Each timeframe's length. */
export const TIMEFRAME_MS: { readonly [K in Timeframe]: number } = {
  '1Min': MINUTE_MS,
  '5Min': 5 * MINUTE_MS,
  '15Min': 15 * MINUTE_MS,
  '1Hour': 60 * MINUTE_MS,
  '1Day': 1_440 * MINUTE_MS,
};

/**
 * The open time of the bar of `timeframe` that holds `ts`. Buckets are aligned to the UTC epoch:
 * minutes on the minute, hours on the hour, days at 00:00 UTC (one calendar for every asset class).
 */
export function bucketOf(ts: number, timeframe: Timeframe): number {
  const length = TIMEFRAME_MS[timeframe];
  return Math.floor(ts / length) * length;
}
