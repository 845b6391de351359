/**
 * Alpaca's `trade_updates` WebSocket through the SDK's TradingStream, which authenticates, listens,
 * pings, reconnects with backoff and listens again after each reconnect. The SDK turns each update
 * into camelCase models with Date fields; this adapter maps the wire JSON itself (mapping.ts, tested
 * against the recorded payloads), so a subclass hands the raw `data` of each `trade_updates` frame
 * over before the SDK would reshape it. Everything else (authorization, listening) is the SDK's.
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import { BrokerCallError } from '../broker.js';

export interface StreamStats {
  /** The socket is open. */
  readonly connected: boolean;
  /** Alpaca accepted the credentials on the current socket. */
  readonly authenticated: boolean;
  /** trade_updates messages received since construction. */
  readonly events: number;
  /** Times the stream came back (authenticated and listening again) after dropping. */
  readonly reconnects: number;
  /** When the last trade_updates message arrived (our clock, epoch ms). */
  readonly lastEventAt: number | undefined;
}

export interface ReconnectPolicy {
  /** First delay after a drop (default 1 s); doubles per attempt with ±20 % jitter. */
  readonly initialDelayMs?: number;
  /** Longest delay between attempts (default 30 s). Attempts never stop while the broker is open. */
  readonly maxDelayMs?: number;
}

export interface TradeStreamOptions {
  readonly venue: string;
  readonly url: string;
  readonly keyId: string;
  readonly secret: string;
  readonly reconnect?: ReconnectPolicy;
  /** Keepalive ping interval (default the SDK's 10 s; 0 disables). */
  readonly pingIntervalMs?: number;
  readonly wsFactory?: streaming.WebSocketFactory;
  readonly now: () => number;
}

export interface TradeStreamHandlers {
  /** The raw `data` of one trade_updates frame. */
  onUpdate(data: unknown): void;
  /** Listening; `again` after a reconnect (time for a catch-up). */
  onListening(again: boolean): void;
  onError(message: string): void;
}

interface Frame {
  readonly stream?: unknown;
  readonly data?: unknown;
}

/** The SDK stream, with trade_updates frames handed over raw. */
class RawTradingStream extends streaming.TradingStream {
  private readonly tap: (data: unknown) => void;

  constructor(options: streaming.TradingStreamOptions, tap: (data: unknown) => void) {
    super(options);
    this.tap = tap;
  }

  protected override handleMessage(message: unknown): void {
    const frame = (typeof message === 'object' && message !== null ? message : {}) as Frame;
    if (frame.stream === 'trade_updates') this.tap(frame.data);
    else super.handleMessage(message);
  }
}

export class TradeStream {
  /** The SDK stream holds the credentials: a private field keeps it out of inspect and JSON. */
  readonly #options: TradeStreamOptions;
  #stream: RawTradingStream | undefined;
  private readonly handlers: TradeStreamHandlers;
  private state = { connected: false, authenticated: false, listening: false, everListened: false };
  private counts = { events: 0, reconnects: 0, lastEventAt: undefined as number | undefined };
  private listeningWaiter: (() => void) | undefined;
  /** The first connect() in progress or done; later calls share it. */
  private connecting: Promise<void> | undefined;

  constructor(options: TradeStreamOptions, handlers: TradeStreamHandlers) {
    this.#options = options;
    this.handlers = handlers;
  }

  stats(): StreamStats {
    return {
      connected: this.state.connected,
      authenticated: this.state.authenticated,
      events: this.counts.events,
      reconnects: this.counts.reconnects,
      lastEventAt: this.counts.lastEventAt,
    };
  }

  /**
   * Opens the stream and resolves once Alpaca listens. Refused credentials are a definitive
   * UNAUTHORIZED (the SDK does not retry them); no answer within `timeoutMs` is an ambiguous
   * BROKER_UNAVAILABLE. Either way the stream is closed again.
   */
  connect(timeoutMs: number): Promise<void> {
    this.connecting ??= this.open(timeoutMs).catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async open(timeoutMs: number): Promise<void> {
    const stream = this.create();
    this.#stream = stream;
    const listening = new Promise<void>((resolve) => {
      this.listeningWaiter = resolve;
    });
    const started = this.#options.now();
    try {
      stream.subscribeTradeUpdates();
      stream.connect();
      const auth = await stream.waitForAuthenticationResult(timeoutMs);
      if (!auth.authenticated) throw this.authFailure(auth);
      const left = Math.max(1, timeoutMs - (this.#options.now() - started));
      await this.within(listening, left, 'Alpaca did not confirm the trade_updates subscription');
    } catch (error) {
      this.close();
      throw error;
    }
  }

  close(): void {
    const stream = this.#stream;
    this.#stream = undefined;
    this.connecting = undefined;
    this.listeningWaiter = undefined;
    if (stream === undefined) return;
    stream.removeAllListeners();
    stream.disconnect();
    this.state = { ...this.state, connected: false, authenticated: false, listening: false };
  }

  private create(): RawTradingStream {
    const o = this.#options;
    const stream = new RawTradingStream(
      {
        url: o.url,
        credentials: { keyId: o.keyId, secret: o.secret },
        reconnect: true,
        maxReconnectAttempts: streaming.UNLIMITED_RECONNECT_ATTEMPTS,
        initialReconnectMs: o.reconnect?.initialDelayMs ?? 1000,
        maxReconnectMs: o.reconnect?.maxDelayMs ?? 30_000,
        ...(o.pingIntervalMs === undefined ? {} : { pingIntervalMs: o.pingIntervalMs }),
        ...(o.wsFactory === undefined ? {} : { wsFactory: o.wsFactory }),
      },
      (data) => {
        this.counts = { ...this.counts, events: this.counts.events + 1, lastEventAt: o.now() };
        this.handlers.onUpdate(data);
      },
    );
    stream.onStateChange((state) => {
      this.onState(state);
    });
    stream.on(streaming.EVENT.SUBSCRIPTION, (streams: unknown) => {
      if (Array.isArray(streams) && streams.includes('trade_updates')) this.onListening();
    });
    stream.onError((message) => {
      this.handlers.onError(message);
    });
    return stream;
  }

  private onState(state: streaming.STATE): void {
    const connected = state === streaming.STATE.CONNECTED || state === streaming.STATE.AUTHENTICATED;
    const authenticated = state === streaming.STATE.AUTHENTICATED;
    this.state = { ...this.state, connected, authenticated, listening: this.state.listening && connected };
  }

  private onListening(): void {
    const again = this.state.everListened;
    this.state = { ...this.state, listening: true, everListened: true };
    if (again) this.counts = { ...this.counts, reconnects: this.counts.reconnects + 1 };
    this.listeningWaiter?.();
    this.listeningWaiter = undefined;
    this.handlers.onListening(again);
  }

  private authFailure(auth: streaming.StreamAuthResult): BrokerCallError {
    const venue = this.#options.venue;
    if (auth.status === streaming.STREAM_AUTH_STATUS.SERVER_REJECTED)
      return new BrokerCallError(
        venue,
        'definitive',
        'UNAUTHORIZED',
        'Alpaca refused the trade_updates stream credentials (authorization: unauthorized). Check the key id and secret for this account and mode.',
      );
    return new BrokerCallError(
      venue,
      'ambiguous',
      'BROKER_UNAVAILABLE',
      `Alpaca trade_updates stream: ${auth.message}.`,
    );
  }

  private async within(waiting: Promise<void>, ms: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new BrokerCallError(
            this.#options.venue,
            'ambiguous',
            'BROKER_UNAVAILABLE',
            `${what} within ${ms} ms.`,
          ),
        );
      }, ms);
    });
    try {
      await Promise.race([waiting, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
