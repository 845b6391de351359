/**
 * Plain clients for the fake Alpaca broker tests: `fetch` with Alpaca's key headers and a `ws`
 * client that collects every frame, so that tests await conditions instead of sleeping.
 */
import WebSocket from 'ws';

export const KEY_ID = 'PKTESTKEY';
export const SECRET = 'fake-secret-never-printed-9f3a';

export type Json = Record<string, unknown>;

export interface Rest {
  call(
    method: string,
    path: string,
    body?: unknown,
    init?: RequestInit,
  ): Promise<{ status: number; body: Json }>;
  /** The body as a list (list endpoints). */
  list(path: string): Promise<Json[]>;
}

export function rest(base: string, headers: Record<string, string> = keyHeaders()): Rest {
  const call: Rest['call'] = async (method, path, body, init = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...init,
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
  };
  return {
    call,
    list: async (path) => {
      const { body } = await call('GET', path);
      return body as unknown as Json[];
    },
  };
}

export function keyHeaders(keyId = KEY_ID, secret = SECRET): Record<string, string> {
  return { 'APCA-API-KEY-ID': keyId, 'APCA-API-SECRET-KEY': secret };
}

/** A limit order body as Alpaca's docs show one. */
export function limitOrder(extra: Json = {}): Json {
  return {
    symbol: 'AAPL',
    qty: '10',
    side: 'buy',
    type: 'limit',
    limit_price: '190.01',
    time_in_force: 'day',
    ...extra,
  };
}

export interface StreamClient {
  readonly messages: Json[];
  /** Whether every frame so far came binary, as Alpaca's server sends them. */
  readonly allBinary: () => boolean;
  send(message: Json): void;
  /** Resolves with the first message (from `from` on) matching `match`. */
  next(match: (m: Json) => boolean, from?: number): Promise<Json>;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  close(): void;
}

export async function connectStream(url: string): Promise<StreamClient> {
  const socket = new WebSocket(url);
  const messages: Json[] = [];
  const waiters = new Set<() => void>();
  let binary = true;
  socket.on('message', (data, isBinary) => {
    binary &&= isBinary;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    messages.push(JSON.parse(bytes.toString('utf8')) as Json);
    for (const wake of [...waiters]) wake();
  });
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      resolve();
    });
    socket.once('error', reject);
  });
  return {
    messages,
    allBinary: () => binary,
    send: (message) => {
      socket.send(JSON.stringify(message));
    },
    next: (match, from = 0) =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = messages.slice(from).find(match);
          if (found === undefined) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
    closed,
    close: () => {
      socket.close();
    },
  };
}

/** Connects, authenticates and listens to trade_updates. */
export async function listeningStream(url: string): Promise<StreamClient> {
  const client = await connectStream(url);
  client.send({ action: 'authenticate', data: { key_id: KEY_ID, secret_key: SECRET } });
  await client.next((m) => m['stream'] === 'authorization');
  client.send({ action: 'listen', data: { streams: ['trade_updates'] } });
  await client.next((m) => m['stream'] === 'listening');
  return client;
}

/** The trade update of `event` for order `id`, from the stream. */
export function tradeUpdate(client: StreamClient, event: string, id: string): Promise<Json> {
  return client.next((m) => {
    const data = m['data'] as Json | undefined;
    return (
      m['stream'] === 'trade_updates' && data?.['event'] === event && (data['order'] as Json)['id'] === id
    );
  });
}

export function eventsOf(client: StreamClient, id: string): string[] {
  return client.messages
    .filter((m) => m['stream'] === 'trade_updates' && ((m['data'] as Json)['order'] as Json)['id'] === id)
    .map((m) => String((m['data'] as Json)['event']));
}
