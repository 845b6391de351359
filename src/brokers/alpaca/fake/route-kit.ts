import type { Context } from 'hono';
import type { InstrumentRegistry } from '../../../domain/instruments.js';
import type { PaperBroker } from '../../paper/paper-broker.js';
import { AlpacaFailure, errorResponse, malformed } from './alpaca-errors.js';
import type { FakeExchange } from './exchange.js';
import type { FakeClock } from './fake-clock.js';
import type { FaultRoute, Faults } from './faults.js';
import type { AlpacaTemplates } from './fixtures.js';
import type { RenderContext } from './order-json.js';

/** Everything the fake's routes read: built once by createFakeAlpaca. */
export interface FakeContext {
  readonly templates: AlpacaTemplates;
  readonly exchange: FakeExchange;
  readonly broker: PaperBroker;
  readonly instruments: InstrumentRegistry;
  readonly clock: FakeClock;
  readonly faults: Faults;
  readonly render: RenderContext;
  /** The paper venue's account behind the Alpaca account. */
  readonly accountId: string;
  /** The Alpaca account's id (a UUID) and its opening cash (yesterday's equity, `last_equity`). */
  readonly alpacaAccountId: string;
  readonly openingCash: string;
  readonly createdAt: number;
}

export type Handler = (c: Context) => Promise<Response>;

/**
 * A REST handler behind the fault injector: the venue clock catches up with real time first, and
 * an Alpaca refusal thrown anywhere below becomes its `{code, message}` answer.
 */
export function route(ctx: FakeContext, name: FaultRoute, handler: Handler): Handler {
  return (c) =>
    ctx.faults.serve(name, c.req.raw.signal, async () => {
      ctx.clock.sync();
      try {
        return await handler(c);
      } catch (error) {
        if (error instanceof AlpacaFailure) return errorResponse(error.error);
        throw error;
      }
    });
}

/** The JSON body; a body that is not JSON is Alpaca's 400 "request body format is invalid". */
export async function readJson(c: Context): Promise<unknown> {
  try {
    return (await c.req.json()) as unknown;
  } catch {
    throw new AlpacaFailure(malformed());
  }
}

/** `?nested=true`: contingent legs rolled up under their parent. */
export function nestedParam(c: Context): boolean {
  return c.req.query('nested') === 'true';
}
