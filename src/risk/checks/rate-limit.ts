import type { CheckResult, LevelUsage, RiskCheck, RiskLimits } from '../types.js';
import { denied, limitName, passed } from './support.js';

const NAME = 'rate_limit';
const CODE = 'RATE_LIMITED';
const PASS = passed(NAME, CODE);

/** §7.2 defaults, applied at the global level (the first) when no level sets the limit. */
export const DEFAULT_MAX_ORDERS_PER_SECOND = 20;
export const DEFAULT_MAX_ORDERS_PER_MINUTE = 300;

const perSecond = (limits: RiskLimits): number | undefined => limits.maxOrdersPerSecond;
const perMinute = (limits: RiskLimits): number | undefined => limits.maxOrdersPerMinute;

/** §7.2 #19: this order would make a level's accepted orders in the last second or minute too many. */
export const rateLimit: RiskCheck = (input) => {
  const { levels } = input;
  const secondDefault = anySet(levels, perSecond) ? undefined : DEFAULT_MAX_ORDERS_PER_SECOND;
  const minuteDefault = anySet(levels, perMinute) ? undefined : DEFAULT_MAX_ORDERS_PER_MINUTE;
  let first = true;
  for (const usage of levels) {
    const { limits } = usage;
    const second = limits.maxOrdersPerSecond ?? (first ? secondDefault : undefined);
    const minute = limits.maxOrdersPerMinute ?? (first ? minuteDefault : undefined);
    first = false;
    const inSecond = usage.ordersLastSecond + 1;
    if (second !== undefined && inSecond > second) {
      return deny(usage, 'second', second, inSecond, 'maxOrdersPerSecond', 'wait a second and retry');
    }
    const inMinute = usage.ordersLastMinute + 1;
    if (minute !== undefined && inMinute > minute) {
      return deny(usage, 'minute', minute, inMinute, 'maxOrdersPerMinute', 'wait up to a minute and retry');
    }
  }
  return PASS;
};

function anySet(levels: readonly LevelUsage[], pick: (limits: RiskLimits) => number | undefined): boolean {
  for (const usage of levels) if (pick(usage.limits) !== undefined) return true;
  return false;
}

function deny(
  usage: LevelUsage,
  window: string,
  limit: number,
  count: number,
  field: string,
  wait: string,
): CheckResult {
  return denied(NAME, CODE, {
    level: usage.level,
    limit,
    actual: count,
    message: `This would be order ${count} within one ${window}, over ${limitName(usage.level)} of ${limit} per ${window} (${field}); ${wait}, and send fewer, larger orders (or ask a risk admin to raise ${field}).`,
  });
}
