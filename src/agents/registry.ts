import { readFile, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { TradingError } from '../domain/errors.js';
import { packageRoot } from '../package-root.js';
import { type AgentCard, parseAgentCard } from './card.js';

/** The agents this server knows, read once at start from one JSON card per agent. */
export interface AgentRegistry {
  get(id: string): AgentCard | undefined;
  /** Every card, sorted by id. */
  list(): readonly AgentCard[];
  has(id: string): boolean;
}

/** The cards shipped with the server: agents/ at the package root. */
export async function bundledAgentsFolder(): Promise<string> {
  return join(await packageRoot(), 'agents');
}

/**
 * Reads every *.json card in the folder (in file-name order) and validates it. Each id appears
 * once and names its file (`<id>.json`), so an agent is found by its file. Any bad card stops the
 * load with CONFIG_INVALID naming the file and the field.
 */
export async function loadAgentCards(folder: string): Promise<AgentRegistry> {
  const byId = new Map<string, { card: AgentCard; file: string }>();
  for (const name of await cardFiles(folder)) {
    const file = shown(join(folder, name));
    const card = parseAgentCard(await readJson(join(folder, name), file), file);
    const earlier = byId.get(card.id);
    if (earlier !== undefined) {
      throw invalid(`${file}: id: "${card.id}" is already the id of ${earlier.file}.`, {
        hint: 'Give every agent its own id; the file name is <id>.json.',
        details: { file, field: 'id', otherFile: earlier.file },
      });
    }
    if (name !== `${card.id}.json`) {
      throw invalid(`${file}: id: "${card.id}" does not match the file name ${name}.`, {
        hint: `Rename the file to ${card.id}.json, or set id to the file's name without .json.`,
        details: { file, field: 'id' },
      });
    }
    byId.set(card.id, { card, file });
  }
  return registryOf([...byId.values()].map((entry) => entry.card));
}

function registryOf(cards: readonly AgentCard[]): AgentRegistry {
  const sorted = [...cards].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map(sorted.map((card) => [card.id, card]));
  return {
    get: (id) => byId.get(id),
    list: () => sorted,
    has: (id) => byId.has(id),
  };
}

async function cardFiles(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    throw invalid(`The agents folder ${shown(folder)} cannot be read.`, {
      hint: 'Point the server at a folder of agent cards (one <id>.json per agent, CONTRACT.md, Agents).',
      details: { folder: shown(folder) },
      cause: error,
    });
  }
}

async function readJson(path: string, file: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`${file}: is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, {
      hint: 'Fix the JSON syntax: double-quoted keys and strings, no trailing commas, no comments.',
      details: { file },
      cause: error,
    });
  }
}

function invalid(message: string, options: ConstructorParameters<typeof TradingError>[2]): TradingError {
  return new TradingError('CONFIG_INVALID', message, options);
}

/** A path as the reader knows it: relative to the working directory when inside it. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' || fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}
