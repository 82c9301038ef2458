/**
 * reaskQuestion: what brings a user back to the question their flow waits at after something outside the flows
 * (a poll) answered them in between. It only reads the state; the next message is answered as if nothing happened.
 */
import { describe, expect, it } from 'vitest';
import { reaskQuestion } from '../../src/engine/reaskQuestion.ts';
import { content, EngineHarness } from '../support/engineHarness.ts';

const t = (locale: string, key: string, params?: Record<string, unknown>) => content().translator.t(locale, key, params);
const reask = (h: EngineHarness) => reaskQuestion(content().flows, h.state, h.ctx(), 'common:backToFlow');

describe('reaskQuestion', () => {
  it('says where the user was and asks the question again, in their language, leaving the state as it was', async () => {
    const h = new EngineHarness();
    await h.say('English');
    await h.say('register');
    await h.say('Zhang San');
    const before = structuredClone(h.state);
    const out = reask(h);
    expect(out.map((m) => m.text)).toEqual([t('en', 'common:backToFlow', { title: t('en', 'registration:title') }), t('en', 'registration:mobile.prompt')]);
    expect(h.state).toEqual(before);
    // The next message answers that question.
    expect(await h.say('13812345678')).toContain(t('en', 'registration:idNumber.prompt'));
  });

  it('asks a question reached by "back" with its offer to keep the previous answer, as the engine asked it', async () => {
    const h = new EngineHarness();
    await h.say('注册');
    await h.say('张三');
    await h.say('返回');
    const out = reask(h);
    expect(out.at(-1)).toEqual(h.sent.at(-1)!.at(-1));
    expect(out.at(-1)!.text).toContain(t('zh-CN', 'registration:name.prompt'));
    expect(out.at(-1)!.choices?.map((c) => c.id)).toEqual(['__keep']);
  });

  it('repeats the welcome-back offer when that is what the chat waits at', async () => {
    const h = new EngineHarness();
    await h.say('注册');
    await h.say('张三');
    h.advance(31 * 60_000);
    expect(await h.say('你好')).toContain('欢迎回来');
    const out = reask(h);
    expect(out).toHaveLength(1);
    expect(out[0]!.text).toBe(t('zh-CN', 'common:welcomeBack', { title: t('zh-CN', 'registration:title') }));
    expect(out[0]!.choices?.map((c) => c.id)).toEqual(['__resume', '__restart']);
  });

  it('says nothing in no flow, at the menu with nothing chosen, or past the session timeout', async () => {
    const idle = new EngineHarness();
    expect(reask(idle)).toEqual([]);
    const menu = new EngineHarness();
    await menu.say('菜单');
    expect(menu.state.flowId).toBe('menu');
    expect(reask(menu)).toEqual([]);
    const late = new EngineHarness();
    await late.say('注册');
    await late.say('张三');
    late.advance(31 * 60_000);
    // The next message gets the engine's own welcome back, which a turn must remember.
    expect(reask(late)).toEqual([]);
  });
});
