import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { isTradingError } from '../domain/errors.js';
import { CAPABILITIES, PROFICIENCIES, SCOPES, cardToJson, parseAgentCard } from './card.js';

const FILE = 'agents/execution.json';

const valid = () => ({
  id: 'execution',
  name: 'Execution agent',
  description: 'Executes decided trades.',
  capabilities: [
    { name: 'ORDER_EXECUTION', proficiency: 'ADVANCED' },
    { name: 'BROKER_ROUTING', proficiency: 'INTERMEDIATE' },
  ],
  scopes: ['read', 'trade'],
  accounts: ['value-margin'],
  limits: {
    maxOrderNotional: '1000000',
    maxDailyNotional: 5000000,
    maxOpenOrders: 200,
    maxOrdersPerMinute: 120,
  },
  confirmAboveNotional: '250000',
});

/** The CONFIG_INVALID message parseAgentCard throws for the card. */
function failure(card: unknown): string {
  try {
    parseAgentCard(card, FILE);
  } catch (error) {
    if (!isTradingError(error, 'CONFIG_INVALID')) throw error;
    expect(error.hint).toMatch(/CONTRACT\.md/);
    return error.message;
  }
  throw new Error('the card was accepted');
}

const withField = (path: string[], value: unknown): Record<string, unknown> => {
  const card: Record<string, unknown> = valid();
  let target = card;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path.at(-1)!] = value;
  return card;
};

describe('parseAgentCard', () => {
  it('reads a full card, decimals as Decimal', () => {
    const card = parseAgentCard(valid(), FILE);
    expect(card.id).toBe('execution');
    expect(card.capabilities).toEqual(valid().capabilities);
    expect(card.scopes).toEqual(['read', 'trade']);
    expect(card.accounts).toEqual(['value-margin']);
    expect(card.limits?.maxOrderNotional).toBeInstanceOf(Decimal);
    expect(card.limits?.maxDailyNotional.toFixed()).toBe('5000000');
    expect(card.limits?.maxOpenOrders).toBe(200);
    expect(card.confirmAboveNotional?.toFixed()).toBe('250000');
  });

  it('reads a minimal card, leaving the optional fields absent', () => {
    const { accounts: _a, limits: _l, confirmAboveNotional: _c, ...minimal } = valid();
    const card = parseAgentCard(minimal, FILE);
    expect(Object.keys(card).sort()).toEqual(['capabilities', 'description', 'id', 'name', 'scopes']);
  });

  it('accepts every capability, proficiency and scope', () => {
    const card = parseAgentCard(
      {
        ...valid(),
        capabilities: CAPABILITIES.map((name, i) => ({ name, proficiency: PROFICIENCIES[i % 4] })),
        scopes: [...SCOPES],
      },
      FILE,
    );
    expect(card.capabilities).toHaveLength(6);
    expect(card.scopes).toEqual(SCOPES);
  });

  it('reads "0.1" and 0.1 as the exact decimal 0.1', () => {
    for (const value of ['0.1', 0.1]) {
      const card = parseAgentCard({ ...valid(), confirmAboveNotional: value }, FILE);
      expect(card.confirmAboveNotional?.equals(new Decimal('0.1'))).toBe(true);
      expect(card.confirmAboveNotional?.toFixed()).toBe('0.1');
    }
    const card = parseAgentCard(withField(['limits', 'maxOrderNotional'], 0.30000000000000004), FILE);
    expect(card.limits?.maxOrderNotional.toFixed()).toBe('0.30000000000000004');
    const precise = parseAgentCard(
      withField(['limits', 'maxDailyNotional'], '12345678901234567890.123456789'),
      FILE,
    );
    expect(precise.limits?.maxDailyNotional.toFixed()).toBe('12345678901234567890.123456789');
  });

  it('writes the card back as JSON with decimals as strings, and reads that back equal', () => {
    const card = parseAgentCard(valid(), FILE);
    const json = cardToJson(card);
    expect(json.limits?.maxDailyNotional).toBe('5000000');
    expect(json.confirmAboveNotional).toBe('250000');
    expect(parseAgentCard(JSON.parse(JSON.stringify(json)), FILE)).toEqual(card);
  });

  it('names the file and the field: limits.maxOrderNotional must be a positive decimal', () => {
    expect(failure(withField(['limits', 'maxOrderNotional'], '-5'))).toMatch(
      /^agents\/execution\.json: limits\.maxOrderNotional: must be a positive decimal/,
    );
  });

  it.each<[string, string[], unknown, RegExp]>([
    ['an uppercase id', ['id'], 'Execution', /id: must be a lowercase slug/],
    ['an id starting with "-"', ['id'], '-exec', /id: must be a lowercase slug/],
    ['a 64-character id', ['id'], 'a'.repeat(64), /id: must be a lowercase slug/],
    ['a numeric id', ['id'], 7, /id: must be a lowercase slug/],
    ['an empty name', ['name'], '', /name: must be a non-empty string/],
    ['a blank description', ['description'], '   ', /description: must be a non-empty string/],
    [
      'an unknown capability',
      ['capabilities', '1', 'name'],
      'TRADING',
      /capabilities\[1\]\.name: must be one of/,
    ],
    [
      'an unknown proficiency',
      ['capabilities', '0', 'proficiency'],
      'GURU',
      /capabilities\[0\]\.proficiency: must/,
    ],
    ['no capabilities', ['capabilities'], [], /capabilities: must list at least one capability/],
    ['an unknown scope', ['scopes'], ['read', 'write'], /scopes\[1\]: must be one of read, trade/],
    ['no scopes', ['scopes'], [], /scopes: must list at least one scope/],
    ['a repeated scope', ['scopes'], ['read', 'trade', 'read'], /scopes\[2\]: repeats "read"/],
    ['scopes as a string', ['scopes'], 'read', /scopes: must be a list of scopes/],
    ['an empty accounts list', ['accounts'], [], /accounts: must list at least one account/],
    ['a repeated account', ['accounts'], ['a', 'a'], /accounts\[1\]: repeats "a"/],
    ['an empty account id', ['accounts'], [''], /accounts\[0\]: must be an account id/],
    [
      'a zero notional',
      ['limits', 'maxOrderNotional'],
      0,
      /limits\.maxOrderNotional: must be a positive decimal/,
    ],
    [
      'an exponent string',
      ['limits', 'maxDailyNotional'],
      '1e6',
      /limits\.maxDailyNotional: must be a positive/,
    ],
    [
      'a text notional',
      ['limits', 'maxDailyNotional'],
      'lots',
      /limits\.maxDailyNotional: must be a positive/,
    ],
    [
      'a fractional count',
      ['limits', 'maxOpenOrders'],
      1.5,
      /limits\.maxOpenOrders: must be a positive integer/,
    ],
    [
      'a zero rate',
      ['limits', 'maxOrdersPerMinute'],
      0,
      /limits\.maxOrdersPerMinute: must be a positive integer/,
    ],
    ['a string count', ['limits', 'maxOpenOrders'], '5', /limits\.maxOpenOrders: must be a positive integer/],
    [
      'a negative threshold',
      ['confirmAboveNotional'],
      '-1',
      /confirmAboveNotional: must be a positive decimal/,
    ],
    [
      'a boolean threshold',
      ['confirmAboveNotional'],
      true,
      /confirmAboveNotional: must be a positive decimal/,
    ],
  ])('refuses %s, naming the field', (_label, path, value, expected) => {
    const message = failure(withField(path, value));
    expect(message.startsWith(`${FILE}: `)).toBe(true);
    expect(message).toMatch(expected);
  });

  it('names each missing required field', () => {
    const message = failure({});
    for (const field of ['id', 'name', 'description', 'capabilities', 'scopes']) {
      expect(message).toContain(`${field}: is required`);
    }
    expect(failure(withField(['limits'], { maxOrderNotional: '1' }))).toMatch(
      /limits\.maxDailyNotional: is required.*limits\.maxOpenOrders: is required/,
    );
  });

  it('refuses unknown keys at every level, naming them', () => {
    expect(failure({ ...valid(), owner: 'me' })).toMatch(/owner: is not a known field/);
    expect(failure(withField(['limits', 'maxPosition'], '5'))).toMatch(
      /limits\.maxPosition: is not a known field/,
    );
    expect(failure(withField(['capabilities', '0', 'level'], 3))).toMatch(
      /capabilities\[0\]\.level: is not a known field/,
    );
  });

  it('refuses what is not an object', () => {
    for (const json of [null, 'card', 42, [valid()]]) {
      expect(failure(json)).toBe(`${FILE}: must be a JSON object (an agent card)`);
    }
  });

  it('lists every problem of a card with several, and carries them as details', () => {
    try {
      parseAgentCard({ ...valid(), id: 'X', scopes: [] }, FILE);
      expect.unreachable();
    } catch (error) {
      if (!isTradingError(error)) throw error;
      expect(error.details).toEqual({
        file: FILE,
        problems: [
          { field: 'id', message: expect.stringMatching(/lowercase slug/) as unknown },
          { field: 'scopes', message: 'must list at least one scope' },
        ],
      });
    }
  });
});
