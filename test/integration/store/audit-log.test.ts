/**
 * The hash-chained audit log against both backends: appends verify, the head moves with every
 * append, tampering by someone who can switch the append-only trigger off is found (a changed
 * row, a deleted middle row), and a truncated or rewritten tail, which the chain alone cannot
 * show, is found against a head anchored outside the table (the anchor file);
 * canonical JSON makes key order irrelevant; concurrent appenders chain one after another.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEntry, appendAudit, auditHash, verifyAuditLog } from '../../../src/store/audit-log.js';
import { canonicalJson } from '../../../src/domain/canonical-json.js';
import { AuditAnchorFile } from '../../../src/store/audit-anchor.js';
import type { Database, Store } from '../../../src/store/db.js';
import { auditLog } from '../../../src/store/schema.js';
import { TEST_BACKENDS, type TestDatabase, createTestDatabase } from '../../support/databases.js';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

function entry(i: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: `agent-${i % 3}`,
    action: i % 2 === 0 ? 'order.submit' : 'order.cancel',
    entity: 'order',
    entityId: `ord-${i}`,
    // Keys of different lengths in non-sorted order: jsonb stores them reordered.
    data: {
      quantity: '1.5',
      z: i,
      nested: { zeta: [3, { y: 2, x: 1 }], a: null, mm: 'é ☃' },
      ok: i % 2 === 0,
    },
    at: new Date(Date.UTC(2026, 0, 2, 14, 30, 0, i)),
    ...overrides,
  };
}

/** What someone with database access does: switch the trigger off, change the table, switch it on. */
async function tamper(db: Database, change: (tx: Tx) => Promise<unknown>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await change(tx);
    await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  });
}

async function rowAt(db: Database, seq: number) {
  const [row] = await db.select().from(auditLog).where(eq(auditLog.seq, seq));
  if (row === undefined) throw new Error(`no audit row ${seq}`);
  return row;
}

describe.each(TEST_BACKENDS)('%s', (backend) => {
  describe('audit chain', () => {
    let database: TestDatabase;
    let store: Store;
    const appended: { seq: number; hash: string }[] = [];

    beforeAll(async () => {
      database = await createTestDatabase(backend);
      store = await database.open();
      for (let i = 1; i <= 50; i += 1)
        appended.push(await store.db.transaction((tx) => appendAudit(tx, entry(i))));
    });

    afterAll(async () => {
      await store.close();
      await database.drop();
    });

    it('50 appends verify ok with rows 50, seqs 1..50, and the head is the last hash', async () => {
      expect(appended.map((a) => a.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const verdict = await verifyAuditLog(store.db);
      expect(verdict).toEqual({ ok: true, rows: 50, head: appended[49]!.hash });
      // Paging must not change the answer.
      expect(await verifyAuditLog(store.db, 7)).toEqual(verdict);
    });

    it('the head hash changes when one more entry is appended', async () => {
      const before = await verifyAuditLog(store.db);
      const next = await store.db.transaction((tx) => appendAudit(tx, entry(51)));
      const after = await verifyAuditLog(store.db);
      expect(next.seq).toBe(51);
      expect(after).toEqual({ ok: true, rows: 51, head: next.hash });
      expect(before.ok && after.ok && after.head !== before.head).toBe(true);
      expect((await rowAt(store.db, 51)).prevHash).toBe(appended[49]!.hash);
    });

    it('a row whose data was changed is found: ok false, its seq, "the row was changed"', async () => {
      const original = await rowAt(store.db, 17);
      const head = await verifyAuditLog(store.db);
      await tamper(store.db, (tx) =>
        tx
          .update(auditLog)
          .set({ data: { ...(original.data as object), quantity: '1000' } })
          .where(eq(auditLog.seq, 17)),
      );
      expect(await verifyAuditLog(store.db)).toEqual({
        ok: false,
        rows: 16,
        seq: 17,
        problem: 'the row was changed',
      });
      await tamper(store.db, (tx) =>
        tx.update(auditLog).set({ data: original.data }).where(eq(auditLog.seq, 17)),
      );
      expect(await verifyAuditLog(store.db)).toEqual(head);
    });

    it('a row whose actor was changed is found', async () => {
      const original = await rowAt(store.db, 30);
      const head = await verifyAuditLog(store.db);
      await tamper(store.db, (tx) =>
        tx.update(auditLog).set({ actor: 'mallory' }).where(eq(auditLog.seq, 30)),
      );
      expect(await verifyAuditLog(store.db)).toEqual({
        ok: false,
        rows: 29,
        seq: 30,
        problem: 'the row was changed',
      });
      expect(await verifyAuditLog(store.db, 7)).toMatchObject({ ok: false, seq: 30 });
      await tamper(store.db, (tx) =>
        tx.update(auditLog).set({ actor: original.actor }).where(eq(auditLog.seq, 30)),
      );
      expect(await verifyAuditLog(store.db)).toEqual(head);
    });

    it('a changed row with its own hash recomputed breaks the link to the next row', async () => {
      const original = await rowAt(store.db, 40);
      const head = await verifyAuditLog(store.db);
      const forged: AuditEntry = {
        actor: 'mallory',
        action: original.action,
        entity: original.entity,
        entityId: original.entityId,
        data: original.data as Record<string, unknown>,
        at: original.at,
      };
      const forgedHash = auditHash(original.prevHash, 40, forged);
      await tamper(store.db, (tx) =>
        tx.update(auditLog).set({ actor: 'mallory', hash: forgedHash }).where(eq(auditLog.seq, 40)),
      );
      expect(await verifyAuditLog(store.db)).toEqual({
        ok: false,
        rows: 40,
        seq: 41,
        problem: 'the chain is broken before this row',
      });
      await tamper(store.db, (tx) =>
        tx.update(auditLog).set({ actor: original.actor, hash: original.hash }).where(eq(auditLog.seq, 40)),
      );
      expect(await verifyAuditLog(store.db)).toEqual(head);
    });

    it('a deleted middle row is found: ok false naming the missing seq', async () => {
      const original = await rowAt(store.db, 25);
      const head = await verifyAuditLog(store.db);
      await tamper(store.db, (tx) => tx.delete(auditLog).where(eq(auditLog.seq, 25)));
      expect(await verifyAuditLog(store.db)).toEqual({
        ok: false,
        rows: 24,
        seq: 25,
        problem: 'row 25 is missing',
      });
      // Paging across the gap names it the same way.
      expect(await verifyAuditLog(store.db, 5)).toEqual({
        ok: false,
        rows: 24,
        seq: 25,
        problem: 'row 25 is missing',
      });
      await tamper(store.db, (tx) => tx.insert(auditLog).values(original));
      expect(await verifyAuditLog(store.db)).toEqual(head);
    });

    it('a deleted first row is found', async () => {
      const original = await rowAt(store.db, 1);
      const head = await verifyAuditLog(store.db);
      await tamper(store.db, (tx) => tx.delete(auditLog).where(eq(auditLog.seq, 1)));
      expect(await verifyAuditLog(store.db)).toEqual({
        ok: false,
        rows: 0,
        seq: 1,
        problem: 'row 1 is missing',
      });
      await tamper(store.db, (tx) => tx.insert(auditLog).values(original));
      expect(await verifyAuditLog(store.db)).toEqual(head);
    });

    it('a deleted LAST row is NOT found by the chain alone (the head must be anchored elsewhere)', async () => {
      const head = await verifyAuditLog(store.db);
      expect(head.ok).toBe(true);
      const rows = head.ok ? head.rows : 0;
      const last = await rowAt(store.db, rows);
      await tamper(store.db, (tx) => tx.delete(auditLog).where(eq(auditLog.seq, rows)));
      // Truncating the tail leaves a shorter chain that is valid in every link: verify cannot tell.
      // Only a head hash (or row count) recorded outside this table can show that rows are missing.
      expect(await verifyAuditLog(store.db)).toEqual({ ok: true, rows: rows - 1, head: last.prevHash });
      // With the head recorded before, the missing tail is found.
      const anchor = { seq: rows, hash: last.hash };
      expect(await verifyAuditLog(store.db, 1000, anchor)).toEqual({
        ok: false,
        rows: rows - 1,
        seq: rows,
        problem: `rows ${rows}..${rows} of the anchored head are missing`,
      });
      await tamper(store.db, (tx) => tx.insert(auditLog).values(last));
      expect(await verifyAuditLog(store.db)).toEqual(head);
      expect(await verifyAuditLog(store.db, 7, anchor)).toEqual(head);
    });

    it('a tail rewritten with valid hashes is found against the anchored head', async () => {
      const head = await verifyAuditLog(store.db);
      if (!head.ok) throw new Error('chain not ok');
      const last = await rowAt(store.db, head.rows);
      const anchor = { seq: head.rows, hash: last.hash };
      // Replace the last row with another entry whose hash is computed correctly: the chain holds.
      const forged = entry(999, { actor: 'forger' });
      const forgedHash = auditHash(last.prevHash, last.seq, forged);
      await tamper(store.db, async (tx) => {
        await tx.delete(auditLog).where(eq(auditLog.seq, last.seq));
        await tx
          .insert(auditLog)
          .values({ ...forged, seq: last.seq, prevHash: last.prevHash, hash: forgedHash });
      });
      expect((await verifyAuditLog(store.db)).ok).toBe(true);
      expect(await verifyAuditLog(store.db, 1000, anchor)).toEqual({
        ok: false,
        rows: head.rows - 1,
        seq: head.rows,
        problem: 'the row differs from the anchored head',
      });
      await tamper(store.db, async (tx) => {
        await tx.delete(auditLog).where(eq(auditLog.seq, last.seq));
        await tx.insert(auditLog).values(last);
      });
      expect(await verifyAuditLog(store.db, 1000, anchor)).toEqual(head);
    });

    it('the anchor file advances with a sound chain and keeps the old head when the tail is cut', async () => {
      const folder = await mkdtemp(join(tmpdir(), 'audit-anchor-'));
      try {
        const file = new AuditAnchorFile(join(folder, 'nested', 'audit-head.json'));
        expect(await file.read()).toBeUndefined();
        const head = await file.advance(store.db);
        if (!head.ok) throw new Error('chain not ok');
        expect(await file.read()).toEqual({ seq: head.rows, hash: head.head });

        const last = await rowAt(store.db, head.rows);
        await tamper(store.db, (tx) => tx.delete(auditLog).where(eq(auditLog.seq, head.rows)));
        const cut = await file.advance(store.db);
        expect(cut.ok).toBe(false);
        // The evidence stays: the recorded head is still the longer chain's.
        expect(await file.read()).toEqual({ seq: head.rows, hash: head.head });

        await tamper(store.db, (tx) => tx.insert(auditLog).values(last));
        await store.db.transaction((tx) => appendAudit(tx, entry(head.rows + 1)));
        const grown = await file.advance(store.db);
        expect(grown).toMatchObject({ ok: true, rows: head.rows + 1 });
        expect((await file.read())?.seq).toBe(head.rows + 1);
        const bad = join(folder, 'bad.json');
        await writeFile(bad, '{"seq":1,"hash":"nope","at":"x"}');
        await expect(new AuditAnchorFile(bad).read()).rejects.toThrow('is not an audit anchor');
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });

    it('the trigger is on again after tampering: UPDATE and DELETE are refused', async () => {
      await expect(
        store.db.update(auditLog).set({ actor: 'x' }).where(eq(auditLog.seq, 2)),
      ).rejects.toThrow();
      await expect(store.db.delete(auditLog).where(eq(auditLog.seq, 2))).rejects.toThrow();
      expect((await verifyAuditLog(store.db)).ok).toBe(true);
    });

    it('canonical JSON: data with keys in different orders gives the same text and the same hash', async () => {
      const a = { b: 1, a: { d: [{ y: 2, x: 1 }], c: '3' }, skipped: undefined };
      const b = { a: { c: '3', d: [{ x: 1, y: 2 }] }, b: 1 };
      expect(canonicalJson(a)).toBe(canonicalJson(b));
      expect(canonicalJson(a)).toBe('{"a":{"c":"3","d":[{"x":1,"y":2}]},"b":1}');
      const base = entry(0);
      expect(auditHash('f'.repeat(64), 9, { ...base, data: a })).toBe(
        auditHash('f'.repeat(64), 9, { ...base, data: b }),
      );
      expect(auditHash('f'.repeat(64), 9, { ...base, data: a })).not.toBe(
        auditHash('f'.repeat(64), 9, { ...base, data: { ...b, b: 2 } }),
      );

      // Stored through jsonb (which reorders keys), the row still hashes to what was appended.
      const appendedRow = await store.db.transaction((tx) => appendAudit(tx, { ...base, data: a }));
      const stored = await rowAt(store.db, appendedRow.seq);
      expect(stored.hash).toBe(appendedRow.hash);
      expect(auditHash(stored.prevHash, stored.seq, { ...base, data: b })).toBe(appendedRow.hash);
      expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, head: appendedRow.hash });
    });
  });

  // On PostgreSQL the 20 transactions really run at once on 16 pooled connections and the
  // advisory lock chains them; PGlite has one connection and runs the same code one after another.
  describe('concurrent appends', () => {
    let database: TestDatabase;
    let store: Store;

    beforeAll(async () => {
      database = await createTestDatabase(backend);
      store = await database.open();
    });

    afterAll(async () => {
      await store.close();
      await database.drop();
    });

    it('20 concurrent transactions of 5 appends each: verify ok, rows 100, seqs 1..100 without a gap', async () => {
      const batches = await Promise.all(
        Array.from({ length: 20 }, (_, t) =>
          store.db.transaction(async (tx) => {
            const seqs: number[] = [];
            for (let j = 0; j < 5; j += 1)
              seqs.push((await appendAudit(tx, entry(t * 5 + j, { actor: `agent-${t}` }))).seq);
            return seqs;
          }),
        ),
      );
      // The lock is held until each transaction commits, so every batch got consecutive seqs.
      for (const seqs of batches) expect(seqs).toEqual([0, 1, 2, 3, 4].map((k) => seqs[0]! + k));
      const all = batches.flat().sort((x, y) => x - y);
      const oneTo100 = Array.from({ length: 100 }, (_, i) => i + 1);
      expect(all).toEqual(oneTo100);

      const verdict = await verifyAuditLog(store.db);
      expect(verdict).toMatchObject({ ok: true, rows: 100 });
      const stored = await store.db.select({ seq: auditLog.seq }).from(auditLog).orderBy(asc(auditLog.seq));
      expect(stored.map((r) => r.seq)).toEqual(oneTo100);
    });
  });
});
