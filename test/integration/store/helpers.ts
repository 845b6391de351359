/**
 * Shared pieces for the store suites: row factories, catalog tables to query through drizzle, a
 * way to reach the PostgreSQL error code under drizzle's query-error wrapper, and a loopback proxy
 * that shows what a client writes to PostgreSQL, write by write.
 */
import { readFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer } from 'node:net';
import { count } from 'drizzle-orm';
import { boolean, pgSchema, pgTable, serial, text } from 'drizzle-orm/pg-core';
import type { Database } from '../../../src/store/db.js';
import type { fills, orders, positions } from '../../../src/store/schema.js';

/** drizzle's own bookkeeping: one row per applied migration. */
export const drizzleMigrations = pgSchema('drizzle').table('__drizzle_migrations', {
  id: serial('id'),
  hash: text('hash').notNull(),
});

export const infoTables = pgSchema('information_schema').table('tables', {
  tableSchema: text('table_schema').notNull(),
  tableName: text('table_name').notNull(),
});

export const pgTrigger = pgTable('pg_trigger', {
  tgname: text('tgname').notNull(),
  tgisinternal: boolean('tgisinternal').notNull(),
  tgenabled: text('tgenabled').notNull(),
});

/** How many migrations drizzle/meta/_journal.json lists. */
export async function journalEntries(): Promise<number> {
  const url = new URL('../../../drizzle/meta/_journal.json', import.meta.url);
  const journal = JSON.parse(await readFile(url, 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

export async function appliedMigrations(db: Database): Promise<number> {
  const [row] = await db.select({ n: count() }).from(drizzleMigrations);
  return row?.n ?? -1;
}

/** The driver's error (code, message) under drizzle's DrizzleQueryError, wherever it sits. */
export function pgError(error: unknown): { code: string | undefined; message: string } {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof message === 'string') messages.push(message);
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
      return { code, message: messages.join(' <- ') };
    current = cause;
  }
  return { code: undefined, message: messages.join(' <- ') };
}

/** The rejection of a promise that must reject. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to be refused, but it succeeded');
}

export const T0 = new Date('2026-01-02T14:30:00.123Z');

export function orderRow(
  id: string,
  accountId: string,
  clientOrderId: string,
  money = '1',
): typeof orders.$inferInsert {
  return {
    id,
    clientOrderId,
    accountId,
    venue: 'paper-a',
    agentId: 'agent-1',
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    quantity: money,
    limitPrice: money,
    stopPrice: money,
    trailPercent: money,
    timeInForce: 'day',
    status: 'new',
    filledQty: money,
    filledNotional: money,
    avgFillPrice: money,
    overfillQty: money,
    requestHash: `hash-${id}`,
    createdAt: T0,
    updatedAt: T0,
  };
}

export function fillRow(
  venue: string,
  accountId: string,
  fillId: string,
  money = '1',
): typeof fills.$inferInsert {
  return {
    venue,
    accountId,
    fillId,
    clientOrderId: `c-${fillId}`,
    venueOrderId: `v-${fillId}`,
    symbol: 'AAPL',
    side: 'buy',
    quantity: money,
    price: money,
    liquidity: 'maker',
    fee: money,
    feeCurrency: 'USD',
    ts: T0,
  };
}

export function positionRow(accountId: string, symbol: string, money: string): typeof positions.$inferInsert {
  return {
    accountId,
    symbol,
    quantity: money,
    avgEntryPrice: money,
    realizedPnl: money,
    fees: money,
    openedAt: T0,
    updatedAt: T0,
  };
}

export interface RecordingProxy {
  /** The database's URL through the proxy. */
  readonly url: string;
  /** Every write a client made, in order (all connections). */
  readonly writes: Buffer[];
  /**
   * The statements each write from the `from`th on ran, by their first three words: a simple
   * query's text, or the text a bound statement was parsed with (a prepared statement is bound by
   * name once parsed, in an earlier write).
   */
  ranSince(from: number): string[][];
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of the PostgreSQL database at `databaseUrl`, keeping each client write. */
export async function recordingProxy(databaseUrl: string): Promise<RecordingProxy> {
  const target = new URL(databaseUrl);
  const writes: Buffer[] = [];
  const proxy = createServer((client) => {
    const server = connect(Number(target.port || 5432), target.hostname);
    client.on('data', (chunk: Buffer) => {
      writes.push(chunk);
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((proxy.address() as AddressInfo).port);
  const ranSince = (from: number): string[][] => {
    const texts = new Map<string, string>();
    for (const m of writes.flatMap(frontendMessages)) {
      const [name = '', text = ''] = m.body.split('\0');
      if (m.type === 'P') texts.set(name, text);
    }
    const words = (text: string): string =>
      text.replaceAll('\0', '').trim().split(/\s+/).slice(0, 3).join(' ');
    return writes.slice(from).map((write) =>
      frontendMessages(write).flatMap((m) => {
        const text =
          m.type === 'Q' ? m.body : m.type === 'B' ? texts.get(m.body.split('\0')[1] ?? '') : undefined;
        return text === undefined ? [] : [words(text)];
      }),
    );
  };
  return {
    url: url.toString(),
    writes,
    ranSince,
    close: () =>
      new Promise((resolve) => {
        proxy.close(() => {
          resolve();
        });
      }),
  };
}

/**
 * The frontend messages of one client write: each one's type letter (Q query, P parse, B bind,
 * E execute, S sync...) and its body as text. A connection's startup message has no type letter
 * and ends the reading.
 */
export function frontendMessages(write: Buffer): { type: string; body: string }[] {
  const messages: { type: string; body: string }[] = [];
  let at = 0;
  while (at + 5 <= write.length) {
    const type = String.fromCharCode(write[at] ?? 0);
    if (!/[A-Za-z]/.test(type)) break;
    const length = write.readInt32BE(at + 1);
    messages.push({ type, body: write.subarray(at + 5, at + 1 + length).toString('latin1') });
    at += 1 + length;
  }
  return messages;
}
