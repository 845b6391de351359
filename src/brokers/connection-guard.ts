/**
 * One broker connection's guard: a circuit breaker, retries for the calls that are safe to
 * repeat, and the connection's health (latency, error rate, connected / degraded / down) for
 * /health, listVenues and the router. Wraps any Broker and is one itself.
 *
 * Circuit breaking and retry come from cockatiel (a maintained resilience library) rather than
 * being written here.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  circuitBreaker,
  handleWhen,
  retry,
} from 'cockatiel';
import type { Fill } from '../domain/events.js';
import {
  type Broker,
  BrokerCallError,
  type CancelRequest,
  type GroupSubmitRequest,
  type ReplaceRequest,
  type SubmitReceipt,
  type SubmitRequest,
  type VenueAccount,
  type VenueBalance,
  type VenueOrder,
  type VenuePosition,
} from './broker.js';
import { ForwardingBroker } from './forwarding-broker.js';

export type ConnectionStatus = 'connected' | 'degraded' | 'down';

export interface ConnectionHealth {
  readonly venue: string;
  readonly status: ConnectionStatus;
  readonly circuit: 'closed' | 'open' | 'half-open';
  /** Exponentially weighted call latency, milliseconds (undefined before the first call). */
  readonly latencyMs?: number;
  /** Failed share of the last calls (infrastructure failures only; a venue's refusal is an answer). */
  readonly errorRate: number;
  readonly calls: number;
}

export interface ConnectionGuardOptions {
  /** Consecutive infrastructure failures that open the circuit (default 5). */
  readonly breakAfter?: number;
  /** How long the circuit stays open before one trial call (default 30 s). */
  readonly halfOpenAfterMs?: number;
  /** Attempts for a call that is safe to repeat (reads, cancels), the first included (default 3). */
  readonly attempts?: number;
  /** First retry delay; doubles each time (default 200 ms). */
  readonly retryDelayMs?: number;
  /** The error share above which the connection counts as degraded (default 0.2). */
  readonly degradedAbove?: number;
  /** Calls remembered for the error rate (default 50). */
  readonly window?: number;
  /** Hears every attempt's outcome and wall time (the venue statistics the router scores). */
  readonly onCall?: (venue: string, call: { readonly ok: boolean; readonly ms: number }) => void;
  /** The circuit closed again: the venue is back (reconcile its open orders). */
  readonly onRecovered?: (venue: string) => void;
  /** Monotonic milliseconds for call latency (default performance.now). */
  readonly now?: () => number;
  /**
   * How long an account report is reused (default 0: every call asks the venue). A real broker's
   * account is a request against its rate limit, and the risk engine, router and order service ask
   * for every order: with a TTL a stale report is answered at once while a fresh one is fetched.
   */
  readonly accountsTtlMs?: number;
}

/** Failures that say nothing about the order (timeouts, dropped connections, 5xx), not refusals. */
function infrastructure(error: Error): boolean {
  return !(error instanceof BrokerCallError) || error.outcome === 'ambiguous';
}

/**
 * A Broker with a circuit breaker and retries. Never retries a submit or a replace: a submit whose
 * outcome is unknown is resolved through its client order id by reconciliation, never re-sent.
 * While the circuit is open every call fails at once with a definitive BROKER_UNAVAILABLE (nothing
 * reached the venue), so the router sends new orders elsewhere.
 */
export class ConnectionGuard extends ForwardingBroker {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retrying: RetryPolicy;
  private readonly outcomes: boolean[] = [];
  private latency: number | undefined;
  private calls = 0;
  /** When the circuit last opened (the breaker's own clock, Date.now). */
  private openedAt = 0;
  private accountsSeen: { readonly at: number; readonly value: VenueAccount[] } | undefined;
  private accountsFetch: Promise<VenueAccount[]> | undefined;
  private readonly options: Required<Omit<ConnectionGuardOptions, 'onRecovered' | 'onCall'>> &
    Pick<ConnectionGuardOptions, 'onRecovered' | 'onCall'>;

  constructor(inner: Broker, options: ConnectionGuardOptions = {}) {
    super(inner);
    this.options = {
      breakAfter: options.breakAfter ?? 5,
      halfOpenAfterMs: options.halfOpenAfterMs ?? 30_000,
      attempts: options.attempts ?? 3,
      retryDelayMs: options.retryDelayMs ?? 200,
      degradedAbove: options.degradedAbove ?? 0.2,
      window: options.window ?? 50,
      now: options.now ?? (() => performance.now()),
      accountsTtlMs: options.accountsTtlMs ?? 0,
      ...(options.onRecovered === undefined ? {} : { onRecovered: options.onRecovered }),
      ...(options.onCall === undefined ? {} : { onCall: options.onCall }),
    };
    this.breaker = circuitBreaker(handleWhen(infrastructure), {
      halfOpenAfter: this.options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.options.breakAfter),
    });
    this.breaker.onReset(() => this.options.onRecovered?.(this.venue));
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
    });
    this.retrying = retry(handleWhen(infrastructure), {
      maxAttempts: this.options.attempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: this.options.retryDelayMs, maxDelay: 5_000 }),
    });
  }

  health(): ConnectionHealth {
    const failures = this.outcomes.filter((ok) => !ok).length;
    const errorRate = this.outcomes.length === 0 ? 0 : failures / this.outcomes.length;
    const state = this.breaker.state;
    // Open, but the wait is over: the next call is the trial, so the venue may be tried again.
    const trial = state === CircuitState.Open && Date.now() - this.openedAt >= this.options.halfOpenAfterMs;
    const circuit =
      state === CircuitState.Closed
        ? 'closed'
        : state === CircuitState.HalfOpen || trial
          ? 'half-open'
          : 'open';
    const status: ConnectionStatus =
      circuit === 'open'
        ? 'down'
        : circuit === 'half-open' || errorRate > this.options.degradedAbove
          ? 'degraded'
          : 'connected';
    return {
      venue: this.venue,
      status,
      circuit,
      ...(this.latency === undefined ? {} : { latencyMs: this.latency }),
      errorRate,
      calls: this.calls,
    };
  }

  // ------------------------------------------------------------------ calls

  /** Not safe to repeat: one attempt through the breaker. */
  override submit(request: SubmitRequest): Promise<SubmitReceipt> {
    return this.once(() => this.inner.submit(request));
  }

  override submitGroup(request: GroupSubmitRequest): Promise<SubmitReceipt[]> {
    return this.once(() => this.innerSubmitGroup(request));
  }

  override replace(request: ReplaceRequest): Promise<void> {
    return this.once(() => this.inner.replace(request));
  }

  /** A cancel by client order id asks for the same end state every time: safe to repeat. */
  override cancel(request: CancelRequest): Promise<void> {
    return this.repeatable(() => this.inner.cancel(request));
  }

  override getOrder(accountId: string, clientOrderId: string): Promise<VenueOrder | undefined> {
    return this.repeatable(() => this.inner.getOrder(accountId, clientOrderId));
  }

  override openOrders(accountId: string): Promise<VenueOrder[]> {
    return this.repeatable(() => this.inner.openOrders(accountId));
  }

  override ordersSince(accountId: string, since: number): Promise<VenueOrder[]> {
    return this.repeatable(() => this.inner.ordersSince(accountId, since));
  }

  override fillsSince(accountId: string, since: number): Promise<Fill[]> {
    return this.repeatable(() => this.inner.fillsSince(accountId, since));
  }

  override positions(accountId: string): Promise<VenuePosition[]> {
    return this.repeatable(() => this.inner.positions(accountId));
  }

  override balances(accountId: string): Promise<VenueBalance[]> {
    return this.repeatable(() => this.inner.balances(accountId));
  }

  /**
   * The venue's accounts. Concurrent calls share one request; with a TTL a report is reused and,
   * once stale, answered while a fresh one is fetched. When the venue cannot answer, the last
   * report stands in: the rest of the core (risk checks of other venues' orders, routing, lookups
   * by client order id) goes on while this venue is down; the router skips it by its health.
   */
  override accounts(): Promise<VenueAccount[]> {
    const seen = this.accountsSeen;
    const ttl = this.options.accountsTtlMs;
    if (seen !== undefined && ttl > 0) {
      if (Date.now() - seen.at >= ttl) void this.fetchAccounts().catch(() => undefined);
      return Promise.resolve(seen.value);
    }
    return this.fetchAccounts();
  }

  /**
   * Outside the breaker: an account report is asked for around every order, and its successes
   * would reset the breaker's count of consecutive order failures. While the circuit is open the
   * venue is not asked at all.
   */
  private fetchAccounts(): Promise<VenueAccount[]> {
    if (this.breaker.state === CircuitState.Open && this.accountsSeen !== undefined)
      return Promise.resolve(this.accountsSeen.value);
    this.accountsFetch ??= this.retrying
      .execute(() => this.inner.accounts())
      .then(
        (value) => {
          this.accountsSeen = { at: Date.now(), value };
          return value;
        },
        (error: unknown) => {
          if (this.accountsSeen !== undefined) return this.accountsSeen.value;
          throw error;
        },
      )
      .finally(() => {
        this.accountsFetch = undefined;
      });
    return this.accountsFetch;
  }

  // ------------------------------------------------------------------ policies

  private once<T>(call: () => Promise<T>): Promise<T> {
    return this.guarded(() => this.measured(call));
  }

  private repeatable<T>(call: () => Promise<T>): Promise<T> {
    return this.guarded(() => this.retrying.execute(() => this.measured(call)));
  }

  /** Through the breaker; an open circuit is a definitive refusal: nothing was sent. */
  private async guarded<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new BrokerCallError(
          this.venue,
          'definitive',
          'BROKER_UNAVAILABLE',
          `${this.venue} is unavailable: its circuit is open after repeated failures; nothing was sent.`,
          error,
        );
      }
      throw error;
    }
  }

  /** Times one attempt and records whether the venue answered. */
  private async measured<T>(call: () => Promise<T>): Promise<T> {
    const started = this.options.now();
    try {
      const result = await call();
      this.record(true, this.options.now() - started);
      return result;
    } catch (error) {
      this.record(!(error instanceof Error) || !infrastructure(error), this.options.now() - started);
      throw error;
    }
  }

  private record(ok: boolean, ms: number): void {
    this.calls += 1;
    this.outcomes.push(ok);
    if (this.outcomes.length > this.options.window) this.outcomes.shift();
    this.latency = this.latency === undefined ? ms : this.latency * 0.8 + ms * 0.2;
    this.options.onCall?.(this.venue, { ok, ms });
  }
}

/** A venue's health for the router: down or circuit-open venues are skipped, degraded ones demoted. */
export function connectionHealth(
  connections: readonly ConnectionGuard[],
  venue: string,
): { status: ConnectionStatus; circuitOpen: boolean } {
  const health = connections.find((c) => c.venue === venue)?.health();
  if (health === undefined) return { status: 'connected', circuitOpen: false };
  return { status: health.status, circuitOpen: health.circuit === 'open' };
}
