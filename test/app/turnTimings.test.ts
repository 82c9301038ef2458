import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeTurn, type TurnTiming } from '../../src/app/turnTimings.ts';

describe('turn timings', () => {
  const seen: TurnTiming[] = [];
  const listener = (m: unknown) => seen.push({ ...(m as TurnTiming) });
  afterEach(() => {
    unsubscribe('redcollar:turn', listener);
    seen.length = 0;
    vi.restoreAllMocks();
  });

  it('measures nothing while no one listens', () => {
    expect(probeTurn('sim', 'u1')).toBeNull();
  });

  it('splits a turn into queued, running and the store and action waits within it', async () => {
    subscribe('redcollar:turn', listener);
    let now = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const probe = probeTurn('sim', 'u1')!;
    now = 1_040; // 40 ms in line
    probe.start(12);
    now = 1_045;
    const stored = probe.store(Promise.resolve('ok'));
    now = 1_075; // the store answered 30 ms later
    expect(await stored).toBe('ok');
    const acted = probe.action(Promise.resolve(1));
    now = 1_085;
    await acted;
    now = 1_090;
    probe.end('lease');
    expect(seen).toEqual([{ channel: 'sim', userId: 'u1', queuedMs: 40, runMs: 50, storeMs: 30, actionMs: 10, limit: 12, path: 'lease' }]);
  });

  it('counts a turn refused at the gate as queued only, and a failed wait still counts', async () => {
    subscribe('redcollar:turn', listener);
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const refused = probeTurn('telegram', 'u2')!;
    now = 7;
    refused.end('overloaded');
    const failing = probeTurn('sim', 'u3')!;
    failing.start(32);
    const stored = failing.store(Promise.reject(new Error('down')));
    now = 12;
    await expect(stored).rejects.toThrow('down');
    failing.end('failed');
    expect(seen.map((t) => [t.path, t.queuedMs, t.runMs, t.storeMs])).toEqual([
      ['overloaded', 7, 0, 0],
      ['failed', 0, 5, 5],
    ]);
  });
});
