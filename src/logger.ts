import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs, always to stderr: in stdio mode stdout is the MCP wire and must carry nothing
 * else. Secrets are redacted wherever they appear under these keys.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'agent-trading-server', ...bindings },
      redact: {
        paths: [
          '*.apiKey',
          '*.apiSecret',
          '*.secret',
          '*.password',
          '*.token',
          '*.authorization',
          'apiKey',
          'secret',
          'authorization',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}
