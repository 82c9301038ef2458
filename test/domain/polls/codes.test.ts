import { describe, expect, it } from 'vitest';
import { codeFromBytes, normalizeCode, pollCommand } from '../../../src/domain/polls/codes.ts';
import { answerProblem, questionnaireOf } from '../../../src/domain/polls/questionnaire.ts';
import { policySchema } from '../../../src/domain/policy/schema.ts';
import { content } from '../../support/engineHarness.ts';

describe('poll codes', () => {
  it('are 10 characters of an alphabet without I, L, O, U and read back as typed', () => {
    const code = codeFromBytes(Uint8Array.from([0, 1, 2, 3, 4, 5, 30, 31, 32, 255]));
    expect(code).toBe('012345YZ0Z');
    expect(normalizeCode('o12-345 yz0z')).toBe(code);
    expect(normalizeCode('012345YZ0')).toBeNull();
    expect(normalizeCode('012345YZ0U')).toBeNull();
  });

  it.each([
    ['测评 ABCDEFGH12', 'ABCDEFGH12'],
    ['poll ABCDEFGH12', 'ABCDEFGH12'],
    ['poll_ABCDEFGH12', 'ABCDEFGH12'],
    ['POLL:abcdefgh12', 'abcdefgh12'],
    ['测评', null],
    ['我要测评一下', null],
    ['注册', null],
  ])('%j opens a poll with %j', (text, code) => {
    expect(pollCommand(text)).toBe(code);
  });
});

describe('questionnaire from the policy', () => {
  const policies = content().policies;
  it('is overall + the dimensions + the comment, on the policy scale', () => {
    const pinghu = questionnaireOf(policies.get('pinghu')!);
    expect(pinghu.questions.map((q) => q.id)).toEqual(['overall', 'workStyle', 'comment']);
    expect(pinghu.scale).toEqual(['veryPleased', 'pleased', 'neutral', 'displeased']);
    expect(questionnaireOf(policies.get('jiangsu')!).questions.map((q) => q.id)).toEqual(['overall', 'comment']);
  });

  it('refuses incomplete or off-scale answers', () => {
    const q = questionnaireOf(policies.get('pinghu')!);
    expect(answerProblem(q, { scale: { overall: 'pleased' } })).toBe('question workStyle is not answered');
    expect(answerProblem(q, { scale: { overall: 'great', workStyle: 'pleased' } })).toBe('great is not on the scale');
    expect(answerProblem(q, { scale: { overall: 'pleased', workStyle: 'pleased', extra: 'pleased' } })).toBe('no question extra');
    expect(answerProblem(q, { scale: { overall: 'pleased', workStyle: 'pleased' }, comment: 'x'.repeat(501) })).toContain('longer than 500');
    expect(answerProblem(q, { scale: { overall: 'pleased', workStyle: 'neutral' }, comment: '好' })).toBeNull();
  });

  it('a policy may not set a minimum group size below 3', () => {
    const pinghu = structuredClone(policies.get('pinghu')!) as Record<string, unknown> & { satisfaction: Record<string, unknown> };
    pinghu.satisfaction.poll = { minGroupSize: 2 };
    const r = policySchema.safeParse(pinghu);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('a poll never shows a group of fewer than 3 answers');
  });
});
