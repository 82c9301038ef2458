import { describe, expect, it } from 'vitest';
import { recent } from '../../../src/app/console/recent.ts';

describe('recent (the console aggregates kept for a while)', () => {
  it('computes once per key within the time to live, once for concurrent callers, and again after it', async () => {
    let t = 0;
    let runs = 0;
    const keep = recent<number>(1_000, () => t);
    const compute = async () => ++runs;
    expect(await Promise.all([keep('a', compute), keep('a', compute)])).toEqual([1, 1]);
    t = 999;
    expect(await keep('a', compute)).toBe(1);
    expect(await keep('b', compute)).toBe(2);
    t = 1_000;
    expect(await keep('a', compute)).toBe(3);
  });

  it('does not keep a failure', async () => {
    const keep = recent<number>(1_000, () => 0);
    await expect(keep('a', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await keep('a', async () => 7)).toBe(7);
  });
});
