/**
 * Client order ids across replaces. Alpaca answers a replace (PATCH /v2/orders/{id}) with a new
 * order under a new id, and refuses to reuse a client_order_id, so each revision goes out as
 * `{ours}~r{n}`. ORDER-SEMANTICS.md §1.4 suggests `-R{n}`; `~` is used instead because the engine's
 * ids are `[A-Za-z0-9_-]` (§8.1) and may themselves end in `-R1`, while `~` can never appear in
 * them, so stripping the suffix is unambiguous. Everything the adapter reports carries the base id.
 */

const REVISION = /~r(\d+)$/;

/** Our id without the revision suffix. */
export function baseClientOrderId(alpacaClientOrderId: string): string {
  return alpacaClientOrderId.replace(REVISION, '');
}

/** 0 for the original order, n for its n-th replacement. */
export function revisionOf(alpacaClientOrderId: string): number {
  const match = REVISION.exec(alpacaClientOrderId);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/** The client_order_id of the n-th replacement. */
export function revisionClientOrderId(base: string, revision: number): string {
  return revision === 0 ? base : `${base}~r${revision}`;
}

/** Whether an id is ours to send: the `~` is reserved for the revision suffix. */
export function isSendableClientOrderId(clientOrderId: string): boolean {
  return clientOrderId.length > 0 && !clientOrderId.includes('~');
}
