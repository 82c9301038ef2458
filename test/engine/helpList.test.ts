/** The idle help lists every flow a word starts, from the loaded flows, so it cannot fall behind them. */
import { describe, expect, it } from 'vitest';
import { content, EngineHarness } from '../support/engineHarness.ts';

const CJK = /[\u4e00-\u9fff]/;

describe('the help list', () => {
  it('regression: 帮助 did not list 培训, 我的培训, 签到, 取消报名, 退订/恢复提醒, 补充材料', async () => {
    const h = new EngineHarness();
    const help = await h.say('帮助');
    for (const word of ['培训', '我的培训', '签到', '取消培训', '退订', '恢复提醒', '补充材料']) expect(help).toContain(`“${word}”`);
    expect(help).toContain('“测评 测评码”');
  });

  it.each([
    ['typed', '你好', '帮助'],
    ['picked by its number', '菜单', '7'],
  ])('regression: the menu\'s 帮助 %s printed a raw {{flows}} placeholder', async (_how, open, pick) => {
    const h = new EngineHarness();
    await h.say(open);
    const help = await h.say(pick);
    expect(help).not.toContain('{{');
    expect(help).toContain('“培训”');
  });

  it.each([
    ['zh-CN', '帮助', true],
    ['en', 'help', false],
  ] as const)('in %s it names every flow with a trigger by a word of that language', async (locale, command, chinese) => {
    const h = new EngineHarness();
    h.state.locale = locale;
    const help = await h.say(command);
    const flows = content().flows;
    const withTriggers = flows.ids().map((id) => flows.current(id)).filter((f) => f.triggers.length > 0);
    expect(withTriggers.length).toBeGreaterThan(10);
    for (const f of withTriggers) {
      const word = f.triggers.find((w) => CJK.test(w) === chinese) ?? f.triggers[0]!;
      expect(help, f.id).toContain(chinese ? `“${word}”` : `"${word}"`);
    }
    expect(help).not.toContain('{{');
  });
});

describe('the help list names each thing once', () => {
  it.each([
    ['zh-CN', '帮助'],
    ['en', 'help'],
  ] as const)('regression: %s help listed the progress query twice ("查询进度" and "进度", "my status" and "status")', async (locale, command) => {
    const h = new EngineHarness();
    h.state.locale = locale;
    const help = await h.say(command);
    const what = content().translator.t(locale, 'status:helpLine');
    expect(help.split('\n').filter((l) => l.includes(what))).toHaveLength(1);
    expect(help).toContain(locale === 'en' ? '"status"' : '“进度”');
  });
});
