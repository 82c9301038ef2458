import { describe, expect, it } from 'vitest';
import { broadcastAnswerOf, mayBeBroadcastAnswer } from '../../src/app/broadcasts/replies.ts';
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
  // Bare 测评 is answered too since it got its own reply (what a code looks like; polls:noCode).
  it('may answer 测评 and poll without a code', () => {
    expect(mayBePollMessage(text('测评'), inFlow)).toBe(true);
    expect(mayBePollMessage(text('poll'), inFlow)).toBe(true);
  });
  it.each(['张三', '13812345678', '测评组织', '菜单'])('surely does not answer %s without a session', (t) => {
    expect(mayBePollMessage(text(t), inFlow)).toBe(false);
  });
});

describe('broadcastAnswerOf', () => {
  it('reads a button, a word, and a bare number', () => {
    expect(broadcastAnswerOf(choice('bc:b42:decline'))).toEqual({ choice: 'decline', broadcastId: 'b42', button: true, byNumber: false });
    expect(broadcastAnswerOf(text(' 报名 '))).toEqual({ choice: 'enrol', button: false, byNumber: false });
    expect(broadcastAnswerOf(text('No thanks'))).toEqual({ choice: 'decline', button: false, byNumber: false });
    expect(broadcastAnswerOf(text('1'))).toEqual({ choice: 'enrol', button: false, byNumber: true });
    expect(broadcastAnswerOf(text('2'))).toEqual({ choice: 'decline', button: false, byNumber: true });
  });
  it('leaves other text to the flows', () => {
    expect(broadcastAnswerOf(text('张三'))).toBeNull();
    expect(broadcastAnswerOf(text('3'))).toBeNull();
    expect(broadcastAnswerOf(choice('bc:b42:maybe'))).toBeNull();
  });
});

describe('mayBeBroadcastAnswer', () => {
  it('may answer a button or a word anywhere, and a number outside a flow', () => {
    for (const state of [idle, inFlow]) {
      expect(mayBeBroadcastAnswer(choice('bc:b42:enrol'), state)).toBe(true);
      expect(mayBeBroadcastAnswer(text('报名'), state)).toBe(true);
      expect(mayBeBroadcastAnswer(text('不参加'), state)).toBe(true);
    }
    expect(mayBeBroadcastAnswer(text('1'), idle)).toBe(true);
    expect(mayBeBroadcastAnswer(text('2'), idle)).toBe(true);
  });
  // A number inside a flow after a notice reaches the replies through the store's notice mark instead
  // (test/e2e/broadcast-number-in-flow.test.ts).
  it('leaves a number inside a flow, and any other text, to the flows', () => {
    expect(mayBeBroadcastAnswer(text('1'), inFlow)).toBe(false);
    expect(mayBeBroadcastAnswer(text('2'), inFlow)).toBe(false);
    expect(mayBeBroadcastAnswer(text('张三'), idle)).toBe(false);
  });
});
