/**
 * Check-in in chat over the whole app: a current code refused says the real reason (not the session day, no
 * seat), and the flow keeps asking after a badly formed or wrong code instead of ending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
beforeAll(async () => {
  t = await startAdminApiApp('checkin_refusals');
  token = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

const DAY = 86_400_000;
const say = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => r.text).join('\n');
const codeOf = async (id: string): Promise<string> => {
  const r = await t.api('GET', `/training/sessions/${id}/checkin-code`, token);
  expect(r.status).toBe(200);
  return r.body.code as string;
};

describe('check-in in chat', () => {
  let id: string;
  let a: { userId: string };
  let b: { userId: string };
  beforeAll(async () => {
    const r = await t.api('POST', '/training/sessions', token, {
      title: '签到测试班',
      kind: 'continuing',
      regionCode: '320100',
      startsAt: '2026-03-04T09:00:00+08:00',
      endsAt: '2026-03-04T17:00:00+08:00',
      hours: 8,
      capacity: 1,
      enrolBy: '2026-03-03T18:00:00+08:00',
      place: '南京市委党校',
    });
    expect(r.status).toBe(201);
    id = r.body.id;
    [a, b] = [await t.worker(), await t.worker()];
    await say(a.userId, '培训');
    expect(await say(a.userId, '1')).toContain('已报名');
    await say(b.userId, '培训');
    expect(await say(b.userId, '1')).toContain('候补名单');
  });

  it('regression: check-in by an unregistered user was told "申报前请先注册" (the declaration\'s wording)', async () => {
    const reply = await say('never-registered', `签到 ${await codeOf(id)}`);
    expect(reply).not.toContain('申报前请先注册');
    expect(reply).toContain('签到和学时查询需要先注册。回复“注册”开始');
  });

  it('regression: check-in refusals gave the wrong reason (a current code two days early said "签到码不对")', async () => {
    // 1 March, 10:00 China time: the session is on the 4th.
    const early = await say(a.userId, `签到 ${await codeOf(id)}`);
    expect(early).not.toContain('签到码不对');
    expect(early).toContain('今天不是“签到测试班”的上课日');
    await say(a.userId, '取消');
  });

  it('regression: check-in refusals gave the wrong reason (a worker on the waiting list was told "签到码不对")', async () => {
    t.clock.advance(3 * DAY);
    const waiting = await say(b.userId, `签到 ${await codeOf(id)}`);
    expect(waiting).not.toContain('签到码不对');
    expect(waiting).toContain('您在“签到测试班”没有名额（候补中）');
  });

  it('regression: the check-in flow ended after one badly formed code (签到 → abc → 123456 was not understood)', async () => {
    expect(await say(a.userId, '签到')).toContain('请输入签到屏幕上的六位数字');
    expect(await say(a.userId, 'abc')).toContain('签到码是 6 位数字');
    expect(await say(a.userId, '签到')).toContain('签到码是 6 位数字');
    const done = await say(a.userId, await codeOf(id));
    expect(done).not.toContain('没有理解');
    expect(done).toContain('签到成功：“签到测试班”');
  });

  it('a wrong code asks again, and another command leaves the check-in', async () => {
    const code = await codeOf(id);
    const forged = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    // a holds a seat in today's class: a wrong code is a typo or an old code, worth typing again.
    const wrong = await say(a.userId, `签到 ${forged}`);
    expect(wrong).toContain('签到码不对或已过期');
    expect(wrong).toContain('请输入签到屏幕上的六位数字');
    expect(await say(a.userId, '我的培训')).toContain('学时');
  });

  it('regression: a worker with no class today was told "签到码不对" and asked for the code again, which could never work', async () => {
    const code = await codeOf(id);
    const forged = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const none = await t.worker();
    for (const who of [none, b]) {
      const reply = await say(who.userId, `签到 ${forged}`);
      expect(reply).not.toContain('签到码不对');
      expect(reply).not.toContain('请输入签到屏幕上的六位数字');
      expect(reply).toContain('您今天没有可以签到的培训：签到只在已报名培训的上课当天开放。发送“我的培训”查看您的报名');
    }
  });
});
