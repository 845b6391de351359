import { type AlpacaError, errorResponse, internal, rateLimited } from './alpaca-errors.js';

/** The REST routes a fault can target; `any` is every one. */
export const FAULT_ROUTES = [
  'submit',
  'replace',
  'cancel',
  'cancel_all',
  'get_order',
  'list_orders',
  'account',
  'positions',
  'activities',
  'assets',
  'clock',
  'calendar',
  'market_data',
  'any',
] as const;
export type FaultRoute = (typeof FAULT_ROUTES)[number];

/**
 * - `error`: answer 500 `{code: 50010000}`; with `accept` the request is carried out first (the
 *   ambiguous case: the order exists although the client saw a failure).
 * - `rate_limit`: answer 429 with X-RateLimit-* headers, doing nothing.
 * - `hang`: answer nothing until released or the client gives up; with `accept` the request is
 *   carried out at once (released: its real answer), without it nothing happens (released: 500).
 */
export type FaultKind = 'error' | 'rate_limit' | 'hang';

export interface FaultRule {
  readonly route: FaultRoute;
  readonly kind: FaultKind;
  /** How many of the next matching requests it hits. */
  readonly count: number;
  readonly accept?: boolean;
}

interface ActiveRule {
  readonly route: FaultRoute;
  readonly kind: FaultKind;
  readonly accept: boolean;
  remaining: number;
}

/** Alpaca's documented request budget on the trading API: 200 a minute. */
const RATE_LIMIT = 200;

/**
 * Fault injection for the fake's REST answers: added latency, the next N requests of a route
 * failing, rate limited or hanging. Rules apply in the order they were added.
 */
export class Faults {
  private rules: ActiveRule[] = [];
  private readonly latency = new Map<FaultRoute, number>();
  private readonly hung = new Set<() => void>();
  private served = 0;

  add(rule: FaultRule): void {
    if (!Number.isInteger(rule.count) || rule.count < 1)
      throw new RangeError('count must be a positive integer');
    this.rules.push({
      route: rule.route,
      kind: rule.kind,
      accept: rule.accept ?? false,
      remaining: rule.count,
    });
  }

  /** The next `count` requests of `route` answer 500; `accept`: only after doing what they asked. */
  failNext(route: FaultRoute, count = 1, options: { readonly accept?: boolean } = {}): void {
    this.add({ route, kind: 'error', count, accept: options.accept ?? false });
  }

  rateLimitNext(route: FaultRoute, count = 1): void {
    this.add({ route, kind: 'rate_limit', count });
  }

  /** The next `count` requests of `route` never answer until released; `accept`: done all the same. */
  hangNext(route: FaultRoute, count = 1, options: { readonly accept?: boolean } = {}): void {
    this.add({ route, kind: 'hang', count, accept: options.accept ?? false });
  }

  /** Milliseconds added before every answer of `route` (`any`: every route without its own). */
  setLatency(ms: number, route: FaultRoute = 'any'): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('latency must be a non-negative number of ms');
    if (ms === 0) this.latency.delete(route);
    else this.latency.set(route, ms);
  }

  /** Lets every hanging request answer; returns how many there were. */
  release(): number {
    const waiting = [...this.hung];
    for (const done of waiting) done();
    return waiting.length;
  }

  /** Drops every rule and latency and releases hanging requests. */
  clear(): void {
    this.rules = [];
    this.latency.clear();
    this.release();
  }

  get requests(): number {
    return this.served;
  }

  get hanging(): number {
    return this.hung.size;
  }

  /** Serves one request of `route` through the faults that apply to it. */
  async serve(route: FaultRoute, signal: AbortSignal, handler: () => Promise<Response>): Promise<Response> {
    this.served++;
    const rule = this.take(route);
    await this.delay(route, signal);
    if (rule === undefined) return handler();
    if (rule.kind === 'rate_limit') return rateLimitedResponse();
    if (rule.kind === 'error') {
      if (rule.accept) await handler();
      return errorResponse(internal());
    }
    const answer = rule.accept ? await handler() : undefined;
    await this.hang(signal);
    return answer ?? errorResponse(internal());
  }

  private take(route: FaultRoute): ActiveRule | undefined {
    const rule = this.rules.find((r) => r.route === route || r.route === 'any');
    if (rule === undefined) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }

  private delay(route: FaultRoute, signal: AbortSignal): Promise<void> {
    const ms = this.latency.get(route) ?? this.latency.get('any') ?? 0;
    if (ms === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Waits until released or until the client gives up (its request aborts). */
  private hang(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.hung.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.hung.add(done);
      if (signal.aborted) done();
      else signal.addEventListener('abort', done, { once: true });
    });
  }
}

function rateLimitedResponse(): Response {
  const error: AlpacaError = rateLimited();
  return errorResponse(error, {
    'X-RateLimit-Limit': String(RATE_LIMIT),
    'X-RateLimit-Remaining': '0',
    // Unix seconds of real time: clients compare it with their own clock, not the venue's.
    'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 1),
  });
}
