import { dec } from '../domain/decimal.js';

/** Every decimal field of the stored domain values (orders, events, fills, positions, accounts, paper working state). */
const DECIMAL_FIELDS = new Set([
  'quantity',
  'limitPrice',
  'stopPrice',
  'triggerPrice',
  'trailPrice',
  'trailPercent',
  'activationPrice',
  'currentStop',
  'displayQty',
  'filledQty',
  'filledNotional',
  'avgFillPrice',
  'overfillQty',
  'price',
  'fee',
  'displayLeft',
  'reservePrice',
  'reservedCash',
  'reservedQty',
  'avgEntryPrice',
  'realizedPnl',
  'fees',
  'marginMultiplier',
]);

/**
 * Reads stored JSON back with its decimals (written as strings by Decimal's toJSON): every field of
 * those names holding a string, and every amount of a `cash` record, becomes a Decimal.
 */
export function reviveDecimals(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), (key, value: unknown) => {
    if (typeof value === 'string' && DECIMAL_FIELDS.has(key)) return dec(value);
    if (key === 'cash' && value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, string>).map(([ccy, amount]) => [ccy, dec(amount)]),
      );
    }
    return value;
  }) as unknown;
}
