import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A writer whose batches finish when the test says so. */
function gatedWriter<I>() {
  const batches: I[][] = [];
  const gates: (() => void)[] = [];
  const write = (items: readonly I[]): Promise<string[]> => {
    batches.push([...items]);
    return new Promise((resolve) => {
      gates.push(() => {
        resolve(items.map((i) => `ok:${String(i)}`));
      });
    });
  };
  const release = async (): Promise<void> => {
    const gate = gates.shift();
    if (gate === undefined) throw new Error('no batch in flight');
    gate();
    await flush();
  };
  return { batches, write, release };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('GroupCommit', () => {
  it('writes items queued in one turn as one batch, and answers each with its own result', async () => {
    const writer = gatedWriter<number>();
    const commit = new GroupCommit(writer.write);
    const results = [1, 2, 3].map((i) => commit.submit(i));
    await flush();
    expect(writer.batches).toEqual([[1, 2, 3]]);
    await writer.release();
    expect(await Promise.all(results)).toEqual(['ok:1', 'ok:2', 'ok:3']);
  });

  it('gathers what arrives during a write into the next batch', async () => {
    const writer = gatedWriter<number>();
    const commit = new GroupCommit(writer.write);
    const first = commit.submit(1);
    await flush();
    const later = [2, 3, 4].map((i) => commit.submit(i));
    await flush();
    expect(writer.batches).toEqual([[1]]); // one writer: the others wait
    await writer.release();
    expect(await first).toBe('ok:1');
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    await writer.release();
    expect(await Promise.all(later)).toEqual(['ok:2', 'ok:3', 'ok:4']);
  });

  it('runs up to maxInFlight batches at once and caps each at maxBatch', async () => {
    const writer = gatedWriter<number>();
    const commit = new GroupCommit(writer.write, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => commit.submit(i));
    await flush();
    expect(writer.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await writer.release();
    expect(writer.batches[2]).toEqual([5]);
    await writer.release();
    await writer.release();
    expect(await Promise.all(all)).toHaveLength(5);
  });

  it('never writes two items with the same key together, in one batch or in two at once', async () => {
    const writer = gatedWriter<string>();
    const commit = new GroupCommit(writer.write, {
      maxInFlight: 2,
      keyOf: (item) => item.split(':')[0] ?? '',
    });
    const all = ['a:1', 'a:2', 'b:1', 'a:3'].map((i) => commit.submit(i));
    await flush();
    // Batch one takes a:1 and b:1; a:2 must not go out beside a:1, so nothing else is written yet.
    expect(writer.batches).toEqual([['a:1', 'b:1']]);
    await writer.release();
    expect(writer.batches[1]).toEqual(['a:2']);
    await writer.release();
    expect(writer.batches[2]).toEqual(['a:3']);
    await writer.release();
    expect(await Promise.all(all)).toEqual(['ok:a:1', 'ok:a:2', 'ok:b:1', 'ok:a:3']);
  });

  it("rejects every item of a failed batch with the batch's error, and goes on with the next", async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>((items) => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('disk full')) : Promise.resolve(items.map((i) => i * 10));
    });
    const failed = [1, 2].map((i) => commit.submit(i));
    await expect(failed[0]).rejects.toThrow('disk full');
    await expect(failed[1]).rejects.toThrow('disk full');
    expect(await commit.submit(3)).toBe(30);
  });

  it('refuses a writer that answers a different number of results than items', async () => {
    const commit = new GroupCommit<number, number>(() => Promise.resolve([1]));
    const both = [commit.submit(1), commit.submit(2)];
    await expect(both[0]).rejects.toThrow('1 results for 2 items');
    await expect(both[1]).rejects.toThrow('1 results for 2 items');
  });

  it('starts a batch as soon as startAt items wait, while the rest of the turn is still queuing', async () => {
    const writer = gatedWriter<number>();
    const commit = new GroupCommit(writer.write, { maxInFlight: 2, startAt: 2 });
    const results = [1, 2].map((i) => commit.submit(i));
    // Written synchronously inside the second submit, before any microtask ran.
    expect(writer.batches).toEqual([[1, 2]]);
    results.push(commit.submit(3), commit.submit(4), commit.submit(5));
    expect(writer.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    // Both writers busy: the fifth waits for one of them, and the end of the turn starts nothing.
    await flush();
    expect(writer.batches).toHaveLength(2);
    await writer.release();
    expect(writer.batches[2]).toEqual([5]);
    await writer.release();
    await writer.release();
    expect(await Promise.all(results)).toEqual(['ok:1', 'ok:2', 'ok:3', 'ok:4', 'ok:5']);
  });

  it('below startAt, waits for the end of the turn as before', async () => {
    const writer = gatedWriter<number>();
    const commit = new GroupCommit(writer.write, { maxInFlight: 2, startAt: 3 });
    const results = [1, 2].map((i) => commit.submit(i));
    expect(writer.batches).toEqual([]);
    await flush();
    expect(writer.batches).toEqual([[1, 2]]);
    await writer.release();
    expect(await Promise.all(results)).toEqual(['ok:1', 'ok:2']);
  });

  it('keeps one item per key out of an early batch too', async () => {
    const writer = gatedWriter<string>();
    const commit = new GroupCommit(writer.write, { maxInFlight: 2, startAt: 2, keyOf: (s) => s[0] ?? '' });
    const results = ['a1', 'a2'].map((i) => commit.submit(i));
    // Two items wait, but they share a key: the early batch takes the first alone.
    expect(writer.batches).toEqual([['a1']]);
    await flush();
    expect(writer.batches).toEqual([['a1']]);
    await writer.release();
    expect(writer.batches).toEqual([['a1'], ['a2']]);
    await writer.release();
    expect(await Promise.all(results)).toEqual(['ok:a1', 'ok:a2']);
  });
});
