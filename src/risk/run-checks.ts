import type { ErrorCode } from '../domain/errors.js';
import { CHECKS } from './checks/index.js';
import type { CheckContext, CheckResult, RiskInput } from './types.js';

/**
 * ORDER-SEMANTICS.md §7.1: the order reduces exposure when the account's position is non-zero, the
 * order is on the opposite side, and its quantity plus the account's other open leaves on that side
 * are at most |position|.
 */
export function reducesExposure(input: RiskInput): boolean {
  const { position, openSellLeaves, openBuyLeaves } = input.account;
  if (position.isZero()) return false;
  const { side, quantity } = input.order;
  const opposite = side === 'sell' ? position.isPositive() : position.isNegative();
  if (!opposite) return false;
  const leaves = side === 'sell' ? openSellLeaves : openBuyLeaves;
  return quantity.plus(leaves).lessThanOrEqualTo(position.abs());
}

/** What every check shares, worked out once: the order's notional at its order price, and §7.1. */
export function checkContext(input: RiskInput): CheckContext {
  const reduces = input.held === true || reducesExposure(input);
  const price = input.orderPrice;
  return price === undefined ? { reduces } : { notional: input.order.quantity.times(price), reduces };
}

export interface RiskDecision {
  readonly approved: boolean;
  /** The first failure's code. */
  readonly code?: ErrorCode;
  /** The first failure, in §7.2 order. */
  readonly failed?: CheckResult;
  /** Every check evaluated, in order: up to the first failure, or all of them with `all`. */
  readonly checks: CheckResult[];
}

export interface RunOptions {
  /** Evaluate every check even after a failure (performRiskCheck shows them all). */
  readonly all?: boolean;
}

/** Runs the pre-trade checks in §7.2 order; the first failure decides. */
export function runChecks(input: RiskInput, options: RunOptions = {}): RiskDecision {
  const context = checkContext(input);
  const all = options.all === true;
  const checks: CheckResult[] = [];
  let failed: CheckResult | undefined;
  for (const check of CHECKS) {
    const result = check(input, context);
    checks.push(result);
    if (result.passed || failed !== undefined) continue;
    failed = result;
    if (!all) break;
  }
  return failed === undefined
    ? { approved: true, checks }
    : { approved: false, code: failed.code, failed, checks };
}
