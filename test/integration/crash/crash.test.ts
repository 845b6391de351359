import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, sumDec } from '../../../src/domain/decimal.js';
import { DrizzleOrderStore } from '../../../src/store/order-store.js';
import { DrizzlePaperStateStore } from '../../../src/store/paper-state-store.js';
import { fills, orders } from '../../../src/store/schema.js';
import { TEST_BACKENDS, type TestDatabase, createTestDatabase } from '../../support/databases.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'engine-process.ts');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KILLS = 20;

/** A deterministic sequence (the kill moments), not for money. */
function delays(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return 150 + (s % 900);
  };
}

/** Runs the engine process; `killAfterMs` after READY it is killed with SIGKILL. Returns the ACKed ids. */
function runEngine(url: string, mode: 'run' | 'check', killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let buffer = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'READY') setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('ACK ')) acked.push(line.slice(4));
      }
    });
    child.on('exit', (code, signal) => {
      if (mode === 'check' && code !== 0) reject(new Error(`check run failed (${code}): ${stderr}`));
      else if (mode === 'run' && signal !== 'SIGKILL')
        reject(new Error(`engine exited by itself (${code}): ${stderr}`));
      else resolve(acked);
    });
  });
}

describe.each(TEST_BACKENDS)('crash safety on %s', (backend) => {
  let database: TestDatabase;
  let folder: string | undefined;
  beforeAll(async () => {
    folder = backend === 'pglite' ? await mkdtemp(join(tmpdir(), 'crash-')) : undefined;
    database = await createTestDatabase(backend, folder);
  });
  afterAll(async () => {
    await database.drop();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it(`killed with SIGKILL ${KILLS} times while orders flow: nothing acknowledged is lost, nothing is doubled`, async () => {
    const next = delays(backend === 'pglite' ? 7 : 11);
    const acked: string[] = [];
    for (let k = 0; k < KILLS; k++) acked.push(...(await runEngine(database.url, 'run', next())));
    await runEngine(database.url, 'check', 0);
    expect(acked.length).toBeGreaterThan(KILLS);

    const store = await database.open();
    try {
      const engine = new DrizzleOrderStore(store);
      const venue = await new DrizzlePaperStateStore(store).load('crash-venue');
      const all = await store.db.select().from(orders);
      const byClient = new Map(all.map((o) => [o.clientOrderId, o]));
      // Every acknowledged order exists.
      for (const id of acked) expect(byClient.has(id), id).toBe(true);
      // Reconciliation resolved everything in flight.
      expect(
        all.filter(
          (o) =>
            o.status === 'pending_new' || o.status === 'pending_cancel' || o.status === 'pending_replace',
        ),
      ).toEqual([]);
      // No client order id has two venue orders, and every venue order is the engine's.
      const venueOrders = venue?.orders ?? [];
      const venueIds = venueOrders.map((o) => o.order.clientOrderId);
      expect(new Set(venueIds).size).toBe(venueIds.length);
      for (const id of venueIds) expect(byClient.get(id)?.external, id).toBe(false);
      // Orders the venue never received are the only ones inferred rejected.
      for (const o of all)
        if (!venueIds.includes(o.clientOrderId))
          expect([o.status, o.inferred, o.rejectCode]).toEqual(['rejected', true, 'NOT_FOUND_AT_VENUE']);
      // Every fill applied exactly once: the engine's fills are the venue's, and quantities add up.
      const engineFills = await store.db.select().from(fills);
      expect(engineFills.map((f) => f.fillId).sort()).toEqual(
        (venue?.fills ?? []).map((f) => f.fillId).sort(),
      );
      for (const o of all) {
        const own = engineFills.filter((f) => f.orderId === o.id);
        expect(sumDec(own.map((f) => dec(f.quantity))).toFixed(), o.clientOrderId).toBe(
          dec(o.filledQty).toFixed(),
        );
      }
      // Positions equal the venue's.
      const ours = (await engine.positions('crash-account')).map((p) => [p.symbol, p.quantity.toFixed()]);
      const theirs = (venue?.positions ?? [])
        .filter((p) => !p.quantity.isZero())
        .map((p) => [p.symbol, p.quantity.toFixed()]);
      expect(ours).toEqual(theirs);
      const filledCount = await store.db.select().from(orders).where(eq(orders.status, 'filled'));
      expect(filledCount.length).toBeGreaterThan(0);
      const inferred = all.filter((o) => o.inferred).length;
      console.log(
        `crash test on ${backend}: ${KILLS} kills, ${acked.length} acknowledged, ${all.length} orders, ` +
          `${venueIds.length} at the venue, ${inferred} inferred rejected, ${engineFills.length} fills`,
      );
    } finally {
      await store.close();
    }
  }, 240_000);
});
