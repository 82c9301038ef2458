/**
 * Registration answers as a newcomer types them: a city at the province question, a month for the join date,
 * a name with a space in it.
 */
import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../support/engineHarness.ts';
import { REGISTRATION_ANSWERS, registrationAt } from './registrationPoints.ts';

describe('the region question', () => {
  it('regression: typing the city 南京 at the province question was refused', async () => {
    const h = await registrationAt('region');
    const reply = await h.say('南京');
    expect(reply).toContain('已选择：江苏省 / 南京市');
    expect(h.state.pending).toEqual({ kind: 'tree', path: ['320000', '320100'] });
  });

  it('regression: typing the district 玄武 at the province question was refused', async () => {
    const h = await registrationAt('region');
    expect(await h.say('玄武')).toContain('开始从事党务工作');
    expect(h.state.answers.region).toBe('320102');
  });

  it('a name found in two places (鼓楼区 in Nanjing and elsewhere) is not guessed', async () => {
    const h = await registrationAt('region');
    expect(await h.say('鼓楼')).toContain('没有找到这个地区');
    expect(h.state.answers.region).toBeUndefined();
  });
});

describe('the party join date', () => {
  it('regression: a join date given as a month (2015年7月) was refused; now the day is asked', async () => {
    const h = await registrationAt('joinDate');
    const reply = await h.say('2015年7月');
    expect(reply).toContain('2015-07');
    expect(reply).toContain('哪一天');
    expect(h.state.answers.joinDate).toBeUndefined();
    expect(await h.say('1日')).toContain('单位');
    expect(h.state.answers.joinDate).toBe('2015-07-01');
  });

  it('after the day question a full date is taken too, and an impossible day is refused', async () => {
    const h = await registrationAt('joinDate');
    await h.send('2015-06');
    expect(await h.say('31')).toContain('这个日期不存在');
    await h.send('2015-06-30');
    expect(h.state.answers.joinDate).toBe('2015-06-30');
  });

  // The ID number of the script gives the birth date 1985-03-12: 18 years old on 2003-03-12.
  it('regression: a join date at the age of ten was accepted', async () => {
    const h = await registrationAt('joinDate');
    const reply = await h.say('1995-05-01');
    expect(reply).toContain('年满 18 周岁');
    expect(reply).toContain('2003-03-12');
    expect(h.state.answers.joinDate).toBeUndefined();
    expect(h.state.stepId).toBe('joinDate');
  });

  it('a join date before birth is refused at the question, not only after the summary', async () => {
    const h = await registrationAt('joinDate');
    expect(await h.say('1980-05-01')).toContain('年满 18 周岁');
    expect(h.state.stepId).toBe('joinDate');
  });

  it('a join date before the 18th birthday is refused, the birthday itself is taken', async () => {
    const h = await registrationAt('joinDate');
    expect(await h.say('2003-03-11')).toContain('2003-03-12');
    expect(h.state.answers.joinDate).toBeUndefined();
    await h.send('2003-03-12');
    expect(h.state.answers.joinDate).toBe('2003-03-12');
  });

  it('editing the join date in 我的信息 checks the registered birth date too', async () => {
    const h = await registrationAt('joinDate');
    for (const [, reply] of REGISTRATION_ANSWERS.slice(REGISTRATION_ANSWERS.findIndex(([step]) => step === 'joinDate'))) await h.send(reply);
    expect(await h.say('确认')).toContain('注册成功');
    await h.send('我的信息');
    await h.send('入党时间');
    expect(h.state.stepId).toBe('joinDate');
    expect(await h.say('1999-01-01')).toContain('2003-03-12');
    expect(h.state.stepId).toBe('joinDate');
  });
});

describe('names', () => {
  it('regression: inner spaces in a Chinese name were kept ("王 五")', async () => {
    const h = new EngineHarness();
    await h.send('注册');
    await h.send('王 五');
    expect(h.state.answers.name).toBe('王五');
  });

  it('a Latin name keeps its spaces', async () => {
    const h = new EngineHarness();
    await h.send('注册');
    await h.send('Anna  Li');
    expect(h.state.answers.name).toBe('Anna Li');
  });
});
