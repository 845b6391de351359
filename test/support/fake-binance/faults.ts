/**
 * Fault knobs for the fake: the next N requests (optionally of one method and path) fail with a
 * 5xx, before or after the fake has acted on them (after: the order exists, the caller cannot
 * know: an ambiguous outcome); or answer 429 with Retry-After; and a delay before every answer.
 */
import { HttpResponse } from 'msw';
import { tooManyRequests } from './binance-errors.js';

export interface FaultFilter {
  readonly method?: string;
  readonly path?: string;
}

interface Fault extends FaultFilter {
  readonly kind: 'status' | 'rate';
  readonly status: number;
  readonly retryAfterSeconds: number;
  /** A 5xx sent after the request was carried out. */
  readonly afterProcessing: boolean;
  remaining: number;
}

export class Faults {
  /** Real milliseconds every answer waits (a slow venue; with a deadline, a timeout). */
  delayMs = 0;
  private readonly queue: Fault[] = [];

  /** The next `count` matching requests answer `status` (503 unless given) with a plain-text body. */
  failNext(
    count = 1,
    options: FaultFilter & { readonly status?: number; readonly afterProcessing?: boolean } = {},
  ): void {
    this.queue.push({
      ...filterOf(options),
      kind: 'status',
      status: options.status ?? 503,
      retryAfterSeconds: 0,
      afterProcessing: options.afterProcessing ?? false,
      remaining: count,
    });
  }

  /** The next `count` matching requests answer 429 -1003 with a Retry-After header. */
  rateLimitNext(count = 1, retryAfterSeconds = 1, filter: FaultFilter = {}): void {
    this.queue.push({
      ...filterOf(filter),
      kind: 'rate',
      status: 429,
      retryAfterSeconds,
      afterProcessing: false,
      remaining: count,
    });
  }

  clear(): void {
    this.queue.length = 0;
    this.delayMs = 0;
  }

  /** The faulty answer due for this request at this phase, if any (and counts it). */
  take(method: string, path: string, phase: 'before' | 'after'): Response | undefined {
    const fault = this.queue.find(
      (f) =>
        f.remaining > 0 &&
        f.afterProcessing === (phase === 'after') &&
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || f.path === path),
    );
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.kind === 'rate') {
      const error = tooManyRequests();
      return HttpResponse.json(
        { code: error.code, msg: error.msg },
        { status: 429, headers: { 'Retry-After': String(fault.retryAfterSeconds) } },
      );
    }
    return new HttpResponse('Service Unavailable', {
      status: fault.status,
      headers: { 'Content-Type': 'text/plain' },
    });
  }
}

function filterOf(filter: FaultFilter): FaultFilter {
  return {
    ...(filter.method === undefined ? {} : { method: filter.method }),
    ...(filter.path === undefined ? {} : { path: filter.path }),
  };
}
