import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { parseDecimal } from '../../../domain/decimal.js';
import { FAULT_ROUTES } from './faults.js';
import type { FakeContext } from './route-kit.js';

/** What the control API needs beyond the routes' context. */
export interface ControlHooks {
  readonly setQuote: (symbol: string, quote: QuoteInput) => void;
  readonly dropStream: () => number;
  readonly stats: () => FakeStats;
  /** The process mode's crash; absent in-process, where `POST /_fake/crash` answers 501. */
  readonly crash?: () => void;
}

export interface QuoteInput {
  readonly bid: string;
  readonly ask: string;
  readonly bidSize?: string;
  readonly askSize?: string;
}

export interface FakeStats {
  /** trade_updates messages sent, one per listening client reached. */
  readonly eventsSent: number;
  readonly streamClients: number;
  /** REST requests served (trading and market data; not these control endpoints). */
  readonly requests: number;
  /** Requests hanging on an injected fault. */
  readonly hanging: number;
}

const decimalText = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .refine((v) => parseDecimal(v) !== undefined, 'expected a decimal');
const quoteSchema = z.object({
  symbol: z.string().min(1),
  bid: decimalText,
  ask: decimalText,
  bidSize: decimalText.optional(),
  askSize: decimalText.optional(),
});
const faultSchema = z.object({
  route: z.enum(FAULT_ROUTES),
  kind: z.enum(['error', 'rate_limit', 'hang']),
  count: z.number().int().min(1).default(1),
  accept: z.boolean().default(false),
});
const latencySchema = z.object({ ms: z.number().min(0), route: z.enum(FAULT_ROUTES).default('any') });
const advanceSchema = z.object({ ms: z.number().int().min(0) });

/**
 * The fake's own endpoints under /_fake, for tests that drive a separate process: market, clock,
 * faults, stream drop, crash and counters. They need no Alpaca keys (loopback only).
 */
export function controlRoutes(app: Hono, ctx: FakeContext, hooks: ControlHooks): void {
  app.post('/_fake/quote', async (c) =>
    withBody(c, quoteSchema, ({ symbol, ...quote }) => {
      hooks.setQuote(symbol, {
        bid: quote.bid,
        ask: quote.ask,
        ...(quote.bidSize === undefined ? {} : { bidSize: quote.bidSize }),
        ...(quote.askSize === undefined ? {} : { askSize: quote.askSize }),
      });
      return { ok: true };
    }),
  );
  app.post('/_fake/advance', async (c) =>
    withBody(c, advanceSchema, ({ ms }) => {
      ctx.clock.advance(ms);
      return { now: new Date(ctx.clock.now()).toISOString() };
    }),
  );
  app.post('/_fake/faults', async (c) =>
    withBody(c, faultSchema, (rule) => {
      ctx.faults.add(rule);
      return { ok: true };
    }),
  );
  app.delete('/_fake/faults', (c) => {
    ctx.faults.clear();
    return c.json({ ok: true });
  });
  app.post('/_fake/latency', async (c) =>
    withBody(c, latencySchema, ({ ms, route }) => {
      ctx.faults.setLatency(ms, route);
      return { ok: true };
    }),
  );
  app.post('/_fake/release', (c) => c.json({ released: ctx.faults.release() }));
  app.post('/_fake/drop-stream', (c) => c.json({ dropped: hooks.dropStream() }));
  app.post('/_fake/crash', (c) => {
    const crash = hooks.crash;
    if (crash === undefined) return c.json({ error: 'crash is only available in the process mode' }, 501);
    // Answer first so that the caller knows the crash was taken, then die without any cleanup.
    setTimeout(crash, 10);
    return c.json({ crashing: true }, 202);
  });
  app.get('/_fake/stats', (c) => c.json(hooks.stats()));
}

async function withBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  act: (body: z.output<S>) => unknown,
): Promise<Response> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return c.json({ error: 'expected a JSON body' }, 400);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return c.json({ error: issues }, 400);
  }
  try {
    return c.json(act(parsed.data) as object);
  } catch (error) {
    return c.json({ error: error instanceof Error ? error.message : String(error) }, 400);
  }
}
