import type { RiskCheck, RiskLimits } from '../types.js';
import { denied, passed, sourceName, tightestLevel } from './support.js';

const NAME = 'stale_quote';
const CODE = 'STALE_QUOTE';
const PASS = passed(NAME, CODE);

/** §7.2 defaults: a reference quote older than this is stale while the session is open. */
export const DEFAULT_MAX_QUOTE_AGE_MS = 5000;

const pickMaxAge = (limits: RiskLimits): number | undefined => limits.maxQuoteAgeMs;

/** §7.2 #7: while the session is open, the order needs a quote no older than the tightest level allows. */
export const staleQuote: RiskCheck = (input) => {
  if (!input.sessionOpen) return PASS;
  const tightest = tightestLevel(input.levels, pickMaxAge);
  const maxAge = tightest?.limits.maxQuoteAgeMs ?? DEFAULT_MAX_QUOTE_AGE_MS;
  const level = tightest?.level ?? 'global';
  const { quote, instrument } = input;
  if (quote === undefined) {
    return denied(NAME, CODE, {
      level,
      limit: maxAge,
      message: `There is no quote for ${instrument.symbol} while its session is open, so the order cannot be priced or checked; retry once the market data feed has a quote (getQuote).`,
    });
  }
  const age = input.now - quote.ts;
  if (age <= maxAge) return PASS;
  return denied(NAME, CODE, {
    level,
    limit: maxAge,
    actual: age,
    message: `The ${instrument.symbol} quote is ${age} ms old, over the ${maxAge} ms allowed (maxQuoteAgeMs from ${sourceName(tightest)}); retry when the feed updates (getQuote), or check the venue's status (listVenues).`,
  });
};
