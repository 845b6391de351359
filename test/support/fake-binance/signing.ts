/**
 * Binance's SIGNED endpoint rules: the X-MBX-APIKEY header, `timestamp`, and `signature` = hex
 * HMAC-SHA256 of the query string (GET, DELETE) or form body (POST) before `&signature=`, keyed
 * with the API secret. Checking the HMAC proves the adapter signs, and with the right secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type BinanceError, invalidApiKey, invalidSignature, missingParam } from './binance-errors.js';

export interface ApiCredentials {
  readonly apiKey: string;
  readonly secret: string;
}

/** The request's parameters: the query string, or the form body of a POST. */
export function payloadOf(request: Request, body: string): string {
  if (request.method === 'POST' || request.method === 'PUT') return body;
  const url = new URL(request.url);
  return url.search.startsWith('?') ? url.search.slice(1) : url.search;
}

/** A refusal of the signed request, or undefined when it is properly signed. */
export function signatureRefusal(
  request: Request,
  payload: string,
  credentials: ApiCredentials,
): BinanceError | undefined {
  if (request.headers.get('X-MBX-APIKEY') !== credentials.apiKey) return invalidApiKey();
  const params = new URLSearchParams(payload);
  if (params.get('timestamp') === null) return missingParam('timestamp');
  const at = payload.lastIndexOf('&signature=');
  if (at < 0) return missingParam('signature');
  const signed = payload.slice(0, at);
  const given = Buffer.from(decodeURIComponent(payload.slice(at + '&signature='.length)), 'utf8');
  const expected = Buffer.from(createHmac('sha256', credentials.secret).update(signed).digest('hex'), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? undefined
    : invalidSignature();
}
