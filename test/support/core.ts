/**
 * The real trading core for integration tests: PGlite in memory, the paper venues of
 * test/fixtures/venues-instant.json on the scripted feed, a simulated clock from START, and the
 * bundled agent cards. Plus what every MCP test does with a client: connect it over the SDK's
 * in-memory transport, call a tool with its result flattened, and hear resource updates.
 */
import { fileURLToPath } from 'node:url';
import { type Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { McpServer } from '@modelcontextprotocol/server';
import { cardRiskLimits } from '../../src/agents/card-limits.js';
import { type AgentRegistry, bundledAgentsFolder, loadAgentCards } from '../../src/agents/registry.js';
import { loadConfig } from '../../src/config.js';
import { type Logger, createLogger } from '../../src/logger.js';
import { type TradingApp, type TradingAppOptions, startTradingApp } from '../../src/main/trading-app.js';
import type { BrokerFactories } from '../../src/main/broker-venues.js';
import { ScriptedFeed } from '../../src/marketdata/feeds/index.js';

/** A Wednesday at 15:00 UTC (10:00 New York): US equities are in their regular session. */
export const START = '2026-03-04T15:00:00Z';

export interface TestCore {
  readonly app: TradingApp;
  /** The bundled agent cards. */
  readonly registry: AgentRegistry;
  /** The paper venues' market: set a symbol's book or quotes here. */
  readonly feed: ScriptedFeed;
}

export interface TestCoreOptions {
  /** Settings over the defaults above (a later TRADING_CLOCK_START, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** The core's logger (default: silent); LOG_LEVEL follows its level. */
  readonly logger?: Logger;
  /** How broker connections are built (default: the production adapters). */
  readonly brokerFactories?: BrokerFactories;
  /** Connection guard settings (a short half-open wait for failover tests). */
  readonly connectionGuard?: TradingAppOptions['connectionGuard'];
}

/** Starts the core; the caller stops it with `app.stop()`. */
export async function startTestCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const logger = options.logger ?? createLogger('silent');
  const config = loadConfig({
    DATABASE_URL: 'pglite://memory',
    PAPER_FEED: 'scripted',
    TRADING_CLOCK: 'simulated',
    TRADING_CLOCK_START: START,
    PAPER_VENUES_FILE: fileURLToPath(new URL('../fixtures/venues-instant.json', import.meta.url)),
    LOG_LEVEL: logger.level,
    ...options.env,
  });
  const registry = await loadAgentCards(await bundledAgentsFolder());
  const app = await startTradingApp(config, logger, {
    agentLimits: (id) => cardRiskLimits(registry.get(id)),
    ...(options.brokerFactories === undefined ? {} : { brokerFactories: options.brokerFactories }),
    ...(options.connectionGuard === undefined ? {} : { connectionGuard: options.connectionGuard }),
  });
  try {
    const feed = app.exchange.feed;
    if (!(feed instanceof ScriptedFeed)) throw new Error('PAPER_FEED=scripted gives a ScriptedFeed');
    return { app, registry, feed };
  } catch (error) {
    await app.stop();
    throw error;
  }
}

/** Connects the client to the server over the SDK's in-memory transport; returns the client. */
export async function connectInMemory(server: McpServer, client: Client): Promise<Client> {
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  return client;
}

export type Structured = Record<string, unknown>;

export interface ToolAnswer {
  readonly isError: boolean;
  readonly structured: Structured;
  readonly text: string;
}

/** One tools/call, its result flattened. */
export async function callTool(client: Client, name: string, args: Structured = {}): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as readonly { type: string; text?: string }[];
  return {
    isError: result.isError === true,
    structured: result.structuredContent as Structured,
    text: content.map((c) => c.text ?? '').join('\n'),
  };
}

/** The URIs of the notifications/resources/updated the client hears from now on, as they arrive. */
export function resourceUpdates(client: Client): string[] {
  const updated: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    updated.push(notification.params.uri);
  });
  return updated;
}
