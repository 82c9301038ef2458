/**
 * What follows an enrolment (a broadcast's answers) is told after the change; its failure is logged and neither
 * undoes nor fails the enrolment change that was already made.
 */
import { describe, expect, it } from 'vitest';
import { enrolmentChanged, type TrainingDeps } from '../../../src/app/training/deps.ts';
import { answerOf } from '../../../src/app/broadcasts/answerFollows.ts';
import type { Enrolment, EnrolmentState } from '../../../src/domain/training/types.ts';

function depsWith(onEnrolmentChange?: TrainingDeps['onEnrolmentChange']) {
  const warned: { fields: Record<string, unknown>; msg: string }[] = [];
  const logger = { warn: (fields: Record<string, unknown>, msg: string) => void warned.push({ fields, msg }) };
  return { deps: { logger, ...(onEnrolmentChange ? { onEnrolmentChange } : {}) } as unknown as TrainingDeps, warned };
}

describe('enrolmentChanged', () => {
  it('tells the follower which session and worker changed', async () => {
    const told: string[] = [];
    const { deps, warned } = depsWith(async (s, w) => void told.push(`${s}/${w}`));
    await enrolmentChanged(deps, 's1', 'w1');
    expect(told).toEqual(['s1/w1']);
    expect(warned).toEqual([]);
  });

  it('logs a failing follower as a warning naming the session and worker, and resolves', async () => {
    const { deps, warned } = depsWith(async () => {
      throw new Error('database away');
    });
    await expect(enrolmentChanged(deps, 's2', 'w2')).resolves.toBeUndefined();
    expect(warned).toHaveLength(1);
    expect(warned[0]!.fields).toMatchObject({ session: 's2', worker: 'w2' });
    expect(String(warned[0]!.fields.err)).toContain('database away');
  });

  it('does nothing without a follower', async () => {
    const { deps, warned } = depsWith();
    await expect(enrolmentChanged(deps, 's3', 'w3')).resolves.toBeUndefined();
    expect(warned).toEqual([]);
  });
});

describe('answerOf (the answer an enrolment stands for)', () => {
  const e = (state: EnrolmentState) => ({ sessionId: 's', workerId: 'w', state, offeredUntil: null, at: new Date() }) as unknown as Enrolment;
  it.each([
    ['enrolled', 'enrol'],
    ['waiting', 'waiting'],
    ['offered', 'waiting'],
    ['cancelled', 'decline'],
    ['expired', 'decline'],
  ] as const)('%s → %s', (state, answer) => {
    expect(answerOf(e(state))).toBe(answer);
  });
  it('no enrolment → nothing to follow', () => {
    expect(answerOf(null)).toBeNull();
  });
});
