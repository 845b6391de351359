import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Keys whose values are secrets, at the top of a line and one level down (`*.apiKey`). */
const SECRET_KEYS = [
  'apiKey',
  'apiSecret',
  'secret',
  'password',
  'passphrase',
  'token',
  'authorization',
  'credentials',
];

/**
 * Where secrets sit in a line: the keys above, at the top and one level down, and the
 * Authorization and Cookie headers of a request object (`headers`, `req.headers`). A `Secret`
 * (src/brokers/credentials-secret.ts) prints as `[redacted]` under any key.
 */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  ...['headers.authorization', 'headers.cookie', 'headers["x-api-key"]'].flatMap((path) => [
    path,
    `*.${path}`,
  ]),
];

/**
 * Structured logs, always to stderr: in stdio mode stdout is the MCP wire and must carry nothing
 * else. Secrets are redacted wherever they appear under the keys above. `destination` is for tests.
 */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  destination: DestinationStream = pino.destination({ fd: 2, sync: false }),
): Logger {
  return pino(
    {
      level,
      base: { service: 'agent-trading-server', ...bindings },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    destination,
  );
}
