import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json.js';

/** A stable hash of a request's parameters: the same request always hashes the same. */
export function requestHash(request: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}
