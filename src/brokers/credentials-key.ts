import { createHash } from 'node:crypto';
import { TradingError } from '../domain/errors.js';
import type { Secret } from './credentials-secret.js';

/** The variable holding the credentials key, and the one holding the key it replaces. */
export const CREDENTIALS_KEY = 'TRADING_CREDENTIALS_KEY';
export const PREVIOUS_CREDENTIALS_KEY = 'TRADING_CREDENTIALS_PREVIOUS_KEY';

/** How to make a key: what every missing-or-bad-key error says. */
export const GENERATE_KEY_HINT =
  `Generate a key with node -e "console.log(require('crypto').randomBytes(32).toString('base64'))" ` +
  `and set ${CREDENTIALS_KEY} to it. Keep it out of the database and its backups: whoever holds both ` +
  `can read the broker credentials.`;

const KEY_BYTES = 32;
const HEX = /^[0-9a-fA-F]{64}$/;
// Standard or URL-safe alphabet, padding optional: 32 bytes are 43 characters and one "=".
const BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;

/** A credentials key's bytes and id. */
export interface VaultKey {
  readonly id: string;
  readonly bytes: Buffer;
}

/**
 * Why a credentials key is unusable, or undefined when it is usable. A key is 32 random bytes
 * written as hex (64 characters) or base64 (44 characters, standard or URL-safe alphabet, the
 * trailing "=" optional). The message never contains the key, only its length.
 */
export function credentialsKeyProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (HEX.test(trimmed) || (BASE64.test(trimmed) && Buffer.from(trimmed, 'base64').length === KEY_BYTES))
    return undefined;
  return (
    `expected 32 random bytes as base64 (44 characters) or hex (64 characters); ` +
    `the value has ${trimmed.length} characters`
  );
}

/** The key's bytes and id; throws CONFIG_INVALID (naming `variable`, never the key) when unusable. */
export function parseCredentialsKey(key: Secret, variable = CREDENTIALS_KEY): VaultKey {
  const text = key.reveal().trim();
  const problem = credentialsKeyProblem(text);
  if (problem !== undefined)
    throw new TradingError('CONFIG_INVALID', `${variable}: ${problem}.`, { hint: GENERATE_KEY_HINT });
  const bytes = HEX.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return { id: keyId(bytes), bytes };
}

/**
 * A key's id: the first 8 hex digits of the SHA-256 of its 32 bytes. Stored with every ciphertext
 * so that a wrong key is named as such (and a rotation knows what to re-encrypt); it tells keys
 * apart without revealing them.
 */
export function keyId(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}
