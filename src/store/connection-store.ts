import { asc, eq, ne } from 'drizzle-orm';
import { parseDecimal, toWire } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import type { CredentialVault, Credentials } from '../brokers/credentials.js';
import {
  type ConnectionInfo,
  type LiveCaps,
  type LiveOptIn,
  capsProblem,
} from '../brokers/credentials-live.js';
import { appendAudit } from './audit-log.js';
import type { Database } from './db.js';
import { brokerConnections } from './schema.js';

/** A connection to save: what identifies it, and its credentials (encrypted before they are stored). */
export interface NewConnection extends ConnectionInfo {
  readonly credentials: Credentials;
}

/** A connection as listings show it: never its credentials, nor its ciphertext. */
export interface ConnectionSummary extends ConnectionInfo {
  /** The id of the key its credentials are encrypted with. */
  readonly keyId: string;
  readonly liveOptIn: boolean;
  readonly liveCaps: LiveCaps | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface StoredConnection extends ConnectionSummary {
  readonly credentials: Credentials;
}

/** Opting a live connection in (with caps) or out; `reason` goes to the audit log. */
export type LiveOptInChange =
  | { readonly optIn: true; readonly caps: LiveCaps; readonly reason?: string }
  | { readonly optIn: false; readonly reason?: string };

type Row = typeof brokerConnections.$inferSelect;
type CapsJson = NonNullable<Row['liveCaps']>;
type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

const ENTITY = 'broker_connection';
const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Broker connections with their credentials encrypted by the vault (bound to the connection id).
 * Listings never carry credentials. Every change is recorded in the audit log with what changed
 * and never a secret. A live connection trades only once opted in with caps (`setLiveOptIn`); a
 * save that changes its kind, exchange or mode withdraws the opt-in (it is another account).
 */
export class ConnectionStore {
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly vault: CredentialVault,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Creates or replaces a connection. */
  async save(connection: NewConnection, actor: string): Promise<ConnectionSummary> {
    checkConnection(connection);
    const sealed = this.vault.encrypt(connection.id, connection.credentials);
    const at = new Date(this.now());
    return this.db.transaction(async (tx) => {
      const before = await lockRow(tx, connection.id);
      const sameAccount =
        before !== undefined &&
        before.kind === connection.kind &&
        before.exchangeId === (connection.exchangeId ?? null) &&
        before.mode === connection.mode;
      const values = {
        kind: connection.kind,
        exchangeId: connection.exchangeId ?? null,
        mode: connection.mode,
        credentials: sealed.ciphertext,
        keyId: sealed.keyId,
        liveOptIn: sameAccount && before.liveOptIn,
        liveCaps: sameAccount ? before.liveCaps : null,
        updatedAt: at,
      };
      const [row] = await tx
        .insert(brokerConnections)
        .values({ id: connection.id, ...values, createdAt: at })
        .onConflictDoUpdate({ target: brokerConnections.id, set: values })
        .returning();
      const withdrawn = before?.liveOptIn === true && !values.liveOptIn;
      await audit(tx, actor, 'broker.connection_saved', at, present(row), {
        created: before === undefined,
        keyId: sealed.keyId,
        ...(withdrawn ? { liveOptInWithdrawn: true } : {}),
      });
      return summary(present(row));
    });
  }

  /** The connection with its credentials decrypted (as Secrets); undefined when there is none. */
  async load(id: string): Promise<StoredConnection | undefined> {
    const [row] = await this.db.select().from(brokerConnections).where(eq(brokerConnections.id, id));
    if (row === undefined) return undefined;
    const credentials = this.vault.decrypt(row.id, { keyId: row.keyId, ciphertext: row.credentials });
    return { ...summary(row), credentials };
  }

  async list(): Promise<ConnectionSummary[]> {
    const rows = await this.db.select().from(brokerConnections).orderBy(asc(brokerConnections.id));
    return rows.map(summary);
  }

  /**
   * Opts a live connection in to live trading with caps, or out. Refuses a paper connection
   * (INVALID_ARGUMENT: it trades no real money) and unusable caps; NOT_FOUND for an unknown id.
   */
  async setLiveOptIn(id: string, change: LiveOptInChange, actor: string): Promise<ConnectionSummary> {
    const at = new Date(this.now());
    return this.db.transaction(async (tx) => {
      const before = await lockRow(tx, id);
      if (before === undefined) throw notFound(id);
      if (change.optIn) checkOptIn(before, change.caps);
      const caps = change.optIn ? capsToJson(change.caps) : null;
      const [row] = await tx
        .update(brokerConnections)
        .set({ liveOptIn: change.optIn, liveCaps: caps, updatedAt: at })
        .where(eq(brokerConnections.id, id))
        .returning();
      await audit(tx, actor, change.optIn ? 'broker.live_opt_in' : 'broker.live_opt_out', at, present(row), {
        ...(caps === null ? {} : { caps }),
        ...(change.reason === undefined ? {} : { reason: change.reason }),
      });
      return summary(present(row));
    });
  }

  /** Deletes a connection and its credentials; false when there was none. */
  async delete(id: string, actor: string): Promise<boolean> {
    const at = new Date(this.now());
    return this.db.transaction(async (tx) => {
      const [row] = await tx.delete(brokerConnections).where(eq(brokerConnections.id, id)).returning();
      if (row === undefined) return false;
      await audit(tx, actor, 'broker.connection_deleted', at, row, {});
      return true;
    });
  }

  /**
   * Re-encrypts with the current key every connection encrypted with a previous one (after a key
   * rotation: TRADING_CREDENTIALS_KEY the new key, TRADING_CREDENTIALS_PREVIOUS_KEY the old).
   * Returns the ids re-encrypted.
   */
  async rekey(actor: string): Promise<string[]> {
    const stale = await this.db
      .select({ id: brokerConnections.id })
      .from(brokerConnections)
      .where(ne(brokerConnections.keyId, this.vault.keyId))
      .orderBy(asc(brokerConnections.id));
    const done: string[] = [];
    for (const { id } of stale) if (await this.rekeyOne(id, actor)) done.push(id);
    return done;
  }

  private async rekeyOne(id: string, actor: string): Promise<boolean> {
    const at = new Date(this.now());
    return this.db.transaction(async (tx) => {
      const before = await lockRow(tx, id);
      if (before === undefined || before.keyId === this.vault.keyId) return false;
      const plain = this.vault.decrypt(id, { keyId: before.keyId, ciphertext: before.credentials });
      const sealed = this.vault.encrypt(id, plain);
      const [row] = await tx
        .update(brokerConnections)
        .set({ credentials: sealed.ciphertext, keyId: sealed.keyId, updatedAt: at })
        .where(eq(brokerConnections.id, id))
        .returning();
      await audit(tx, actor, 'broker.credentials_rekeyed', at, present(row), {
        fromKeyId: before.keyId,
        keyId: sealed.keyId,
      });
      return true;
    });
  }
}

/** A stored connection's opt-in, for liveTradingAllowed (src/brokers/credentials-live.ts). */
export function storedOptIn(connection: Pick<ConnectionSummary, 'id' | 'liveOptIn' | 'liveCaps'>): LiveOptIn {
  return { connectionIds: connection.liveOptIn ? [connection.id] : [], caps: connection.liveCaps };
}

async function lockRow(tx: Tx, id: string): Promise<Row | undefined> {
  const [row] = await tx.select().from(brokerConnections).where(eq(brokerConnections.id, id)).for('update');
  return row;
}

/** An audit entry naming the connection, never its credentials. */
async function audit(
  tx: Tx,
  actor: string,
  action: string,
  at: Date,
  row: Row,
  data: Record<string, unknown>,
): Promise<void> {
  const connection = {
    kind: row.kind,
    mode: row.mode,
    ...(row.exchangeId === null ? {} : { exchangeId: row.exchangeId }),
  };
  await appendAudit(tx, {
    actor,
    action,
    entity: ENTITY,
    entityId: row.id,
    at,
    data: { ...connection, ...data },
  });
}

function summary(row: Row): ConnectionSummary {
  return {
    id: row.id,
    kind: row.kind,
    exchangeId: row.exchangeId ?? undefined,
    mode: row.mode,
    keyId: row.keyId,
    liveOptIn: row.liveOptIn,
    liveCaps: row.liveCaps === null ? undefined : capsFromJson(row.id, row.liveCaps),
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}

function present(row: Row | undefined): Row {
  if (row === undefined) throw new Error('the statement returned no row');
  return row;
}

function checkConnection(c: ConnectionInfo): void {
  if (!ID.test(c.id))
    throw new TradingError(
      'INVALID_ARGUMENT',
      'A connection id is 1 to 64 characters: a-z, 0-9, ".", "_", "-".',
      {
        hint: 'Name it after the venue and mode, e.g. alpaca-paper or ccxt-binance-live.',
      },
    );
  if (c.kind === 'ccxt' && (c.exchangeId === undefined || !/^[a-z0-9_]+$/.test(c.exchangeId)))
    throw new TradingError(
      'INVALID_ARGUMENT',
      `Connection "${c.id}" is a ccxt connection without an exchange id.`,
      {
        hint: 'Give the ccxt exchange id, e.g. binance or kraken.',
      },
    );
  if (c.kind === 'alpaca' && c.exchangeId !== undefined)
    throw new TradingError(
      'INVALID_ARGUMENT',
      `Connection "${c.id}" is an Alpaca connection: it takes no exchange id.`,
    );
}

function checkOptIn(row: Row, caps: LiveCaps): void {
  if (row.mode !== 'live')
    throw new TradingError(
      'INVALID_ARGUMENT',
      `Connection "${row.id}" is a ${row.mode} connection: it trades no real money, so it takes no live opt-in.`,
      { hint: 'Save it with mode live first (the opt-in applies to that connection as saved).' },
    );
  const problem = capsProblem(caps);
  if (problem !== undefined)
    throw new TradingError(
      'INVALID_ARGUMENT',
      `The live caps of connection "${row.id}" are unusable: ${problem}.`,
    );
}

function notFound(id: string): TradingError {
  return new TradingError('NOT_FOUND', `There is no broker connection "${id}".`, {
    hint: 'List the connections to see their ids.',
  });
}

function capsToJson(caps: LiveCaps): CapsJson {
  return {
    maxOrderNotional: toWire(caps.maxOrderNotional),
    ...(caps.maxDailyNotional === undefined ? {} : { maxDailyNotional: toWire(caps.maxDailyNotional) }),
  };
}

function capsFromJson(id: string, json: CapsJson): LiveCaps {
  const order = parseDecimal(json.maxOrderNotional);
  const daily = json.maxDailyNotional === undefined ? undefined : parseDecimal(json.maxDailyNotional);
  if (order === undefined || (json.maxDailyNotional !== undefined && daily === undefined))
    throw new TradingError('INTERNAL', `The stored live caps of connection "${id}" are not decimals.`);
  return { maxOrderNotional: order, ...(daily === undefined ? {} : { maxDailyNotional: daily }) };
}
