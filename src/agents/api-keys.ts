import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import { TradingError } from '../domain/errors.js';
import type { Database, Store } from '../store/db.js';
import { agents, apiKeys } from '../store/schema.js';
import { type AgentCard, cardToJson } from './card.js';

/** A new key, returned once: only its hash is stored, so it cannot be shown again. */
export interface CreatedApiKey {
  readonly id: string;
  readonly key: string;
  readonly prefix: string;
}

/** Who a valid key speaks for. */
export interface VerifiedApiKey {
  readonly keyId: string;
  readonly agentId: string;
}

/** A key as listings show it: never the key, never its hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly agentId: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
}

const KEY_PREFIX = 'ats_';
/** `ats_` and 32 random bytes in base64url (43 characters). */
const KEY_PATTERN = /^ats_[A-Za-z0-9_-]{43}$/;
const SHOWN_PREFIX_LENGTH = 12;
/** Inputs longer than an id or a prefix are never echoed: they may be a key. */
const ECHO_LIMIT = 20;

const sha256 = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * API keys for the HTTP surface: each maps to one agent of the registry. A key is shown once at
 * creation; the store keeps its SHA-256 and a short prefix. A key never appears in an error or a
 * log. Verification reads the table every time, so a revoked key stops working at once.
 * Revoking an already revoked key is a no-op that returns the key as it stands (retries are safe).
 */
export class ApiKeyStore {
  private readonly now: () => number;
  private readonly db: Database;

  constructor(
    private readonly store: Pick<Store, 'db' | 'query'>,
    options: { now?: () => number } = {},
  ) {
    this.db = store.db;
    this.now = options.now ?? Date.now;
  }

  /**
   * Records the registry's cards in the agents table (keys reference it). Agents whose cards are
   * gone stay, with their keys: the caller checks `registry.has(agentId)` after `verify`.
   */
  async syncAgents(cards: readonly AgentCard[]): Promise<void> {
    if (cards.length === 0) return;
    const updatedAt = new Date(this.now());
    await this.db
      .insert(agents)
      .values(cards.map((card) => ({ id: card.id, name: card.name, card: cardToJson(card), updatedAt })))
      .onConflictDoUpdate({
        target: agents.id,
        set: { name: sql`excluded.name`, card: sql`excluded.card`, updatedAt: sql`excluded.updated_at` },
      });
  }

  /** A new key for the agent; NOT_FOUND when the agent is not in the agents table. */
  async create(agentId: string): Promise<CreatedApiKey> {
    await this.requireAgent(agentId);
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const created = {
      id: `key_${randomBytes(8).toString('hex')}`,
      key,
      prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
    };
    await this.db.insert(apiKeys).values({
      id: created.id,
      agentId,
      keyHash: sha256(key),
      prefix: created.prefix,
      createdAt: new Date(this.now()),
    });
    return created;
  }

  /** The agent a key speaks for; undefined for a malformed, unknown or revoked key. */
  async verify(key: string): Promise<VerifiedApiKey | undefined> {
    if (!KEY_PATTERN.test(key)) return undefined;
    const hash = sha256(key);
    // Every HTTP request asks: one fixed statement, prepared once, rather than a query built anew.
    const [found] = await this.store.query(VERIFY_KEY, [hash]);
    const row =
      found === undefined
        ? undefined
        : {
            id: String(found['id']),
            agentId: String(found['agent_id']),
            keyHash: String(found['key_hash']),
            revokedAt: found['revoked_at'] ?? null,
          };
    // The lookup is by hash, so a match is already equal; the constant-time compare keeps it so
    // should the lookup ever change (e.g. to the prefix).
    if (row === undefined || !sameHash(row.keyHash, hash) || row.revokedAt !== null) return undefined;
    return { keyId: row.id, agentId: row.agentId };
  }

  /** Every key (or one agent's), oldest first. */
  async list(agentId?: string): Promise<ApiKeyInfo[]> {
    const rows = await this.db
      .select(INFO_COLUMNS)
      .from(apiKeys)
      .where(agentId === undefined ? undefined : eq(apiKeys.agentId, agentId))
      .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
    return rows.map(toInfo);
  }

  /**
   * Revokes the key named by its id, its prefix, or the key itself. NOT_FOUND when none matches;
   * INVALID_ARGUMENT when a prefix names several keys. Revoking a revoked key changes nothing.
   */
  async revoke(idOrPrefix: string): Promise<ApiKeyInfo> {
    const found = await this.db.select(INFO_COLUMNS).from(apiKeys).where(matching(idOrPrefix));
    const [target] = found;
    if (target === undefined) throw notFoundKey(idOrPrefix);
    if (found.length > 1) {
      throw new TradingError('INVALID_ARGUMENT', `The prefix "${idOrPrefix}" names ${found.length} keys.`, {
        hint: 'Revoke by key id (key_...) instead; the key listing shows each id.',
        details: { keyIds: found.map((k) => k.id) },
      });
    }
    if (target.revokedAt !== null) return toInfo(target);
    const [revoked] = await this.db
      .update(apiKeys)
      .set({ revokedAt: new Date(this.now()) })
      .where(and(eq(apiKeys.id, target.id), isNull(apiKeys.revokedAt)))
      .returning(INFO_COLUMNS);
    return toInfo(revoked ?? target);
  }

  /** Whether the agent has at least one key that is not revoked. */
  async hasActiveKey(agentId: string): Promise<boolean> {
    const rows = await this.db
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.agentId, agentId), isNull(apiKeys.revokedAt)))
      .limit(1);
    return rows.length > 0;
  }

  private async requireAgent(agentId: string): Promise<void> {
    const rows = await this.db.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId)).limit(1);
    if (rows.length > 0) return;
    const known = await this.db.select({ id: agents.id }).from(agents).orderBy(asc(agents.id));
    throw new TradingError('NOT_FOUND', `No agent "${agentId}" is registered.`, {
      hint:
        known.length === 0
          ? 'No agents are registered yet: load the cards in agents/ and sync them first.'
          : `Create the key for one of the registered agents: ${known.map((a) => a.id).join(', ')}.`,
      details: { agentId },
    });
  }
}

const VERIFY_KEY = 'select id, agent_id, key_hash, revoked_at from api_keys where key_hash = $1 limit 1';

const INFO_COLUMNS = {
  id: apiKeys.id,
  agentId: apiKeys.agentId,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
};

interface InfoRow {
  readonly id: string;
  readonly agentId: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

function toInfo(row: InfoRow): ApiKeyInfo {
  const { revokedAt, ...rest } = row;
  return revokedAt === null ? rest : { ...rest, revokedAt };
}

/** A full key is matched by its hash, never by its text. */
function matching(idOrPrefix: string) {
  if (KEY_PATTERN.test(idOrPrefix)) return eq(apiKeys.keyHash, sha256(idOrPrefix));
  return or(eq(apiKeys.id, idOrPrefix), eq(apiKeys.prefix, idOrPrefix));
}

function notFoundKey(idOrPrefix: string): TradingError {
  const shown = idOrPrefix.length <= ECHO_LIMIT ? `"${idOrPrefix}"` : 'the value given';
  return new TradingError('NOT_FOUND', `No API key matches ${shown} (by id, prefix or key).`, {
    hint: 'List the keys to see their ids (key_...) and prefixes (ats_...).',
  });
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
