#!/usr/bin/env node
import { bundledAgentsFolder, loadAgentCards } from './agents/registry.js';
import { ApiKeyStore } from './agents/api-keys.js';
import { cardRiskLimits } from './agents/card-limits.js';
import type { AgentRegistry } from './agents/registry.js';
import { keysCommand } from './main/keys-command.js';
import { bestExCommand } from './main/best-ex-command.js';
import { type Config, loadConfig } from './config.js';
import { TradingError, isTradingError } from './domain/errors.js';
import { type Logger, createLogger } from './logger.js';
import { createHttpSurface } from './http/app.js';
import { type Listening, listen } from './http/serve.js';
import { connectionGuide, describeConnections, describeExchange } from './main/banner.js';
import { callerOf } from './mcp/caller.js';
import { packageVersion } from './package-root.js';
import { startTradingApp } from './main/trading-app.js';
import { serveMcpOverStdio } from './mcp/stdio.js';

const HELP = `agent-trading-server: a trading execution server for AI agents

Usage:
  npm start                 serve HTTP (MCP at /mcp and /sse, REST at /api/v1) on embedded defaults:
                            paper venues, PGlite in .data/, http://127.0.0.1:8420
  npm start -- --stdio      serve MCP on stdin/stdout as the local agent (logs go to stderr)
  npm start -- --once       start, print the venues and their markets, and exit
  npm start -- keys create <agentId>      create an API key (shown once)
  npm start -- keys list [agentId]        list keys (never the keys themselves)
  npm start -- keys revoke <id|prefix>    revoke a key; it stops working at once
  npm start -- best-ex [--date YYYY-MM-DD] [--format md|csv] [--out FILE]
                            best-execution report of a UTC day (default: yesterday)
  npm start -- --help       this text

Configuration (environment variables, all optional):
  TRADING_CLOCK=system|simulated   PAPER_FEED=random|replay|scripted   PAPER_SEED=42
  PAPER_FEED_INTERVAL_MS=250       PAPER_VENUES_FILE=config/venues.json
  PAPER_STARTING_CASH=100000       LOG_LEVEL=info
  DATABASE_URL=pglite://.data/pglite (default) | pglite://memory | postgres://user@host/db
  AGENTS_DIR=agents                (the agent cards; default: the bundled agents/ folder)
  HTTP_HOST=127.0.0.1  HTTP_PORT=8420 (0: any free port)  HTTP_ALLOWED_ORIGINS=https://a.example,...
  Real brokers: ALPACA_API_KEY_ID + ALPACA_API_SECRET_KEY (paper unless ALPACA_PAPER=false),
  CCXT_EXCHANGE + CCXT_API_KEY + CCXT_SECRET (sandbox unless CCXT_SANDBOX=false); live trading needs
  TRADING_LIVE_OPT_IN and TRADING_LIVE_MAX_ORDER_NOTIONAL (README.md, Real brokers). Try the Alpaca
  path offline with the fake Alpaca broker: npm run fake-alpaca (src/brokers/alpaca/fake/README.md).
`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  if (argv[0] === 'best-ex') return bestExCommand(argv.slice(1), config);
  const logger = createLogger(config.logLevel);
  const registry = await loadAgentCards(config.agentsDir ?? (await bundledAgentsFolder()));
  if (argv[0] === 'keys') return keysCommand(argv.slice(1), config, registry);
  if (argv.includes('--stdio')) return serveStdio(config, registry, logger);
  const app = await startTradingApp(config, logger, {
    agentLimits: (id) => cardRiskLimits(registry.get(id)),
  });
  process.stdout.write(await describeExchange(app.exchange, config));
  process.stdout.write(
    describeConnections(app.venues, (venue) => app.connections.find((c) => c.venue === venue)?.health()),
  );
  if (argv.includes('--once')) {
    await app.stop();
    return 0;
  }
  let listening: Listening;
  try {
    const keys = new ApiKeyStore(app.store);
    await keys.syncAgents(registry.list());
    const firstKey = await firstStartKey(config, keys, registry);
    const surface = createHttpSurface({
      app,
      registry,
      keys,
      logger,
      version: await packageVersion(),
      allowedOrigins: config.httpAllowedOrigins,
    });
    listening = await listen(surface, config.httpHost, config.httpPort);
    process.stdout.write(connectionGuide(listening.url, firstKey));
  } catch (error) {
    await app.stop();
    throw error;
  }
  logger.info(
    {
      url: listening.url,
      venues: app.venues.map((v) => v.venue),
      feed: config.paperFeed,
      store: app.store.location,
    },
    'serving',
  );
  await waitForSignal(async () => {
    await listening.close();
    await app.stop();
  });
  logger.info('stopped');
  return 0;
}

/**
 * MCP over stdio as the local agent, answering at once while the core starts; a failed start
 * is reported on stderr and ends the process (the client sees the connection close).
 */
async function serveStdio(config: Config, registry: AgentRegistry, logger: Logger): Promise<number> {
  const local = registry.get('local');
  if (local === undefined) {
    throw new TradingError('CONFIG_INVALID', 'No agent card "local" for the stdio server.', {
      hint: 'Add agents/local.json (see the bundled one).',
    });
  }
  logger.info({ agent: local.id }, 'serving MCP over stdio');
  const starting = startTradingApp(config, logger, { agentLimits: (id) => cardRiskLimits(registry.get(id)) });
  starting.catch((error: unknown) => {
    process.stderr.write(`agent-trading-server failed to start: ${describe(error)}\n`);
    process.exit(1);
  });
  // A client that closes the connection sends SIGTERM soon after: stop cleanly, even mid-start.
  let stopping: Promise<void> | undefined;
  const stopApp = (): Promise<void> => (stopping ??= starting.then((app) => app.stop()));
  const onSignal = (): void => {
    void stopApp().finally(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await serveMcpOverStdio(starting, registry, callerOf(local), logger);
  await stopApp();
  return 0;
}

/**
 * On embedded defaults (PGlite), the first start creates a key for the local agent, so that the
 * HTTP surface is usable at once; it is shown this once. With PostgreSQL, keys are the operator's.
 */
async function firstStartKey(
  config: Config,
  keys: ApiKeyStore,
  registry: AgentRegistry,
): Promise<{ agentId: string; key: string } | undefined> {
  if (!config.databaseUrl.startsWith('pglite://') || !registry.has('local')) return undefined;
  if ((await keys.list('local')).length > 0) return undefined;
  const created = await keys.create('local');
  return { agentId: 'local', key: created.key };
}

function waitForSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const once = (): void => {
      void stop().then(resolve);
    };
    process.once('SIGINT', once);
    process.once('SIGTERM', once);
  });
}

function describe(error: unknown): string {
  return isTradingError(error)
    ? `${error.code}: ${error.message}${error.hint === undefined ? '' : `\n${error.hint}`}`
    : String(error);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`agent-trading-server failed to start: ${describe(error)}\n`);
    process.exit(1);
  },
);
