import { randomBytes } from 'node:crypto';

/** Ids as a port (STYLE.md habit 8): time-ordered, unique, at most 36 characters of [A-Za-z0-9_-]. */
export interface IdGenerator {
  orderId(): string;
  clientOrderId(): string;
  eventId(): string;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Random bytes drawn from the CSPRNG in blocks: one call per ~340 ids instead of one each. */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let used = 0;

function randomPart(length: number): string {
  if (used + length > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    used = 0;
  }
  let out = '';
  for (let i = used; i < used + length; i++) out += ALPHABET.charAt((pool[i] ?? 0) % 36);
  used += length;
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
