/** What a worker who has not registered is told by the look-ups: each in its own words, not the declaration's. */
import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../support/engineHarness.ts';

describe('look-ups before registration', () => {
  it.each([
    ['zh-CN', '我的证书', '申报前请先注册', '查看证书前请先注册。回复“注册”开始'],
    ['en', 'my certificates', 'before applying', 'Please register before looking up your certificates. Reply "register" to start'],
  ] as const)('regression: %s %j before registration was told "申报前请先注册" (the declaration\'s wording)', async (locale, word, wrong, right) => {
    const h = new EngineHarness();
    h.state.locale = locale;
    const reply = await h.say(word);
    expect(reply).not.toContain(wrong);
    expect(reply).toContain(right);
  });
});
