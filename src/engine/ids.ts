import { randomBytes } from 'node:crypto';

/** Ids as a port (STYLE.md habit 8): time-ordered, unique, at most 36 characters of [A-Za-z0-9_-]. */
export interface IdGenerator {
  orderId(): string;
  clientOrderId(): string;
  eventId(): string;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

function randomPart(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET.charAt(b % 36);
  return out;
}

/** Sortable by creation time (a base-36 millisecond prefix), then 12 random characters. */
export class RandomIds implements IdGenerator {
  constructor(private readonly now: () => number = Date.now) {}

  private next(prefix: string): string {
    return `${prefix}${this.now().toString(36).padStart(9, '0')}${randomPart(12)}`;
  }

  orderId(): string {
    return this.next('ord_');
  }

  clientOrderId(): string {
    return this.next('c');
  }

  eventId(): string {
    return this.next('evt_');
  }
}
