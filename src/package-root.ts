import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | undefined;

/** The nearest directory above this module with a package.json: the repo under tsx, the package once built. */
export function packageRoot(): Promise<string> {
  cached ??= findRoot(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

async function findRoot(start: string): Promise<string> {
  for (let directory = start; ; directory = dirname(directory)) {
    if (await exists(join(directory, 'package.json'))) return directory;
    if (dirname(directory) === directory) throw new Error(`No package.json above ${start}.`);
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

let version: Promise<string> | undefined;

/** This package's version, from its package.json. */
export function packageVersion(): Promise<string> {
  version ??= packageRoot().then(async (root) => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  });
  return version;
}
