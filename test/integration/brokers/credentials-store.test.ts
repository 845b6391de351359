/**
 * Broker connections in the store, on PGlite and PostgreSQL: the credentials column holds
 * ciphertext (no secret in a dump of the table nor of the audit log), connections round-trip
 * through the vault, listings carry no secret, a ciphertext moved to another row or read with
 * another key is refused, the live opt-in (with caps) and every other change are audited, and a
 * key rotation re-encrypts what the old key made.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CredentialVault, type Credentials, Secret, credentials } from '../../../src/brokers/credentials.js';
import { liveTradingAllowed } from '../../../src/brokers/credentials-live.js';
import { dec } from '../../../src/domain/decimal.js';
import { type TradingError, isTradingError } from '../../../src/domain/errors.js';
import { verifyAuditLog } from '../../../src/store/audit-log.js';
import { ConnectionStore, storedOptIn } from '../../../src/store/connection-store.js';
import { TEST_BACKENDS, useTestStore } from '../../support/databases.js';

const API_KEY = 'PK9X2VQ7TESTKEYID0042';
const API_SECRET = 'Sx7-plain-secret-that-must-never-be-stored-9Qw';
const PASSPHRASE = 'plain-passphrase-Zr4tB8';
const SECRETS = [API_KEY, API_SECRET, PASSPHRASE];
const T0 = Date.UTC(2026, 2, 5, 15, 0);

const KEY = randomBytes(32);
const NEXT_KEY = randomBytes(32);
const vault = (key: Buffer, previous: Buffer[] = []) =>
  new CredentialVault(
    new Secret(key.toString('base64')),
    previous.map((k) => new Secret(k.toString('base64'))),
  );

const sample = (): Credentials =>
  credentials({ apiKey: API_KEY, apiSecret: API_SECRET, passphrase: PASSPHRASE });

async function refusal(promise: Promise<unknown>): Promise<TradingError> {
  try {
    await promise;
  } catch (error) {
    if (isTradingError(error)) return error;
    throw error;
  }
  throw new Error('expected a TradingError');
}

describe.each(TEST_BACKENDS)('broker connections on %s', (backend) => {
  const store = useTestStore(backend);
  let connections: ConnectionStore;
  let now = T0;

  beforeAll(() => {
    connections = new ConnectionStore(store().db, vault(KEY), { now: () => (now += 1000) });
  });

  /** Every row of a table as JSON text. */
  async function dump(table: 'broker_connections' | 'audit_log'): Promise<string> {
    return JSON.stringify(await store().query(`select * from ${table}`, []));
  }

  async function auditRows(entityId: string) {
    const rows = await store().query(
      `select actor, action, entity, data from audit_log where entity_id = $1 order by seq`,
      [entityId],
    );
    return rows.map((r) => ({
      actor: String(r['actor']),
      action: String(r['action']),
      entity: String(r['entity']),
      data: (typeof r['data'] === 'string' ? JSON.parse(r['data']) : r['data']) as Record<string, unknown>,
    }));
  }

  it('stores ciphertext: no secret in the table nor in the audit log', async () => {
    await connections.save(
      { id: 'alpaca-paper', kind: 'alpaca', exchangeId: undefined, mode: 'paper', credentials: sample() },
      'admin',
    );
    const [row] = await store().query('select credentials, key_id from broker_connections where id = $1', [
      'alpaca-paper',
    ]);
    expect(String(row?.['credentials'])).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row?.['key_id']).toBe(vault(KEY).keyId);
    const dumps = `${await dump('broker_connections')}\n${await dump('audit_log')}`;
    for (const plain of SECRETS) {
      expect(dumps).not.toContain(plain);
      expect(dumps).not.toContain(Buffer.from(plain).toString('base64'));
    }
  });

  it('round-trips a connection through the vault, its secrets as Secrets', async () => {
    await connections.save(
      { id: 'ccxt-okx-live', kind: 'ccxt', exchangeId: 'okx', mode: 'live', credentials: sample() },
      'admin',
    );
    const loaded = await connections.load('ccxt-okx-live');
    expect(loaded).toMatchObject({ id: 'ccxt-okx-live', kind: 'ccxt', exchangeId: 'okx', mode: 'live' });
    expect(loaded?.liveOptIn).toBe(false);
    expect(loaded?.credentials.apiKey.reveal()).toBe(API_KEY);
    expect(loaded?.credentials.apiSecret.reveal()).toBe(API_SECRET);
    expect(loaded?.credentials.passphrase?.reveal()).toBe(PASSPHRASE);
    expect(JSON.stringify(loaded)).not.toContain(API_SECRET);
    expect(await connections.load('nothing-here')).toBeUndefined();
  });

  it('lists connections without their secrets or ciphertext', async () => {
    const listed = await connections.list();
    expect(listed.map((c) => c.id)).toEqual(expect.arrayContaining(['alpaca-paper', 'ccxt-okx-live']));
    for (const c of listed) {
      expect(Object.keys(c).sort()).toEqual(
        [
          'createdAt',
          'exchangeId',
          'id',
          'keyId',
          'kind',
          'liveCaps',
          'liveOptIn',
          'mode',
          'updatedAt',
        ].sort(),
      );
    }
    const text = JSON.stringify(listed);
    for (const plain of SECRETS) expect(text).not.toContain(plain);
    expect(text).not.toContain('v1.');
  });

  it('records a live opt-in with its caps in the audit log, and the rule then allows live trading', async () => {
    const id = 'alpaca-live';
    await connections.save(
      { id, kind: 'alpaca', exchangeId: undefined, mode: 'live', credentials: sample() },
      'admin',
    );
    const before = (await connections.list()).find((c) => c.id === id)!;
    expect(liveTradingAllowed(before, storedOptIn(before)).allowed).toBe(false);

    const caps = { maxOrderNotional: dec('1000'), maxDailyNotional: dec('5000.5') };
    const after = await connections.setLiveOptIn(
      id,
      { optIn: true, caps, reason: 'go live, small' },
      'risk-admin',
    );
    expect(after.liveOptIn).toBe(true);
    expect(after.liveCaps?.maxDailyNotional?.equals(dec('5000.5'))).toBe(true);
    expect(liveTradingAllowed(after, storedOptIn(after))).toMatchObject({ allowed: true, live: true });

    const reloaded = await connections.load(id);
    expect(reloaded?.liveCaps?.maxOrderNotional.equals(dec('1000'))).toBe(true);
    const audit = await auditRows(id);
    expect(audit.map((r) => r.action)).toEqual(['broker.connection_saved', 'broker.live_opt_in']);
    expect(audit[1]).toEqual({
      actor: 'risk-admin',
      action: 'broker.live_opt_in',
      entity: 'broker_connection',
      data: {
        kind: 'alpaca',
        mode: 'live',
        caps: { maxOrderNotional: '1000', maxDailyNotional: '5000.5' },
        reason: 'go live, small',
      },
    });

    const out = await connections.setLiveOptIn(id, { optIn: false }, 'risk-admin');
    expect(out).toMatchObject({ liveOptIn: false, liveCaps: undefined });
    expect(liveTradingAllowed(out, storedOptIn(out)).allowed).toBe(false);
    expect((await auditRows(id)).at(-1)?.action).toBe('broker.live_opt_out');
  });

  it('refuses an opt-in for a paper connection, with unusable caps, or for an unknown id', async () => {
    const caps = { maxOrderNotional: dec('1000') };
    expect((await refusal(connections.setLiveOptIn('alpaca-paper', { optIn: true, caps }, 'a'))).code).toBe(
      'INVALID_ARGUMENT',
    );
    const zero = { maxOrderNotional: dec(0) };
    expect(
      (await refusal(connections.setLiveOptIn('alpaca-live', { optIn: true, caps: zero }, 'a'))).message,
    ).toMatch(/above 0/);
    expect((await refusal(connections.setLiveOptIn('nope', { optIn: true, caps }, 'a'))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('withdraws the opt-in when a save changes the mode, keeps it when only the credentials change', async () => {
    const id = 'ccxt-kraken-live';
    const live = { id, kind: 'ccxt', exchangeId: 'kraken', mode: 'live', credentials: sample() } as const;
    await connections.save(live, 'admin');
    await connections.setLiveOptIn(id, { optIn: true, caps: { maxOrderNotional: dec('10') } }, 'admin');
    const renewed = credentials({ apiKey: 'new-key', apiSecret: 'new-secret-value-123' });
    expect((await connections.save({ ...live, credentials: renewed }, 'admin')).liveOptIn).toBe(true);
    const paper = await connections.save({ ...live, mode: 'paper' }, 'admin');
    expect(paper).toMatchObject({ liveOptIn: false, liveCaps: undefined });
    expect((await auditRows(id)).at(-1)?.data).toMatchObject({ liveOptInWithdrawn: true, mode: 'paper' });
  });

  it('refuses a ciphertext copied to another connection', async () => {
    const [source] = await store().query('select credentials from broker_connections where id = $1', [
      'alpaca-paper',
    ]);
    await store().query('update broker_connections set credentials = $1 where id = $2', [
      source?.['credentials'],
      'ccxt-okx-live',
    ]);
    const error = await refusal(connections.load('ccxt-okx-live'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('another connection');
    await connections.save(
      { id: 'ccxt-okx-live', kind: 'ccxt', exchangeId: 'okx', mode: 'live', credentials: sample() },
      'admin',
    );
  });

  it('refuses to read with another key, naming both key ids', async () => {
    const stranger = new ConnectionStore(store().db, vault(NEXT_KEY));
    const error = await refusal(stranger.load('alpaca-paper'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(vault(KEY).keyId);
    expect(error.message).toContain(vault(NEXT_KEY).keyId);
    expect(JSON.stringify(error.toBody())).not.toContain(API_SECRET);
  });

  it('re-encrypts with the new key after a rotation', async () => {
    const rotating = new ConnectionStore(store().db, vault(NEXT_KEY, [KEY]));
    const ids = (await connections.list()).map((c) => c.id);
    expect(await rotating.rekey('admin')).toEqual(ids);
    expect(await rotating.rekey('admin')).toEqual([]);
    const rotated = new ConnectionStore(store().db, vault(NEXT_KEY));
    expect((await rotated.load('alpaca-paper'))?.credentials.apiSecret.reveal()).toBe(API_SECRET);
    expect((await rotated.list()).every((c) => c.keyId === vault(NEXT_KEY).keyId)).toBe(true);
    expect((await auditRows('alpaca-paper')).at(-1)).toMatchObject({
      action: 'broker.credentials_rekeyed',
      data: { fromKeyId: vault(KEY).keyId, keyId: vault(NEXT_KEY).keyId },
    });
    connections = rotated;
  });

  it('deletes a connection, audited, and the audit chain verifies with no secret in it', async () => {
    expect(await connections.delete('alpaca-paper', 'admin')).toBe(true);
    expect(await connections.delete('alpaca-paper', 'admin')).toBe(false);
    expect(await connections.load('alpaca-paper')).toBeUndefined();
    expect((await auditRows('alpaca-paper')).at(-1)?.action).toBe('broker.connection_deleted');
    expect(await verifyAuditLog(store().db)).toMatchObject({ ok: true });
    const audit = await dump('audit_log');
    for (const plain of [...SECRETS, 'new-secret-value-123']) expect(audit).not.toContain(plain);
  });

  it('refuses a malformed id or a ccxt connection without an exchange', async () => {
    const base = { kind: 'alpaca', exchangeId: undefined, mode: 'paper', credentials: sample() } as const;
    expect((await refusal(connections.save({ ...base, id: 'Has Spaces' }, 'a'))).code).toBe(
      'INVALID_ARGUMENT',
    );
    expect((await refusal(connections.save({ ...base, id: 'c', kind: 'ccxt' }, 'a'))).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
