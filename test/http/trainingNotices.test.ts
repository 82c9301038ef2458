/**
 * Training over the whole app, the parts the enrolled are told about: an edited session is announced to everyone
 * holding or waiting for a seat, and a waiting-list offer that nobody answers expires and passes to the next in
 * line (offer → no answer → next offered), through the real offer sweep job on a moved clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
beforeAll(async () => {
  t = await startAdminApiApp('training_notices');
  token = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

const HOUR = 3_600_000;
const body = {
  title: '两新组织党务工作者继续教育班',
  kind: 'continuing',
  regionCode: '320100',
  startsAt: '2026-03-20T09:00:00+08:00',
  endsAt: '2026-03-20T17:00:00+08:00',
  hours: 8,
  capacity: 1,
  enrolBy: '2026-03-19T18:00:00+08:00',
  place: '南京市委党校 3 号楼',
};
const say = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => r.text).join('\n');
const pushes = async (userId: string): Promise<string> => {
  const res = await fetch(`${t.app.url}/sim/api/pushes?userId=${encodeURIComponent(userId)}`);
  return ((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text).join('\n');
};

async function session(over: Partial<typeof body> = {}): Promise<string> {
  const r = await t.api('POST', '/training/sessions', token, { ...body, ...over });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

/** 培训, then the number of the session of that title in the list (earlier tests' sessions are listed too). */
async function enrol(userId: string, title: string): Promise<string> {
  const replies = await simSay(t.app.url, userId, '培训');
  const choices = replies.flatMap((r) => r.choices ?? []);
  const index = choices.findIndex((c) => c.label.includes(title));
  expect(index, `"${title}" among ${JSON.stringify(choices)}`).toBeGreaterThanOrEqual(0);
  return say(userId, String(index + 1));
}

describe('what the enrolled are told', () => {
  it('editing a session tells the enrolled and the waiting the new time and place; a worker who cancelled is not told', async () => {
    const TITLE = '变更通知测试班';
    const id = await session({ title: TITLE });
    const [a, b, c] = [await t.worker(), await t.worker(), await t.worker()];
    expect(await enrol(a.userId, TITLE)).toContain('已报名');
    expect(await enrol(b.userId, TITLE)).toContain('候补名单');
    await enrol(c.userId, TITLE);
    await say(c.userId, '取消报名');
    expect(await say(c.userId, '1')).toContain('已取消报名');
    await Promise.all([a, b, c].map((w) => pushes(w.userId)));
    // The console's reads: the session in the region's list, its people in arrival order with their state.
    const list = await t.api('GET', '/training/sessions', token);
    expect(list.body.items).toContainEqual(expect.objectContaining({ id, title: TITLE, enrolled: 1, waiting: 1 }));
    expect((await t.api('GET', '/training/sessions', await t.token('无锡', '320200'))).body.items.map((s: { id: string }) => s.id)).not.toContain(id);
    const people = await t.api('GET', `/training/sessions/${id}/enrolments`, token);
    expect(people.body.items.map((e: { workerId: string; state: string }) => [e.workerId, e.state])).toEqual([[a.id, 'enrolled'], [b.id, 'waiting'], [c.id, 'cancelled']]);
    expect(people.body.items[0]).toMatchObject({ name: a.name, attended: [], score: null });

    const edited = await t.api('PATCH', `/training/sessions/${id}`, token, { startsAt: '2026-03-21T09:00:00+08:00', endsAt: '2026-03-21T17:00:00+08:00', place: '鼓楼区党群服务中心' });
    expect(edited.status).toBe(200);
    for (const w of [a, b]) {
      const told = await pushes(w.userId);
      expect(told).toContain('“变更通知测试班”有变更');
      expect(told).toContain('2026-03-21 09:00');
      expect(told).toContain('鼓楼区党群服务中心');
    }
    expect(await pushes(c.userId)).toBe('');
  });

  it('a waiting-list offer nobody answers expires and the seat is offered to the next in line', async () => {
    const TITLE = '候补顺延测试班';
    const id = await session({ title: TITLE });
    const [a, b, c] = [await t.worker(), await t.worker(), await t.worker()];
    expect(await enrol(a.userId, TITLE)).toContain('已报名');
    expect(await enrol(b.userId, TITLE)).toContain('候补名单');
    expect(await enrol(c.userId, TITLE)).toContain('候补名单');
    await say(a.userId, '取消报名');
    expect(await say(a.userId, '1')).toContain('已取消报名');
    // B, first in line, is offered the seat for 24 hours; C is not yet.
    expect(await pushes(b.userId)).toContain('“候补顺延测试班”');
    expect(await pushes(c.userId)).toBe('');
    expect((await t.api('GET', `/training/sessions/${id}`, token)).body).toMatchObject({ enrolled: 0, offered: 1, waiting: 1 });

    // 23 hours on, the offer still stands.
    t.clock.advance(23 * HOUR);
    await t.app.scheduler.catchUp(23 * HOUR);
    expect(await pushes(c.userId)).toBe('');
    expect((await t.api('GET', `/training/sessions/${id}`, token)).body).toMatchObject({ offered: 1, waiting: 1 });

    // Past 24 hours without an answer: B's offer lapses, C is offered the seat, and B can no longer take it.
    t.clock.advance(2 * HOUR);
    await t.app.scheduler.catchUp(2 * HOUR);
    expect(await pushes(c.userId)).toContain('“候补顺延测试班”');
    expect((await t.api('GET', `/training/sessions/${id}`, token)).body).toMatchObject({ enrolled: 0, offered: 1, waiting: 0 });
    // C takes it up by picking the session again.
    expect(await enrol(c.userId, TITLE)).toContain('名额已确认');
    expect((await t.api('GET', `/training/sessions/${id}`, token)).body).toMatchObject({ enrolled: 1, offered: 0, waiting: 0 });
  });

  it('regression: the 培训 list showed a full session as "余 0 席" to the worker a seat was held for, and 我的培训 gave no place in line', async () => {
    const TITLE = '名额保留说明班';
    await session({ title: TITLE });
    const [a, b, c] = [await t.worker(), await t.worker(), await t.worker()];
    await enrol(a.userId, TITLE);
    await enrol(b.userId, TITLE);
    await enrol(c.userId, TITLE);
    const line = async (userId: string) => ((await simSay(t.app.url, userId, '培训')).flatMap((r) => r.choices ?? []).find((ch) => ch.label.includes(TITLE))?.label ?? '');
    expect(await line(a.userId)).toContain('（您已报名）');
    expect(await line(c.userId)).toContain('（您在候补第 2 位）');
    expect(await say(c.userId, '我的培训')).toContain(`${TITLE}`);
    expect(await say(c.userId, '我的培训')).toContain('候补第 2 位');
    // Picking it again says so plainly: the time and place for a seat holder, the place in line for the waiting.
    const again = await enrol(a.userId, TITLE);
    expect(again).toContain(`您已报名“${TITLE}”：2026-03-20 09:00，南京市委党校 3 号楼`);
    expect(again).not.toContain('（已报名）');
    expect(await enrol(c.userId, TITLE)).toContain('（候补第 2 位）');
    await say(a.userId, '取消报名');
    const cancelled = (await simSay(t.app.url, a.userId, '取消报名')).flatMap((r) => r.choices ?? []).findIndex((ch) => ch.label.includes(TITLE)) + 1;
    expect(await say(a.userId, String(cancelled))).toContain('已取消报名');
    // B is offered the seat: the list says it is held for B and until when, not just that none is left.
    expect(await line(b.userId)).toMatch(/（为您保留名额至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}，选择即确认）/);
    expect(await say(b.userId, '我的培训')).toContain('有名额为您保留至');
    expect(await line(c.userId)).toContain('（您在候补第 1 位）');
  });

  it('cancelling a session tells the enrolled and the waiting, and cancels their reminders', async () => {
    const TITLE = '取消通知测试班';
    const id = await session({ title: TITLE, startsAt: '2026-03-25T09:00:00+08:00', endsAt: '2026-03-25T17:00:00+08:00', enrolBy: '2026-03-24T18:00:00+08:00' });
    const [a, b] = [await t.worker(), await t.worker()];
    expect(await enrol(a.userId, TITLE)).toContain('已报名');
    expect(await enrol(b.userId, TITLE)).toContain('候补名单');
    await Promise.all([a, b].map((w) => pushes(w.userId)));
    const scheduled = () => t.db.collection('reminders').countDocuments({ subject: id, status: 'scheduled' });
    expect(await scheduled()).toBeGreaterThan(0);
    expect((await t.api('POST', `/training/sessions/${id}/cancel`, token)).status).toBe(200);
    for (const w of [a, b]) expect(await pushes(w.userId)).toContain(`您报名的培训“${TITLE}”`);
    expect(await scheduled()).toBe(0);
  });
});
