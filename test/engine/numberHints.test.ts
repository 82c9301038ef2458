/**
 * "回复编号" only where numbers are shown: buttons (the simulator, Telegram) show none, so the engine's text does
 * not ask for one; the WeChat text rendering numbers the choices and uses the message's numbered text.
 */
import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/channels/wechat-common/text.ts';
import { EngineHarness } from '../support/engineHarness.ts';

// Asking for a reply by number (编号, 回复数字); a code's "six digits" (签到 六位数字) is not such a request.
const NUMBERS = /编号|回复数字|a number/u;

describe('number hints', () => {
  it('regression: the menu shown as buttons said 回复编号 though the buttons show no numbers', async () => {
    const h = new EngineHarness();
    const out = await h.send('菜单');
    const menu = out.find((m) => m.choices?.length)!;
    expect(menu.text).not.toMatch(NUMBERS);
    expect(renderText(out)).toContain('回复编号');
    expect(renderText(out)).toContain('1. 注册');
  });

  it('regression: a refused choice asked for a number on every channel', async () => {
    const h = new EngineHarness();
    await h.send('菜单');
    const out = await h.send('随便');
    const reply = out.find((m) => m.choices?.length)!;
    expect(reply.text).not.toMatch(NUMBERS);
    expect(renderText(out)).toContain('请回复 1 到 7 之间的编号');
  });

  it('the help text lists words, not numbers', async () => {
    const h = new EngineHarness();
    await h.send('菜单');
    const out = await h.send('帮助');
    for (const m of out) expect(m.text).not.toMatch(NUMBERS);
    h.state = { ...h.state, locale: 'en' };
    for (const m of await h.send('help')) expect(m.text).not.toMatch(NUMBERS);
  });
});
