import { describe, expect, it } from 'vitest';
import { hiddenGroups, pollResults, quorumRequired, type ResultsInput } from '../../../src/domain/polls/results.ts';
import type { GroupTally, PollGroup } from '../../../src/domain/polls/types.ts';

const tally = (counts: Record<string, number>): GroupTally => ({ answers: Object.values(counts).reduce((a, b) => a + b, 0), counts: { overall: counts } });
const input = (tallies: Partial<Record<PollGroup, GroupTally>>, over: Partial<ResultsInput> = {}): ResultsInput => ({
  roster: { owner: 1, member: 12, employee: 40 },
  minGroupSize: 5,
  quorum: { minShare: 0.6, minAnswers: 5 },
  positive: ['veryPleased', 'pleased'],
  tallies,
  comments: [],
  ...over,
});
const answers = (owner: number, member: number, employee: number) => ({ owner, member, employee });

describe('small-group suppression', () => {
  it.each([
    // [owner, member, employee], minimum, hidden groups
    [answers(1, 12, 30), 5, ['owner', 'member']], // owner alone could be subtracted: the next-smallest group goes too
    [answers(0, 12, 30), 5, ['owner']], // no owner answer: nothing to work out
    [answers(0, 4, 30), 5, ['owner', 'member', 'employee']], // 4 members hidden alone = total − employees
    [answers(0, 5, 30), 5, ['owner']],
    [answers(1, 2, 30), 5, ['owner', 'member', 'employee']], // owner + 2 members = 3 < 5: still worked out
    [answers(1, 4, 4), 3, ['owner', 'member']], // owner + members = 5 ≥ 3 together: employees may show
    [answers(0, 3, 3), 3, ['owner']],
    [answers(0, 3, 3), 1, ['owner']], // a minimum below 3 is raised to 3
    [answers(0, 2, 3), 1, ['owner', 'member', 'employee']],
  ])('answers %j with minimum %i hide %j', (a, min, hidden) => {
    expect([...hiddenGroups(a, min)].sort()).toEqual([...hidden].sort());
  });

  it('never shows the owner, even with a minimum met', () => {
    expect(hiddenGroups(answers(5, 10, 10), 3).has('owner')).toBe(true);
  });
});

describe('poll results', () => {
  it('computes the rate over every valid answer and shows only the groups that may be shown', () => {
    const r = pollResults(input({ owner: tally({ veryPleased: 1 }), member: tally({ pleased: 10, neutral: 2 }), employee: tally({ veryPleased: 20, pleased: 5, neutral: 4, displeased: 1 }) }), Math.random);
    expect(r.valid).toBe(43);
    expect(r.rate).toBeCloseTo(36 / 43);
    expect(r.quorumMet).toBe(true);
    expect(r.quorum).toEqual({ required: 32, roster: 53 });
    expect(r.groups.owner).toEqual({ hidden: true });
    expect(r.groups.member).toEqual({ hidden: true });
    expect(r.groups.employee).toEqual({ answers: 30, counts: { overall: { veryPleased: 20, pleased: 5, neutral: 4, displeased: 1 } } });
  });

  it('misses the quorum below 60 % of the roster or below 5 answers', () => {
    expect(pollResults(input({ employee: tally({ pleased: 31 }) }), Math.random).quorumMet).toBe(false);
    expect(pollResults(input({ employee: tally({ pleased: 32 }) }), Math.random).quorumMet).toBe(true);
    const small = { roster: { owner: 1, member: 2, employee: 3 } };
    expect(quorumRequired(small.roster, { minShare: 0.6, minAnswers: 5 }).required).toBe(5);
    expect(pollResults(input({ employee: tally({ pleased: 3 }), member: tally({ pleased: 1 }) }, small), Math.random).quorumMet).toBe(false);
  });

  it('shows comments of shown groups only, masked, in an order that depends on the random source', () => {
    const comments = [
      { group: 'owner' as const, text: '业主的意见' },
      { group: 'employee' as const, text: '电话 13812345678 找他' },
      { group: 'employee' as const, text: '身份证 320102198503124013' },
      { group: 'employee' as const, text: '第三条' },
    ];
    const tallies = { owner: tally({ pleased: 1 }), member: tally({ pleased: 6 }), employee: tally({ pleased: 10 }) };
    const first = pollResults(input(tallies, { comments }), () => 0).comments;
    const last = pollResults(input(tallies, { comments }), () => 0.999).comments;
    expect(first.map((c) => c.group)).toEqual(['employee', 'employee', 'employee']);
    expect(first.map((c) => c.text).join()).not.toContain('13812345678');
    expect(first.map((c) => c.text).join()).not.toContain('320102198503124013');
    expect(first.map((c) => c.text).join()).toContain('138****5678');
    expect(first.map((c) => c.text)).not.toEqual(last.map((c) => c.text));
    expect(first.map((c) => c.text).sort()).toEqual(last.map((c) => c.text).sort());
  });

  it('regression: a poll that missed its quorum with one answer showed its rate (100 % told that answer)', () => {
    const roster = { roster: { owner: 1, member: 4, employee: 6 } };
    for (const n of [1, 2, 4]) {
      const r = pollResults(input({ employee: tally({ veryPleased: n }) }, roster), Math.random);
      expect(r, `${n} answers`).toMatchObject({ rate: null, valid: n, quorumMet: false });
    }
    // As many as the minimum: the rate is shown, quorum missed or not.
    expect(pollResults(input({ employee: tally({ veryPleased: 4, displeased: 1 }) }, { roster: { owner: 1, member: 12, employee: 40 } }), Math.random)).toMatchObject({ rate: 0.8, valid: 5, quorumMet: false });
    // A quorum met below the minimum (a poll's own small quorum) still gives the rate it records.
    expect(pollResults(input({ employee: tally({ veryPleased: 3 }) }, { roster: { owner: 0, member: 0, employee: 3 }, quorum: { minShare: 0.6, minAnswers: 3 } }), Math.random)).toMatchObject({ rate: 1, valid: 3, quorumMet: true });
  });

  it('has no rate without answers', () => {
    const r = pollResults(input({}), Math.random);
    expect(r).toMatchObject({ rate: null, valid: 0, quorumMet: false });
  });
});
