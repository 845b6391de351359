/**
 * parseVenueProfiles against the bundled config/venues.json and README.md "The paper exchange":
 * the three venues with their documented fees, latency, depth and accounts; errors that name the
 * bad field; duplicate ids refused; PAPER_STARTING_CASH replacing every amount.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dec } from '../../domain/decimal.js';
import { isTradingError } from '../../domain/errors.js';
import { resolvePaperOptions } from './options.js';
import { type VenueProfile, parseVenueProfiles } from './venue-profiles.js';

const BUNDLED_PATH = new URL('../../../config/venues.json', import.meta.url);

function bundled(): unknown {
  return JSON.parse(readFileSync(BUNDLED_PATH, 'utf8')) as unknown;
}

/** One valid venue, to be broken one field at a time. */
function venue(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'paper-test',
    name: 'Test venue',
    assetClasses: ['us_equity'],
    accounts: [{ id: 'test-cash', type: 'cash', cash: { USD: '1000' } }],
    ...overrides,
  };
}

function parseError(json: unknown): { code: string; message: string } {
  try {
    parseVenueProfiles(json, 'test.json');
  } catch (error) {
    if (isTradingError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('parseVenueProfiles accepted the profiles');
}

function byId(profiles: readonly VenueProfile[], id: string): VenueProfile {
  const found = profiles.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no venue ${id}`);
  return found;
}

/** Fees and latency as the venue applies them to its first asset class (defaults included, §10). */
function effective(profile: VenueProfile): { fees: string; latency: [number, number, number] } {
  const o = resolvePaperOptions(profile.assetClasses[0] ?? 'us_equity', profile.options);
  return {
    fees: `${o.makerFeeBps.toFixed()}/${o.takerFeeBps.toFixed()}`,
    latency: [o.latencySubmitMs, o.latencyReplaceMs, o.latencyCancelMs],
  };
}

const cashOf = (profile: VenueProfile, index = 0): Record<string, string> =>
  Object.fromEntries(Object.entries(profile.accounts[index]?.cash ?? {}).map(([c, v]) => [c, v.toFixed()]));

describe('the bundled config/venues.json', () => {
  const profiles = parseVenueProfiles(bundled(), 'config/venues.json');

  it('defines the three documented venues', () => {
    expect(profiles.map((p) => p.id)).toEqual(['paper-value', 'paper-prime', 'paper-crypto']);
    expect(byId(profiles, 'paper-value').assetClasses).toEqual(['us_equity']);
    expect(byId(profiles, 'paper-prime').assetClasses).toEqual(['us_equity', 'forex']);
    expect(byId(profiles, 'paper-crypto').assetClasses).toEqual(['crypto']);
  });

  it('gives each venue its documented maker/taker fees and submit latency', () => {
    // README: value 0 / 0.3 bps, 35 ms; prime 0.5 / 2 bps, 1 ms; crypto 15 / 25 bps (the crypto default), 5 ms.
    expect(effective(byId(profiles, 'paper-value'))).toMatchObject({ fees: '0/0.3' });
    expect(effective(byId(profiles, 'paper-prime'))).toMatchObject({ fees: '0.5/2' });
    expect(effective(byId(profiles, 'paper-crypto'))).toMatchObject({ fees: '15/25' });
    expect(effective(byId(profiles, 'paper-value')).latency[0]).toBe(35);
    expect(effective(byId(profiles, 'paper-prime')).latency[0]).toBe(1);
    expect(effective(byId(profiles, 'paper-crypto')).latency[0]).toBe(5);
  });

  it('processes every command with the venue’s documented latency', () => {
    // README's single "latency" per venue, and paper-value's own description: "35 ms to process a command".
    expect(effective(byId(profiles, 'paper-value')).latency).toEqual([35, 35, 35]);
    expect(effective(byId(profiles, 'paper-prime')).latency).toEqual([1, 1, 1]);
    expect(effective(byId(profiles, 'paper-crypto')).latency).toEqual([5, 5, 5]);
  });

  it('gives paper-value half the displayed depth and the others full depth', () => {
    expect(byId(profiles, 'paper-value').depthScale.equals(dec('0.5'))).toBe(true);
    expect(byId(profiles, 'paper-prime').depthScale.equals(1)).toBe(true);
    expect(byId(profiles, 'paper-crypto').depthScale.equals(1)).toBe(true);
  });

  it('opens the documented accounts: two margin accounts in USD, one cash account in USD and USDT', () => {
    const summary = profiles.map((p) =>
      p.accounts.map((a) => ({
        id: a.id,
        venue: a.venue,
        type: a.type,
        allowShort: a.allowShort,
        multiplier: a.marginMultiplier.toFixed(),
        mode: a.mode,
      })),
    );
    expect(summary).toEqual([
      [
        {
          id: 'value-margin',
          venue: 'paper-value',
          type: 'margin',
          allowShort: true,
          multiplier: '2',
          mode: 'paper',
        },
      ],
      [
        {
          id: 'prime-margin',
          venue: 'paper-prime',
          type: 'margin',
          allowShort: true,
          multiplier: '2',
          mode: 'paper',
        },
      ],
      [
        {
          id: 'crypto-cash',
          venue: 'paper-crypto',
          type: 'cash',
          allowShort: false,
          multiplier: '1',
          mode: 'paper',
        },
      ],
    ]);
    expect(cashOf(byId(profiles, 'paper-value'))).toEqual({ USD: '100000' });
    expect(cashOf(byId(profiles, 'paper-prime'))).toEqual({ USD: '100000' });
    expect(cashOf(byId(profiles, 'paper-crypto'))).toEqual({ USD: '100000', USDT: '100000' });
  });
});

describe('parseVenueProfiles', () => {
  it('fills in the defaults of an account and a venue', () => {
    const [profile] = parseVenueProfiles(
      {
        venues: [
          venue({
            accounts: [
              { id: 'm', type: 'margin', cash: { USD: 10 } },
              { id: 'c', type: 'cash', cash: { USD: '10.5' } },
            ],
          }),
        ],
      },
      'test.json',
    );
    expect(profile?.description).toBe('');
    expect(profile?.depthScale.equals(1)).toBe(true);
    expect(profile?.options).toEqual({});
    expect(profile?.symbolOptions).toEqual({});
    const [margin, cash] = profile?.accounts ?? [];
    expect(margin?.marginMultiplier.toFixed()).toBe('2');
    expect(margin?.allowShort).toBe(true);
    expect(margin?.cash['USD']?.toFixed()).toBe('10');
    expect(cash?.marginMultiplier.toFixed()).toBe('1');
    expect(cash?.allowShort).toBe(false);
    expect(cash?.cash['USD']?.toFixed()).toBe('10.5');
  });

  it('keeps per-symbol options', () => {
    const [profile] = parseVenueProfiles(
      { venues: [venue({ symbolOptions: { AAPL: { latency_submit_ms: 3 } } })] },
      'test.json',
    );
    expect(profile?.symbolOptions['AAPL']).toEqual({ latency_submit_ms: 3 });
  });

  it.each([
    ['venues.0.options.taker_fee_bps', { options: { taker_fee_bps: 'abc' } }],
    ['venues.0.options.taker_fee_bps', { options: { taker_fee_bps: -1 } }],
    ['venues.0.options.latency_submit_ms', { options: { latency_submit_ms: 1.5 } }],
    ['venues.0.options', { options: { taker_fee: '2' } }],
    ['venues.0.depthScale', { depthScale: 'half' }],
    ['venues.0.id', { id: 'Paper Test' }],
    ['venues.0.assetClasses', { assetClasses: [] }],
    ['venues.0.assetClasses.0', { assetClasses: ['options'] }],
    ['venues.0.accounts.0.type', { accounts: [{ id: 'a', type: 'portfolio', cash: { USD: '1' } }] }],
    ['venues.0.accounts.0.cash.USD', { accounts: [{ id: 'a', type: 'cash', cash: { USD: '-5' } }] }],
    ['venues.0.symbolOptions.AAPL.bar_path', { symbolOptions: { AAPL: { bar_path: 'zigzag' } } }],
  ])('refuses a bad field with CONFIG_INVALID naming %s', (path, overrides) => {
    const error = parseError({ venues: [venue(overrides)] });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(path);
    expect(error.message).toContain('test.json');
  });

  it('names the venue by its index', () => {
    const error = parseError({ venues: [venue(), venue({ id: 'other', options: { maker_fee_bps: 'x' } })] });
    expect(error.message).toContain('venues.1.options.maker_fee_bps');
  });

  it('refuses an empty venue list and an unknown top-level key', () => {
    expect(parseError({ venues: [] }).message).toContain('venues');
    expect(parseError({ venues: [venue()], extra: true }).code).toBe('CONFIG_INVALID');
  });

  it('refuses duplicate venue ids', () => {
    const error = parseError({ venues: [venue(), venue({ name: 'Again' })] });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('paper-test');
    expect(error.message).toMatch(/duplicate/i);
  });

  it('replaces every currency of every account with the starting cash', () => {
    const profiles = parseVenueProfiles(bundled(), 'config/venues.json', dec('2500.25'));
    const amounts = profiles.flatMap((p) =>
      p.accounts.flatMap((a) => Object.values(a.cash).map((v) => v.toFixed())),
    );
    expect(amounts).toEqual(['2500.25', '2500.25', '2500.25', '2500.25']);
    expect(cashOf(byId(profiles, 'paper-crypto'))).toEqual({ USD: '2500.25', USDT: '2500.25' });
  });
});
