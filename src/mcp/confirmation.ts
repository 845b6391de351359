/**
 * Human confirmation of large orders (an agent card's confirmAboveNotional). A client that supports
 * elicitation is asked through it; any other caller gets CONFIRMATION_REQUIRED with a preview and
 * a confirm token: single-use, short-lived, and bound to the agent and the exact request, so it
 * cannot confirm a different order or be replayed.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { type Decimal, toWire } from '../domain/decimal.js';
import { TradingError } from '../domain/errors.js';
import { requestHash } from '../engine/request-hash.js';

/** How long a confirm token stays valid. */
export const CONFIRM_TOKEN_TTL_MS = 60_000;
/** Tokens outstanding at most; the oldest go first (a caller cannot grow memory without bound). */
const MAX_OUTSTANDING = 10_000;

interface Outstanding {
  readonly agentId: string;
  readonly hash: string;
  readonly expiresAt: number;
}

export class ConfirmationTokens {
  private readonly outstanding = new Map<string, Outstanding>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = CONFIRM_TOKEN_TTL_MS,
  ) {}

  /** A new token for this agent and request. */
  mint(agentId: string, request: Readonly<Record<string, unknown>>): { token: string; expiresAt: number } {
    const now = this.clock.now();
    for (const [token, entry] of this.outstanding) {
      if (entry.expiresAt <= now || this.outstanding.size >= MAX_OUTSTANDING) this.outstanding.delete(token);
      else break;
    }
    const token = `cfm_${randomBytes(24).toString('base64url')}`;
    const expiresAt = now + this.ttlMs;
    this.outstanding.set(token, { agentId, hash: hashOf(request), expiresAt });
    return { token, expiresAt };
  }

  /**
   * Whether the token confirms exactly this request by this agent, now. A token is used up by its
   * first redemption attempt, matching or not.
   */
  redeem(token: string, agentId: string, request: Readonly<Record<string, unknown>>): boolean {
    const entry = this.outstanding.get(token);
    if (entry === undefined) return false;
    this.outstanding.delete(token);
    return entry.agentId === agentId && entry.hash === hashOf(request) && this.clock.now() < entry.expiresAt;
  }
}

/** The request as it travels on the wire (decimals as strings), without the token itself. */
function hashOf(request: Readonly<Record<string, unknown>>): string {
  const { confirmToken: _token, ...rest } = JSON.parse(JSON.stringify(request)) as Record<string, unknown>;
  return requestHash(rest);
}

/** What the person confirming is shown. */
export interface OrderPreview {
  readonly symbol: string;
  readonly side: string;
  readonly quantity: string;
  readonly type: string;
  /** quantity × the price the order would trade at (limit, stop or the current quote); absent when unknown. */
  readonly estimatedNotional?: string;
  readonly threshold: string;
}

export function previewText(p: OrderPreview): string {
  const notional = p.estimatedNotional === undefined ? 'an unknown notional' : `about ${p.estimatedNotional}`;
  return `Confirm ${p.side} ${p.quantity} ${p.symbol} (${p.type}): ${notional}, above this agent's confirmation threshold of ${p.threshold}.`;
}

/** CONFIRMATION_REQUIRED with the preview and a fresh token for exactly this request. */
export function confirmationRequired(
  tokens: ConfirmationTokens,
  agentId: string,
  request: Readonly<Record<string, unknown>>,
  preview: OrderPreview,
  why?: string,
): TradingError {
  const { token, expiresAt } = tokens.mint(agentId, request);
  return new TradingError(
    'CONFIRMATION_REQUIRED',
    `${why === undefined ? '' : `${why} `}${previewText(preview)}`,
    {
      hint: 'Show the preview to the person you act for; if they approve, call executeOrder again with the same arguments plus confirmToken (valid once, for 60 seconds).',
      details: { preview, confirmToken: token, expiresAt: new Date(expiresAt).toISOString() },
    },
  );
}

/** Whether the estimated notional is above the threshold (an unknown notional needs confirming). */
export function needsConfirmation(notional: Decimal | undefined, threshold: Decimal): boolean {
  return notional === undefined || notional.greaterThan(threshold);
}

export const wireNotional = (d: Decimal | undefined): string | undefined =>
  d === undefined ? undefined : toWire(d.toDecimalPlaces(2));
