import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { TradingError } from '../domain/errors.js';
import { AtCommit, type TransactionResult } from '../engine/ports.js';
import { packageRoot } from '../package-root.js';
import { PgliteStatements } from './pglite-statements.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** One type for both drivers: drizzle's PGlite and postgres-js databases share the pg-core API. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** One SQL text with its parameters, rows back as the driver parses them. */
export type SqlQuery = (text: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;
export type StoreKind = 'pglite-disk' | 'pglite-memory' | 'postgres';

export interface Store {
  readonly db: Database;
  readonly kind: StoreKind;
  /** Where the data lives, without credentials. */
  readonly location: string;
  /**
   * Runs one SQL text on the driver directly, for hot statements whose text never changes: the
   * postgres driver prepares it once per connection and reuses the plan. Rows come back as the
   * driver parses them.
   */
  readonly query: SqlQuery;
  /**
   * Runs `fn` in one transaction on one connection; its queries commit together or not at all.
   * `fn` may answer with an AtCommit: COMMIT is then sent behind its last statement at once.
   */
  transaction<T>(fn: (query: SqlQuery) => Promise<TransactionResult<T>>): Promise<T>;
  /** How many writes the store can carry at once (its connections). */
  readonly writers: number;
  close(): Promise<void>;
}

/** The default: PGlite in a data folder under the working directory. */
export const DEFAULT_DATABASE_URL = 'pglite://.data/pglite';

/**
 * Opens the store named by a URL and applies the migrations in drizzle/:
 * `pglite://memory`, `pglite://<folder>` (relative to the working directory or absolute), or a
 * `postgres://` / `postgresql://` URL for PostgreSQL through the `postgres` driver.
 */
export async function openStore(url: string = DEFAULT_DATABASE_URL): Promise<Store> {
  const migrationsFolder = join(await packageRoot(), 'drizzle');
  if (url === 'pglite://memory') return openPglite(new PGlite(), 'pglite-memory', 'memory', migrationsFolder);
  if (url.startsWith('pglite://')) {
    const folder = resolve(process.cwd(), url.slice('pglite://'.length));
    await mkdir(folder, { recursive: true });
    const release = await lockFolder(folder);
    try {
      const store = await openPglite(new PGlite(folder), 'pglite-disk', folder, migrationsFolder);
      return {
        ...store,
        close: async () => {
          try {
            await store.close();
          } finally {
            await release();
          }
        },
      };
    } catch (error) {
      await release();
      throw error;
    }
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return openPostgres(url, migrationsFolder);
  throw new TradingError(
    'CONFIG_INVALID',
    `DATABASE_URL must be pglite://memory, pglite://<folder> or postgres://...; got "${redact(url)}".`,
    {
      hint: 'Unset DATABASE_URL for the embedded default, or give a PostgreSQL URL.',
    },
  );
}

async function openPglite(
  client: PGlite,
  kind: StoreKind,
  location: string,
  migrationsFolder: string,
): Promise<Store> {
  const db = drizzlePglite({ client, schema });
  await migratePglite(db, { migrationsFolder });
  // The hot statements are prepared once (PgliteStatements) and PostgreSQL may keep a generic
  // plan for each, made while the tables were small: a sequential scan that stayed as they grew
  // brought PGlite down to 1,700 orders/s as a bench run went on, against 7,000 once it was gone
  // (bench/oms.bench.ts). As in the PostgreSQL hot pool, an index is taken wherever one answers;
  // PGlite has one session, so this holds for every statement (a sequential scan stays the
  // planner's last resort).
  await client.exec('set enable_seqscan = off');
  // A new WAL segment is 16 MB, which PostgreSQL fills with zeros before its first record by
  // default, so that the disk space is taken up front. PGlite does that inside the statement that
  // needed the segment, on the one thread everything runs on: a 50-60 ms stall every 16 MB of
  // WAL (a few thousand orders), the worst latency of every bench run at 1,000 orders/s. Off, the
  // segment is created by writing its last byte; a full disk then fails the write that needs the
  // space rather than the segment's creation.
  await client.exec('set wal_init_zero = off');
  const statements = new PgliteStatements(client);
  return {
    db: db as unknown as Database,
    kind,
    location,
    // Both of PGlite's locks, as its own query takes them: never inside another caller's transaction.
    query: (text, params) =>
      client._runExclusiveTransaction(() =>
        client._runExclusiveQuery(() => statements.run(text, params, true)),
      ),
    // BEGIN and COMMIT as prepared statements too, under PGlite's transaction lock as its own
    // `transaction` takes it: that one sends each as a simple query, parsed every time. A
    // transaction of one statement took 157-201 µs that way, 109-152 µs this way (the statement
    // alone: 38-63 µs).
    transaction: (fn) =>
      client._runExclusiveTransaction(async () => {
        const control = (text: string, sync: boolean): Promise<string> =>
          client._runExclusiveQuery(() => statements.command(text, sync));
        await control('begin', false);
        let open = true;
        let last: AtCommit<unknown> | undefined;
        try {
          // Each statement takes the query lock; none runs once `fn` is done.
          const result = await fn((text, params) => {
            if (!open) return Promise.reject(new Error('the transaction has ended'));
            return client._runExclusiveQuery(() => statements.run(text, params, false));
          });
          open = false;
          if (result instanceof AtCommit) last = result;
          if ((await control('commit', true)) === 'ROLLBACK') {
            // A statement of the transaction failed (one sent before the COMMIT, an AtCommit's,
            // whose error `fn` did not wait for): its error is the transaction's, as on PostgreSQL.
            await last?.result;
            throw new Error('the transaction was rolled back at COMMIT: one of its statements had failed');
          }
          return await committed(result);
        } catch (error) {
          if (open) {
            open = false;
            await control('rollback', true);
          }
          throw error;
        }
      }),
    writers: 1,
    close: () => client.close(),
  };
}

/** The PostgreSQL pools' sizes: the hot statements' pool and the drizzle pool. */
export const POSTGRES_HOT_CONNECTIONS = 16;
const CONNECTIONS = 8;

/** A fixed key for the advisory lock that serializes migrations across server processes. */
const MIGRATION_LOCK = 7_214_001;

/**
 * Two pools. drizzle's queries (lists, filters, admin) are planned at every execution: a custom
 * plan follows the tables' current size. JIT compilation is off in both: the planner's cost
 * estimate for a scan of every open order passed its threshold on a young table, and compiling
 * took 17 ms of the scan's 88 ms; this store's statements are short, and none gains from it.
 *
 * The hot statements (`query`, `transaction`: the few fixed texts every order runs) are planned
 * once per connection and the plan is kept (a generic plan): planning one of them took 0.2 to
 * 0.6 ms, as long as running it, at every execution. A kept plan must not depend on the tables'
 * size when it was made: a new database fills fast, and a plan made for an empty table (a
 * sequential scan) stayed while the table grew to 60,000 rows (bench/oms.bench.ts). So in this
 * pool the planner takes an index wherever one answers (`enable_seqscan` off makes a sequential
 * scan its last resort, not forbidden): every hot statement finds its rows by key.
 */
async function openPostgres(url: string, migrationsFolder: string): Promise<Store> {
  // Migrate on one dedicated connection holding an advisory lock, so that several processes
  // starting together apply each migration once.
  const admin = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await admin`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzlePostgres({ client: admin }), { migrationsFolder });
    await admin`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await admin.end();
  }
  const client = postgres(url, {
    max: CONNECTIONS,
    onnotice: () => undefined,
    connection: { plan_cache_mode: 'force_custom_plan', jit: 'off' },
  });
  const hot = postgres(url, {
    max: POSTGRES_HOT_CONNECTIONS,
    onnotice: () => undefined,
    connection: { plan_cache_mode: 'force_generic_plan', enable_seqscan: 'off', jit: 'off' },
  });
  const db = drizzlePostgres({ client, schema });
  // drizzle sets the driver's parsers and serializers (dates, JSON) on the client it is given:
  // the hot pool reads and writes values the same way.
  drizzlePostgres({ client: hot, schema });
  return {
    db: db as unknown as Database,
    kind: 'postgres',
    location: redact(url),
    query: async (text, params) => [
      ...(await hot.unsafe<Record<string, unknown>[]>(text, params as never[], { prepare: true })),
    ],
    transaction: (fn) => beginTransaction(hot, fn),
    writers: 2,
    close: async () => {
      await Promise.all([client.end(), hot.end()]);
    },
  };
}

/**
 * A transaction through the driver's own `begin`, whose BEGIN waits for a connection like any
 * other statement, and is sent in one write with the transaction's first statements rather than
 * a round trip ahead of them. A transaction that waited by `reserve()` instead was lost for good when a
 * connection of the pool closed meanwhile (the driver recycles each after its max_lifetime; the
 * server may end one), and with it the risk lock an admission holds across its transaction.
 * A statement that failed fails the transaction even when `fn` caught it (the driver keeps the
 * first failure and rolls back). A connection lost inside a transaction rejects it; the driver as
 * released then wrote the rollback to the closed socket from a timer, which ended the process,
 * and could run the transaction's later statements on the reconnected session, outside it.
 * patches/postgres+3.4.9.patch (applied by `npm ci`) mends both and sends BEGIN without waiting
 * for its answer; test/integration/store checks all three.
 */
async function beginTransaction<T>(
  pool: postgres.Sql,
  fn: (query: SqlQuery) => Promise<TransactionResult<T>>,
): Promise<T> {
  const result = await pool.begin((tx) =>
    fn(async (text, params) => [
      ...(await tx.unsafe<Record<string, unknown>[]>(text, params as never[], { prepare: true })),
    ]),
  );
  return committed(result as TransactionResult<T>);
}

/**
 * A committed transaction's result. An AtCommit's last statement was sent before the COMMIT and
 * is answered before it; if it failed, the server turned the COMMIT into a rollback (a COMMIT in a
 * failed transaction rolls back), and its error is the transaction's.
 */
function committed<T>(result: TransactionResult<T>): Promise<T> | T {
  return result instanceof AtCommit ? result.result : result;
}

/** A URL without its password (parsed as the driver parses it: the credentials end at the last @). */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/]*@/, '//***@');
  }
}

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * A lock file holding the owner's pid keeps it to one; a lock left by a process that is gone
 * (killed) is taken over.
 */
async function lockFolder(folder: string): Promise<() => Promise<void>> {
  const file = join(folder, 'agent-trading-server.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new TradingError('CONFIG_INVALID', `The data folder ${folder} is in use by process ${owner}.`, {
          hint: 'Stop that server first, or give this one another folder (DATABASE_URL=pglite://<folder>) or PostgreSQL.',
        });
      }
      await rm(file, { force: true });
    }
  }
  throw new TradingError('CONFIG_INVALID', `Could not lock the data folder ${folder}.`, {
    hint: 'Check that no other server uses it and that the folder is writable.',
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
