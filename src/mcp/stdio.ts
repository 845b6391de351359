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
 * Resolves when the client closes the connection.
 */
export async function serveMcpOverStdio(
  app: TradingApp,
  registry: AgentRegistry,
  caller: CallerAgent,
  logger: Logger,
): Promise<void> {
  const version = await packageVersion();
  const deps = toolDeps(app, registry);
  const changes = new ResourceChanges(app.bus);
  await new Promise<void>((resolve) => {
    const handle = serveStdio(({ era }) => createMcpServer(deps, caller, { version, logger, changes, era }), {
      onerror: (error) => {
        logger.warn({ err: error }, 'stdio transport error');
      },
    });
    const end = (): void => {
      changes.stop();
      handle.close().then(resolve, resolve);
    };
    process.stdin.once('end', end);
    process.stdin.once('close', end);
  });
}
