/**
 * Enrolling in an online session (its place is a link or names an online meeting): the confirmation says how to
 * join and how attendance is taken there, in zh-CN and en; a session at a venue keeps "send 签到 on arrival".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
beforeAll(async () => {
  t = await startAdminApiApp('online_session_wording');
  token = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

const say = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => r.text).join('\n');
/** The number of the list's option naming `title` (the list is the session choices of 培训). */
const optionOf = async (userId: string, word: string, title: string): Promise<string> => {
  const choices = (await simSay(t.app.url, userId, word)).flatMap((r) => r.choices ?? []);
  const i = choices.findIndex((c) => c.label.includes(title));
  expect(i, JSON.stringify(choices)).toBeGreaterThanOrEqual(0);
  return String(i + 1);
};
const LINK = 'https://meeting.tencent.com/dm/redcollar01';

async function session(title: string, place: string): Promise<void> {
  const r = await t.api('POST', '/training/sessions', token, {
    title, kind: 'continuing', regionCode: '320100', startsAt: '2026-03-20T09:00:00+08:00', endsAt: '2026-03-20T11:00:00+08:00',
    hours: 2, capacity: 10, enrolBy: '2026-03-19T18:00:00+08:00', place,
  });
  expect(r.status).toBe(201);
}

describe('the enrolment confirmation of an online session', () => {
  beforeAll(async () => {
    await session('线上党课', LINK);
  });

  it('regression: the enrolment confirmation said "到场后发送签到" (send 签到 on arrival) for an online session too', async () => {
    const w = await t.worker({ region: '320102' });
    const reply = await say(w.userId, await optionOf(w.userId, '培训', '线上党课'));
    expect(reply).not.toContain('到场后');
    expect(reply).toContain(`已报名线上培训“线上党课”：2026-03-20 09:00 开始，参加方式：${LINK}`);
    expect(reply).toContain('课上展示签到码时，在这里发送“签到 六位数字”');
    expect(reply).toContain('请联系组织方补登出勤');
  });

  it('regression: the English confirmation of an online session said "At the venue, send check in"', async () => {
    const w = await t.worker({ region: '320102' });
    await say(w.userId, 'English');
    const reply = await say(w.userId, await optionOf(w.userId, 'training', '线上党课'));
    expect(reply).not.toContain('At the venue');
    expect(reply).toContain(`Enrolled in the online session "线上党课", starting 2026-03-20 09:00; how to join: ${LINK}`);
    expect(reply).toContain('ask the organisers to record your attendance');
  });

  it('a session at a venue still says to send 签到 on arrival', async () => {
    await session('现场党课', '南京市委党校');
    const w = await t.worker({ region: '320102' });
    const reply = await say(w.userId, await optionOf(w.userId, '培训', '现场党课'));
    expect(reply).toContain('已报名“现场党课”：2026-03-20 09:00，南京市委党校。');
    expect(reply).toContain('到场后发送“签到 六位数字”签到');
  });
});
