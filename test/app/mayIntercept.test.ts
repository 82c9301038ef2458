import { describe, expect, it } from 'vitest';
import { broadcastAnswerOf } from '../../src/app/broadcasts/replies.ts';
import type { InboundMessage } from '../../src/app/handleInbound.ts';
import { mayBePollMessage } from '../../src/app/polls/respondentChat.ts';
import { newConversation } from '../../src/engine/index.ts';

/**
 * The tests without I/O that let the inbound pipeline run a turn before taking the lease: each must say yes to
 * every message its intercept may answer, or that message's poll or broadcast answer would skip the intercept.
 */
const idle = newConversation('sim', 'u1', 'zh-CN', new Date('2026-03-01T02:00:00Z'));
const inFlow = { ...idle, flowId: 'registration', flowVersion: 1, stepId: 'name' };
const text = (t: string): InboundMessage => ({ channel: 'sim', userId: 'u1', messageId: 'm1', input: { type: 'text', text: t } });
const choice = (id: string): InboundMessage => ({ channel: 'sim', userId: 'u1', messageId: 'm1', input: { type: 'choice', choiceId: id } });

describe('mayBePollMessage', () => {
  it.each(['测评 7K3M9QX2PD', 'poll 7k3m9-qx2pd', '测评 7K3M9QX2PD 1 2 很好', '满意度测评7K3M9QX2PD'])('may answer %s', (t) => {
    expect(mayBePollMessage(text(t), inFlow)).toBe(true);
  });
  it('may answer anything while a poll session is open, buttons too', () => {
    const open = { ...inFlow, vars: { pollSession: true } };
    expect(mayBePollMessage(text('张三'), open)).toBe(true);
    expect(mayBePollMessage(choice('poll:3'), open)).toBe(true);
  });
  it.each(['张三', '13812345678', '测评', '菜单'])('surely does not answer %s without a session', (t) => {
    expect(mayBePollMessage(text(t), inFlow)).toBe(false);
  });
});

describe('broadcastAnswerOf', () => {
  it('reads a button, a word, and a bare number outside a flow', () => {
    expect(broadcastAnswerOf(choice('bc:b42:decline'), inFlow)).toEqual({ choice: 'decline', broadcastId: 'b42', button: true });
    expect(broadcastAnswerOf(text(' 报名 '), inFlow)).toEqual({ choice: 'enrol', button: false });
    expect(broadcastAnswerOf(text('No thanks'), inFlow)).toEqual({ choice: 'decline', button: false });
    expect(broadcastAnswerOf(text('1'), idle)).toEqual({ choice: 'enrol', button: false });
    expect(broadcastAnswerOf(text('2'), idle)).toEqual({ choice: 'decline', button: false });
  });
  it('leaves numbers inside a flow and other text to the flows', () => {
    expect(broadcastAnswerOf(text('1'), inFlow)).toBeNull();
    expect(broadcastAnswerOf(text('张三'), idle)).toBeNull();
    expect(broadcastAnswerOf(choice('bc:b42:maybe'), idle)).toBeNull();
  });
});
