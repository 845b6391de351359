import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
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
