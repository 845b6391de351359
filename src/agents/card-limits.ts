import type { RiskLimits } from '../risk/types.js';
import type { AgentCard } from './card.js';

/** A card's limits as the risk engine's agent level reads them. */
export function cardRiskLimits(card: AgentCard | undefined): RiskLimits {
  const l = card?.limits;
  if (l === undefined) return {};
  return {
    maxOrderNotional: l.maxOrderNotional,
    maxDailyNotional: l.maxDailyNotional,
    maxOpenOrders: l.maxOpenOrders,
    maxOrdersPerMinute: l.maxOrdersPerMinute,
  };
}
