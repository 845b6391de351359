#!/usr/bin/env node
import { type Config, loadConfig } from './config.js';
import { isTradingError } from './domain/errors.js';
import { createLogger } from './logger.js';
import { buildPaperExchange, type PaperExchange } from './main/paper-exchange.js';
import { describeExchange } from './main/banner.js';

const HELP = `agent-trading-server: a trading execution server for AI agents

Usage:
  npm start                 run the paper exchange on embedded defaults (offline, no keys needed)
  npm start -- --once       start, print the venues and their markets, and exit
  npm start -- --help       this text

Configuration (environment variables, all optional):
  TRADING_CLOCK=system|simulated   PAPER_FEED=random|replay|scripted   PAPER_SEED=42
  PAPER_FEED_INTERVAL_MS=250       PAPER_VENUES_FILE=config/venues.json
  PAPER_STARTING_CASH=100000       LOG_LEVEL=info
`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const exchange = await buildPaperExchange(config);
  await exchange.start();
  process.stdout.write(await describeExchange(exchange, config));
  if (argv.includes('--once')) {
    await exchange.stop();
    return 0;
  }
  logger.info(
    { venues: exchange.venues.map((v) => v.venue), feed: config.paperFeed },
    'paper exchange running',
  );
  await waitForSignal(exchange, config);
  logger.info('stopped');
  return 0;
}

function waitForSignal(exchange: PaperExchange, _config: Config): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      void exchange.stop().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Keep the process alive: the exchange's own timers are unref'd.
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
