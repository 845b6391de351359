/**
 * The durable store against both backends (embedded PGlite and this machine's PostgreSQL):
 * migrations on a fresh database and again on a used one, exact money in numeric columns, the
 * fills and orders unique keys, the hot statements' path (commit, rollback, a caught failure, a
 * connection killed while others wait, BEGIN sent with the first statement on PostgreSQL, each
 * text prepared once on PGlite and never run inside another caller's transaction), the
 * append-only triggers, redact() and openStore()'s refusal of an unknown URL. The audit chain has
 * its own file (audit-log.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Decimal, toWire } from '../../../src/domain/decimal.js';
import { isTradingError } from '../../../src/domain/errors.js';
import { AtCommit } from '../../../src/engine/ports.js';
import { appendAudit } from '../../../src/store/audit-log.js';
import { POSTGRES_HOT_CONNECTIONS, type Store, openStore, redact } from '../../../src/store/db.js';
import { accounts, auditLog, fills, orderEvents, orders, positions } from '../../../src/store/schema.js';
import {
  TEST_BACKENDS,
  type TestBackend,
  type TestDatabase,
  createTestDatabase,
} from '../../support/databases.js';
import {
  T0,
  appliedMigrations,
  fillRow,
  infoTables,
  journalEntries,
  orderRow,
  pgError,
  pgTrigger,
  positionRow,
  recordingProxy,
  rejection,
} from './helpers.js';

const TABLES = [
  'accounts',
  'agents',
  'api_keys',
  'audit_log',
  'balances',
  'broker_connections',
  'equity_snapshots',
  'execution_metrics',
  'fills',
  'idempotency_keys',
  'order_events',
  'orders',
  'paper_accounts',
  'paper_fills',
  'paper_orders',
  'paper_positions',
  'paper_venues',
  'positions',
  'reconcile_checkpoints',
  'risk_limits',
  'risk_usage_epoch',
  'routing_allocations',
  'routing_decisions',
  'signals',
  'trading_state',
];
const TRIGGERS = [
  'audit_log_append_only',
  'audit_log_no_truncate',
  'fills_append_only',
  'fills_no_truncate',
  'order_events_append_only',
  'order_events_no_truncate',
];

/** Money that must come back digit for digit: tiny, huge (48 significant digits), ordinary, signed. */
const MONEY = [
  '0.000000001',
  '123456789012345678901234567890.123456789012345678',
  '187.42',
  '-0.000000000000000000000000000001',
  '-98765.4321',
  '0',
  '1000000',
];

/** A database that can be opened again after closing: a PGlite folder on disk, or a PostgreSQL one. */
async function reopenableDatabase(
  backend: TestBackend,
): Promise<{ database: TestDatabase; cleanup: () => Promise<void> }> {
  if (backend === 'pglite') {
    const folder = await mkdtemp(join(tmpdir(), 'store-test-'));
    const database = await createTestDatabase('pglite', folder);
    return { database, cleanup: () => rm(folder, { recursive: true, force: true }) };
  }
  const database = await createTestDatabase('postgres');
  return { database, cleanup: () => database.drop() };
}

describe.each(TEST_BACKENDS)('%s', (backend) => {
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

  describe('migrations', () => {
    it('apply every migration on a fresh database: all tables, the append-only triggers, the journal', async () => {
      expect(store.kind).toBe(backend === 'pglite' ? 'pglite-memory' : 'postgres');
      const tables = await store.db
        .select({ name: infoTables.tableName })
        .from(infoTables)
        .where(and(eq(infoTables.tableSchema, 'public'), eq(sql`table_type`, 'BASE TABLE')))
        .orderBy(asc(infoTables.tableName));
      expect(tables.map((t) => t.name)).toEqual(TABLES);
      const triggers = await store.db
        .select({ name: pgTrigger.tgname, enabled: pgTrigger.tgenabled })
        .from(pgTrigger)
        .where(eq(pgTrigger.tgisinternal, false))
        .orderBy(asc(pgTrigger.tgname));
      expect(triggers).toEqual(TRIGGERS.map((name) => ({ name, enabled: 'O' })));
      expect(await appliedMigrations(store.db)).toBe(await journalEntries());
    });

    it('are idempotent: the same database opened again applies nothing twice and keeps its data', async () => {
      const { database: reopenable, cleanup } = await reopenableDatabase(backend);
      try {
        const first = await reopenable.open();
        expect(first.kind).toBe(backend === 'pglite' ? 'pglite-disk' : 'postgres');
        try {
          await first.db.insert(accounts).values({
            id: 'acc-reopen',
            venue: 'paper-a',
            mode: 'paper',
            type: 'cash',
            currency: 'USD',
            marginMultiplier: '1',
            allowShort: false,
          });
          expect(await appliedMigrations(first.db)).toBe(await journalEntries());
        } finally {
          await first.close();
        }
        for (let round = 0; round < 2; round += 1) {
          const again = await reopenable.open();
          try {
            expect(await appliedMigrations(again.db)).toBe(await journalEntries());
            const rows = await again.db.select().from(accounts).where(eq(accounts.id, 'acc-reopen'));
            expect(rows).toHaveLength(1);
            expect(rows[0]?.marginMultiplier).toBe('1');
          } finally {
            await again.close();
          }
        }
      } finally {
        await cleanup();
      }
    });

    // Two PGlite instances may never share a folder, so the race is a PostgreSQL-only question:
    // openStore migrates under an advisory lock, and the loser must find the work done.
    it.runIf(backend === 'postgres')(
      'two openStore calls on the same fresh database at the same time both succeed',
      async () => {
        const fresh = await createTestDatabase('postgres');
        try {
          const opened = await Promise.allSettled([fresh.open(), fresh.open(), fresh.open()]);
          const stores = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
          try {
            expect(opened.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual([
              'ok',
              'ok',
              'ok',
            ]);
            for (const s of stores) expect(await appliedMigrations(s.db)).toBe(await journalEntries());
          } finally {
            await Promise.all(stores.map((s) => s.close()));
          }
        } finally {
          await fresh.drop();
        }
      },
    );
  });

  describe('money in numeric columns', () => {
    function expectExact(read: string | null | undefined, written: string, column: string): void {
      expect(read, column).toBe(written);
      expect(new Decimal(read ?? 'NaN').equals(new Decimal(written)), column).toBe(true);
    }

    it('orders, fills and positions read back exactly the decimal strings written', async () => {
      const ids = MONEY.map((_, i) => `money-${i}`);
      await store.db
        .insert(orders)
        .values(MONEY.map((m, i) => orderRow(ids[i]!, 'acc-money', `coid-${i}`, m)));
      await store.db
        .insert(fills)
        .values(MONEY.map((m, i) => fillRow('paper-a', 'acc-money', `money-${i}`, m)));
      await store.db.insert(positions).values(MONEY.map((m, i) => positionRow('acc-money', `SYM${i}`, m)));

      const orderRows = await store.db.select().from(orders).where(inArray(orders.id, ids));
      const fillRows = await store.db.select().from(fills).where(eq(fills.accountId, 'acc-money'));
      const positionRows = await store.db
        .select()
        .from(positions)
        .where(eq(positions.accountId, 'acc-money'));
      expect([orderRows.length, fillRows.length, positionRows.length]).toEqual([
        MONEY.length,
        MONEY.length,
        MONEY.length,
      ]);

      MONEY.forEach((written, i) => {
        const o = orderRows.find((r) => r.id === `money-${i}`)!;
        for (const column of [
          'quantity',
          'limitPrice',
          'stopPrice',
          'trailPercent',
          'filledQty',
          'filledNotional',
          'avgFillPrice',
          'overfillQty',
        ] as const)
          expectExact(o[column], written, `orders.${column} #${i}`);
        const f = fillRows.find((r) => r.fillId === `money-${i}`)!;
        for (const column of ['quantity', 'price', 'fee'] as const)
          expectExact(f[column], written, `fills.${column} #${i}`);
        const p = positionRows.find((r) => r.symbol === `SYM${i}`)!;
        for (const column of ['quantity', 'avgEntryPrice', 'realizedPnl', 'fees'] as const)
          expectExact(p[column], written, `positions.${column} #${i}`);
      });
    });

    it('a value written through toWire(Decimal) comes back equal, and SQL arithmetic on it stays exact', async () => {
      const price = new Decimal('0.1');
      await store.db.insert(positions).values(positionRow('acc-wire', 'WIRE', toWire(price)));
      const [row] = await store.db
        .select({ quantity: positions.quantity, tripled: sql<string>`(${positions.quantity} * 3)::text` })
        .from(positions)
        .where(eq(positions.accountId, 'acc-wire'));
      expectExact(row?.quantity, '0.1', 'positions.quantity');
      // 0.1 * 3 in binary floating point is 0.30000000000000004; numeric must give 0.3 exactly.
      expect(row?.tripled).toBe('0.3');
    });

    it('null money stays null', async () => {
      await store.db
        .insert(orders)
        .values({ ...orderRow('money-null', 'acc-money', 'coid-null'), limitPrice: null });
      const [row] = await store.db.select().from(orders).where(eq(orders.id, 'money-null'));
      expect(row?.limitPrice).toBeNull();
      expect(row?.trailPrice).toBeNull();
    });
  });

  describe('fills unique key (venue, account_id, fill_id)', () => {
    it('refuses a second fill with the same key (23505); another venue or account is a different fill', async () => {
      await store.db.insert(fills).values(fillRow('paper-a', 'acc-fills', 'f-1'));
      const error = await rejection(
        store.db.insert(fills).values(fillRow('paper-a', 'acc-fills', 'f-1', '2')),
      );
      expect(pgError(error).code, pgError(error).message).toBe('23505');
      expect(pgError(error).message).toContain('fills_key');

      await store.db.insert(fills).values(fillRow('paper-b', 'acc-fills', 'f-1'));
      await store.db.insert(fills).values(fillRow('paper-a', 'acc-fills-2', 'f-1'));
      const rows = await store.db.select().from(fills).where(eq(fills.fillId, 'f-1'));
      expect(rows.map((r) => `${r.venue}/${r.accountId}/${r.price}`).sort()).toEqual([
        'paper-a/acc-fills-2/1',
        'paper-a/acc-fills/1',
        'paper-b/acc-fills/1',
      ]);
    });

    it('onConflictDoNothing inserts the first time and nothing the second', async () => {
      const first = await store.db
        .insert(fills)
        .values(fillRow('paper-a', 'acc-fills', 'f-2'))
        .onConflictDoNothing()
        .returning({ id: fills.id });
      expect(first).toHaveLength(1);
      const second = await store.db
        .insert(fills)
        .values(fillRow('paper-a', 'acc-fills', 'f-2', '99'))
        .onConflictDoNothing({ target: [fills.venue, fills.accountId, fills.fillId] })
        .returning({ id: fills.id });
      expect(second).toEqual([]);
      const rows = await store.db
        .select()
        .from(fills)
        .where(and(eq(fills.venue, 'paper-a'), eq(fills.accountId, 'acc-fills'), eq(fills.fillId, 'f-2')));
      expect(rows.map((r) => [r.id, r.price])).toEqual([[first[0]!.id, '1']]);
    });
  });

  describe('orders unique (account_id, client_order_id)', () => {
    it('refuses a reused client order id in the same account (23505), accepts it in another', async () => {
      await store.db.insert(orders).values(orderRow('ord-u1', 'acc-u', 'coid-u'));
      const error = await rejection(store.db.insert(orders).values(orderRow('ord-u2', 'acc-u', 'coid-u')));
      expect(pgError(error).code, pgError(error).message).toBe('23505');
      expect(pgError(error).message).toContain('orders_account_client_order_id');
      await store.db.insert(orders).values(orderRow('ord-u3', 'acc-u-other', 'coid-u'));
      const rows = await store.db
        .select({ id: orders.id })
        .from(orders)
        .where(eq(orders.clientOrderId, 'coid-u'));
      expect(rows.map((r) => r.id).sort()).toEqual(['ord-u1', 'ord-u3']);
    });
  });

  describe("transactions (the hot statements' path)", () => {
    const written = async (id: string): Promise<number> =>
      (await store.query('select venue from paper_venues where venue = $1', [id])).length;
    const insert = (id: string): string =>
      `insert into paper_venues (venue, instance_id, counters, updated_at) values ('${id}', 'i', '{}', now())`;

    it('commits together statements sent without waiting for one another', async () => {
      const answer = await store.transaction(async (query) => {
        // Both sent without waiting: the connection runs them in order, after BEGIN.
        await Promise.all([query(insert('tx-a'), []), query(insert('tx-b'), [])]);
        return 'done';
      });
      expect(answer).toBe('done');
      expect((await written('tx-a')) + (await written('tx-b'))).toBe(2);
    });

    it('a thrown error rolls every statement back', async () => {
      await expect(
        store.transaction(async (query) => {
          await query(insert('tx-c'), []);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await written('tx-c')).toBe(0);
    });

    it('a failed statement that fn caught does not pass for a commit', async () => {
      // PostgreSQL answers a COMMIT after a failed statement with ROLLBACK, not an error: the
      // transaction must fail with the statement's own failure (PGlite: its rollback).
      const outcome = store.transaction(async (query) => {
        await query(insert('tx-d'), []);
        await query('select 1 / 0', []).catch(() => undefined);
        return 'looked fine';
      });
      await expect(outcome).rejects.toThrow(/division by zero|rolled back/);
      expect(await written('tx-d')).toBe(0);
    });

    it("an AtCommit answer commits its last statement with the rest and resolves to that statement's result", async () => {
      const answer = await store.transaction(async (query) => {
        await query(insert('tx-e'), []);
        return new AtCommit(
          query(`${insert('tx-f')} returning venue`, []).then((rows) => rows[0]?.['venue']),
        );
      });
      expect(answer).toBe('tx-f');
      expect((await written('tx-e')) + (await written('tx-f'))).toBe(2);
    });

    it('an AtCommit whose last statement fails rolls every statement back and fails the transaction', async () => {
      const outcome = store.transaction(async (query) => {
        await query(insert('tx-g'), []);
        return new AtCommit(query(insert('tx-g'), []).then(() => 'looked fine'));
      });
      // The second insert of one key fails (23505); the COMMIT behind it rolls back, and the
      // insert's error is the transaction's on both stores.
      await expect(outcome).rejects.toThrow(/duplicate key/);
      expect(await written('tx-g')).toBe(0);
    });

    it('a text that fails to parse fails each time it is sent, and the next statement runs', async () => {
      for (let i = 0; i < 2; i++) {
        const { code } = pgError(await rejection(store.query('selec 1 as one', [])));
        expect(code).toBe('42601');
      }
      expect(await store.query('select $1::int + 1 as two', [1])).toEqual([{ two: 2 }]);
    });

    it.runIf(backend === 'pglite')(
      "runs each text prepared once, with the rows PGlite's own query gives",
      async () => {
        const client = (store.db as unknown as { $client: PGlite }).$client;
        const text = `select $1::numeric::text as price, $2::int as n, $3::timestamptz as at,
          $4::jsonb as doc, null::text as none, $5::bool as yes`;
        const params = ['187.42', 7, '2026-03-02T14:30:00.000Z', JSON.stringify({ qty: '0.0015' }), true];
        const first = await store.query(text, params);
        const second = await store.query(text, params);
        expect(first).toEqual((await client.query(text, params)).rows);
        expect(second).toEqual(first);
        expect(first[0]?.['at']).toEqual(new Date('2026-03-02T14:30:00.000Z'));
        const kept = await client.query<{ n: number }>(
          'select count(*)::int as n from pg_prepared_statements where statement = $1',
          [text],
        );
        expect(kept.rows[0]?.n).toBe(1);
      },
    );

    it.runIf(backend === 'pglite')(
      "sends a transaction's BEGIN and COMMIT prepared, like its statements, and never zero-fills a WAL segment",
      async () => {
        const client = (store.db as unknown as { $client: PGlite }).$client;
        await store.transaction(async (query) => query(insert('tx-prepared'), []));
        expect(await written('tx-prepared')).toBe(1);
        const kept = await client.query<{ statement: string }>(
          `select statement from pg_prepared_statements where statement in ('begin', 'commit') order by 1`,
        );
        expect(kept.rows.map((r) => r.statement)).toEqual(['begin', 'commit']);
        const setting = await client.query<{ wal_init_zero: string }>('show wal_init_zero');
        expect(setting.rows[0]?.wal_init_zero).toBe('off');
      },
    );

    it.runIf(backend === 'pglite')(
      'a hot statement planned while its table was empty finds its rows by index once the table has grown',
      async () => {
        const client = (store.db as unknown as { $client: PGlite }).$client;
        // The shape of the events' update (RECORD_EVENTS): orders joined to the rows of a batch.
        const text = `update orders set status = x.status
          from jsonb_to_recordset($1::jsonb) as x(id text, status text)
          where orders.id = x.id returning orders.id`;
        const batch = (id: string) => JSON.stringify([{ id, status: 'new' }]);
        // Enough runs on an empty table for PostgreSQL to settle on a generic plan, then rows.
        for (let i = 0; i < 10; i++) await store.query(text, [batch(`ord-none-${String(i)}`)]);
        const rows = Array.from({ length: 2_000 }, (_, i) =>
          orderRow(`ord-grow-${String(i)}`, 'acc-grow', `coid-grow-${String(i)}`),
        );
        for (let i = 0; i < rows.length; i += 500)
          await store.db.insert(orders).values(rows.slice(i, i + 500));
        expect(await store.query(text, [batch('ord-grow-1234')])).toEqual([{ id: 'ord-grow-1234' }]);
        const [named] = (
          await client.query<{ name: string }>(
            'select name from pg_prepared_statements where statement = $1',
            [text],
          )
        ).rows;
        const plan = await client.query<{ 'QUERY PLAN': string }>(
          `explain execute ${named?.name ?? 'none'}('${batch('ord-grow-1234')}')`,
        );
        const lines = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(lines).toMatch(/Index/);
        expect(lines).not.toMatch(/Seq Scan on orders/);
      },
    );

    it.runIf(backend === 'pglite')(
      'a statement sent while a transaction is open waits for it rather than running inside it',
      async () => {
        let inside = (): void => undefined;
        const entered = new Promise<void>((resolve) => (inside = resolve));
        let release = (): void => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        const transaction = store.transaction(async (query) => {
          await query(insert('tx-held'), []);
          inside();
          await held;
          throw new Error('rolled back on purpose');
        });
        await entered;
        // Sent while the transaction is open, on PGlite's one session: run at once, it would see
        // the uncommitted row; it waits for the transaction's end, after which there is none.
        const outside = written('tx-held');
        release();
        await expect(transaction).rejects.toThrow('rolled back on purpose');
        expect(await outside).toBe(0);
      },
    );

    it.runIf(backend === 'postgres')(
      "sends BEGIN in one write with the transaction's first statement, not a round trip ahead of it",
      async () => {
        const proxy = await recordingProxy(database.url);
        const proxied = await openStore(proxy.url);
        try {
          const answer = await proxied.transaction(async (query) => {
            const [row] = await query('select 42 as answer', []);
            return row?.['answer'];
          });
          expect(answer).toBe(42);
          const sent = proxy.writes
            .map((w) => w.toString('latin1'))
            .filter((w) => w.includes('select 42 as answer'));
          expect(sent).toHaveLength(1);
          expect(sent[0]).toMatch(/\bbegin\b/);
        } finally {
          await proxied.close();
          await proxy.close();
        }
      },
    );

    it.runIf(backend === 'postgres')(
      'a connection killed inside a transaction fails that one alone; those waiting for a connection commit',
      async () => {
        // The pool's connections all wait on a lock; more transactions queue for a connection. One
        // connection is then killed server-side: its transaction fails, and every other one commits.
        const admin = postgres(database.url, { max: 1, onnotice: () => undefined });
        const lockWaiters = async (): Promise<number> =>
          (
            await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`
          )[0]?.n ?? 0;
        try {
          await admin`select pg_advisory_lock(4242)`;
          const count = POSTGRES_HOT_CONNECTIONS + 4;
          const outcomes = Array.from({ length: count }, (_, i) =>
            store
              .transaction(async (query) => {
                await query('select pg_advisory_xact_lock(4242)', []);
                await query(insert(`tx-wait-${String(i)}`), []);
              })
              .then(
                () => 'committed',
                () => 'failed',
              ),
          );
          await vi.waitFor(async () => {
            expect(await lockWaiters()).toBe(POSTGRES_HOT_CONNECTIONS);
          });
          await admin`select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' limit 1`;
          await admin`select pg_advisory_unlock(4242)`;
          const settled = await Promise.all(outcomes);
          expect(settled.filter((s) => s === 'failed')).toHaveLength(1);
          const [row] = await store.query(
            "select count(*)::int as n from paper_venues where venue like 'tx-wait-%'",
            [],
          );
          expect(row?.['n']).toBe(count - 1);
        } finally {
          await admin.end();
        }
      },
    );
  });

  describe('append-only tables', () => {
    /** The trigger raises insufficient_privilege with "<table> is append-only: <op> refused". */
    function expectRefused(error: unknown, table: string, op: 'UPDATE' | 'DELETE' | 'TRUNCATE'): void {
      const { code, message } = pgError(error);
      expect(code, message).toBe('42501');
      expect(message).toContain(`${table} is append-only: ${op} refused`);
    }

    it('TRUNCATE is refused on every append-only table (it skips row triggers)', async () => {
      for (const table of ['order_events', 'fills', 'audit_log']) {
        expectRefused(await rejection(store.db.execute(sql.raw(`truncate ${table}`))), table, 'TRUNCATE');
      }
    });

    it('order_events: inserts work, UPDATE and DELETE are refused and the row is unchanged', async () => {
      await store.db.insert(orders).values(orderRow('ord-ao', 'acc-ao', 'coid-ao'));
      const [event] = await store.db
        .insert(orderEvents)
        .values({
          orderId: 'ord-ao',
          seq: 1,
          eventId: 'ev-1',
          kind: 'accepted',
          payload: { qty: '1.5' },
          venueTime: T0,
          receivedAt: T0,
        })
        .returning();
      expect(event).toBeDefined();
      expectRefused(
        await rejection(
          store.db.update(orderEvents).set({ kind: 'filled' }).where(eq(orderEvents.id, event!.id)),
        ),
        'order_events',
        'UPDATE',
      );
      expectRefused(
        await rejection(store.db.delete(orderEvents).where(eq(orderEvents.id, event!.id))),
        'order_events',
        'DELETE',
      );
      expect(await store.db.select().from(orderEvents).where(eq(orderEvents.id, event!.id))).toEqual([event]);
      await store.db.insert(orderEvents).values({ ...event!, id: undefined, seq: 2, eventId: 'ev-2' });
      expect(await store.db.select().from(orderEvents).where(eq(orderEvents.orderId, 'ord-ao'))).toHaveLength(
        2,
      );
    });

    it('fills: inserts work, UPDATE and DELETE are refused and the row is unchanged', async () => {
      const [fill] = await store.db
        .insert(fills)
        .values(fillRow('paper-a', 'acc-ao', 'f-ao', '187.42'))
        .returning();
      expect(fill).toBeDefined();
      expectRefused(
        await rejection(store.db.update(fills).set({ price: '0' }).where(eq(fills.id, fill!.id))),
        'fills',
        'UPDATE',
      );
      expectRefused(await rejection(store.db.delete(fills).where(eq(fills.id, fill!.id))), 'fills', 'DELETE');
      expect(await store.db.select().from(fills).where(eq(fills.id, fill!.id))).toEqual([fill]);
      await store.db.insert(fills).values(fillRow('paper-a', 'acc-ao', 'f-ao-2'));
      expect(await store.db.select().from(fills).where(eq(fills.accountId, 'acc-ao'))).toHaveLength(2);
    });

    it('audit_log: appends work, UPDATE and DELETE are refused and the row is unchanged', async () => {
      const entry = {
        actor: 'agent-1',
        action: 'order.submit',
        entity: 'order',
        entityId: 'ord-ao',
        data: {},
        at: T0,
      };
      const { seq } = await store.db.transaction((tx) => appendAudit(tx, entry));
      const [before] = await store.db.select().from(auditLog).where(eq(auditLog.seq, seq));
      expectRefused(
        await rejection(store.db.update(auditLog).set({ actor: 'mallory' }).where(eq(auditLog.seq, seq))),
        'audit_log',
        'UPDATE',
      );
      expectRefused(
        await rejection(store.db.delete(auditLog).where(eq(auditLog.seq, seq))),
        'audit_log',
        'DELETE',
      );
      expect(await store.db.select().from(auditLog).where(eq(auditLog.seq, seq))).toEqual([before]);
      const next = await store.db.transaction((tx) => appendAudit(tx, { ...entry, action: 'order.cancel' }));
      expect(next.seq).toBe(seq + 1);
    });
  });

  describe('redact and openStore URLs', () => {
    it('redact() hides the password of a postgres URL and leaves the rest', () => {
      expect(redact('postgres://trader:s3cret@db.example:5432/trading')).toBe(
        'postgres://trader:***@db.example:5432/trading',
      );
      expect(redact('postgresql://trader:p%40ss%2Fw0rd@db.example/trading?sslmode=require')).toBe(
        'postgresql://trader:***@db.example/trading?sslmode=require',
      );
      expect(redact('postgres://trader@db.example/trading')).toBe('postgres://trader@db.example/trading');
      expect(redact('postgres://127.0.0.1:5432/trading')).toBe('postgres://127.0.0.1:5432/trading');
      expect(redact('pglite://memory')).toBe('pglite://memory');
    });

    // The postgres driver accepts both URLs below (WHATWG URL parsing: the userinfo ends at the
    // last "@", and the user name may be empty), so they are real DATABASE_URLs whose password
    // must not be printed.
    it('redact() hides a password that contains a raw "@"', () => {
      const redacted = redact('postgres://trader:p@ss@db.example/trading');
      expect(redacted).toBe('postgres://trader:***@db.example/trading');
      expect(redacted).not.toContain('ss@');
    });

    it('redact() hides a password given without a user name', () => {
      expect(redact('postgres://:s3cret@db.example/trading')).not.toContain('s3cret');
    });

    it("the store's location carries no password", () => {
      expect(store.location).not.toMatch(/:[^/:@]+@/);
      if (backend === 'postgres') expect(store.location).toBe(redact(database.url));
    });

    it('openStore refuses an unknown scheme with CONFIG_INVALID, without echoing its password', async () => {
      const error = await rejection(openStore('mysql://x'));
      expect(isTradingError(error, 'CONFIG_INVALID'), String(error)).toBe(true);
      const withPassword = await rejection(openStore('mysql://root:hunter2@db.example/x'));
      expect(isTradingError(withPassword, 'CONFIG_INVALID')).toBe(true);
      expect((withPassword as Error).message).not.toContain('hunter2');
    });
  });
});
