/**
 * Registration answers as a newcomer types them: a city at the province question, a month for the join date,
 * a name with a space in it.
 */
import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../support/engineHarness.ts';
import { registrationAt } from './registrationPoints.ts';

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
