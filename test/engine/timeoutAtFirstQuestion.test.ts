/**
 * A conversation left at a flow's first question, nothing answered yet, and woken after the idle timeout: an
 * answer to a choice question is taken; a free-text one gets the offer to resume or start over (any greeting
 * would "answer" it); a message that starts another flow starts it; a menu left open takes its choice.
 */
import { describe, expect, it } from 'vitest';
import { defaultActions, EngineHarness } from '../support/engineHarness.ts';

const HOUR = 3_600_000;

describe('the idle timeout at a first question', () => {
  it('regression: after a timeout, an answer to a flow\'s first question was dropped (注册 → 王五 got "没有理解")', async () => {
    const h = new EngineHarness();
    expect(await h.say('注册')).toContain('请输入您的姓名');
    h.advance(HOUR);
    const reply = await h.say('王五');
    expect(reply).not.toContain('没有理解');
    expect(reply).toContain('欢迎回来！您上次办理的「党务工作者注册」还没有完成');
    expect(h.state).toMatchObject({ flowId: 'registration', pending: { kind: 'resume' } });
    expect(await h.say('继续上次的进度')).toContain('请输入您的姓名');
    const next = await h.say('王五');
    expect(next).not.toContain('请输入您的姓名');
    expect(h.state.answers).toMatchObject({ name: '王五' });
  });

  it('regression: after a timeout, a yes/no answer to a flow\'s first question was dropped (申报 → 是 got "没有理解")', async () => {
    const h = new EngineHarness({
      ...defaultActions(),
      'certification.levels': async () => ({ registered: true, policy: { id: 'pinghu' }, asks: { stillInPost: true } }),
    });
    expect(await h.say('申报')).toContain('您目前是否仍在党务工作岗位上？');
    h.advance(HOUR);
    const reply = await h.say('是');
    expect(reply).not.toContain('没有理解');
    expect(reply).toContain('欢迎回来！继续办理');
    expect(h.state.flowId).toBe('declaration');
    expect(h.state.answers).toMatchObject({ stillInPost: true });
  });

  it('a message that starts another flow starts it, with nothing to resume', async () => {
    const h = new EngineHarness();
    await h.say('注册');
    h.advance(HOUR);
    const reply = await h.say('我的证书');
    expect(reply).not.toContain('欢迎回来');
    // The certificates flow answers at once (for a worker not yet registered).
    expect(reply).toContain('请先注册');
  });

  it('regression: after a timeout, a command typed in a flow with answers (我的证书 in 签到 after a wrong code) got only the welcome back', async () => {
    const h = new EngineHarness();
    await h.say('注册');
    await h.say('王五');
    expect(h.state.history.length).toBeGreaterThan(0);
    h.advance(8 * 24 * HOUR);
    const reply = await h.say('我的证书');
    expect(reply).not.toContain('欢迎回来');
    expect(reply).toContain('请先注册');
    // The registration waits, parked with its answer, and is offered again when the certificates flow ends.
    expect(reply).toContain('党务工作者注册');
    expect(h.state).toMatchObject({ flowId: 'registration', answers: { name: '王五' } });
  });

  it('a menu left open takes its choice, without a welcome back to the menu', async () => {
    const h = new EngineHarness();
    await h.say('菜单');
    expect(h.state.flowId).toBe('menu');
    h.advance(HOUR);
    const reply = await h.say('1');
    expect(reply).not.toContain('欢迎回来');
    expect(reply).not.toContain('没有理解');
    expect(h.state.flowId).not.toBe('menu');
  });
});
