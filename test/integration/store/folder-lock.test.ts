/**
 * A PGlite data folder belongs to one open store at a time: a second open (from this process or
 * another) is refused with a clear error instead of corrupting it; a lock left by a process that
 * is gone is taken over.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/db.js';

const folders: string[] = [];
async function folder(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'ats-lock-'));
  folders.push(made);
  return made;
}

afterEach(async () => {
  for (const f of folders.splice(0)) await rm(f, { recursive: true, force: true });
});

describe('the PGlite folder lock', () => {
  it('refuses a second open of a folder in use, and allows it once the first is closed', async () => {
    const data = join(await folder(), 'pglite');
    const first = await openStore(`pglite://${data}`);
    await expect(openStore(`pglite://${data}`)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(`in use by process ${process.pid}`) as unknown,
    });
    await first.close();
    const second = await openStore(`pglite://${data}`);
    await second.close();
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const data = join(await folder(), 'pglite');
    const first = await openStore(`pglite://${data}`);
    await first.close();
    // Past Linux's pid_max (4,194,304): no process can have it.
    await writeFile(join(data, 'agent-trading-server.lock'), '4194305');
    const store = await openStore(`pglite://${data}`);
    await store.close();
  });
});
