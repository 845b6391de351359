import { dec } from '../domain/decimal.js';
import type { AssetClass } from '../domain/instrument.js';
import { DEFAULT_PRICE_BAND_PCT } from './checks/price-band.js';
import { DEFAULT_MAX_ORDERS_PER_MINUTE, DEFAULT_MAX_ORDERS_PER_SECOND } from './checks/rate-limit.js';
import { DEFAULT_MAX_QUOTE_AGE_MS } from './checks/stale-quote.js';
import type { RiskLimits } from './types.js';

/** The limit fields that hold an amount (Decimal), a count (integer), or a per-asset-class map. */
export const DECIMAL_LIMITS = [
  'maxOrderNotional',
  'maxDailyNotional',
  'maxPositionQuantity',
  'maxPositionNotional',
  'maxPositionPctOfEquity',
  'maxGrossExposure',
  'maxSectorExposurePct',
  'dailyLossLimit',
  'maxIntradayDrawdownPct',
  'priceBandPct',
] as const;
export const COUNT_LIMITS = [
  'maxOpenPositions',
  'maxOpenOrders',
  'maxQuoteAgeMs',
  'maxOrdersPerSecond',
  'maxOrdersPerMinute',
] as const;
export const ASSET_CLASSES: readonly AssetClass[] = ['us_equity', 'crypto', 'forex'];

type DecimalLimit = (typeof DECIMAL_LIMITS)[number];
type CountLimit = (typeof COUNT_LIMITS)[number];

/** Limits as JSON: decimals as strings, counts as numbers (what the store keeps and the wire shows). */
export type LimitsJson = Partial<Record<DecimalLimit, string>> &
  Partial<Record<CountLimit, number>> & { maxAssetClassExposure?: Partial<Record<AssetClass, string>> };

/** The defaults of ORDER-SEMANTICS.md §7.2, in force where no level sets the field. */
export const DEFAULT_LIMITS: RiskLimits = {
  priceBandPct: DEFAULT_PRICE_BAND_PCT,
  maxQuoteAgeMs: DEFAULT_MAX_QUOTE_AGE_MS,
  maxOrdersPerSecond: DEFAULT_MAX_ORDERS_PER_SECOND,
  maxOrdersPerMinute: DEFAULT_MAX_ORDERS_PER_MINUTE,
};

export function limitsToJson(limits: RiskLimits): LimitsJson {
  const out: Record<string, unknown> = {};
  for (const key of DECIMAL_LIMITS) {
    const value = limits[key];
    if (value !== undefined) out[key] = value.toFixed();
  }
  for (const key of COUNT_LIMITS) {
    const value = limits[key];
    if (value !== undefined) out[key] = value;
  }
  const byClass = Object.entries(limits.maxAssetClassExposure ?? {});
  if (byClass.length > 0)
    out['maxAssetClassExposure'] = Object.fromEntries(byClass.map(([k, v]) => [k, v.toFixed()]));
  return out;
}

/** Reads limits back from their JSON form; unknown fields are ignored, bad values refused loudly. */
export function limitsFromJson(json: unknown): RiskLimits {
  const source = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of DECIMAL_LIMITS) {
    const value = source[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = dec(value);
  }
  for (const key of COUNT_LIMITS) {
    const value = source[key];
    if (typeof value === 'number' && Number.isInteger(value)) out[key] = value;
  }
  const byClass = source['maxAssetClassExposure'];
  if (typeof byClass === 'object' && byClass !== null) {
    const entries = Object.entries(byClass as Record<string, unknown>).filter(
      (e): e is [AssetClass, string] =>
        ASSET_CLASSES.includes(e[0] as AssetClass) && typeof e[1] === 'string',
    );
    if (entries.length > 0)
      out['maxAssetClassExposure'] = Object.fromEntries(entries.map(([k, v]) => [k, dec(v)]));
  }
  return out;
}

/**
 * A change to one level's limits: a field given replaces the current value, a field given as
 * null removes it (the limit is then unset at that level), a field left out stays as it is.
 */
export type LimitsPatch = { readonly [K in keyof RiskLimits]?: RiskLimits[K] | null };

export function patchLimits(current: RiskLimits, patch: LimitsPatch): RiskLimits {
  const merged: Record<string, unknown> = { ...current, ...patch };
  return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null && v !== undefined));
}

/** The defaults under the global level's own settings: what the global level enforces. */
export function withDefaults(global: RiskLimits): RiskLimits {
  return { ...DEFAULT_LIMITS, ...global };
}
