#!/usr/bin/env node
import { bundledAgentsFolder, loadAgentCards } from './agents/registry.js';
import { loadConfig } from './config.js';
import { TradingError, isTradingError } from './domain/errors.js';
import { createLogger } from './logger.js';
import { describeExchange } from './main/banner.js';
import { type TradingApp, startTradingApp } from './main/trading-app.js';
import { serveMcpOverStdio } from './mcp/stdio.js';

const HELP = `agent-trading-server: a trading execution server for AI agents

Usage:
  npm start                 run the trading core on embedded defaults (paper venues, PGlite in .data/)
  npm start -- --stdio      serve MCP on stdin/stdout as the local agent (logs go to stderr)
  npm start -- --once       start, print the venues and their markets, and exit
  npm start -- --help       this text

Configuration (environment variables, all optional):
  TRADING_CLOCK=system|simulated   PAPER_FEED=random|replay|scripted   PAPER_SEED=42
  PAPER_FEED_INTERVAL_MS=250       PAPER_VENUES_FILE=config/venues.json
  PAPER_STARTING_CASH=100000       LOG_LEVEL=info
  DATABASE_URL=pglite://.data/pglite (default) | pglite://memory | postgres://user@host/db
  AGENTS_DIR=agents                (the agent cards; default: the bundled agents/ folder)
`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  const stdio = argv.includes('--stdio');
  const logger = createLogger(config.logLevel);
  const registry = await loadAgentCards(config.agentsDir ?? (await bundledAgentsFolder()));
  const app = await startTradingApp(config, logger);
  if (stdio) {
    const local = registry.get('local');
    if (local === undefined) {
      await app.stop();
      throw new TradingError('CONFIG_INVALID', 'No agent card "local" for the stdio server.', {
        hint: 'Add agents/local.json (see the bundled one).',
      });
    }
    logger.info({ agent: local.id }, 'serving MCP over stdio');
    await serveMcpOverStdio(app, registry, { id: local.id, scopes: new Set(local.scopes) }, logger);
    await app.stop();
    return 0;
  }
  process.stdout.write(await describeExchange(app.exchange, config));
  if (argv.includes('--once')) {
    await app.stop();
    return 0;
  }
  logger.info(
    { venues: app.exchange.venues.map((v) => v.venue), feed: config.paperFeed, store: app.store.location },
    'trading core running',
  );
  await waitForSignal(app);
  logger.info('stopped');
  return 0;
}

function waitForSignal(app: TradingApp): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      void app.stop().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Keep the process alive: the core's own timers are unref'd.
    setInterval(() => undefined, 1 << 30);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = isTradingError(error)
      ? `${error.code}: ${error.message}${error.hint === undefined ? '' : `\n${error.hint}`}`
      : String(error);
    process.stderr.write(`agent-trading-server failed to start: ${message}\n`);
    process.exit(1);
  },
);
