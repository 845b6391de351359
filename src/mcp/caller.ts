import type { AgentCard } from '../agents/card.js';
import type { CallerAgent } from './tool-kit.js';

/** The caller an agent card speaks for: its id, its scopes, and its confirmation threshold. */
export function callerOf(card: AgentCard): CallerAgent {
  return {
    id: card.id,
    scopes: new Set(card.scopes),
    ...(card.confirmAboveNotional === undefined ? {} : { confirmAboveNotional: card.confirmAboveNotional }),
    ...(card.accounts === undefined ? {} : { accounts: card.accounts }),
  };
}
