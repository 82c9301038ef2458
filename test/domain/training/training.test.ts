import { describe, expect, it } from 'vitest';
import { enrolRefusal, holdsSeat, waitingList } from '../../../src/domain/training/enrolment.ts';
import { eligibilityHours, hoursRequired, hoursStanding } from '../../../src/domain/training/hours.ts';
import { trainingPolicySchema } from '../../../src/domain/policy/trainingSchema.ts';
import { deliveryTime, isQuiet } from '../../../src/domain/reminders/quietHours.ts';
import { isMuted } from '../../../src/domain/reminders/reminder.ts';
import type { TrainingSession } from '../../../src/domain/training/types.ts';

const session: TrainingSession = {
  id: 's1', title: 't', kind: 'certification', levels: ['junior'], roles: ['secretary', 'staff'], stages: [], regionCode: '320100',
  startsAt: new Date('2026-04-10T01:00:00Z'), endsAt: new Date('2026-04-10T09:00:00Z'), hours: 8, capacity: 10,
  enrolBy: new Date('2026-04-08T16:00:00Z'), place: 'p', status: 'open', createdBy: 'a', createdAt: new Date(0), version: 1,
};
const worker = { regionCode: '320102', role: 'secretary' as const, levels: ['junior'], applications: [{ level: 'junior', stage: 'qualificationReview' }] };
const before = new Date('2026-04-01T00:00:00Z');

describe('who may enrol', () => {
  it('a worker of a county inside the session city, of a listed role and level, may', () => {
    expect(enrolRefusal(session, worker, before)).toBeNull();
  });
  it.each([
    ['otherRegion', { ...worker, regionCode: '320202' }, before, session],
    ['role', { ...worker, role: 'instructor' as const }, before, session],
    ['level', { ...worker, levels: ['senior'] }, before, session],
    ['deadlinePassed', worker, new Date('2026-04-09T00:00:00Z'), session],
    ['started', worker, new Date('2026-04-10T01:00:00Z'), session],
    ['cancelled', worker, before, { ...session, status: 'cancelled' as const }],
  ])('refused: %s', (reason, w, now, s) => {
    expect(enrolRefusal(s, w, now)).toBe(reason);
  });
  describe('by application stage', () => {
    const atTest = { ...session, stages: ['trainingTest'] };
    it('a session for the 培训测试 stage is open to an applicant of its level at that stage', () => {
      expect(enrolRefusal(atTest, { ...worker, applications: [{ level: 'junior', stage: 'trainingTest' }] }, before)).toBeNull();
    });
    it('refused with the stage as reason: an earlier stage, no application (a holder of the level), or another level at that stage', () => {
      expect(enrolRefusal(atTest, worker, before)).toBe('stage');
      expect(enrolRefusal(atTest, { ...worker, applications: [] }, before)).toBe('stage');
      expect(enrolRefusal(atTest, { ...worker, levels: ['junior', 'senior'], applications: [{ level: 'junior', stage: 'declaration' }, { level: 'senior', stage: 'trainingTest' }] }, before)).toBe('stage');
    });
    it('without levels, any level\'s application at one of the stages will do', () => {
      const anyLevel = { ...session, levels: [], stages: ['training', 'trainingTest'] };
      expect(enrolRefusal(anyLevel, { ...worker, levels: ['senior'], applications: [{ level: 'senior', stage: 'training' }] }, before)).toBeNull();
    });
  });
  it('the waiting list is served by arrival; a lapsed offer holds no seat', () => {
    expect(waitingList([{ state: 'waiting', seq: 5 }, { state: 'enrolled', seq: 1 }, { state: 'waiting', seq: 3 }]).map((e) => e.seq)).toEqual([3, 5]);
    expect(holdsSeat({ state: 'offered', offeredUntil: new Date('2026-04-01T00:00:00Z') }, new Date('2026-04-01T00:00:00Z'))).toBe(false);
    expect(holdsSeat({ state: 'offered', offeredUntil: new Date('2026-04-01T00:00:01Z') }, new Date('2026-04-01T00:00:00Z'))).toBe(true);
  });
});

describe('hours', () => {
  const policy = trainingPolicySchema.parse({ hoursPerYear: { default: 16, roles: { secretary: 56, instructor: 24 }, levels: { senior: 32 } } });
  it('requires the highest figure that applies', () => {
    expect(hoursRequired(policy, 'staff', [])).toBe(16);
    expect(hoursRequired(policy, 'staff', ['senior'])).toBe(32);
    expect(hoursRequired(policy, 'secretary', ['senior'])).toBe(56);
  });
  it('counts per calendar year; eligibility reads the better of this year and last', () => {
    const credits = [{ year: 2025, hours: 24 }, { year: 2026, hours: 8 }, { year: 2026, hours: 4 }];
    expect(hoursStanding(credits, 2026, 16)).toEqual({ year: 2026, credited: 12, required: 16, missing: 4 });
    expect(eligibilityHours(credits, 2026)).toBe(24);
    expect(eligibilityHours(credits, 2027)).toBe(12);
  });
});

describe('quiet hours and mute', () => {
  const quiet = { start: '22:00', end: '08:00', spreadMinutes: 30 };
  it('22:00-08:00 China time is quiet, wrapping midnight; 08:00 itself is not', () => {
    expect(isQuiet(new Date('2026-04-01T14:00:00Z'), quiet)).toBe(true); // 22:00
    expect(isQuiet(new Date('2026-04-01T23:59:00Z'), quiet)).toBe(true); // 07:59
    expect(isQuiet(new Date('2026-04-02T00:00:00Z'), quiet)).toBe(false); // 08:00
    expect(isQuiet(new Date('2026-04-01T13:59:00Z'), quiet)).toBe(false); // 21:59
  });
  it('a night reminder moves to the morning with a stable spread; a daytime one stays', () => {
    const day = new Date('2026-04-01T04:00:00Z');
    expect(deliveryTime(day, quiet, 'k')).toEqual(day);
    const a = deliveryTime(new Date('2026-04-01T15:00:00Z'), quiet, 'key-a');
    expect(a.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-04-02T00:00:00Z'));
    expect(a.getTime()).toBeLessThan(Date.parse('2026-04-02T00:30:00Z'));
    expect(deliveryTime(new Date('2026-04-01T15:00:00Z'), quiet, 'key-a')).toEqual(a);
    const spread = new Set(Array.from({ length: 200 }, (_, i) => deliveryTime(new Date('2026-04-01T15:00:00Z'), quiet, `k${i}`).getTime()));
    expect(spread.size).toBeGreaterThan(150);
  });
  it('mute covers its kind until its end; consequential deadlines ignore it', () => {
    const now = new Date('2026-04-01T00:00:00Z');
    const mutes = [{ workerId: 'w', kind: 'sessionStart' as const, until: new Date('2026-04-02T00:00:00Z') }];
    expect(isMuted(mutes, 'sessionStart', now)).toBe(true);
    expect(isMuted(mutes, 'sessionStart', new Date('2026-04-02T00:00:00Z'))).toBe(false);
    expect(isMuted(mutes, 'examDate', now)).toBe(false);
    expect(isMuted([{ workerId: 'w', kind: 'all', until: null }], 'inspectionDue', now)).toBe(false);
  });
});
