import { z } from 'zod';
import type { Account } from '../../domain/account.js';
import { type Decimal, dec } from '../../domain/decimal.js';
import { TradingError } from '../../domain/errors.js';
import type { AssetClass } from '../../domain/instrument.js';
import { ORDER_TYPES, type OrderType } from '../../domain/order.js';
import type { ContingentClass } from '../broker.js';
import { paperOptionsSchema } from './options.js';

const decimalText = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d+)?$/.test(v), { message: 'expected a non-negative decimal such as "100000"' });

const accountSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
    type: z.enum(['cash', 'margin']),
    marginMultiplier: decimalText.optional(),
    allowShort: z.boolean().optional(),
    cash: z.record(z.string().regex(/^[A-Z]{3,5}$/), decimalText),
  })
  .strict();

const venueSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes'),
    name: z.string().min(1),
    description: z.string().default(''),
    assetClasses: z.array(z.enum(['us_equity', 'crypto', 'forex'])).min(1),
    depthScale: decimalText.default('1'),
    options: paperOptionsSchema.default({}),
    symbolOptions: z.record(z.string(), paperOptionsSchema).default({}),
    /** Order types the venue takes (default: all); the engine emulates the others (§2.1). */
    orderTypes: z.array(z.enum(ORDER_TYPES)).min(1).optional(),
    /** Contingent classes the venue runs natively (default: all three); the engine holds the others (§4). */
    nativeContingent: z.array(z.enum(['bracket', 'oco', 'oto'])).optional(),
    accounts: z.array(accountSchema).min(1),
  })
  .strict();

export const venueProfilesSchema = z
  .object({ $comment: z.string().optional(), venues: z.array(venueSchema).min(1) })
  .strict();

export interface VenueProfile {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly assetClasses: readonly AssetClass[];
  readonly depthScale: Decimal;
  readonly options: z.input<typeof paperOptionsSchema>;
  readonly symbolOptions: Readonly<Record<string, z.input<typeof paperOptionsSchema>>>;
  /** Order types the venue takes; absent: every type. */
  readonly orderTypes?: readonly OrderType[];
  /** Contingent classes the venue runs natively; absent: bracket, OCO and OTO. */
  readonly nativeContingent?: readonly ContingentClass[];
  readonly accounts: readonly Account[];
}

/**
 * Parses the venue profiles file. Errors name the field ("venues.1.options.taker_fee_bps: ...").
 * `startingCash` replaces every account's cash amounts (PAPER_STARTING_CASH).
 */
export function parseVenueProfiles(json: unknown, source: string, startingCash?: Decimal): VenueProfile[] {
  const parsed = venueProfilesSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new TradingError('CONFIG_INVALID', `Invalid venue profiles in ${source}: ${issues}`, {
      hint: 'Fix the named fields; see config/venues.json for a valid example.',
    });
  }
  const ids = new Set<string>();
  return parsed.data.venues.map((v) => {
    if (ids.has(v.id)) throw new TradingError('CONFIG_INVALID', `Duplicate venue id "${v.id}" in ${source}.`);
    ids.add(v.id);
    return {
      id: v.id,
      name: v.name,
      description: v.description,
      assetClasses: v.assetClasses,
      depthScale: dec(v.depthScale),
      options: v.options,
      symbolOptions: v.symbolOptions,
      ...(v.orderTypes === undefined ? {} : { orderTypes: v.orderTypes }),
      ...(v.nativeContingent === undefined ? {} : { nativeContingent: v.nativeContingent }),
      accounts: v.accounts.map((a) => ({
        id: a.id,
        venue: v.id,
        mode: 'paper' as const,
        type: a.type,
        currency: 'USD',
        cash: Object.fromEntries(
          Object.entries(a.cash).map(([ccy, amount]) => [ccy, startingCash ?? dec(amount)]),
        ),
        marginMultiplier: dec(a.marginMultiplier ?? (a.type === 'margin' ? '2' : '1')),
        allowShort: a.allowShort ?? a.type === 'margin',
        patternDayTrader: false,
        dayTrades: [],
        tradingBlocked: false,
      })),
    };
  });
}
