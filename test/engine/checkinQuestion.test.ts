/**
 * The check-in code question (签到 without a code): the menu's own words still do what the menu does, and a
 * message that is no code is told what a code looks like, where it is shown and how to leave.
 */
import { describe, expect, it } from 'vitest';
import { content, defaultActions, EngineHarness } from '../support/engineHarness.ts';

const t = (locale: string, key: string) => content().translator.t(locale, key);

/** Every word the main menu answers to: its option labels in each locale and its synonyms. */
function menuWords(): { word: string; value: string }[] {
  const pick = content().flows.current('menu').stepsById.get('pick');
  if (pick?.kind !== 'ask' || pick.input.type !== 'choice') throw new Error('the menu has no choice question `pick`');
  const words: { word: string; value: string }[] = [];
  for (const option of pick.input.options) {
    for (const locale of content().translator.locales()) words.push({ word: t(locale, `menu:pick.options.${option.value}`), value: option.value });
    for (const synonym of option.synonyms ?? []) words.push({ word: synonym, value: option.value });
  }
  return words;
}

// The check-in itself is tested over the app (test/http/checkinRefusals.test.ts); here it says what it was given.
const actions = { ...defaultActions(), 'training.checkin': async (args: Record<string, unknown>) => ({ status: 'done', text: `code ${String(args.code)}` }) };

async function atCodeQuestion(locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<EngineHarness> {
  const h = new EngineHarness(actions);
  if (locale === 'en') await h.say('English');
  await h.say(locale === 'en' ? 'check in' : '签到');
  expect(h.state).toMatchObject({ flowId: 'checkin', stepId: 'code' });
  return h;
}

describe('the check-in code question', () => {
  it('regression: at the check-in code question the menu\'s own words (办理进度, "Apply for a level") were read as a badly formed code', async () => {
    const words = menuWords();
    expect(words.map((w) => w.word)).toEqual(expect.arrayContaining(['办理进度', 'Apply for a level', 'Which levels can I apply for']));
    for (const { word, value } of words) {
      const h = await atCodeQuestion();
      const reply = await h.say(word);
      expect(reply, word).not.toContain(t('zh-CN', 'checkin:code.pattern'));
      if (value === 'help') expect(reply, word).toContain('正在办理中');
      else expect(h.state.flowId, word).not.toBe('checkin');
    }
  });

  it.each([
    ['zh-CN', '签到码在哪里？', ['例如“123456”', '签到屏幕', '线上培训在课上展示', '“菜单”', '“取消”']],
    ['en', 'where is the code?', ['e.g. "123456"', 'check-in screen', 'online session', '"menu"', '"cancel"']],
  ] as const)('regression: a question at the check-in code question (%s) was told only "six digits", not where the code is shown or how to do something else', async (locale, question, parts) => {
    const h = await atCodeQuestion(locale);
    const reply = await h.say(question);
    for (const part of parts) expect(reply).toContain(part);
    expect(h.state).toMatchObject({ flowId: 'checkin', stepId: 'code' });
  });

  it('a code-shaped answer is still taken as the code (the action reads it)', async () => {
    const h = await atCodeQuestion();
    const reply = await h.say('签到 123456');
    expect(reply).not.toContain(t('zh-CN', 'checkin:code.pattern'));
    expect(reply).toBe('code 签到 123456');
  });

  it.each(['zh-CN', 'en'] as const)('regression: "取消" after a wrong check-in code (%s) said the entered data would not be saved, though nothing was being filled in', async (locale) => {
    const wrong = { ...actions, 'training.checkin': async () => ({ status: 'wrongCode', text: 'wrong code' }) };
    const h = new EngineHarness(wrong);
    if (locale === 'en') await h.say('English');
    await h.say(locale === 'en' ? 'check in' : '签到');
    expect(await h.say('111111')).toContain('wrong code');
    expect(h.state).toMatchObject({ flowId: 'checkin', stepId: 'code' });
    const reply = await h.say(locale === 'en' ? 'cancel' : '取消');
    const title = t(locale, 'checkin:title');
    expect(reply).not.toContain(locale === 'en' ? 'Nothing you entered' : '填写的内容不会保存');
    expect(reply).toBe(content().translator.t(locale, 'checkin:cancelled', { title }));
    expect(reply).toContain(locale === 'en' ? 'not checked in' : '没有签到');
    expect(h.state.flowId).toBeNull();
  });
});
