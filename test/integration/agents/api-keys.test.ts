/**
 * API keys on both backends: a key is shown once and stored only as its SHA-256 with a short
 * prefix; it verifies to its agent until revoked, and stops at once when revoked; keys are only
 * made for agents of the registry; listings and errors never carry a key.
 */
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AgentCard, cardToJson, parseAgentCard } from '../../../src/agents/card.js';
import { ApiKeyStore } from '../../../src/agents/api-keys.js';
import { bundledAgentsFolder, loadAgentCards } from '../../../src/agents/registry.js';
import { isTradingError } from '../../../src/domain/errors.js';
import { agents, apiKeys } from '../../../src/store/schema.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';

const T0 = Date.UTC(2026, 0, 5, 14, 30);

/** The TradingError a call throws. */
async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (isTradingError(error)) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe.each(TEST_BACKENDS)('API keys on %s', (backend) => {
  const store = useTestStore(backend);
  let time = T0;
  const keys = () => new ApiKeyStore(store(), { now: () => time });
  let cards: readonly AgentCard[];

  beforeAll(async () => {
    cards = (await loadAgentCards(await bundledAgentsFolder())).list();
    await keys().syncAgents(cards);
  });

  it('records the registry in the agents table, decimals as strings, and updates it on a new sync', async () => {
    const rows = await store().db.select().from(agents).orderBy(agents.id);
    expect(rows.map((r) => r.id)).toEqual(['analyst', 'execution', 'local', 'risk', 'signal']);
    const execution = rows.find((r) => r.id === 'execution');
    expect(execution?.card).toMatchObject({ confirmAboveNotional: '250000', scopes: ['read', 'trade'] });

    time = T0 + 1000;
    const renamed = parseAgentCard(
      { ...cardJson('analyst'), name: 'Research analyst' },
      'agents/analyst.json',
    );
    await keys().syncAgents([renamed]);
    const [analyst] = await store().db.select().from(agents).where(eq(agents.id, 'analyst'));
    expect(analyst?.name).toBe('Research analyst');
    expect(analyst?.updatedAt.getTime()).toBe(T0 + 1000);
    expect(await store().db.select().from(agents)).toHaveLength(5);
  });

  it('creates a key that verifies to its agent, in the documented shape', async () => {
    const created = await keys().create('execution');
    expect(created.key).toMatch(/^ats_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(created.id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(await keys().verify(created.key)).toEqual({ keyId: created.id, agentId: 'execution' });
  });

  it('stores only the hash and the prefix: the key text appears nowhere in the table', async () => {
    const created = await keys().create('signal');
    const rows = await store().query('select * from api_keys', []);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(created.key);
    expect(dump).not.toContain(created.key.slice(12));
    const [row] = await store().db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row?.keyHash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(row?.prefix).toBe(created.prefix);
  });

  it('refuses unknown, malformed and altered keys', async () => {
    const created = await keys().create('analyst');
    const last = created.key.at(-1) === 'A' ? 'B' : 'A';
    expect(await keys().verify(`${created.key.slice(0, -1)}${last}`)).toBeUndefined();
    expect(await keys().verify(`ats_${'x'.repeat(43)}`)).toBeUndefined();
    expect(await keys().verify(created.key.slice(0, -1))).toBeUndefined();
    expect(await keys().verify('')).toBeUndefined();
    expect(await keys().verify(created.prefix)).toBeUndefined();
  });

  it('refuses a key for an agent that is not registered, naming the agents there are', async () => {
    const error = await refusal(keys().create('ghost'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('No agent "ghost" is registered.');
    expect(error.hint).toContain('analyst, execution, local, risk, signal');
    expect(await keys().list('ghost')).toEqual([]);
  });

  it('lists keys oldest first, per agent or all, without the key or its hash', async () => {
    time = T0 + 10_000;
    const first = await keys().create('risk');
    time = T0 + 20_000;
    const second = await keys().create('risk');
    const listed = await keys().list('risk');
    expect(listed).toEqual([
      { id: first.id, agentId: 'risk', prefix: first.prefix, createdAt: new Date(T0 + 10_000) },
      { id: second.id, agentId: 'risk', prefix: second.prefix, createdAt: new Date(T0 + 20_000) },
    ]);
    const all = await keys().list();
    expect(all.map((k) => k.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    for (const info of all) {
      expect(
        Object.keys(info).every((k) => ['id', 'agentId', 'prefix', 'createdAt', 'revokedAt'].includes(k)),
      ).toBe(true);
    }
    const dump = JSON.stringify(all);
    expect(dump).not.toContain(first.key);
    expect(dump).not.toMatch(/[0-9a-f]{64}/);
  });

  it('stops a revoked key at once; revoking by id, prefix or key; revoking again changes nothing', async () => {
    const byId = await keys().create('local');
    const byPrefix = await keys().create('local');
    const byKey = await keys().create('local');
    const verifier = keys();
    expect(await verifier.verify(byId.key)).toBeDefined();

    time = T0 + 30_000;
    const revoked = await keys().revoke(byId.id);
    expect(revoked).toEqual({
      id: byId.id,
      agentId: 'local',
      prefix: byId.prefix,
      createdAt: expect.any(Date) as unknown,
      revokedAt: new Date(T0 + 30_000),
    });
    // The same verifier, no cache: the next check already fails.
    expect(await verifier.verify(byId.key)).toBeUndefined();
    expect(await verifier.verify(byPrefix.key)).toEqual({ keyId: byPrefix.id, agentId: 'local' });

    await keys().revoke(byPrefix.prefix);
    expect(await verifier.verify(byPrefix.key)).toBeUndefined();
    expect(await keys().hasActiveKey('local')).toBe(true);
    await keys().revoke(byKey.key);
    expect(await verifier.verify(byKey.key)).toBeUndefined();
    expect(await keys().hasActiveKey('local')).toBe(false);

    time = T0 + 40_000;
    const again = await keys().revoke(byId.id);
    expect(again.revokedAt).toEqual(new Date(T0 + 30_000));
    const listed = await keys().list('local');
    expect(listed.every((k) => k.revokedAt !== undefined)).toBe(true);
  });

  it('refuses to revoke an unknown key, and never echoes a key in the error', async () => {
    const error = await refusal(keys().revoke('key_0000000000000000'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('"key_0000000000000000"');
    expect(error.hint).toBeTruthy();

    const unknownKey = `ats_${'Q'.repeat(43)}`;
    const keyError = await refusal(keys().revoke(unknownKey));
    expect(keyError.code).toBe('NOT_FOUND');
    expect(JSON.stringify({ ...keyError.toBody(), stack: keyError.stack })).not.toContain('Q'.repeat(20));
  });

  it('tells whether an agent has an active key', async () => {
    await keys().create('execution');
    expect(await keys().hasActiveKey('execution')).toBe(true);
    expect(await keys().hasActiveKey('ghost')).toBe(false);
    const created = await keys().create('signal');
    expect(await keys().hasActiveKey('signal')).toBe(true);
    for (const key of await keys().list('signal')) await keys().revoke(key.id);
    expect(await keys().hasActiveKey('signal')).toBe(false);
    expect(await keys().verify(created.key)).toBeUndefined();
  });

  /** The bundled card as JSON, to edit and parse again. */
  function cardJson(id: string): Record<string, unknown> {
    const card = cards.find((c) => c.id === id);
    if (card === undefined) throw new Error(`no bundled card ${id}`);
    return { ...cardToJson(card) };
  }
});
