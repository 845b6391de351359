/**
 * How a venue may refuse, as the Broker port documents it (broker.ts, ORDER-SEMANTICS.md §8.1): a
 * submit answers a `rejected` receipt or throws a definitive BrokerCallError; a cancel or replace
 * reports `cxl_rej`/`rpl_rej` on the stream or throws a definitive BrokerCallError, which the order
 * service turns into that same event. Anything else (a plain Error, an ambiguous failure, a
 * success) is not a refusal and fails the case.
 */
import { BrokerCallError, type SubmitReceipt } from '../../src/brokers/broker.js';
import type { ContractSession } from './contract-session.js';

export interface Refusal {
  readonly code: string;
  readonly via: 'receipt' | 'error' | 'stream';
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

function outcomeOf<T>(call: Promise<T>): Promise<Outcome<T>> {
  return call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function fromError(error: unknown): Refusal {
  if (!(error instanceof BrokerCallError)) {
    throw new Error(`expected a BrokerCallError, got ${String(error)}`, { cause: error });
  }
  if (error.outcome !== 'definitive') {
    throw new Error(`expected a definitive refusal, got an ambiguous ${error.code}: ${error.message}`);
  }
  return { code: error.code, via: 'error' };
}

/** The refusal of a submit; throws when the venue accepted or failed otherwise. */
export async function submitRefusal(call: Promise<SubmitReceipt>): Promise<Refusal> {
  const outcome = await outcomeOf(call);
  if (!outcome.ok) return fromError(outcome.error);
  if (outcome.value.status === 'rejected') return { code: outcome.value.code, via: 'receipt' };
  throw new Error(`expected a refusal, the venue accepted as ${outcome.value.venueOrderId}`);
}

/** The refusal of a cancel (`cxl_rej`) or replace (`rpl_rej`) of one order. */
export async function requestRefusal(
  session: ContractSession,
  clientOrderId: string,
  kind: 'cxl_rej' | 'rpl_rej',
  call: Promise<void>,
): Promise<Refusal> {
  const outcome = await outcomeOf(call);
  await session.subject.settle();
  if (!outcome.ok) return fromError(outcome.error);
  const event = session.eventsOf(clientOrderId).find((e) => e.kind === kind);
  if (event?.kind === kind) return { code: event.code, via: 'stream' };
  throw new Error(`expected ${kind} for ${clientOrderId}; the venue answered nothing of the kind`);
}
