/**
 * The registration summary: numbered fields, editing one field by its number and coming straight back, the
 * bad-number message, the confirm and cancel variants.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../support/engineHarness.ts';
import { choiceIds, choiceLabels, ID_MASKED, ID_NUMBER, registrationAt, restore, snapshot, texts, type Snapshot } from './registrationPoints.ts';

const SUMMARY_TITLE = '请核对您填写的信息：';

let atSummary: Snapshot;
beforeAll(async () => {
  atSummary = snapshot(await registrationAt('summary'));
});
const summary = () => restore(atSummary);

/** Every question prompt of the registration, to check that none is asked on the way back to the summary. */
const QUESTION_PROMPTS = [
  '请输入您的姓名',
  '请输入您的手机号码',
  '请输入您的 18 位居民身份证号码',
  '是否正确？',
  '您的党员身份是？',
  '您的入党时间是？',
  '请输入您所在单位',
  '您所在单位的类型是？',
  '您在党组织中担任的职务是？',
  '请选择单位所在地区',
  '您开始从事党务工作的时间是？',
  '您的学历是？',
  '您是否具有相关职称？',
];

describe('the summary', () => {
  it('shows every field numbered, with labels and formatted values (ID masked, region as a path)', async () => {
    const h = await registrationAt('summary');
    const out = h.sent.at(-1)!;
    const text = texts(out);
    expect(text).toContain(SUMMARY_TITLE);
    const expected = [
      '1. 姓名：张三',
      '2. 手机号：13812345678',
      `3. 身份证号：${ID_MASKED}`,
      '4. 党员身份：正式党员',
      '5. 入党时间：2010-07-01',
      '6. 单位名称：某某科技有限公司',
      '7. 统一社会信用代码：未填写',
      '8. 单位类型：非公企业',
      '9. 单位规模：规模以上',
      '10. 员工人数：120',
      '11. 职务：党组织书记',
      '12. 所在地区：江苏省 / 南京市 / 玄武区',
      '13. 党务工作起始时间：2018-03-01',
      '14. 学历：本科',
      '15. 职称：无',
    ];
    const lines = text.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(lines).toEqual(expected);
    expect(text).not.toContain(ID_NUMBER);
    expect(text).toContain('全部正确请回复“确认”');
    expect(choiceLabels(out)).toEqual(['确认提交', '修改', '取消']);
    expect(choiceIds(out)).toEqual(['__confirm', '__edit', '__cancel']);
  });

  it('shows the summary in English after a language switch', async () => {
    const h = summary();
    const reply = await h.say('English');
    expect(reply).toContain('Please check your details:');
    expect(reply).toContain('4. Membership: Full member');
    expect(reply).toContain('12. Region: Jiangsu Province / Nanjing City / Xuanwu District');
  });
});

describe('editing a field from the summary', () => {
  it.each(['2', '修改2', '修改 2', 'edit 2', 'EDIT 2', '改2', '第2项', '２', 'change 2'])(
    '%j opens the mobile question offering the previous answer',
    async (text) => {
      const h = summary();
      const out = await h.send(text);
      expect(texts(out)).toContain('请输入您的手机号码');
      expect(texts(out)).toContain('（上次填写：13812345678）');
      expect(choiceLabels(out)[0]).toBe('保留原答案');
      expect(h.state).toMatchObject({ stepId: 'mobile', editReturnTo: 'summary' });
    },
  );

  it.each([
    ['1', '李四', '1. 姓名：李四'],
    ['2', '139 0000 1111', '2. 手机号：13900001111'],
    ['4', '预备党员', '4. 党员身份：预备党员'],
    ['5', '2011年7月1日', '5. 入党时间：2011-07-01'],
    ['6', '另一家社会组织', '6. 单位名称：另一家社会组织'],
    ['7', '91350100M000100Y43', '7. 统一社会信用代码：91350100M000100Y43'],
    ['8', '2', '8. 单位类型：社会组织'],
    ['9', '规模以下', '9. 单位规模：规模以下'],
    ['10', '1,200', '10. 员工人数：1200'],
    ['11', '指导员', '11. 职务：党建工作指导员'],
    ['13', '2019/5/1', '13. 党务工作起始时间：2019-05-01'],
    ['14', '研究生', '14. 学历：研究生'],
    ['15', '政工', '15. 职称：政工类职称'],
  ])('edit %s, answer %j: the summary returns directly showing %j', async (n, answer, line) => {
    const h = summary();
    await h.send(n);
    const reply = await h.say(answer);
    expect(reply.startsWith(SUMMARY_TITLE)).toBe(true);
    expect(reply).toContain(line);
    for (const prompt of QUESTION_PROMPTS) expect(reply).not.toContain(prompt);
    expect(h.state).toMatchObject({ stepId: 'summary', editReturnTo: null });
  });

  it('editing the ID number returns to the summary without re-asking the gender/birth-date confirmation', async () => {
    const h = summary();
    const other = makeIdNumber('320102', '19900101', '246');
    expect(await h.say('修改3')).toContain(`（上次填写：${ID_MASKED}）`);
    const reply = await h.say(other);
    expect(reply.startsWith(SUMMARY_TITLE)).toBe(true);
    expect(reply).toContain(`3. 身份证号：320***********${other.slice(-4)}`);
    expect(reply).not.toContain('是否正确？');
    expect(h.state.answers.idNumber).toMatchObject({ number: other, birthDate: '1990-01-01' });
  });

  it('editing the region walks the tree and then returns to the summary', async () => {
    const h = summary();
    await h.send('12');
    expect(await h.say('江苏')).toContain('已选择：江苏省');
    expect(await h.say('南京')).toContain('已选择：江苏省 / 南京市');
    const reply = await h.say('鼓楼');
    expect(reply.startsWith(SUMMARY_TITLE)).toBe(true);
    expect(reply).toContain('12. 所在地区：江苏省 / 南京市 / 鼓楼区');
  });

  it.each(['保留', 'keep', { type: 'choice' as const, choiceId: '__keep' }])('%j at the edited question keeps the answer and returns', async (keep) => {
    const h = summary();
    await h.send('11');
    const reply = await h.say(keep);
    expect(reply.startsWith(SUMMARY_TITLE)).toBe(true);
    expect(reply).toContain('11. 职务：党组织书记');
  });

  it('a rejected answer at the edited question re-prompts; the next valid one still returns to the summary', async () => {
    const h = summary();
    await h.send('2');
    expect(await h.say('12345')).toContain('手机号应为 11 位数字');
    const reply = await h.say('13900001111');
    expect(reply.startsWith(SUMMARY_TITLE)).toBe(true);
    expect(reply).toContain('2. 手机号：13900001111');
  });

  it('two edits in a row both come back to the summary, then confirm registers the new values', async () => {
    const h = summary();
    await h.send('1');
    await h.send('王五');
    await h.send('修改 14');
    const second = await h.say('大专');
    expect(second).toContain('1. 姓名：王五');
    expect(second).toContain('14. 学历：大专');
    expect(await h.say('确认')).toContain('注册成功！');
  });

  it('back while editing a field leaves the edit; answering that question still ends at the summary', async () => {
    const h = summary();
    await h.send('3');
    const back = await h.say('返回');
    expect(back).toContain('您是否具有相关职称？');
    expect(h.state.editReturnTo).toBeNull();
    expect((await h.say('保留')).startsWith(SUMMARY_TITLE)).toBe(true);
  });

  it('regression: back at the summary after an edit goes to the edited field, and keeping it walks the rest of the flow again', async () => {
    const h = summary();
    await h.send('1');
    expect((await h.say('李四')).startsWith(SUMMARY_TITLE)).toBe(true);
    // "back" from the summary should lead to the question before it (or at least come back here) ...
    const back = await h.say('返回');
    expect(back).toContain('（上次填写：');
    // ... and keeping that answer should return to the summary, not re-ask every question after 姓名.
    const kept = await h.say('保留');
    expect(kept.startsWith(SUMMARY_TITLE)).toBe(true);
    expect(kept).not.toContain('请输入您的手机号码');
  });

  it.each(['16', '0', '99', '修改16', 'edit 0'])('%j is not a field number: the bad-number message, summary still waiting', async (text) => {
    const h = summary();
    const out = await h.send(text);
    expect(texts(out)).toBe('没有这个编号，请回复 1 到 15 之间的编号修改，或回复“确认”提交。');
    expect(choiceLabels(out)).toEqual(['确认提交', '修改', '取消']);
    expect(h.state).toMatchObject({ stepId: 'summary', editReturnTo: null });
  });

  it('the 修改 button asks which number', async () => {
    const h = summary();
    expect(await h.say({ type: 'choice', choiceId: '__edit' })).toBe('请回复要修改的项目编号（1 到 15）。');
    expect(await h.say('6')).toContain('请输入您所在单位');
  });

  it('text that is neither a number, confirm nor cancel explains the choices', async () => {
    const h = summary();
    expect(await h.say('好像不太对')).toBe('请回复“确认”提交，回复 1 到 15 之间的编号修改对应项，或回复“取消”。');
    expect(h.state.stepId).toBe('summary');
  });
});

describe('confirming', () => {
  it.each([
    ['确认', '确认'],
    ['确认提交', '确认提交'],
    ['提交', '提交'],
    ['confirm', 'confirm'],
    ['Confirm!', 'Confirm!'],
    ['ok', 'ok'],
    ['确认。', '确认。'],
    ['the __confirm choice', { type: 'choice' as const, choiceId: '__confirm' }],
  ])('%s registers the worker', async (_name, input) => {
    const h = summary();
    const reply = await h.say(input);
    expect(reply).toContain('注册成功！');
    expect(h.state.flowId).toBeNull();
    // Registered: the registration now says so instead of starting again.
    expect(await h.say('注册')).toContain('您已经完成注册');
  });
});

describe('cancelling from the summary', () => {
  it.each([
    ['取消', '取消'],
    ['cancel', 'cancel'],
    ['放弃', '放弃'],
    ['the __cancel choice', { type: 'choice' as const, choiceId: '__cancel' }],
  ])('%s cancels the registration without saving', async (_name, input) => {
    const h = summary();
    const reply = await h.say(input);
    expect(reply).toContain('已取消「党务工作者注册」，填写的内容不会保存。');
    expect(h.state).toMatchObject({ flowId: null, answers: {} });
    // Nothing was saved: registering again starts from the first question.
    expect(await h.say('注册')).toContain('请输入您的姓名');
  });
});
