import type { Decimal } from '../domain/decimal.js';
import type { RoutePlan } from '../routing/types.js';

/** One routing decision: the plan the router made for an order, with every venue's scores. */
export interface DecisionRecord {
  readonly id: string;
  readonly orderId: string;
  readonly symbol: string;
  readonly quantity: Decimal;
  readonly plan: RoutePlan;
  readonly at: number;
}

/** Where routing decisions go for audit (src/store/routing-store.ts). */
export interface RoutingLog {
  record(decision: DecisionRecord): void;
  flush(): Promise<void>;
}
