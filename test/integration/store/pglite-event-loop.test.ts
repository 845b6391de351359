import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, openStore } from '../../../src/store/db.js';

/**
 * PGlite answers every statement through promise jobs alone: without the store's turns, a chain of
 * statements kept the event loop from its timers and I/O until the chain ended (a reconciliation
 * pass held a stdio request for 1.2 s). A timer due at once must fire while a chain still runs.
 */
describe('PGlite statements let the event loop turn', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore('pglite://memory');
  });
  afterAll(async () => {
    await store.close();
  });

  const CHAIN = 500;

  /** Runs `step` CHAIN times in a row; answers how many had run when a timer set at the start fired. */
  async function firedAfter(step: () => Promise<unknown>): Promise<number> {
    let done = 0;
    let fired: number | undefined;
    setTimeout(() => {
      fired = done;
    }, 0);
    for (let i = 0; i < CHAIN; i++) {
      await step();
      done++;
    }
    return fired ?? CHAIN;
  }

  it('between raw statements', async () => {
    expect(await firedAfter(() => store.query('select 1 as one', []))).toBeLessThan(CHAIN);
  });

  it('between drizzle statements', async () => {
    expect(await firedAfter(() => store.db.execute(sql`select 1 as one`))).toBeLessThan(CHAIN);
  });

  it('between the statements of one transaction', async () => {
    let fired: number | undefined;
    await store.transaction(async (query) => {
      let done = 0;
      setTimeout(() => {
        fired = done;
      }, 0);
      for (let i = 0; i < CHAIN; i++) {
        await query('select 1 as one', []);
        done++;
      }
    });
    expect(fired).toBeLessThan(CHAIN);
  });
});
