import { access, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bar } from '../types.js';
import { loadBarsCsv, symbolFromFileName } from './bars-csv.js';

/**
 * Reads every data/bars/*.csv shipped with the package (synthetic bars, see data/bars/README.md), one
 * symbol per file, merged in time order; bars at the same time are ordered by file name.
 */
export async function loadBundledBars(): Promise<Bar[]> {
  const directory = join(await packageRoot(), 'data', 'bars');
  const files = (await readdir(directory)).filter((name) => name.endsWith('.csv')).sort();
  const perSymbol = await Promise.all(
    files.map(async (name) =>
      loadBarsCsv(await readFile(join(directory, name), 'utf8'), symbolFromFileName(name)),
    ),
  );
  return perSymbol.flat().sort((a, b) => a.ts - b.ts);
}

/** The nearest directory above this module with a package.json: src/ under tsx, dist/ once built. */
async function packageRoot(): Promise<string> {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (await exists(join(directory, 'package.json'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error('No package.json above the market-data module.');
    directory = parent;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
