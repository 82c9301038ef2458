import { describe, expect, it } from 'vitest';
import { createPoller } from '../../console/src/features/broadcasts/poller.ts';

/** Timers the test fires by hand: no waiting on the clock, and every scheduled tick is visible. */
function manualTimers() {
  const queue: { fn: () => void; ms: number; cleared: boolean }[] = [];
  return {
    timers: {
      set(fn: () => void, ms: number) {
        const h = { fn, ms, cleared: false };
        queue.push(h);
        return h;
      },
      clear(h: unknown) {
        (h as { cleared: boolean }).cleared = true;
      },
    },
    pending: () => queue.filter((h) => !h.cleared),
    async fire() {
      const h = queue.find((x) => !x.cleared);
      if (!h) throw new Error('no timer pending');
      h.cleared = true;
      h.fn();
      await flush();
    },
  };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('broadcast poller', () => {
  it('asks again while the rule says so and stops by itself when the broadcast is done', async () => {
    const answers = ['sending', 'sending', 'done'];
    let calls = 0;
    const seen: string[] = [];
    const m = manualTimers();
    const p = createPoller({ load: async () => answers[calls++]!, keepGoing: (s) => s !== 'done', intervalMs: 3000, onValue: (s) => seen.push(s), timers: m.timers });
    p.start();
    await flush();
    expect(m.pending()).toHaveLength(1);
    expect(m.pending()[0]!.ms).toBe(3000);
    await m.fire();
    await m.fire();
    expect(seen).toEqual(['sending', 'sending', 'done']);
    expect(m.pending()).toHaveLength(0);
    expect(p.running).toBe(false);
  });

  it('stop() (the page was left) cancels the next ask, and an answer arriving after it is dropped', async () => {
    let release: (v: string) => void = () => undefined;
    const seen: string[] = [];
    const m = manualTimers();
    const p = createPoller({ load: () => new Promise<string>((r) => (release = r)), keepGoing: () => true, intervalMs: 1000, onValue: (s) => seen.push(s), timers: m.timers });
    p.start();
    p.stop();
    release('sending');
    await flush();
    expect(seen).toEqual([]);
    expect(m.pending()).toHaveLength(0);
    expect(p.running).toBe(false);
  });

  it('never asks twice at once: the next ask is scheduled only after the last answer', async () => {
    let release: (v: string) => void = () => undefined;
    let inFlight = 0;
    let most = 0;
    const m = manualTimers();
    const p = createPoller({
      load: () => {
        inFlight++;
        most = Math.max(most, inFlight);
        return new Promise<string>((r) => (release = (v) => (inFlight--, r(v))));
      },
      keepGoing: () => true,
      intervalMs: 1000,
      timers: m.timers,
    });
    p.start();
    expect(m.pending()).toHaveLength(0);
    release('a');
    await flush();
    expect(m.pending()).toHaveLength(1);
    await m.fire();
    release('b');
    await flush();
    expect(most).toBe(1);
    p.stop();
  });

  it('gives up after three failures in a row and says why; start() resumes', async () => {
    let fail = true;
    let gaveUp: unknown;
    const m = manualTimers();
    const p = createPoller({
      load: async () => {
        if (fail) throw new Error('server down');
        return 'sending';
      },
      keepGoing: () => true,
      intervalMs: 1000,
      onGiveUp: (e) => (gaveUp = e),
      timers: m.timers,
    });
    p.start();
    await flush();
    await m.fire();
    expect(gaveUp).toBeUndefined();
    await m.fire();
    expect((gaveUp as Error).message).toBe('server down');
    expect(m.pending()).toHaveLength(0);
    fail = false;
    p.start();
    await flush();
    expect(p.running).toBe(true);
    expect(m.pending()).toHaveLength(1);
    p.stop();
  });

  it('a failure between successes does not count towards giving up', async () => {
    const script = [true, true, false, true, true, false];
    let i = 0;
    let gaveUp = false;
    const m = manualTimers();
    const p = createPoller({
      load: async () => {
        if (script[i++]) throw new Error('blip');
        return 'sending';
      },
      keepGoing: () => i < script.length,
      intervalMs: 1000,
      onGiveUp: () => (gaveUp = true),
      timers: m.timers,
    });
    p.start();
    await flush();
    for (let n = 0; n < 5; n++) await m.fire();
    expect(gaveUp).toBe(false);
    expect(i).toBe(6);
  });
});
