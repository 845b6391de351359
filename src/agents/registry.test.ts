import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTradingError } from '../domain/errors.js';
import { bundledAgentsFolder, loadAgentCards } from './registry.js';

const card = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `Agent ${id}`,
  description: `The ${id} agent.`,
  capabilities: [{ name: 'MARKET_DATA', proficiency: 'BASIC' }],
  scopes: ['read'],
  ...extra,
});

let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'agents-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const write = (name: string, json: unknown) =>
  writeFile(join(folder, name), typeof json === 'string' ? json : JSON.stringify(json));

/** The CONFIG_INVALID error loading the folder throws. */
async function loadFailure(): Promise<{ message: string; details: unknown }> {
  try {
    await loadAgentCards(folder);
  } catch (error) {
    if (!isTradingError(error, 'CONFIG_INVALID')) throw error;
    expect(error.hint).toBeTruthy();
    return { message: error.message, details: error.details };
  }
  throw new Error('the folder loaded');
}

describe('loadAgentCards', () => {
  it('loads every *.json card, lists them by id, and finds each by id', async () => {
    await write('zeta.json', card('zeta'));
    await write('alpha.json', card('alpha', { scopes: ['read', 'trade'] }));
    await write('README.md', '# not a card');
    await mkdir(join(folder, 'nested.json'));
    const registry = await loadAgentCards(folder);
    expect(registry.list().map((c) => c.id)).toEqual(['alpha', 'zeta']);
    expect(registry.has('alpha')).toBe(true);
    expect(registry.has('nested')).toBe(false);
    expect(registry.get('alpha')?.scopes).toEqual(['read', 'trade']);
    expect(registry.get('missing')).toBeUndefined();
  });

  it('loads an empty folder as an empty registry', async () => {
    expect((await loadAgentCards(folder)).list()).toEqual([]);
  });

  it('names the file and the field of an invalid card', async () => {
    await write('good.json', card('good'));
    await write('bad.json', card('bad', { limits: { maxOrderNotional: '0' } }));
    const { message } = await loadFailure();
    expect(message).toContain(
      `${join(folder, 'bad.json')}: limits.maxOrderNotional: must be a positive decimal`,
    );
  });

  it('names the file of invalid JSON', async () => {
    await write('broken.json', '{ "id": "broken", }');
    const { message, details } = await loadFailure();
    expect(message).toMatch(new RegExp(`^${join(folder, 'broken.json')}: is not valid JSON`));
    expect(details).toEqual({ file: join(folder, 'broken.json') });
  });

  it('refuses a card whose id is not its file name, naming the file and the id field', async () => {
    await write('exec.json', card('execution'));
    const { message, details } = await loadFailure();
    expect(message).toBe(
      `${join(folder, 'exec.json')}: id: "execution" does not match the file name exec.json.`,
    );
    expect(details).toEqual({ file: join(folder, 'exec.json'), field: 'id' });
  });

  it('refuses a duplicate id, naming both files', async () => {
    await write('alpha.json', card('alpha'));
    await write('beta.json', card('alpha'));
    const { message } = await loadFailure();
    expect(message).toBe(
      `${join(folder, 'beta.json')}: id: "alpha" is already the id of ${join(folder, 'alpha.json')}.`,
    );
  });

  it('refuses a folder that does not exist', async () => {
    await rm(folder, { recursive: true });
    expect((await loadFailure()).message).toMatch(/agents folder .* cannot be read/);
  });
});

describe('the bundled agents', () => {
  it('load, with the five agents of the contract', async () => {
    const registry = await loadAgentCards(await bundledAgentsFolder());
    expect(registry.list().map((c) => c.id)).toEqual(['analyst', 'execution', 'local', 'risk', 'signal']);
  });

  it('give each agent the capabilities and scopes it is for', async () => {
    const registry = await loadAgentCards(await bundledAgentsFolder());
    const execution = registry.get('execution');
    expect(execution?.scopes).toEqual(['read', 'trade']);
    expect(execution?.confirmAboveNotional?.toFixed()).toBe('250000');
    expect(registry.get('risk')?.scopes).toEqual(['read', 'risk:admin']);
    expect(registry.get('analyst')?.scopes).toEqual(['read']);
    expect(registry.get('local')?.scopes).toEqual(['read', 'trade', 'simulate', 'risk:admin', 'admin']);
    expect(registry.get('local')?.capabilities).toHaveLength(6);
    const signal = registry.get('signal')?.limits;
    const executionLimits = execution?.limits;
    expect(
      signal && executionLimits && signal.maxOrderNotional.lessThan(executionLimits.maxOrderNotional),
    ).toBe(true);
  });
});
