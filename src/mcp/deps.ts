import type { AgentRegistry } from '../agents/registry.js';
import type { TradingApp } from '../main/trading-app.js';
import { ConfirmationTokens } from './confirmation.js';
import { connectionHealth } from '../brokers/connection-guard.js';
import type { ToolDeps } from './tool-kit.js';

/** The tools' view of the running core and the registry. */
export function toolDeps(app: TradingApp, registry: AgentRegistry): ToolDeps {
  return {
    service: app.service,
    brokers: app.venues,
    instruments: app.exchange.instruments,
    clock: app.exchange.clock,
    confirmations: new ConfirmationTokens(app.exchange.clock),
    bars: app.exchange.bars,
    ...(app.exchange.simulator === undefined ? {} : { paperMarket: app.exchange.simulator }),
    risk: { engine: app.risk, controls: app.riskControls, signals: app.signals },
    desk: app.desk,
    algos: app.algos,
    analytics: app.analytics,
    venueStats: (venue) => app.venueStats.stats(venue),
    venueHealth: (venue) => connectionHealth(app.connections, venue),
    agents: () =>
      registry.list().map((card) => ({
        agentId: card.id,
        name: card.name,
        capabilities: card.capabilities,
        scopes: card.scopes,
      })),
  };
}
