/**
 * Lines that used to follow commands although nothing called for them: a menu "resumed" after every command,
 * a cancellation that did not say what it cancelled, help that spoke of a matter in progress at the menu, and
 * the message that woke an idle conversation thrown away.
 */
import { describe, expect, it } from 'vitest';
import type { AnswerValue } from '../../src/engine/types.ts';
import { defaultActions, EngineHarness } from '../support/engineHarness.ts';
import { registrationAt } from './registrationPoints.ts';

const RESUMED_MENU = '继续办理「主菜单」';

/** A registered worker whose region offers two levels (the declaration reaches its level question). */
function declaring(): EngineHarness {
  const actions = {
    ...defaultActions(),
    'certification.levels': async (): Promise<AnswerValue> => ({
      registered: true,
      policy: 'p1',
      policyName: '测试政策',
      anyEligible: true,
      asks: { orgSizeClass: false, commendationLevel: false, stillInPost: false },
      options: [
        { value: 'junior', name: '初级', label: '初级（可申报）' },
        { value: 'intermediate', name: '中级', label: '中级（暂不符合）' },
      ],
      text: '可以申报：\n· 初级',
    }),
  };
  return new EngineHarness(actions);
}

describe('no leftover lines', () => {
  it.each(['进度', '我的证书', '我能申报什么', '我的信息'])('regression: "继续办理「主菜单」" followed %j typed at the menu', async (command) => {
    const h = new EngineHarness();
    await h.send('菜单');
    const reply = await h.say(command);
    expect(reply).not.toContain(RESUMED_MENU);
    // Nothing waits afterwards: the next message is read afresh, not as an answer to the menu.
    expect(h.state.parked).toBeNull();
  });

  it('regression: 取消 during 申报 answered "继续办理「主菜单」" instead of saying what was cancelled', async () => {
    const h = declaring();
    await h.send('菜单');
    expect(await h.say('申报')).toContain('请选择要申报的等级');
    const reply = await h.say('取消');
    expect(reply).toContain('已取消「资格等级申报」');
    expect(reply).not.toContain(RESUMED_MENU);
    expect(h.state).toMatchObject({ flowId: null, parked: null });
  });

  it('regression: an edit menu left open came back after later commands', async () => {
    const h = await registrationAt('summary');
    await h.send('确认');
    expect(await h.say('我的信息')).toContain('需要修改哪一项');
    const status = await h.say('进度');
    expect(status).not.toContain('继续办理「我的信息」');
    expect(status).not.toContain('需要修改哪一项');
    const certificates = await h.say('我的证书');
    expect(certificates).not.toContain('需要修改哪一项');
  });

  it('regression: 帮助 at the main menu said "正在办理中" with nothing in progress', async () => {
    const h = new EngineHarness();
    await h.send('菜单');
    const reply = await h.say('帮助');
    expect(reply).not.toContain('正在办理中');
    expect(reply).toContain('可以');
    expect(reply).toContain('请选择要办理的事项');
  });

  it('cancelling a registration with answers names it; a parked registration still resumes after the menu', async () => {
    const h = await registrationAt('orgName');
    await h.send('菜单');
    expect(await h.say('进度')).toContain('继续办理「党务工作者注册」');
    expect(await h.say('取消')).toContain('已取消「党务工作者注册」');
  });
});

describe('the message that wakes an idle conversation', () => {
  it('regression: an answer to the current question sent after the timeout was thrown away', async () => {
    const h = await registrationAt('orgType');
    h.advance(2 * 3600_000);
    const reply = await h.say('社会组织');
    expect(h.state.answers.orgType).toBe('social');
    expect(reply).toContain('欢迎回来');
    expect(reply).toContain('规模以上'); // the next question
  });

  it('a message that does not answer the question gets the resume offer, as before', async () => {
    const h = await registrationAt('orgType');
    h.advance(2 * 3600_000);
    const reply = await h.say('你好');
    expect(reply).toContain('还没有完成');
    expect(h.state.pending).toEqual({ kind: 'resume' });
    expect(h.state.answers.orgType).toBeUndefined();
  });

  it('at a free-text question any words would "answer", so the offer comes first', async () => {
    const h = await registrationAt('orgName');
    h.advance(2 * 3600_000);
    await h.send('你好');
    expect(h.state.pending).toEqual({ kind: 'resume' });
    expect(h.state.answers.orgName).toBeUndefined();
  });
});
