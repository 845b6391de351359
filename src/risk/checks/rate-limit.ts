import type { CheckResult, LevelUsage, LimitLevel, RiskCheck } from '../types.js';
import { denied, limitName, passed } from './support.js';

const NAME = 'rate_limit';
const CODE = 'RATE_LIMITED';
const PASS = passed(NAME, CODE);

/** §7.2 defaults, in force where no level sets the limit. */
export const DEFAULT_MAX_ORDERS_PER_SECOND = 20;
export const DEFAULT_MAX_ORDERS_PER_MINUTE = 300;

type Field = 'maxOrdersPerSecond' | 'maxOrdersPerMinute';

/**
 * §7.2 #19: the order rate is per agent. A rate limit set at any level (global, the order's
 * account, the agent) caps each agent's own accepted orders in the rolling second and minute; the
 * tightest applies, and the defaults (20 per second, 300 per minute) where no level sets one.
 * The count is the agent level's usage: one busy agent never throttles the others.
 */
export const rateLimit: RiskCheck = (input) => {
  const agent = input.levels.find((l) => l.level === 'agent');
  if (agent === undefined) return PASS;
  const second = tightest(input.levels, 'maxOrdersPerSecond', DEFAULT_MAX_ORDERS_PER_SECOND);
  const inSecond = agent.ordersLastSecond + 1;
  if (inSecond > second.limit) return deny(second, 'second', inSecond, 'wait a second and retry');
  const minute = tightest(input.levels, 'maxOrdersPerMinute', DEFAULT_MAX_ORDERS_PER_MINUTE);
  const inMinute = agent.ordersLastMinute + 1;
  if (inMinute > minute.limit) return deny(minute, 'minute', inMinute, 'wait up to a minute and retry');
  return PASS;
};

interface Tightest {
  readonly limit: number;
  /** The level that set it; undefined for the default. */
  readonly level?: LimitLevel;
  readonly field: Field;
}

function tightest(levels: readonly LevelUsage[], field: Field, fallback: number): Tightest {
  let best: Tightest | undefined;
  for (const usage of levels) {
    const value = usage.limits[field];
    if (value !== undefined && (best === undefined || value < best.limit))
      best = { limit: value, level: usage.level, field };
  }
  return best ?? { limit: fallback, field };
}

function deny(t: Tightest, window: string, count: number, wait: string): CheckResult {
  const whose = t.level === undefined ? 'the default limit' : limitName(t.level);
  return denied(NAME, CODE, {
    level: t.level ?? 'global',
    limit: t.limit,
    actual: count,
    message: `This would be your order ${count} within one ${window}, over ${whose} of ${t.limit} per ${window} per agent (${t.field}); ${wait}, and send fewer, larger orders (or ask a risk admin to raise ${t.field}).`,
  });
}
