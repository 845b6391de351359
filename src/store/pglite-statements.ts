import { type PGlite, protocol, types } from '@electric-sql/pglite';

type Row = Record<string, unknown>;
type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];

interface Prepared {
  readonly name: string;
  /** The type of each parameter, as the server inferred it. */
  readonly parameterTypes: readonly number[];
  /** Each result column's name and type; empty for a statement that returns no rows. */
  readonly columns: readonly { readonly name: string; readonly type: number }[];
}

const { serialize } = protocol;
const { CommandCompleteMessage, DataRowMessage, ParameterDescriptionMessage, RowDescriptionMessage } =
  protocol.messages;

/**
 * The hot statements on PGlite (`Store.query` and `Store.transaction`): each text parsed and
 * planned once, under a name, then run with one Bind, Execute and Sync. PGlite's own `query`
 * sends Parse, Describe, Bind, Describe, Execute and Sync one at a time, and PostgreSQL parses
 * and plans the text anew each time: the risk engine's admission read took 320 µs that way and
 * takes 45 µs prepared.
 *
 * The caller holds PGlite's locks, as its `query` does: outside a transaction both (so that the
 * statement cannot run inside another caller's transaction), inside one the query lock. Values
 * are serialized and rows parsed with the instance's own serializers and parsers, so the rows
 * are those `query` gives. A text whose parse fails is not kept: it fails again when sent again.
 */
export class PgliteStatements {
  private readonly prepared = new Map<string, Prepared>();

  constructor(private readonly pg: PGlite) {}

  /** Runs one statement; `sync` writes the data folder afterwards (outside a transaction). */
  async run(text: string, params: readonly unknown[], sync: boolean): Promise<Row[]> {
    const statement = this.prepared.get(text) ?? (await this.prepare(text));
    return this.rows(await this.execute(statement, params, sync), statement);
  }

  /**
   * Runs a statement without parameters or rows (BEGIN, COMMIT, ROLLBACK) and returns its command
   * tag: a COMMIT that rolled back (a statement of the transaction had failed) answers ROLLBACK.
   */
  async command(text: string, sync: boolean): Promise<string> {
    const statement = this.prepared.get(text) ?? (await this.prepare(text));
    const messages = await this.execute(statement, [], sync);
    const done = messages.find((m) => m instanceof CommandCompleteMessage);
    return done?.text ?? '';
  }

  private async execute(
    statement: Prepared,
    params: readonly unknown[],
    sync: boolean,
  ): Promise<readonly BackendMessage[]> {
    const values = params.map((value, i) => this.serialize(value, statement.parameterTypes[i]));
    const message = concat(
      serialize.bind({ statement: statement.name, values }),
      serialize.execute({}),
      serialize.sync(),
    );
    return (await this.pg.execProtocol(message, { syncToFs: sync })).messages;
  }

  private async prepare(text: string): Promise<Prepared> {
    const name = `hot_${String(this.prepared.size + 1)}`;
    const { messages } = await this.pg.execProtocol(
      concat(
        serialize.parse({ name, text, types: [] }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      ),
      { syncToFs: false },
    );
    let parameterTypes: readonly number[] = [];
    let columns: Prepared['columns'] = [];
    for (const m of messages) {
      if (m instanceof ParameterDescriptionMessage) parameterTypes = m.dataTypeIDs;
      if (m instanceof RowDescriptionMessage)
        columns = m.fields.map((f) => ({ name: f.name, type: f.dataTypeID }));
    }
    const statement = { name, parameterTypes, columns };
    this.prepared.set(text, statement);
    return statement;
  }

  /** As PGlite's `query` does: the type's serializer, else the value as text; null stays null. */
  private serialize(value: unknown, type: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = type === undefined ? undefined : this.pg.serializers[type];
    if (serializer !== undefined) return serializer(value);
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
      return value.toString();
    throw new TypeError(`a hot statement's parameter of type ${String(type)} has no text form`);
  }

  private rows(messages: readonly BackendMessage[], statement: Prepared): Row[] {
    const rows: Row[] = [];
    for (const m of messages) {
      if (!(m instanceof DataRowMessage)) continue;
      const row: Row = {};
      statement.columns.forEach((column, i) => {
        row[column.name] = types.parseType(m.fields[i] ?? null, column.type, this.pg.parsers);
      });
      rows.push(row);
    }
    return rows;
  }
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
