/** What a secret prints as, wherever it ends up: logs, JSON, template strings, the console. */
export const REDACTED = '[redacted]';

/**
 * A secret value (an API key, a signing secret, a passphrase, the credentials key) that cannot be
 * printed by accident: `String(secret)`, `${secret}`, `JSON.stringify`, `util.inspect`,
 * `console.log` and pino all show `[redacted]`. The value lives in a private field; `reveal()` is
 * the one way to read it, so every use of the plain value is a visible, searchable call.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plain value: only where it is needed (signing a request, encrypting), never to print. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  // util.inspect.custom, by its registered name: console.log and util.inspect call it.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** A Secret as is, a string wrapped. */
export function secret(value: Secret | string): Secret {
  return value instanceof Secret ? value : new Secret(value);
}
