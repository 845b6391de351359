import type { AgentRegistry } from '../agents/registry.js';
import type { AnalyticsPort } from '../engine/analytics-ports.js';
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
    analytics: afterRecording(app),
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

/**
 * The analytics as a caller reads them: the orders that ended before the call are measured first
 * (the recorder batches them), so an agent asking right after its order sees that order.
 */
function afterRecording(app: TradingApp): AnalyticsPort {
  const { analytics, recorder } = app;
  return {
    record: (metrics) => analytics.record(metrics),
    recordAll: (metrics) => analytics.recordAll(metrics),
    venueAggregates: async (filter) => {
      await recorder.idle();
      return analytics.venueAggregates(filter);
    },
    executions: async (range) => {
      await recorder.idle();
      return analytics.executions(range);
    },
  };
}
