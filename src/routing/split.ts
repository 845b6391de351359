/**
 * Splitting an order across venues.
 *
 * 1. Greedy fill: the eligible venues' taking-side levels (within the limit) are merged by fee-inclusive
 *    effective price and the cheapest units (for a sell: the best-paid) are taken first, so each venue
 *    gets the quantity its best levels offer. Ties go to the lower venue id. Quantities are exact.
 * 2. Lots: each venue's quantity is rounded down to the lot step; one below minQuantity is dropped.
 * 3. Leftover (rounding remainders, dropped allocations, and what no displayed book fills) goes to one
 *    kept allocation: the one with the best marginal price that still has displayed room for all of it;
 *    failing that the best single venue's allocation if kept; failing that the best marginal price.
 * 4. Fewer than two allocations left is no split.
 *
 * The caller prices the result exactly and keeps it only when it costs strictly less than the best
 * single venue for the full quantity.
 */
import { type Decimal, ZERO, sumDec } from '../domain/decimal.js';
import type { Side } from '../domain/order.js';
import { floorToStep, toFloat } from './float.js';
import type { ScoredVenue } from './score.js';

export interface SplitPiece {
  readonly venue: ScoredVenue;
  readonly quantity: Decimal;
}

interface Pool {
  readonly venue: ScoredVenue;
  /** Next level index to take. */
  next: number;
  taken: Decimal;
}

export interface SplitRequest {
  readonly side: Side;
  readonly quantity: Decimal;
  readonly lotStep: Decimal;
  readonly minQuantity: Decimal;
}

const better = (a: number, b: number, side: Side): boolean => (side === 'buy' ? a < b : a > b);

/** The pool member whose next level is best; the first in pool order wins a tie. */
function bestHead(pool: readonly Pool[], side: Side): Pool | undefined {
  let best: Pool | undefined;
  let bestPrice = Number.NaN;
  for (const member of pool) {
    const price = member.venue.view.effective[member.next];
    if (price === undefined) continue;
    if (best === undefined || better(price, bestPrice, side)) [best, bestPrice] = [member, price];
  }
  return best;
}

/** Takes the best units across the pool until the quantity is met or the books run out. */
function greedyFill(pool: readonly Pool[], quantity: Decimal, side: Side): void {
  let remaining = quantity;
  while (!remaining.isZero()) {
    const member = bestHead(pool, side);
    if (member === undefined) return;
    const level = member.venue.view.levels[member.next];
    if (level === undefined) return;
    const take = level.size === undefined || remaining.lessThanOrEqualTo(level.size) ? remaining : level.size;
    member.taken = member.taken.plus(take);
    remaining = remaining.minus(take);
    member.next += 1;
  }
}

/** Fee-inclusive price of the next unit after `allocated` on this venue; undefined when it has no room. */
function marginalPrice(venue: ScoredVenue, allocated: number): number | undefined {
  const { sizes, effective } = venue.view;
  let cumulative = 0;
  for (let i = 0; i < sizes.length; i++) {
    cumulative += sizes[i] ?? 0;
    if (cumulative > allocated * (1 + 1e-12)) return effective[i];
  }
  return undefined;
}

interface Candidate {
  readonly piece: SplitPiece;
  readonly room: number;
  readonly marginal: number | undefined;
}

function bestMarginal(candidates: readonly Candidate[], side: Side): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (c.marginal === undefined) continue;
    if (best?.marginal === undefined || better(c.marginal, best.marginal, side)) best = c;
  }
  return best ?? candidates[0];
}

/** §3 of the header: who receives the leftover. */
function receiverOf(
  kept: readonly SplitPiece[],
  leftover: number,
  best: ScoredVenue,
  side: Side,
): SplitPiece {
  const candidates = kept.map((piece): Candidate => {
    const allocated = toFloat(piece.quantity);
    return {
      piece,
      room: piece.venue.view.fillable - allocated,
      marginal: marginalPrice(piece.venue, allocated),
    };
  });
  const withRoom = candidates.filter((c) => c.room >= leftover * (1 - 1e-12));
  const chosen =
    bestMarginal(withRoom, side) ??
    candidates.find((c) => c.piece.venue === best) ??
    bestMarginal(candidates, side);
  if (chosen === undefined) throw new Error('receiverOf: no kept allocation');
  return chosen.piece;
}

/** Pool order: venue id, account id, input position (the tie-break of the greedy fill). */
function byIdentity(a: ScoredVenue, b: ScoredVenue): number {
  const [ca, cb] = [a.view.candidate, b.view.candidate];
  if (ca.venue !== cb.venue) return ca.venue < cb.venue ? -1 : 1;
  if (ca.accountId !== cb.accountId) return ca.accountId < cb.accountId ? -1 : 1;
  return a.view.index - b.view.index;
}

/** Splits the quantity across the venues; undefined when fewer than two allocations survive. */
export function splitQuantity(
  venues: readonly ScoredVenue[],
  best: ScoredVenue,
  request: SplitRequest,
): SplitPiece[] | undefined {
  const pool: Pool[] = [...venues].sort(byIdentity).map((venue) => ({ venue, next: 0, taken: ZERO }));
  greedyFill(pool, request.quantity, request.side);
  const kept = pool
    .filter((member) => !member.taken.isZero())
    .map((member) => ({ venue: member.venue, quantity: floorToStep(member.taken, request.lotStep) }))
    .filter((piece) => !piece.quantity.isZero() && piece.quantity.greaterThanOrEqualTo(request.minQuantity));
  if (kept.length < 2) return undefined;
  const leftover = request.quantity.minus(sumDec(kept.map((piece) => piece.quantity)));
  if (leftover.isZero()) return kept;
  const receiver = receiverOf(kept, toFloat(leftover), best, request.side);
  return kept.map((piece) =>
    piece === receiver ? { venue: piece.venue, quantity: piece.quantity.plus(leftover) } : piece,
  );
}
