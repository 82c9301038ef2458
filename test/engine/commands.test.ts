/**
 * Global commands at every kind of waiting point of the real registration flow, plus what happens when nothing is
 * in progress. Each waiting point is reached once (beforeAll) and every test continues from a copy of that state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultActions, EngineHarness } from '../support/engineHarness.ts';
import type { AnswerValue } from '../../src/engine/types.ts';
import { choiceIds, choiceLabels, ID_MASKED, registrationAt, restore, snapshot, texts, type Snapshot } from './registrationPoints.ts';

const MENU_LABELS = ['注册', '我的信息', '我能申报什么', '资格申报', '办理进度', '我的证书', '帮助'];

const HELP_IN_FLOW = '正在办理中，回答下面的问题即可';
const HELP_IDLE = '可以直接回复下列文字';
const MENU_PROMPT = '请选择要办理的事项';
const CANCELLED = '已取消「党务工作者注册」，填写的内容不会保存。';
const RESUMED = '继续办理「党务工作者注册」。';
const NOT_REGISTERED_STATUS = '您还没有注册。回复“注册”开始登记，完成后即可申报资格等级。';

interface Point {
  name: string;
  reach(): Promise<EngineHarness>;
  /** The step the conversation waits at. */
  step: string;
  /** A piece of the question (or summary) shown at this point, in Chinese and in English. */
  question: string;
  questionEn: string;
  /** What "back" leads to: that step, a piece of its prompt, and the previous answer as shown. */
  back: { step: string; field: string; prompt: string; shown: string };
  /** A valid answer in English after switching language, and a piece of the English prompt that follows. */
  nextEn: { reply: string; expect: string };
}

const POINTS: Point[] = [
  {
    name: 'a text question (orgName)',
    reach: () => registrationAt('orgName'),
    step: 'orgName',
    question: '请输入您所在单位（两新组织）的全称',
    questionEn: 'The full name of your organisation:',
    back: { step: 'joinDate', field: 'joinDate', prompt: '您的入党时间是？', shown: '2010-07-01' },
    nextEn: { reply: 'Acme Ltd', expect: 'unified social credit code' },
  },
  {
    name: 'a choice question (orgType)',
    reach: () => registrationAt('orgType'),
    step: 'orgType',
    question: '您所在单位的类型是？',
    questionEn: 'What kind of organisation is it?',
    back: { step: 'orgCode', field: 'orgCode', prompt: '请输入单位的统一社会信用代码', shown: '未填写' },
    nextEn: { reply: 'Social organisation', expect: 'Is your organisation above the designated size' },
  },
  {
    name: 'a yes/no question (idConfirm)',
    reach: () => registrationAt('idConfirm'),
    step: 'idConfirm',
    question: '是否正确？',
    questionEn: 'From your ID number, you are male, born on 1985-03-12. Is that right?',
    back: { step: 'idNumber', field: 'idNumber', prompt: '请输入您的 18 位居民身份证号码', shown: ID_MASKED },
    nextEn: { reply: 'yes', expect: 'What is your party membership?' },
  },
  {
    name: 'the middle of the region tree (after 江苏)',
    reach: () => registrationAt('region', 1),
    step: 'region',
    question: '请选择单位所在地区',
    questionEn: 'Where is your organisation?',
    back: { step: 'role', field: 'role', prompt: '您在党组织中担任的职务是？', shown: '党组织书记' },
    nextEn: { reply: 'Nanjing', expect: 'Selected: Jiangsu Province / Nanjing City' },
  },
  {
    name: 'the summary',
    reach: () => registrationAt('summary'),
    step: 'summary',
    question: '请核对您填写的信息',
    questionEn: 'Please check your details:',
    back: { step: 'professionalTitle', field: 'professionalTitle', prompt: '您是否具有相关职称？', shown: '无' },
    nextEn: { reply: 'confirm', expect: 'You are registered!' },
  },
  {
    name: 'the stuck offer after max retries (mobile)',
    reach: async () => {
      const h = await registrationAt('mobile');
      for (let i = 0; i < 3; i++) await h.send('abc');
      expectStuck(h);
      return h;
    },
    step: 'mobile',
    question: '请输入您的手机号码',
    questionEn: 'Your mobile number:',
    back: { step: 'name', field: 'name', prompt: '请输入您的姓名', shown: '张三' },
    nextEn: { reply: '13912345678', expect: 'Your 18-character resident ID number:' },
  },
  {
    name: 'the resume offer after the idle timeout (membership)',
    reach: async () => {
      const h = await registrationAt('membership');
      h.advance(31 * 60_000);
      const reply = await h.say('你好') // not an answer: the offer comes;
      expect(reply).toContain('欢迎回来！您上次办理的「党务工作者注册」还没有完成');
      expect(h.state.pending).toEqual({ kind: 'resume' });
      return h;
    },
    step: 'membership',
    question: '您的党员身份是？',
    questionEn: 'What is your party membership?',
    back: { step: 'idConfirm', field: 'idConfirm', prompt: '是否正确？', shown: '是' },
    nextEn: { reply: 'Full member', expect: 'When did you join the party?' },
  },
];

const snapshots = new Map<string, Snapshot>();
beforeAll(async () => {
  for (const p of POINTS) snapshots.set(p.name, snapshot(await p.reach()));
});
const at = (p: Point) => restore(snapshots.get(p.name)!);

describe.each(POINTS)('global commands at $name', (p) => {
  it.each(['帮助', 'help', '？', '  HELP! '])('%j shows the help text, then the same question again', async (word) => {
    const h = at(p);
    const reply = await h.say(word);
    expect(reply).toContain(HELP_IN_FLOW);
    expect(reply).toContain(p.question);
    expect(reply.indexOf(HELP_IN_FLOW)).toBeLessThan(reply.indexOf(p.question));
    expect(h.state).toMatchObject({ flowId: 'registration', stepId: p.step });
    expect(isStuck(h)).toBe(false);
  });

  it.each(['取消', 'cancel', '退出'])('%j ends the flow, drops the answers, and the menu is reachable', async (word) => {
    const h = at(p);
    const reply = await h.say(word);
    expect(reply).toContain(CANCELLED);
    expect(h.state).toMatchObject({ flowId: null, stepId: null, answers: {}, parked: null, pending: null });
    const menu = await h.send('菜单');
    expect(texts(menu)).toContain(MENU_PROMPT);
    expect(choiceLabels(menu)).toEqual(MENU_LABELS);
  });

  it.each(['返回', 'back', '上一步'])('%j goes to the previous question offering the previous answer; 保留 keeps it and moves on', async (word) => {
    const h = at(p);
    const before = structuredClone(h.state.answers[p.back.field]);
    const out = await h.send(word);
    expect(texts(out)).toContain(p.back.prompt);
    expect(texts(out)).toContain(`（上次填写：${p.back.shown}）`);
    expect(choiceLabels(out).at(-1)).toBe('保留原答案'); // last, so the options keep their numbers
    expect(h.state.stepId).toBe(p.back.step);

    const kept = await h.say('保留');
    expect(kept).toContain(p.question);
    expect(h.state.stepId).toBe(p.step);
    expect(h.state.answers[p.back.field]).toEqual(before);
  });

  it('the keep button (choice id) works like 保留', async () => {
    const h = at(p);
    const out = await h.send('back');
    expect(choiceIds(out).at(-1)).toBe('__keep');
    expect(await h.say({ type: 'choice', choiceId: '__keep' })).toContain(p.question);
    expect(h.state.stepId).toBe(p.step);
  });

  it.each(['重新开始', 'restart', '重来'])('%j starts the registration over with no answers', async (word) => {
    const h = at(p);
    const reply = await h.say(word);
    expect(reply).toContain('好的，从头开始。');
    expect(reply).toContain('开始注册');
    expect(reply).toContain('请输入您的姓名');
    expect(h.state).toMatchObject({ flowId: 'registration', stepId: 'name', answers: {}, history: [], pending: null });
  });

  it.each(['菜单', 'menu'])('%j shows the menu; finishing the menu resumes the parked flow with 继续办理', async (word) => {
    const h = at(p);
    const answers = structuredClone(h.state.answers);
    const menu = await h.send(word);
    expect(texts(menu)).toContain(MENU_PROMPT);
    expect(h.state.flowId).toBe('menu');
    expect(h.state.parked).toMatchObject({ flowId: 'registration', stepId: p.step });

    const back = await h.say('7'); // 帮助: the menu ends with the help text
    expect(back).toContain(HELP_IDLE);
    expect(back).toContain(RESUMED);
    expect(back).toContain(p.question);
    expect(h.state).toMatchObject({ flowId: 'registration', stepId: p.step, parked: null });
    expect(h.state.answers).toEqual(answers);
  });

  it('cancelling the menu resumes the parked flow with 继续办理', async () => {
    expect(await resumedThroughMenu(p, '取消')).toContain(p.question);
  });

  it('choosing 注册 by number in the menu resumes the parked registration instead of starting over', async () => {
    expect(await resumedThroughMenu(p, '1')).not.toContain('开始注册');
  });

  it.each(['进度', 'status'])('%j shows the status and comes back to the same question', async (word) => {
    const h = at(p);
    const answers = structuredClone(h.state.answers);
    const reply = await h.say(word);
    expect(reply).toContain(NOT_REGISTERED_STATUS);
    expect(reply).toContain(RESUMED);
    expect(reply).toContain(p.question);
    expect(reply.indexOf(NOT_REGISTERED_STATUS)).toBeLessThan(reply.indexOf(p.question));
    expect(h.state).toMatchObject({ flowId: 'registration', stepId: p.step, parked: null });
    expect(h.state.answers).toEqual(answers);
  });

  it('中文 switches back: the question is asked in Chinese again', async () => {
    const h = at(p);
    h.state = { ...h.state, locale: 'en' };
    const reply = await h.say('中文');
    expect(reply).toContain('已切换为中文。');
    expect(h.state.locale).toBe('zh-CN');
    if (p.step !== 'membership') expect(reply).toContain(p.question);
  });

  it('修改 outside the summary asks to answer first (at the summary: explains how to edit)', async () => {
    const h = at(p);
    const reply = await h.say('修改');
    if (p.step === 'summary') expect(reply).toContain('请回复要修改的项目编号（1 到 15）');
    else expect(reply).toContain('请先回答当前问题');
    expect(h.state).toMatchObject({ flowId: 'registration', stepId: p.step });
  });
});

describe.each(POINTS.filter((p) => p.step !== 'membership'))('language switch at $name', (p) => {
  // At the resume offer the switch is covered by the regression test in "the resume offer" below.
  it.each(['English', 'english', '英文'])('%j re-asks the current question in English; later prompts stay English', async (word) => {
    const h = at(p);
    const reply = await h.say(word);
    expect(reply).toContain('Switched to English.');
    expect(reply).toContain(p.questionEn);
    expect(reply).not.toContain(p.question);
    expect(h.state.locale).toBe('en');
    expect(h.state.stepId).toBe(p.step);
    const next = await h.say(p.nextEn.reply);
    expect(next).toContain(p.nextEn.expect);
    expect(next).not.toMatch(/[请您]/u);
  });
});

describe('language switch in the middle of the region tree', () => {
  it('re-offers the current level (the cities of Jiangsu) with English names', async () => {
    const h = at(POINTS[3]!);
    const out = await h.send('English');
    expect(choiceLabels(out)).toContain('Nanjing City');
    expect(choiceLabels(out)).not.toContain('Jiangsu Province');
  });
});

describe('the resume offer', () => {
  const resume = POINTS[6]!;

  it.each([
    ['继续', '继续'],
    ['1', '1'],
    ['the button', { type: 'choice' as const, choiceId: '__resume' }],
  ])('continue by %s re-asks the question where the user left off', async (_how, input) => {
    const h = at(resume);
    const reply = await h.say(input);
    expect(reply).toContain(resume.question);
    expect(h.state.pending).toBeNull();
    expect(await h.say('正式党员')).toContain('您的入党时间是？');
  });

  it.each([
    ['2', '2'],
    ['the button', { type: 'choice' as const, choiceId: '__restart' }],
  ])('start over by %s restarts the registration', async (_how, input) => {
    const h = at(resume);
    expect(await h.say(input)).toContain('请输入您的姓名');
    expect(h.state).toMatchObject({ stepId: 'name', answers: {} });
  });

  it('anything else shows the offer again', async () => {
    const h = at(resume);
    const out = await h.send('正式党员');
    expect(texts(out)).toContain('欢迎回来');
    expect(choiceLabels(out)).toEqual(['继续上次的进度', '重新开始']);
    expect(h.state.pending).toEqual({ kind: 'resume' });
  });

  it('regression: after a language switch at the resume offer, the answer to the re-asked question is swallowed by the resume offer', async () => {
    const h = at(resume);
    const reply = await h.say('English');
    expect(reply).toContain('Switched to English.');
    expect(reply).toContain('What is your party membership?');
    // The bot just asked the membership question, so the answer to it must be taken ...
    const next = await h.say('Full member');
    expect(next).not.toContain('Welcome back');
    expect(next).toContain('When did you join the party?');
  });
});

describe('the idle timeout while only the menu is open', () => {
  it('regression: a returning user who left the menu open is offered to resume 「主菜单」 and the trigger they typed is ignored', async () => {
    const h = new EngineHarness();
    await h.send('你好'); // first contact: welcome and the menu
    expect(h.state.flowId).toBe('menu');
    h.advance(2 * 3600_000);
    const reply = await h.say('注册');
    expect(reply).not.toContain('欢迎回来！您上次办理的「主菜单」还没有完成');
    expect(reply).toContain('请输入您的姓名');
    expect(h.state.flowId).toBe('registration');
  });
});

describe('off-script text at a choice question', () => {
  const choice = POINTS[1]!;

  it.each(['我想喝咖啡', '你好', '3', '随便', 'what?'])('%j re-prompts with the options and keeps the conversation', async (text) => {
    const h = at(choice);
    const out = await h.send(text);
    expect(texts(out)).toContain('请从下面的选项中选择，或直接回复选项文字。');
    expect(choiceLabels(out)).toEqual(['非公企业', '社会组织']);
    expect(h.state).toMatchObject({ flowId: 'registration', stepId: 'orgType' });
  });

  it('never ends the conversation, however long it goes on', async () => {
    const h = at(choice);
    for (let i = 0; i < 8; i++) {
      const out = await h.send(`乱说${i}`);
      expect(out.length).toBeGreaterThan(0);
      expect(choiceLabels(out).length).toBeGreaterThan(0);
      expect(h.state).toMatchObject({ flowId: 'registration', stepId: 'orgType' });
    }
    expect(await h.say('社会组织')).toContain('单位是否为规模以上企业');
  });

  it('a trigger word at a choice question opens that flow and comes back (我的信息)', async () => {
    const h = at(choice);
    const reply = await h.say('我的信息');
    expect(reply).toContain('您还没有注册。回复“注册”开始登记。');
    expect(reply).toContain(RESUMED);
    expect(reply).toContain(choice.question);
    expect(h.state.stepId).toBe('orgType');
  });

  it('regression: a trigger word that is also a choice of the question (退订 → 培训) started the training flow instead of answering', async () => {
    const muted: unknown[] = [];
    const h = new EngineHarness({ ...defaultActions(), 'reminders.mute': async (args): Promise<AnswerValue> => (muted.push(args.kind), { status: 'muted' }) });
    expect(await h.say('退订')).toContain('要退订哪一类提醒');
    await h.say('培训');
    expect(muted).toEqual(['sessionStart']);
    expect(h.state.flowId).not.toBe('training');
  });

  it('a trigger word at a free-text question is an answer, not a flow switch', async () => {
    const h = at(POINTS[0]!);
    expect(await h.say('我的信息')).toContain('统一社会信用代码');
    expect(h.state.answers.orgName).toBe('我的信息');
  });
});

describe('the menu parked over a registration', () => {
  it('regression: typing 注册 at the menu opened from a registration starts the registration over instead of resuming it', async () => {
    // Waiting at orgName with six answers; 注册 is the menu option's own synonym, and the registration trigger.
    await resumedThroughMenu(POINTS[0]!, '注册');
  });

  it.each([
    ['菜单', '7'],
    ['进度', '7'],
  ])('regression: %j typed at the menu opened from a registration loses the parked registration', async (command, finish) => {
    const h = at(POINTS[0]!);
    const answers = structuredClone(h.state.answers);
    await h.send('菜单');
    // 进度 runs the status flow to its end within the turn, so the registration may resume at once.
    const afterCommand = await h.say(command);
    const reply = afterCommand.includes(RESUMED) ? afterCommand : await h.say(finish);
    expect(reply).toContain(RESUMED);
    expect(h.state).toMatchObject({ flowId: 'registration', stepId: 'orgName' });
    expect(h.state.answers).toEqual(answers);
  });

  it('regression: opening 我的信息 from a menu parked over a registration loses the registration', async () => {
    // The profile flow (not registered) ends at once, within the turn.
    expect(await resumedThroughMenu(POINTS[0]!, '我的信息')).toContain('您还没有注册');
  });
});

describe('typing the label of a button the bot offered (text-only channels)', () => {
  it('the summary buttons work typed: 确认提交', async () => {
    const h = at(POINTS[4]!);
    expect(await h.say('确认提交')).toContain('注册成功！');
  });

  it('regression: typing the offered 保留原答案 at a text question stores those words as the answer', async () => {
    const h = await registrationAt('mobile');
    expect(await h.say('返回')).toContain('（上次填写：张三）');
    await h.send('保留原答案');
    expect(h.state.answers.name).toBe('张三');
  });

  it('regression: typing the offered 再试一次 at the stuck offer of the name question stores it as the name', async () => {
    const h = await registrationAt('name');
    for (let i = 0; i < 3; i++) await h.send('张3');
    expectStuck(h);
    const reply = await h.say('再试一次');
    expect(reply).toContain('请输入您的姓名');
    expect(h.state.answers.name).toBeUndefined();
  });

  it('regression: typing the offered 继续上次的进度 at the resume offer shows the offer again instead of resuming', async () => {
    const h = at(POINTS[6]!);
    const reply = await h.say('继续上次的进度');
    expect(reply).toContain('您的党员身份是？');
    expect(h.state.pending).toBeNull();
  });
});

describe('help and back details', () => {
  it.each([
    ['name', 0, '请填写与身份证一致的姓名。'],
    ['idNumber', 0, '身份证号共 18 位，最后一位可能是 X。'],
    ['joinDate', 0, '预备党员请填写入党（接收为预备党员）的日期。'],
    ['workStart', 0, '填写您开始在两新组织从事党务工作的日期'],
  ])('help at %s shows that question’s own help text', async (step, skip, help) => {
    const h = await registrationAt(step, skip);
    const reply = await h.say('帮助');
    expect(reply).toContain(help);
    expect(reply).not.toContain(HELP_IN_FLOW);
    expect(h.state.stepId).toBe(step);
  });

  it('back at the first question says so and asks it again', async () => {
    const h = await registrationAt('name');
    const reply = await h.say('返回');
    expect(reply).toContain('已经是第一个问题了。');
    expect(reply).toContain('请输入您的姓名');
    expect(h.state.stepId).toBe('name');
  });

  it('back twice walks two questions back; a new answer replaces the old one', async () => {
    const h = await registrationAt('idNumber');
    await h.send('返回'); // mobile
    const second = await h.say('返回'); // name
    expect(second).toContain('请输入您的姓名');
    expect(second).toContain('（上次填写：张三）');
    expect(await h.say('李四')).toContain('请输入您的手机号码');
    expect(h.state.answers.name).toBe('李四');
  });
});

describe('when nothing is in progress', () => {
  it('first contact shows the welcome and the menu (and no "not understood")', async () => {
    const h = new EngineHarness();
    const out = await h.send('你好');
    const text = texts(out);
    expect(text).toContain('您好！这里是“红领”党务工作者服务助手');
    expect(text).toContain(MENU_PROMPT);
    expect(text).not.toContain('没有理解');
    expect(text.indexOf('您好！')).toBeLessThan(text.indexOf(MENU_PROMPT));
    expect(choiceLabels(out)).toEqual(MENU_LABELS);
    expect(h.state.flowId).toBe('menu');
  });

  it('first contact with a trigger shows the welcome and starts that flow', async () => {
    const h = new EngineHarness();
    const reply = await h.say('注册');
    expect(reply).toContain('您好！');
    expect(reply).toContain('请输入您的姓名');
    expect(h.state.flowId).toBe('registration');
  });

  async function idle(): Promise<EngineHarness> {
    const h = new EngineHarness();
    await h.send('你好');
    await h.send('取消');
    expect(h.state.flowId).toBeNull();
    return h;
  }

  it.each(['随便聊聊', '今天天气怎么样', '12345'])('unknown text %j shows 没有理解 and the menu', async (text) => {
    const h = await idle();
    const out = await h.send(text);
    expect(texts(out)).toContain('抱歉，没有理解您的意思。');
    expect(texts(out)).toContain(MENU_PROMPT);
    expect(texts(out)).not.toContain('您好！');
    expect(h.state.flowId).toBe('menu');
  });

  it('a picture shows the picture-not-needed notice and the menu', async () => {
    const h = await idle();
    const reply = await h.say({ type: 'image', mediaRef: 'm1' });
    expect(reply).toContain('已收到图片，但当前不需要图片。');
    expect(reply).toContain(MENU_PROMPT);
  });

  it.each([
    ['注册', '开始注册', 'registration'],
    ['我要注册', '开始注册', 'registration'],
    ['register', '开始注册', 'registration'],
    ['我的信息', '您还没有注册。回复“注册”开始登记。', null],
    ['my profile', '您还没有注册。回复“注册”开始登记。', null],
    ['查询进度', NOT_REGISTERED_STATUS, null],
  ])('trigger %j starts its flow', async (text, expected, flowId) => {
    const h = await idle();
    expect(await h.say(text)).toContain(expected);
    expect(h.state.flowId).toBe(flowId);
  });

  it.each([
    ['进度', NOT_REGISTERED_STATUS],
    ['菜单', MENU_PROMPT],
    ['帮助', HELP_IDLE],
  ])('command %j works when idle', async (text, expected) => {
    const h = await idle();
    expect(await h.say(text)).toContain(expected);
  });

  it.each(['取消', '返回', '重新开始'])('%j with nothing in progress says so and shows the menu', async (text) => {
    const h = await idle();
    const reply = await h.say(text);
    expect(reply).toContain('当前没有正在办理的事项。');
    expect(reply).toContain(MENU_PROMPT);
  });

  it('English when idle switches the language for what follows', async () => {
    const h = await idle();
    expect(await h.say('English')).toContain('Switched to English.');
    expect(h.state.locale).toBe('en');
    expect(await h.say('menu')).toContain('What would you like to do?');
  });
});

/**
 * At point `p`, opens the menu over the registration and types `input` there; the reply must resume the
 * registration (继续办理) where it waited, with its answers untouched. Returns that reply.
 */
async function resumedThroughMenu(p: Point, input: string): Promise<string> {
  const h = at(p);
  const answers = structuredClone(h.state.answers);
  await h.send('菜单');
  const reply = await h.say(input);
  expect(reply).toContain(RESUMED);
  expect(h.state).toMatchObject({ flowId: 'registration', stepId: p.step, parked: null });
  expect(h.state.answers).toEqual(answers);
  return reply;
}

/** The help-or-cancel offer is on screen: the last reply offers 再试一次 / 帮助 / 取消. */
function isStuck(h: { sent: { choices?: { id: string }[] }[][] }): boolean {
  const last = h.sent.at(-1)?.at(-1);
  return (last?.choices ?? []).some((c) => c.id === '__retry');
}
function expectStuck(h: { sent: { choices?: { id: string }[] }[][] }): void {
  expect(isStuck(h), 'the help-or-cancel offer should be shown').toBe(true);
}
