import { describe, expect, it } from 'vitest';
import { createBurstDetector } from '../../src/app/polls/burstDetector.ts';
import type { PollDeps } from '../../src/app/polls/deps.ts';
import { createPollDefinitions } from '../../src/app/polls/pollDefinitions.ts';
import { createSubjectCache } from '../../src/app/polls/subjectCache.ts';
import type { PollRecord, PollStore } from '../../src/app/ports/polls.ts';

/** What the respondent's path keeps in memory: the poll and who it rates (read seldom), and the burst flags. */
const poll = { id: 'p1', workerId: 'w1' } as PollRecord;

/** A read that stays in flight until `release`, counting its calls. */
function slowRead<T>(value: T) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const calls = { n: 0 };
  const read = async () => {
    calls.n++;
    await gate;
    return value;
  };
  return { read, calls, release: () => release() };
}

describe('poll caches', () => {
  it('regression: an expired poll entry under load made one read per waiting message', async () => {
    const slow = slowRead(poll);
    let now = 0;
    const definitions = createPollDefinitions(() => now);
    const store = { get: slow.read } as unknown as PollStore;
    const first = Array.from({ length: 50 }, () => definitions.get(store, 'p1'));
    slow.release();
    expect(await Promise.all(first)).toEqual(Array(50).fill(poll));
    expect(slow.calls.n).toBe(1);
    now = 2_500;
    await Promise.all(Array.from({ length: 50 }, () => definitions.get(store, 'p1')));
    expect(slow.calls.n).toBe(2);
  });

  it('forgets an unknown poll and a failed read, so that the next message reads again', async () => {
    const definitions = createPollDefinitions(() => 0);
    let calls = 0;
    const store = {
      get: async () => {
        calls++;
        if (calls === 1) throw new Error('connection reset');
        return calls === 2 ? null : poll;
      },
    } as unknown as PollStore;
    await expect(definitions.get(store, 'p1')).rejects.toThrow('connection reset');
    expect(await definitions.get(store, 'p1')).toBeNull();
    expect(await definitions.get(store, 'p1')).toBe(poll);
    expect(calls).toBe(3);
  });

  it('regression: who a poll rates was read once per waiting message when its entry expired under load', async () => {
    const slow = slowRead({ id: 'w1', name: '张三', channel: 'sim', userId: 'u1', orgId: null, orgName: '某单位' });
    const subject = createSubjectCache();
    const deps = { certification: { workers: { findById: slow.read }, organizations: { get: async () => null } } } as unknown as PollDeps;
    const all = Array.from({ length: 30 }, () => subject(deps, poll, 0));
    slow.release();
    const facts = await Promise.all(all);
    expect(facts[29]).toEqual({ name: '张三', account: { channel: 'sim', userId: 'u1' }, org: '某单位' });
    expect(slow.calls.n).toBe(1);
  });
});

describe('burst flags', () => {
  it('regression: a roster answering together wrote a burst flag to the poll for every fifth answer', () => {
    const bursts = createBurstDetector({ answers: 5, withinSeconds: 30 });
    const flags = Array.from({ length: 23 }, (_, i) => bursts.record('p1', 'employee', 1_000 + i, '2026-03-01')).filter((x) => x !== null);
    expect(flags).toEqual([5]);
  });

  it('flags each group and each day once', () => {
    const bursts = createBurstDetector({ answers: 5, withinSeconds: 30 });
    const burst = (group: 'employee' | 'member', day: string, at: number) => Array.from({ length: 5 }, (_, i) => bursts.record('p1', group, at + i, day)).filter((x) => x !== null);
    expect(burst('employee', '2026-03-01', 0)).toEqual([5]);
    expect(burst('member', '2026-03-01', 100)).toEqual([5]);
    expect(burst('employee', '2026-03-02', 86_400_000)).toEqual([5]);
    expect(burst('employee', '2026-03-02', 86_500_000)).toEqual([]);
  });

  it('does not flag answers spread wider than the window', () => {
    const bursts = createBurstDetector({ answers: 5, withinSeconds: 30 });
    const flags = Array.from({ length: 20 }, (_, i) => bursts.record('p1', 'employee', i * 10_000, '2026-03-01')).filter((x) => x !== null);
    expect(flags).toEqual([]);
  });
});
