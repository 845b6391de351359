import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { type AuditAnchor, type AuditVerdict, verifyAuditLog } from './audit-log.js';
import type { Database } from './db.js';

const anchorSchema = z.object({
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.string(),
});

/**
 * The audit chain's head kept in a file beside the database, outside its reach: a tail deleted
 * from the table no longer matches it. Written atomically (a temporary file renamed over it), so a
 * crash leaves the old head or the new one, never half of either.
 */
export class AuditAnchorFile {
  constructor(private readonly path: string) {}

  async read(): Promise<AuditAnchor | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = anchorSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.path} is not an audit anchor: ${parsed.error.message}`);
    return { seq: parsed.data.seq, hash: parsed.data.hash };
  }

  /**
   * Verifies the chain against the recorded head and, if it holds, records the chain's new head.
   * A chain that fails (a changed, deleted or truncated row) leaves the recorded head as it was,
   * so the evidence stays; the verdict says what failed.
   */
  async advance(db: Pick<Database, 'select'>, at: Date = new Date()): Promise<AuditVerdict> {
    const verdict = await verifyAuditLog(db, 1000, await this.read());
    if (verdict.ok) await this.write({ seq: verdict.rows, hash: verdict.head }, at);
    return verdict;
  }

  private async write(head: AuditAnchor, at: Date): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ ...head, at: at.toISOString() })}\n`);
    await rename(temporary, this.path);
  }
}
