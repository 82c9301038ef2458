import { describe, expect, it } from 'vitest';
import { TurnGate } from '../../src/app/turnGate.ts';
import { AdaptiveLimit, FixedLimit } from '../../src/app/turnLimit.ts';

/**
 * A bottleneck that serves one turn's work at a time: with `n` turns running, each takes n × `serviceMs` (they
 * share it), once `n` exceeds `free` (below that they do not wait for each other).
 */
const sharedBottleneck = (serviceMs: number, free: number) => (n: number) => serviceMs * Math.max(1, n - free + 1);

/** Feeds the limit windows of turns whose run time follows `runMs(current limit)`, with turns always in line. */
function drive(limit: AdaptiveLimit, runMs: (n: number) => number, turns: number, inLine = 50): number[] {
  const seen: number[] = [];
  for (let i = 0; i < turns; i++) {
    limit.finished(runMs(limit.current), inLine);
    seen.push(limit.current);
  }
  return seen;
}

describe('AdaptiveLimit', () => {
  it('grows while the running turns do not slow each other down and more are in line, up to the ceiling', () => {
    const limit = new AdaptiveLimit({ max: 40 });
    const start = limit.current;
    drive(limit, () => 10, 5_000);
    expect(start).toBeLessThan(40);
    expect(limit.current).toBe(40);
  });

  it('does not grow when nothing waits for a slot (the load, not the limit, decides how many run)', () => {
    const limit = new AdaptiveLimit({ max: 40 });
    const start = limit.current;
    drive(limit, () => 10, 5_000, 0);
    expect(limit.current).toBe(start);
  });

  it('settles where only a few of the running turns wait at the bottleneck', () => {
    // Beyond 4 at once every added turn only lengthens all of them (one core's worth of work, say).
    const limit = new AdaptiveLimit({ max: 64 });
    const seen = drive(limit, sharedBottleneck(5, 4), 20_000);
    // Between probes (when it drops to its floor for a window), at 4 + ALPHA … 4 + BETA or about.
    const late = seen.slice(-5_000).filter((n) => n > 2);
    expect(late.filter((n) => n >= 5 && n <= 10).length / late.length).toBeGreaterThan(0.95);
    expect(seen.slice(-5_000).filter((n) => n === 2).length / 5_000).toBeLessThan(0.1);
  });

  it('shrinks from a high limit when turns slow down with every one added, never below its floor', () => {
    const limit = new AdaptiveLimit({ max: 64, min: 3 });
    drive(limit, () => 10, 5_000); // learns the unqueued run time and grows to 64
    expect(limit.current).toBe(64);
    drive(limit, sharedBottleneck(10, 1), 20_000);
    expect(limit.current).toBeLessThanOrEqual(8);
    expect(limit.current).toBeGreaterThanOrEqual(3);
  });

  it('stays within a ceiling below its usual starting point', () => {
    const limit = new AdaptiveLimit({ max: 3 });
    expect(limit.current).toBe(3);
    drive(limit, () => 1, 1_000);
    expect(limit.current).toBe(3);
  });
});

describe('TurnGate with a limit that moves', () => {
  it('admits by the limit as it is now, and tells it each turn\'s run time on the gate\'s clock and how many were in line', async () => {
    let now = 0;
    const told: [number, number][] = [];
    const limit = { current: 1, finished: (runMs: number, inLine: number) => void told.push([runMs, inLine]) };
    const gate = new TurnGate({ maxRunning: limit, maxWaiting: 100, maxWaitingPerKey: 10 }, () => now);
    const started: string[] = [];
    const finishers = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        finishers.set(name, () => resolve(name));
      });
    const runs = ['a', 'b', 'c'].map((k) => gate.run(k, task(k)));
    await Promise.resolve();
    expect(started).toEqual(['a']);
    limit.current = 2; // grown meanwhile: the next finish starts two
    now = 30;
    finishers.get('a')!();
    await runs[0];
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(told).toEqual([[30, 2]]);
    now = 45;
    finishers.get('b')!();
    finishers.get('c')!();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c']);
    expect(told).toEqual([
      [30, 2],
      [15, 0],
      [15, 0],
    ]);
  });

  it('a number is a fixed limit', () => {
    expect(new TurnGate({ maxRunning: 7, maxWaiting: 1, maxWaitingPerKey: 1 }).maxRunning).toBe(7);
    expect(new FixedLimit(7).current).toBe(7);
  });
});
