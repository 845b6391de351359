import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { TradingError } from '../domain/errors.js';
import {
  CREDENTIALS_KEY,
  GENERATE_KEY_HINT,
  PREVIOUS_CREDENTIALS_KEY,
  type VaultKey,
  parseCredentialsKey,
} from './credentials-key.js';
import { Secret } from './credentials-secret.js';

export { Secret, secret } from './credentials-secret.js';

/** A broker connection's credentials, every field a Secret. */
export interface Credentials {
  readonly apiKey: Secret;
  readonly apiSecret: Secret;
  /** Some venues add one (Coinbase, OKX, KuCoin: ccxt's `password`). */
  readonly passphrase?: Secret;
}

/** Credentials encrypted for one broker connection, as stored. */
export interface SealedCredentials {
  /** The id of the key that encrypted them (credentials-key.ts). */
  readonly keyId: string;
  /** `v1.<iv>.<tag>.<ciphertext>`, each part base64url: a 12-byte IV, a 16-byte GCM tag. */
  readonly ciphertext: string;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

const plaintext = z.strictObject({
  apiKey: z.string().min(1),
  apiSecret: z.string().min(1),
  passphrase: z.string().min(1).optional(),
});

/**
 * Encrypts and decrypts broker credentials with AES-256-GCM: a fresh random 12-byte IV each time,
 * the 16-byte tag stored, and associated data binding the ciphertext to its connection id and key
 * id, so a ciphertext copied to another connection (or relabelled with another key id) fails to
 * decrypt. It encrypts with the current key and decrypts with it or any previous key (rotation:
 * decrypt with the old one, encrypt again with the new one, see `isCurrent`).
 */
export class CredentialVault {
  readonly #current: VaultKey;
  readonly #keys: ReadonlyMap<string, VaultKey>;

  /** Throws CONFIG_INVALID when a key is not 32 bytes in base64 or hex (credentials-key.ts). */
  constructor(key: Secret, previous: readonly Secret[] = []) {
    this.#current = parseCredentialsKey(key, CREDENTIALS_KEY);
    const older = previous.map((k) => parseCredentialsKey(k, PREVIOUS_CREDENTIALS_KEY));
    this.#keys = new Map([this.#current, ...older].map((k) => [k.id, k]));
  }

  /** The id of the key new ciphertexts are made with. */
  get keyId(): string {
    return this.#current.id;
  }

  /** Every key id this vault decrypts, the current one first. */
  get keyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  encrypt(connectionId: string, credentials: Credentials): SealedCredentials {
    const key = this.#current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(connectionId, key.id));
    const data = Buffer.concat([cipher.update(reveal(credentials), 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return { keyId: key.id, ciphertext: [VERSION, ...parts].join('.') };
  }

  /** Throws CONFIG_INVALID naming both key ids for a key this vault lacks, or on a failed tag. */
  decrypt(connectionId: string, sealed: SealedCredentials): Credentials {
    const key = this.#keys.get(sealed.keyId);
    if (key === undefined) throw this.wrongKey(connectionId, sealed.keyId);
    const [version, iv, tag, data, ...rest] = sealed.ciphertext.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || data === undefined || rest.length > 0)
      throw unreadable(connectionId, sealed.keyId, 'it is not a v1 ciphertext');
    try {
      const decipher = createDecipheriv(ALGORITHM, key.bytes, bytes(iv, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(associatedData(connectionId, key.id));
      decipher.setAuthTag(bytes(tag, TAG_BYTES));
      const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
      return wrap(plaintext.parse(JSON.parse(text.toString('utf8'))));
    } catch {
      // No cause attached: a parse error's message could quote the decrypted text.
      throw unreadable(connectionId, key.id, 'it was changed, or it was made for another connection');
    }
  }

  /** Whether these credentials are encrypted with the current key (otherwise: re-encrypt them). */
  isCurrent(sealed: SealedCredentials): boolean {
    return sealed.keyId === this.#current.id;
  }

  toJSON(): { keyIds: readonly string[] } {
    return { keyIds: this.keyIds };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CredentialVault { keyIds: ${this.keyIds.join(', ')} }`;
  }

  private wrongKey(connectionId: string, stored: string): TradingError {
    const have = this.keyIds.join(', ');
    return new TradingError(
      'CONFIG_INVALID',
      `The credentials of broker connection "${connectionId}" are encrypted with key ${stored}, ` +
        `but this server has key ${have} (${CREDENTIALS_KEY}${this.#keys.size > 1 ? ` and ${PREVIOUS_CREDENTIALS_KEY}` : ''}).`,
      {
        hint:
          `Set ${CREDENTIALS_KEY} to the key whose id is ${stored} (a key's id is the first 8 hex ` +
          `digits of the SHA-256 of its 32 bytes); while rotating, set the old key as ` +
          `${PREVIOUS_CREDENTIALS_KEY}. Or save this connection's credentials again.`,
        details: { connectionId, keyId: stored, serverKeyIds: this.keyIds },
      },
    );
  }
}

/**
 * The vault for the configured keys; a missing key is CONFIG_INVALID with how to make one. Only
 * a server that stores broker connections needs it.
 */
export function openVault(key: Secret | undefined, previous?: Secret): CredentialVault {
  if (key === undefined)
    throw new TradingError(
      'CONFIG_INVALID',
      `${CREDENTIALS_KEY} is not set: broker credentials cannot be stored.`,
      {
        hint: GENERATE_KEY_HINT,
      },
    );
  return new CredentialVault(key, previous === undefined ? [] : [previous]);
}

/** Credentials from plain strings (a form, a test), wrapped at once. */
export function credentials(plain: z.input<typeof plaintext>): Credentials {
  return wrap(plaintext.parse(plain));
}

/** The version, the connection and the key: what a ciphertext is bound to besides its key. */
function associatedData(connectionId: string, id: string): Buffer {
  return Buffer.from(`agent-trading-server/broker-credentials/${VERSION}\n${connectionId}\n${id}`, 'utf8');
}

function reveal(c: Credentials): string {
  return JSON.stringify({
    apiKey: c.apiKey.reveal(),
    apiSecret: c.apiSecret.reveal(),
    ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase.reveal() }),
  });
}

function wrap(plain: z.output<typeof plaintext>): Credentials {
  return {
    apiKey: new Secret(plain.apiKey),
    apiSecret: new Secret(plain.apiSecret),
    ...(plain.passphrase === undefined ? {} : { passphrase: new Secret(plain.passphrase) }),
  };
}

/** A base64url part of exactly `length` bytes (a short GCM tag would weaken the check). */
function bytes(part: string, length: number): Buffer {
  const buffer = Buffer.from(part, 'base64url');
  if (buffer.length !== length) throw new Error(`expected ${length} bytes, got ${buffer.length}`);
  return buffer;
}

function unreadable(connectionId: string, id: string, why: string): TradingError {
  return new TradingError(
    'CONFIG_INVALID',
    `The credentials of broker connection "${connectionId}" (key ${id}) cannot be decrypted: ${why}.`,
    { hint: "Save this connection's credentials again.", details: { connectionId, keyId: id } },
  );
}
