import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { AlpacaTemplates, JsonObject } from './fixtures.js';

export const STREAM_PATH = '/stream';

interface Client {
  authorized: boolean;
  listening: boolean;
}

export interface TradeStreamDeps {
  readonly templates: AlpacaTemplates;
  readonly keyId: string;
  readonly secretKey: string;
}

/**
 * The `trade_updates` WebSocket (protocol as ws_trade_updates.json records it): authenticate, then
 * listen, then every trade update. Frames go out binary, JSON-encoded, as Alpaca's server sends
 * them. Updates produced while nobody listens are gone for the stream, as at Alpaca; REST still
 * shows their result.
 */
export class TradeStream {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly clients = new Map<WebSocket, Client>();
  private sent = 0;

  constructor(private readonly deps: TradeStreamDeps) {
    this.server.on('connection', (socket) => {
      this.accept(socket);
    });
  }

  /** Serves the stream on `server`'s upgrade requests to /stream; returns a function that detaches it. */
  attach(server: Server): () => void {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      this.upgrade(request, socket, head);
    };
    server.on('upgrade', onUpgrade);
    return () => {
      server.off('upgrade', onUpgrade);
    };
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== STREAM_PATH) {
      socket.destroy();
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.server.emit('connection', ws, request);
    });
  }

  /** Sends a trade_updates message to every listening client; counts one per client reached. */
  broadcast(message: JsonObject): void {
    const frame = Buffer.from(JSON.stringify(message));
    for (const [socket, client] of this.clients) {
      if (!client.listening || socket.readyState !== socket.OPEN) continue;
      socket.send(frame, { binary: true });
      this.sent++;
    }
  }

  /** Cuts every connection abruptly (no close frame), as a network drop would; returns how many. */
  drop(): number {
    const sockets = [...this.clients.keys()];
    for (const socket of sockets) socket.terminate();
    this.clients.clear();
    return sockets.length;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  get eventsSent(): number {
    return this.sent;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private accept(socket: WebSocket): void {
    const client: Client = { authorized: false, listening: false };
    this.clients.set(socket, client);
    socket.on('message', (data) => {
      this.onMessage(socket, client, data);
    });
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => this.clients.delete(socket));
  }

  private onMessage(socket: WebSocket, client: Client, data: RawData): void {
    const message = parse(data);
    const t = this.deps.templates;
    const action = message?.['action'];
    if (action === 'authenticate' || action === 'auth') {
      client.authorized = this.credentialsMatch(message ?? {});
      this.send(socket, client.authorized ? t.streamAuthorized : t.streamUnauthorized);
    } else if (action === 'listen') {
      if (!client.authorized) {
        this.send(socket, t.streamUnauthorizedListen);
        return;
      }
      const body = message?.['data'];
      const asked = isObject(body) && Array.isArray(body['streams']) ? body['streams'] : [];
      const streams = asked.filter((s) => s === 'trade_updates');
      client.listening = streams.length > 0;
      this.send(socket, { ...t.streamListening, data: { streams } });
    }
  }

  /** Alpaca's `{action: authenticate, data: {key_id, secret_key}}`, or the newer `{action: auth, key, secret}`. */
  private credentialsMatch(message: JsonObject): boolean {
    const data = isObject(message['data']) ? message['data'] : message;
    const key = data['key_id'] ?? data['key'];
    const secret = data['secret_key'] ?? data['secret'];
    return key === this.deps.keyId && secret === this.deps.secretKey;
  }

  private send(socket: WebSocket, message: JsonObject): void {
    socket.send(Buffer.from(JSON.stringify(message)), { binary: true });
  }
}

function parse(data: RawData): JsonObject | undefined {
  try {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(new Uint8Array(data));
    const text = bytes.toString('utf8');
    const value = JSON.parse(text) as unknown;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
