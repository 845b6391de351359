/**
 * The production logger's redaction: secret-looking keys at the top and one level down, and the
 * Authorization, Cookie and X-API-Key headers of a request, print as [redacted]; everything else
 * is as logged.
 */
import { describe, expect, it } from 'vitest';
import { Secret } from './brokers/credentials-secret.js';
import { createLogger } from './logger.js';

function capture(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('createLogger', () => {
  it('prints neither an apiSecret nor an Authorization header', () => {
    const out = capture();
    const logger = createLogger('info', {}, out);
    logger.info({ apiSecret: 'x-secret' }, 'first');
    logger.info({ headers: { authorization: 'Bearer abc' } }, 'second');
    const text = out.lines.join('');
    expect(text).not.toContain('x-secret');
    expect(text).not.toContain('Bearer abc');
    const [first, second] = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ apiSecret: '[redacted]', msg: 'first', service: 'agent-trading-server' });
    expect(second).toMatchObject({ headers: { authorization: '[redacted]' }, msg: 'second' });
  });

  it('redacts every secret-looking key at the top and one level down, and request headers', () => {
    const out = capture();
    const logger = createLogger('debug', { venue: 'alpaca' }, out);
    const values = {
      apiKey: 's-1',
      apiSecret: 's-2',
      secret: 's-3',
      password: 's-4',
      passphrase: 's-5',
      token: 's-6',
      authorization: 's-7',
      credentials: { apiKey: 's-8' },
      connection: { apiKey: 's-9', secret: 's-10', passphrase: 's-11', id: 'alpaca-live' },
      req: { headers: { authorization: 's-12', cookie: 's-13', 'x-api-key': 's-14', accept: 'json' } },
      headers: { 'x-api-key': 's-15', cookie: 's-16' },
      wrapped: { any: new Secret('s-17') },
    };
    logger.debug(values, 'connecting');
    const text = out.lines.join('');
    for (let i = 1; i <= 17; i += 1) expect(text).not.toContain(`"s-${i}"`);
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(line).toMatchObject({
      venue: 'alpaca',
      connection: { id: 'alpaca-live', apiKey: '[redacted]' },
      req: { headers: { accept: 'json', authorization: '[redacted]' } },
      wrapped: { any: '[redacted]' },
    });
  });

  it('keeps its level', () => {
    const out = capture();
    const logger = createLogger('warn', {}, out);
    logger.info('dropped');
    logger.warn('kept');
    expect(out.lines).toHaveLength(1);
  });
});
