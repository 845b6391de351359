/**
 * The live-trading rule: paper always trades; live only when named exactly in the opt-in and
 * with usable caps (a positive order cap, a daily cap no smaller than it); refusals say why.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../domain/decimal.js';
import { isTradingError } from '../domain/errors.js';
import { type LiveOptIn, liveTradingAllowed, requireLiveAllowed } from './credentials-live.js';

const live = { id: 'alpaca-live', mode: 'live' } as const;
const caps = { maxOrderNotional: dec('1000'), maxDailyNotional: dec('5000') };
/** An opt-in of these ids with these caps (the sample ones by default; `null`: none). */
const optIn = (connectionIds: string[], c: LiveOptIn['caps'] | null = caps): LiveOptIn => ({
  connectionIds,
  caps: c ?? undefined,
});

describe('liveTradingAllowed', () => {
  it('lets a paper connection trade without any opt-in', () => {
    expect(liveTradingAllowed({ id: 'alpaca-paper', mode: 'paper' }, optIn([], null))).toEqual({
      allowed: true,
      live: false,
    });
  });

  it('lets a live connection trade when named and capped, with its caps', () => {
    expect(liveTradingAllowed(live, optIn(['ccxt-binance-live', 'alpaca-live']))).toEqual({
      allowed: true,
      live: true,
      caps,
    });
    expect(liveTradingAllowed(live, optIn(['alpaca-live'], { maxOrderNotional: dec('1') })).allowed).toBe(
      true,
    );
  });

  it.each([
    ['not named', optIn([]), /not opted in/],
    ['named by a wildcard', optIn(['*']), /not opted in/],
    ['named by another id', optIn(['alpaca-paper', 'alpaca-live2']), /not opted in/],
    ['named without caps', optIn(['alpaca-live'], null), /without caps/],
    [
      'capped at 0 per order',
      optIn(['alpaca-live'], { maxOrderNotional: dec(0) }),
      /order notional must be above 0/,
    ],
    [
      'capped at 0 per day',
      optIn(['alpaca-live'], { maxOrderNotional: dec(1), maxDailyNotional: dec(0) }),
      /daily notional must be above 0/,
    ],
    [
      'capped lower per day than per order',
      optIn(['alpaca-live'], { maxOrderNotional: dec(100), maxDailyNotional: dec(99) }),
      /below the maximum order notional/,
    ],
  ])('refuses a live connection %s', (_, given, reason) => {
    const decision = liveTradingAllowed(live, given);
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) {
      expect(decision.reason).toMatch(reason);
      expect(decision.reason).toContain('"alpaca-live"');
    }
  });

  it('throws CONFIG_INVALID with the hint when required and refused', () => {
    expect(requireLiveAllowed(live, optIn(['alpaca-live']), 'h')).toEqual(caps);
    expect(requireLiveAllowed({ id: 'p', mode: 'paper' }, optIn([]), 'h')).toBeUndefined();
    try {
      requireLiveAllowed(live, optIn([]), 'set TRADING_LIVE_OPT_IN');
      expect.unreachable();
    } catch (error) {
      expect(isTradingError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as { hint: string }).hint).toBe('set TRADING_LIVE_OPT_IN');
    }
  });
});
