import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { type Store, openStore } from '../../src/store/db.js';

/**
 * The databases every integration suite runs against: the embedded PGlite and this machine's
 * PostgreSQL (a fresh database per suite, dropped afterwards). CI runs both; PostgreSQL is found at
 * TEST_POSTGRES_ADMIN_URL (default postgres://127.0.0.1:5432/postgres).
 */
export const TEST_BACKENDS = ['pglite', 'postgres'] as const;
export type TestBackend = (typeof TEST_BACKENDS)[number];

const ADMIN_URL = process.env['TEST_POSTGRES_ADMIN_URL'] ?? 'postgres://127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly backend: TestBackend;
  /** A URL that opens this database (for child processes). */
  readonly url: string;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

/** Creates an empty database of the given kind. PGlite ones live in memory unless a folder is given. */
export async function createTestDatabase(backend: TestBackend, folder?: string): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const url = folder === undefined ? 'pglite://memory' : `pglite://${folder}`;
    return { backend, url, open: () => openStore(url), drop: () => Promise.resolve() };
  }
  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    open: () => openStore(url.toString()),
    drop: async () => {
      const dropper = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Registers a suite's database lifecycle: a fresh database opened before all its tests, closed and
 * dropped after. Returns the open store (call it inside tests and hooks).
 */
export function useTestStore(backend: TestBackend): () => Store {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(backend);
    store = await database.open();
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  return () => {
    if (store === undefined) throw new Error('the test store is not open yet (use it inside tests or hooks)');
    return store;
  };
}
