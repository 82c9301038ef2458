import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../../src/store/mongo/groupCommit.ts';

/** A flush that stays in flight until released, recording each batch it got. */
function heldFlush() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const flush = async (items: number[]) => {
    batches.push(items);
    await new Promise<void>((r) => releases.push(r));
    return items.map((i) => i * 10);
  };
  const releaseAll = async () => {
    while (releases.length) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { flush, batches, releaseAll };
}

describe('groupCommit', () => {
  it('sends an item at once when nothing is in flight', async () => {
    const held = heldFlush();
    const one = groupCommit(held.flush, { parallel: 1 });
    const a = one(1);
    expect(held.batches).toEqual([[1]]);
    await held.releaseAll();
    expect(await a).toBe(10);
  });

  it('gathers the items that come while batches are in flight into the next batch, each with its own result', async () => {
    const held = heldFlush();
    const one = groupCommit(held.flush, { parallel: 2 });
    const results = [one(1), one(2), one(3), one(4), one(5)];
    // Two in flight at once; the other three wait for one of them and then go together.
    expect(held.batches).toEqual([[1], [2]]);
    await held.releaseAll();
    expect(held.batches).toEqual([[1], [2], [3, 4, 5]]);
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
  });

  it('keeps batches to maxBatch items', async () => {
    const held = heldFlush();
    const one = groupCommit(held.flush, { parallel: 1, maxBatch: 2 });
    const results = [1, 2, 3, 4, 5, 6].map(one);
    await held.releaseAll();
    expect(held.batches).toEqual([[1], [2, 3], [4, 5], [6]]);
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('gives a failed batch\'s error to each of its items, and goes on with the next batch', async () => {
    let calls = 0;
    const one = groupCommit(
      async (items: number[]) => {
        calls++;
        await new Promise((r) => setImmediate(r));
        if (calls === 2) throw new Error('write failed');
        return items;
      },
      { parallel: 1 },
    );
    const first = one(1);
    const failed = Promise.allSettled([one(2), one(3)]);
    expect(await first).toBe(1);
    expect((await failed).map((f) => (f.status === 'rejected' ? String(f.reason) : f.status))).toEqual(['Error: write failed', 'Error: write failed']);
    expect(await one(4)).toBe(4);
  });
});
