import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { AgentRegistry } from '../agents/registry.js';
import type { Logger } from '../logger.js';
import type { TradingApp } from '../main/trading-app.js';
import { packageVersion } from '../package-root.js';
import { toolDeps } from './deps.js';
import { ResourceChanges } from './resources.js';
import { createMcpServer } from './server.js';
import type { CallerAgent } from './tool-kit.js';

/**
 * Serves MCP on stdin/stdout as the local agent. stdout carries JSON-RPC only: logs go to stderr.
 * The server answers at once, while the trading core is still starting (tools/list needs no
 * core; a tool call waits for it), so a client's first tools/list does not wait for the store.
 * Resolves when the client closes the connection.
 */
export async function serveMcpOverStdio(
  starting: Promise<TradingApp>,
  registry: AgentRegistry,
  caller: CallerAgent,
  logger: Logger,
): Promise<void> {
  const version = await packageVersion();
  const deps = starting.then((app) => toolDeps(app, registry));
  const changes = starting.then((app) => new ResourceChanges(app.bus));
  // A failed start leaves nothing to serve: the caller stops (its own rejection of `starting`).
  deps.catch(() => undefined);
  changes.catch(() => undefined);
  await new Promise<void>((resolve) => {
    const handle = serveStdio(({ era }) => createMcpServer(deps, caller, { version, logger, changes, era }), {
      onerror: (error) => {
        logger.warn({ err: error }, 'stdio transport error');
      },
    });
    const end = (): void => {
      void changes.then(
        (c) => {
          c.stop();
        },
        () => undefined,
      );
      handle.close().then(resolve, resolve);
    };
    process.stdin.once('end', end);
    process.stdin.once('close', end);
  });
}
