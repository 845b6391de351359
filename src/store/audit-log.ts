import { createHash } from 'node:crypto';
import { asc, desc, sql } from 'drizzle-orm';
import { canonicalJson } from '../domain/canonical-json.js';
import type { Database } from './db.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly at: Date;
}

export const GENESIS_HASH = '0'.repeat(64);

/** A key for the transaction-scoped advisory lock that serializes appends across processes. */
const AUDIT_LOCK = 7_214_002;

type Executor = Pick<Database, 'select' | 'insert' | 'execute'>;

/**
 * Appends one entry, chained to the previous row's hash. Call it inside the transaction that makes
 * the change it records: the advisory lock holds until that transaction ends, so concurrent
 * appends (from any process) chain one after another.
 */
export async function appendAudit(tx: Executor, entry: AuditEntry): Promise<{ seq: number; hash: string }> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = auditHash(prevHash, seq, entry);
  await tx.insert(auditLog).values({ seq, prevHash, hash, ...entry, data: entry.data });
  return { seq, hash };
}

export function auditHash(prevHash: string, seq: number, entry: AuditEntry): string {
  const text = [
    prevHash,
    seq,
    entry.at.toISOString(),
    entry.actor,
    entry.action,
    entry.entity,
    entry.entityId,
    canonicalJson(entry.data),
  ].join('|');
  return createHash('sha256').update(text).digest('hex');
}

export type AuditVerdict =
  | { readonly ok: true; readonly rows: number; readonly head: string }
  | { readonly ok: false; readonly rows: number; readonly seq: number; readonly problem: string };

/** A chain head recorded outside the table (a file, the health report, a signed export). */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

/**
 * Re-walks the chain: every row's hash must match its content and its predecessor's hash, and the
 * sequence must have no gap. A changed row breaks its own hash; a deleted row breaks the chain.
 * Rows deleted from the tail leave a valid shorter chain; an `anchor` (a head recorded elsewhere
 * earlier) finds them: its row must still be there with the same hash.
 */
export async function verifyAuditLog(
  db: Pick<Database, 'select'>,
  pageSize = 1000,
  anchor?: AuditAnchor,
): Promise<AuditVerdict> {
  let prevHash = GENESIS_HASH;
  let expected = 1;
  let rows = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.seq} >= ${expected}`)
      .orderBy(asc(auditLog.seq))
      .limit(pageSize);
    for (const row of page) {
      if (row.seq !== expected)
        return { ok: false, rows, seq: expected, problem: `row ${expected} is missing` };
      if (row.prevHash !== prevHash)
        return { ok: false, rows, seq: row.seq, problem: 'the chain is broken before this row' };
      const entry = {
        actor: row.actor,
        action: row.action,
        entity: row.entity,
        entityId: row.entityId,
        data: row.data as Record<string, unknown>,
        at: row.at,
      };
      if (auditHash(prevHash, row.seq, entry) !== row.hash)
        return { ok: false, rows, seq: row.seq, problem: 'the row was changed' };
      if (anchor !== undefined && row.seq === anchor.seq && row.hash !== anchor.hash)
        return { ok: false, rows, seq: row.seq, problem: 'the row differs from the anchored head' };
      prevHash = row.hash;
      expected += 1;
      rows += 1;
    }
    if (page.length < pageSize) {
      if (anchor !== undefined && rows < anchor.seq)
        return {
          ok: false,
          rows,
          seq: rows + 1,
          problem: `rows ${rows + 1}..${anchor.seq} of the anchored head are missing`,
        };
      return { ok: true, rows, head: prevHash };
    }
  }
}
