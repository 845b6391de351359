import { z } from 'zod';
import { type Decimal, dec, toWire } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';

/**
 * An agent card (CONTRACT.md, Agents): who an agent is, what it is good at, which tools its scopes
 * open, and its own limits (under the account and global ones). One JSON file per agent in agents/.
 */
export const CAPABILITIES = [
  'ORDER_EXECUTION',
  'RISK_MANAGEMENT',
  'BROKER_ROUTING',
  'MARKET_DATA',
  'SIGNAL_PROCESSING',
  'PORTFOLIO_ANALYTICS',
] as const;
export type CapabilityName = (typeof CAPABILITIES)[number];

export const PROFICIENCIES = ['BASIC', 'INTERMEDIATE', 'ADVANCED', 'EXPERT'] as const;
export type Proficiency = (typeof PROFICIENCIES)[number];

export const SCOPES = ['read', 'trade', 'simulate', 'risk:admin', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Capability {
  readonly name: CapabilityName;
  readonly proficiency: Proficiency;
}

export interface AgentLimits {
  readonly maxOrderNotional: Decimal;
  readonly maxDailyNotional: Decimal;
  readonly maxOpenOrders: number;
  readonly maxOrdersPerMinute: number;
}

export interface AgentCard {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly capabilities: readonly Capability[];
  readonly scopes: readonly Scope[];
  /** The accounts this agent may use; absent: every account. */
  readonly accounts?: readonly string[];
  readonly limits?: AgentLimits;
  /** Orders above this notional need the caller's explicit confirmation. */
  readonly confirmAboveNotional?: Decimal;
}

/** Decimals as plain strings, everything else as it is. */
type WithDecimalsAsStrings<T> = {
  readonly [K in keyof T]: T[K] extends Decimal
    ? string
    : T[K] extends Decimal | undefined
      ? string | undefined
      : T[K];
};

/** The card as JSON: decimals as plain strings ("250000"), as in the files and the agents table. */
export type AgentCardJson = Omit<AgentCard, 'limits' | 'confirmAboveNotional'> & {
  readonly limits?: WithDecimalsAsStrings<AgentLimits>;
  readonly confirmAboveNotional?: string;
};

export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** A field's error: "is required" when absent, otherwise what it must be. */
const must = (what: string) => ({
  error: (issue: { readonly input?: unknown }) =>
    issue.input === undefined ? 'is required' : `must be ${what}`,
});

/** A positive exact decimal from a JSON string ("0.1") or number (0.1, read through its source text). */
function positiveDecimal(value: string | number): Decimal | undefined {
  if (typeof value === 'string' && !PLAIN_DECIMAL.test(value)) return undefined;
  const amount = dec(String(value));
  return amount.isFinite() && amount.greaterThan(0) ? amount : undefined;
}

const MONEY = 'a positive decimal such as "250000" or "0.5"';
const money = z.union([z.string(), z.number()], must(MONEY)).transform((value, ctx) => {
  const amount = positiveDecimal(value);
  if (amount !== undefined) return amount;
  ctx.addIssue({ code: 'custom', message: `must be ${MONEY}` });
  return z.NEVER;
});

const positiveInt = z.int(must('a positive integer')).min(1, 'must be a positive integer');
const text = (what: string) => z.string(must(what)).regex(/\S/, `must be ${what}`);

/** Refuses a list that names the same thing twice, pointing at the repeat. */
function unique<T>(label: (item: T) => string) {
  return (items: readonly T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const key = label(item);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `repeats "${key}"` });
      seen.add(key);
    });
  };
}

const capability = z.strictObject(
  {
    name: z.enum(CAPABILITIES, must(`one of ${CAPABILITIES.join(', ')}`)),
    proficiency: z.enum(PROFICIENCIES, must(`one of ${PROFICIENCIES.join(', ')}`)),
  },
  must('an object { name, proficiency }'),
);

const limits = z.strictObject(
  {
    maxOrderNotional: money,
    maxDailyNotional: money,
    maxOpenOrders: positiveInt,
    maxOrdersPerMinute: positiveInt,
  },
  must('an object { maxOrderNotional, maxDailyNotional, maxOpenOrders, maxOrdersPerMinute }'),
);

const cardSchema = z.strictObject(
  {
    id: z
      .string(must('a lowercase slug'))
      .regex(AGENT_ID_PATTERN, 'must be a lowercase slug: a-z, 0-9 and "-", at most 63 characters'),
    name: text('a non-empty string'),
    description: text('a non-empty string'),
    capabilities: z
      .array(capability, must('a list of { name, proficiency }'))
      .min(1, 'must list at least one capability')
      .superRefine(unique((c) => c.name)),
    scopes: z
      .array(z.enum(SCOPES, must(`one of ${SCOPES.join(', ')}`)), must('a list of scopes'))
      .min(1, 'must list at least one scope')
      .superRefine(unique((s) => s)),
    accounts: z
      .array(text('an account id'), must('a list of account ids'))
      .min(1, 'must list at least one account (omit the field to allow every account)')
      .superRefine(unique((a) => a))
      .optional(),
    limits: limits.optional(),
    confirmAboveNotional: money.optional(),
  },
  must('a JSON object (an agent card)'),
);

type ParsedCard = z.output<typeof cardSchema>;

const CARD_HINT =
  'Fix the named field. A card is { id, name, description, capabilities: [{ name, proficiency }], scopes, ' +
  'accounts?, limits?: { maxOrderNotional, maxDailyNotional, maxOpenOrders, maxOrdersPerMinute }, ' +
  'confirmAboveNotional? } (CONTRACT.md, Agents).';

/** Validates one card; throws CONFIG_INVALID naming the file and each bad field's path. */
export function parseAgentCard(json: unknown, file: string): AgentCard {
  const parsed = cardSchema.safeParse(json);
  if (parsed.success) return toCard(parsed.data);
  const problems = parsed.error.issues.flatMap(describeIssue);
  throw new TradingError('CONFIG_INVALID', `${file}: ${problems.map(joinProblem).join('; ')}`, {
    hint: CARD_HINT,
    details: { file, problems },
  });
}

interface Problem {
  readonly field: string;
  readonly message: string;
}

function describeIssue(issue: z.core.$ZodIssue): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: fieldPath([...issue.path, key]),
      message: 'is not a known field',
    }));
  }
  return [{ field: fieldPath(issue.path), message: issue.message }];
}

const joinProblem = (p: Problem): string => (p.field === '' ? p.message : `${p.field}: ${p.message}`);

/** `limits.maxOpenOrders`, `capabilities[1].proficiency`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out === '' ? String(key) : `${out}.${String(key)}`;
  }, '');
}

function toCard(c: ParsedCard): AgentCard {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    capabilities: c.capabilities,
    scopes: c.scopes,
    ...(c.accounts === undefined ? {} : { accounts: c.accounts }),
    ...(c.limits === undefined ? {} : { limits: c.limits }),
    ...(c.confirmAboveNotional === undefined ? {} : { confirmAboveNotional: c.confirmAboveNotional }),
  };
}

/** The card as JSON, decimals as plain strings; parseAgentCard reads it back to an equal card. */
export function cardToJson(card: AgentCard): AgentCardJson {
  const { limits: l, confirmAboveNotional: confirm, ...rest } = card;
  return {
    ...rest,
    ...(l === undefined
      ? {}
      : {
          limits: {
            maxOrderNotional: toWire(l.maxOrderNotional),
            maxDailyNotional: toWire(l.maxDailyNotional),
            maxOpenOrders: l.maxOpenOrders,
            maxOrdersPerMinute: l.maxOrdersPerMinute,
          },
        }),
    ...(confirm === undefined ? {} : { confirmAboveNotional: toWire(confirm) }),
  };
}
