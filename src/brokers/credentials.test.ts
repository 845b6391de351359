/**
 * The credential vault and the Secret wrapper: AES-256-GCM round trips; a changed IV, tag or
 * ciphertext, another connection's id or a relabelled key id fail; a wrong key fails naming both
 * key ids and nothing secret; rotation; the key's accepted spellings and the missing/short key
 * errors; a Secret prints as [redacted] through every path a value can be printed by.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type TradingError, isTradingError } from '../domain/errors.js';
import { CredentialVault, type SealedCredentials, credentials, openVault } from './credentials.js';
import { keyId, parseCredentialsKey } from './credentials-key.js';
import { Secret, secret } from './credentials-secret.js';

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const API_KEY = 'PKTEST1234567890ABCD';
const API_SECRET = 'sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const PASSPHRASE = 'correct horse battery staple';

const vaultOf = (key: Buffer, previous: Buffer[] = []): CredentialVault =>
  new CredentialVault(
    new Secret(key.toString('base64')),
    previous.map((k) => new Secret(k.toString('base64'))),
  );

const sample = () => credentials({ apiKey: API_KEY, apiSecret: API_SECRET, passphrase: PASSPHRASE });

/** The TradingError a call throws. */
function thrown(fn: () => unknown): TradingError {
  try {
    fn();
  } catch (error) {
    if (isTradingError(error)) return error;
    throw error;
  }
  throw new Error('expected a TradingError');
}

/** Everything an error shows: message, hint, body, inspection. */
function shown(error: TradingError): string {
  return [error.message, error.hint, JSON.stringify(error.toBody()), inspect(error, { depth: 5 })].join('\n');
}

/** The ciphertext with one byte of part `index` (1: IV, 2: tag, 3: data) flipped. */
function flip(sealed: SealedCredentials, index: number): SealedCredentials {
  const parts = sealed.ciphertext.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return { ...sealed, ciphertext: parts.join('.') };
}

describe('CredentialVault', () => {
  it('round-trips credentials, as Secrets, with a passphrase or without', () => {
    const vault = vaultOf(KEY);
    const opened = vault.decrypt('alpaca-paper', vault.encrypt('alpaca-paper', sample()));
    expect(opened.apiKey.reveal()).toBe(API_KEY);
    expect(opened.apiSecret.reveal()).toBe(API_SECRET);
    expect(opened.passphrase?.reveal()).toBe(PASSPHRASE);
    const bare = credentials({ apiKey: API_KEY, apiSecret: API_SECRET });
    const back = vault.decrypt('x', vault.encrypt('x', bare));
    expect(back.passphrase).toBeUndefined();
    expect(back.apiSecret).toBeInstanceOf(Secret);
  });

  it('makes a fresh 12-byte IV and a 16-byte tag each time, and no trace of the plaintext', () => {
    const vault = vaultOf(KEY);
    const a = vault.encrypt('c', sample());
    const b = vault.encrypt('c', sample());
    expect(a.ciphertext).not.toBe(b.ciphertext);
    const [version, iv, tag] = a.ciphertext.split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(a.keyId).toBe(vault.keyId);
    for (const plain of [API_KEY, API_SECRET, PASSPHRASE]) {
      expect(a.ciphertext).not.toContain(plain);
      expect(a.ciphertext).not.toContain(Buffer.from(plain).toString('base64url').slice(0, 12));
    }
  });

  it.each([
    [1, 'IV'],
    [2, 'tag'],
    [3, 'ciphertext'],
  ])('refuses a changed %s', (index) => {
    const vault = vaultOf(KEY);
    const error = thrown(() => vault.decrypt('c', flip(vault.encrypt('c', sample()), index)));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('cannot be decrypted');
    expect(shown(error)).not.toContain(API_SECRET);
  });

  it('refuses a truncated tag, a missing part and an unknown version', () => {
    const vault = vaultOf(KEY);
    const sealed = vault.encrypt('c', sample());
    const parts = sealed.ciphertext.split('.');
    const shortTag = [
      parts[0],
      parts[1],
      Buffer.from(parts[2]!, 'base64url').subarray(0, 12).toString('base64url'),
      parts[3],
    ];
    for (const ciphertext of [
      shortTag.join('.'),
      parts.slice(0, 3).join('.'),
      ['v2', ...parts.slice(1)].join('.'),
    ])
      expect(thrown(() => vault.decrypt('c', { ...sealed, ciphertext })).code).toBe('CONFIG_INVALID');
  });

  it("refuses a ciphertext copied to another connection, or relabelled with another key's id", () => {
    const vault = vaultOf(KEY, [OTHER_KEY]);
    const sealed = vault.encrypt('alpaca-paper', sample());
    expect(thrown(() => vault.decrypt('alpaca-live', sealed)).message).toMatch(/another connection/);
    const relabelled = { ...sealed, keyId: keyId(OTHER_KEY) };
    expect(thrown(() => vault.decrypt('alpaca-paper', relabelled)).code).toBe('CONFIG_INVALID');
  });

  it('refuses the wrong key naming both key ids, and neither key nor secret', () => {
    const sealed = vaultOf(KEY).encrypt('c', sample());
    const error = thrown(() => vaultOf(OTHER_KEY).decrypt('c', sealed));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(keyId(KEY));
    expect(error.message).toContain(keyId(OTHER_KEY));
    expect(error.details).toMatchObject({ keyId: keyId(KEY), serverKeyIds: [keyId(OTHER_KEY)] });
    const text = shown(error);
    for (const hidden of [API_KEY, API_SECRET, PASSPHRASE, ...[KEY, OTHER_KEY].flatMap(spellings)])
      expect(text).not.toContain(hidden);
  });

  it('decrypts with a previous key during a rotation and encrypts with the current one', () => {
    const old = vaultOf(OTHER_KEY).encrypt('c', sample());
    const rotating = vaultOf(KEY, [OTHER_KEY]);
    expect(rotating.keyIds).toEqual([keyId(KEY), keyId(OTHER_KEY)]);
    expect(rotating.isCurrent(old)).toBe(false);
    const again = rotating.encrypt('c', rotating.decrypt('c', old));
    expect(rotating.isCurrent(again)).toBe(true);
    expect(vaultOf(KEY).decrypt('c', again).apiSecret.reveal()).toBe(API_SECRET);
  });

  it('never prints its keys', () => {
    const vault = vaultOf(KEY);
    const printed = [JSON.stringify(vault), inspect(vault, { showHidden: true })].join('\n');
    for (const spelling of spellings(KEY)) expect(printed).not.toContain(spelling);
    expect(printed).toContain(vault.keyId);
  });
});

/** A key's spellings: base64, base64url, hex. */
function spellings(key: Buffer): string[] {
  return [key.toString('base64'), key.toString('base64url'), key.toString('hex')];
}

describe('the credentials key', () => {
  it('is 32 bytes in base64 (padded or not, either alphabet) or hex, with the same id', () => {
    const id = createHash('sha256').update(KEY).digest('hex').slice(0, 8);
    const b64 = KEY.toString('base64');
    for (const text of [
      b64,
      b64.replace(/=$/, ''),
      KEY.toString('base64url'),
      KEY.toString('hex'),
      ` ${b64}\n`,
    ])
      expect(parseCredentialsKey(new Secret(text)).id).toBe(id);
  });

  it('refuses a short, long or garbled key as CONFIG_INVALID with how to make one, never echoing it', () => {
    for (const text of [
      randomBytes(16).toString('base64'),
      randomBytes(31).toString('hex'),
      randomBytes(33).toString('base64'),
      'not a key at all, just words!',
      `${randomBytes(32).toString('hex').slice(0, 63)}g`,
    ]) {
      const error = thrown(() => new CredentialVault(new Secret(text)));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain('TRADING_CREDENTIALS_KEY');
      expect(error.hint).toContain(
        `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
      );
      expect(shown(error)).not.toContain(text);
    }
  });

  it('names the previous key variable when that one is bad', () => {
    const error = thrown(() => new CredentialVault(new Secret(KEY.toString('hex')), [new Secret('short')]));
    expect(error.message).toContain('TRADING_CREDENTIALS_PREVIOUS_KEY');
  });

  it('is required to store credentials: a missing key says how to make one', () => {
    const error = thrown(() => openVault(undefined));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('TRADING_CREDENTIALS_KEY is not set');
    expect(error.hint).toContain('randomBytes(32)');
    expect(
      openVault(new Secret(KEY.toString('hex')), new Secret(OTHER_KEY.toString('base64'))).keyIds,
    ).toEqual([keyId(KEY), keyId(OTHER_KEY)]);
  });
});

describe('Secret', () => {
  const value = 'x-very-secret-value-42';
  const s = new Secret(value);

  it('gives its value only through reveal()', () => {
    expect(s.reveal()).toBe(value);
    expect(secret(s)).toBe(s);
    expect(secret(value).reveal()).toBe(value);
    expect(Object.keys(s)).toEqual([]);
    expect(Object.getOwnPropertyNames(s)).toEqual([]);
  });

  it('prints as [redacted] in JSON, strings, templates and concatenation', () => {
    expect(JSON.stringify({ apiSecret: s, nested: [s] })).toBe(
      '{"apiSecret":"[redacted]","nested":["[redacted]"]}',
    );
    expect(String(s)).toBe('[redacted]');
    // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the point: a careless template
    expect(`key=${s}`).toBe('key=[redacted]');
    // eslint-disable-next-line @typescript-eslint/restrict-plus-operands -- likewise a careless concatenation
    expect('key=' + s).toBe('key=[redacted]');
  });

  it('prints as [redacted] through util.inspect and format', () => {
    const printed = [
      inspect(s),
      inspect({ credentials: { apiSecret: s } }, { depth: 10, showHidden: true }),
      format('%s %o %O %j', s, s, { s }, { s }),
    ].join('\n');
    expect(printed).not.toContain(value);
    expect(inspect(s)).toBe('[redacted]');
  });

  it('prints as [redacted] on a console', () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const console = new Console({ stdout: sink, stderr: sink });
    console.log(s);
    console.log('secret: %s', s);
    console.error({ apiSecret: s });
    console.table([{ apiSecret: s }]);
    expect(chunks.join('')).not.toContain(value);
    expect(chunks.join('')).toContain('[redacted]');
  });

  it('prints as [redacted] through pino, even without its redact option', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    logger.info({ connection: { value: s }, list: [s] }, 'connected');
    logger.info('with %s', s);
    expect(lines.join('')).not.toContain(value);
    expect(lines.join('')).toContain('[redacted]');
  });
});
