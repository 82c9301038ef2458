import { describe, expect, it } from 'vitest';
import { oneMessageAnswer, oneMessageParts } from '../../../src/domain/polls/oneMessage.ts';
import type { Questionnaire } from '../../../src/domain/polls/types.ts';

const q: Questionnaire = {
  scale: ['veryPleased', 'pleased', 'neutral', 'displeased'],
  positive: ['veryPleased', 'pleased'],
  questions: [
    { id: 'overall', kind: 'scale', text: { key: 'polls:question.overall' } },
    { id: 'workStyle', kind: 'scale', text: { 'zh-CN': '作风', en: 'style' } },
    { id: 'comment', kind: 'comment', text: { key: 'polls:question.comment' } },
  ],
};

describe('the one-message answer', () => {
  it('splits the code (also typed in groups) from what follows it', () => {
    expect(oneMessageParts('测评 7K3M9QX2PD 1 2')).toEqual({ code: '7K3M9QX2PD', rest: '1 2' });
    expect(oneMessageParts('poll 7k3m9-qx2pd 12 很好')).toEqual({ code: '7k3m9-qx2pd', rest: '12 很好' });
    expect(oneMessageParts('测评7K3M9QX2PD\n1 2')).toEqual({ code: '7K3M9QX2PD', rest: '1 2' });
    expect(oneMessageParts('测评 7K3M9QX2PD')).toBeNull();
    expect(oneMessageParts('进度 7K3M9QX2PD 1 2')).toBeNull();
  });

  it('reads one number per scale question, together or apart, and the rest as the comment', () => {
    expect(oneMessageAnswer(q, '1 2')).toEqual({ ok: true, answer: { scale: { overall: 'veryPleased', workStyle: 'pleased' } } });
    expect(oneMessageAnswer(q, '43')).toEqual({ ok: true, answer: { scale: { overall: 'displeased', workStyle: 'neutral' } } });
    expect(oneMessageAnswer(q, '1，2， 工作认真 负责')).toEqual({ ok: true, answer: { scale: { overall: 'veryPleased', workStyle: 'pleased' }, comment: '工作认真 负责' } });
    expect(oneMessageAnswer(q, '12 很好')).toEqual({ ok: true, answer: { scale: { overall: 'veryPleased', workStyle: 'pleased' }, comment: '很好' } });
  });

  it('regression: an extra number went into the comment (测评 <code> 1 2 很好 for one question) and an off-scale number was not named', () => {
    const one = { ...q, questions: q.questions.filter((x) => x.id !== 'workStyle') };
    expect(oneMessageAnswer(one, '1 2 很好')).toEqual({ ok: false, problem: 'tooMany', count: 2 });
    expect(oneMessageAnswer(one, '5 1')).toEqual({ ok: false, problem: 'offScale', number: '5', max: 4 });
    expect(oneMessageAnswer(q, '1 10')).toEqual({ ok: false, problem: 'offScale', number: '10', max: 4 });
    expect(oneMessageAnswer(q, '15')).toEqual({ ok: false, problem: 'offScale', number: '5', max: 4 });
    expect(oneMessageAnswer(one, '1 2026年工作很好')).toEqual({ ok: true, answer: { scale: { overall: 'veryPleased' }, comment: '2026年工作很好' } });
  });

  it('refuses too few numbers, numbers off the scale, and a comment the poll does not ask for', () => {
    expect(oneMessageAnswer(q, '1')).toEqual({ ok: false, problem: 'format' });
    expect(oneMessageAnswer(q, '123')).toEqual({ ok: false, problem: 'format' });
    expect(oneMessageAnswer(q, '很满意 很满意')).toEqual({ ok: false, problem: 'format' });
    const noComment = { ...q, questions: q.questions.filter((x) => x.kind === 'scale') };
    expect(oneMessageAnswer(noComment, '1 1 好')).toEqual({ ok: false, problem: 'noComment' });
    expect(oneMessageAnswer(q, `1 1 ${'长'.repeat(501)}`)).toEqual({ ok: false, problem: 'commentTooLong', length: 501 });
  });
});
