/**
 * A stateful fake of Binance's spot REST API for msw, built from the recorded fixtures and backed
 * by the paper exchange for matching. It serves the production and the testnet hosts, checks the
 * API key header and the HMAC signature of signed endpoints, and answers errors in Binance's
 * `{ code, msg }` shape. Known differences from Binance: stop triggers follow the paper
 * exchange's bid/ask rule (ORDER-SEMANTICS.md §2.2), not Binance's last price; `timestamp` is
 * required but not compared with `recvWindow`; fees are charged in the quote asset.
 */
import { http, type HttpHandler, HttpResponse } from 'msw';
import type { Decimal } from '../../../src/domain/decimal.js';
import { BinanceError } from './binance-errors.js';
import { Faults } from './faults.js';
import { type JsonObject, templates } from './fixtures.js';
import { FakeLedger } from './ledger.js';
import { OrderRoutes } from './order-routes.js';
import { accountJson, wire } from './render.js';
import { type ApiCredentials, payloadOf, signatureRefusal } from './signing.js';

export const BINANCE_HOSTS = ['https://api.binance.com', 'https://testnet.binance.vision'] as const;

/** The fake's API key pair; adapters under test sign with these. */
export const FAKE_BINANCE_CREDENTIALS: ApiCredentials = {
  apiKey: 'fake-binance-api-key-Hq27Vx',
  secret: 'fake-binance-secret-Xw9pL4Tz',
};

export interface FakeBinanceOptions {
  /** Quote-currency cash of the account. Default 100 000 USDT. */
  readonly cash?: Readonly<Record<string, string>>;
  /** Maker and taker fee in basis points. Default 10 (Binance's 0.1 %). */
  readonly feeBps?: string;
  readonly credentials?: ApiCredentials;
  /** The venue clock's start (epoch ms). Default: now. */
  readonly start?: number;
}

/** One request as the fake received it (the signature left out). */
export interface ReceivedRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

interface Route {
  readonly method: 'get' | 'post' | 'delete';
  readonly path: string;
  readonly signed: boolean;
  readonly run: (params: URLSearchParams) => unknown;
}

export class FakeBinance {
  readonly ledger: FakeLedger;
  readonly faults = new Faults();
  readonly requests: ReceivedRequest[] = [];
  private readonly credentials: ApiCredentials;
  private readonly orders: OrderRoutes;
  private depthSeq = 0;

  constructor(options: FakeBinanceOptions = {}) {
    this.credentials = options.credentials ?? FAKE_BINANCE_CREDENTIALS;
    this.ledger = new FakeLedger({
      cash: options.cash ?? { USDT: '100000' },
      feeBps: options.feeBps ?? '10',
      ...(options.start === undefined ? {} : { start: options.start }),
    });
    this.orders = new OrderRoutes(this.ledger);
  }

  /** msw handlers for both hosts. */
  handlers(): HttpHandler[] {
    return BINANCE_HOSTS.flatMap((host) =>
      this.routes().map((route) =>
        http[route.method](`${host}${route.path}`, ({ request }) => this.answer(route, request)),
      ),
    );
  }

  /** One level a side: the paper exchange matches resting orders against it. */
  setQuote(symbol: string, quote: { bid: string; ask: string; bidSize: string; askSize: string }): void {
    this.ledger.setBook(symbol, [[quote.bid, quote.bidSize]], [[quote.ask, quote.askSize]]);
  }

  setBook(
    symbol: string,
    bids: readonly (readonly [string, string])[],
    asks: readonly (readonly [string, string])[],
  ): void {
    this.ledger.setBook(symbol, bids, asks);
  }

  /** Moves the venue clock (order and trade times). */
  advance(ms: number): void {
    this.ledger.clock.advanceBy(ms);
  }

  /** Requests to one path (and method), in order. */
  received(path: string, method?: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path && (method === undefined || r.method === method));
  }

  private routes(): Route[] {
    const o = this.orders;
    return [
      { method: 'get', path: '/api/v3/exchangeInfo', signed: false, run: () => templates().exchangeInfo },
      {
        method: 'get',
        path: '/api/v3/time',
        signed: false,
        run: () => ({ ...templates().time, serverTime: this.now() }),
      },
      { method: 'get', path: '/api/v3/depth', signed: false, run: (p) => this.depth(p) },
      { method: 'get', path: '/api/v3/ticker/24hr', signed: false, run: (p) => this.ticker(p) },
      { method: 'get', path: '/api/v3/account', signed: true, run: () => this.account() },
      { method: 'post', path: '/api/v3/order', signed: true, run: (p) => o.newOrder(p) },
      { method: 'delete', path: '/api/v3/order', signed: true, run: (p) => o.cancel(p) },
      { method: 'get', path: '/api/v3/order', signed: true, run: (p) => o.query(p) },
      { method: 'get', path: '/api/v3/openOrders', signed: true, run: (p) => o.openOrders(p) },
      { method: 'delete', path: '/api/v3/openOrders', signed: true, run: (p) => o.cancelAll(p) },
      { method: 'get', path: '/api/v3/allOrders', signed: true, run: (p) => o.allOrders(p) },
      { method: 'get', path: '/api/v3/myTrades', signed: true, run: (p) => o.myTrades(p) },
    ];
  }

  private async answer(route: Route, request: Request): Promise<Response> {
    const url = new URL(request.url);
    const method = request.method;
    const payload = payloadOf(request, method === 'POST' ? await request.text() : '');
    const params = new URLSearchParams(payload);
    const logged = Object.fromEntries([...params].filter(([k]) => k !== 'signature'));
    this.requests.push({ method, host: url.origin, path: url.pathname, params: logged });
    if (this.faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
    const early = this.faults.take(method, url.pathname, 'before');
    if (early !== undefined) return early;
    if (route.signed) {
      const refusal = signatureRefusal(request, payload, this.credentials);
      if (refusal !== undefined) return refusal.response();
    }
    try {
      const body = await route.run(params);
      return this.faults.take(method, url.pathname, 'after') ?? HttpResponse.json(body as JsonObject);
    } catch (error) {
      if (error instanceof BinanceError) return error.response();
      throw error;
    }
  }

  private now(): number {
    return this.ledger.clock.now();
  }

  private depth(params: URLSearchParams): JsonObject {
    const symbol = this.orders.symbol(params);
    const book = this.ledger.book(symbol);
    const limit = Number(params.get('limit') ?? '100');
    const level = (l: { price: Decimal; size?: Decimal }): [string, string] => [
      wire(l.price),
      l.size === undefined ? '0.00000000' : wire(l.size),
    ];
    return {
      ...templates().depth,
      lastUpdateId: ++this.depthSeq,
      bids: (book?.bids ?? []).slice(0, limit).map(level),
      asks: (book?.asks ?? []).slice(0, limit).map(level),
    };
  }

  private ticker(params: URLSearchParams): JsonObject {
    const symbol = this.orders.symbol(params);
    const book = this.ledger.book(symbol);
    const bid = book?.bids[0];
    const ask = book?.asks[0];
    const last = book?.last ?? this.ledger.tradesOf(symbol).at(-1)?.price ?? bid?.price;
    const now = this.now();
    const text = (value: Decimal | undefined): string => (value === undefined ? '0.00000000' : wire(value));
    return {
      ...templates().ticker,
      symbol: symbol.id,
      bidPrice: text(bid?.price),
      bidQty: text(bid?.size),
      askPrice: text(ask?.price),
      askQty: text(ask?.size),
      lastPrice: text(last),
      openTime: now - 86_400_000,
      closeTime: now,
    };
  }

  private async account(): Promise<JsonObject> {
    return accountJson(await this.ledger.balances(), this.ledger.feeBps, this.now());
  }
}
