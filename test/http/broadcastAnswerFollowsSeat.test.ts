/**
 * A broadcast's 报名 answer follows the enrolment it made: a worker who answered from the waiting list and got a
 * seat later is told (and counted) as holding a seat, not as waiting; a seat given up or an offer let lapse counts
 * as 不参加. The counters move when the enrolment does, without waiting for another reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { runBroadcastUntil } from '../support/broadcastRuns.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
beforeAll(async () => {
  t = await startAdminApiApp('broadcast_answer_seat');
  token = await t.token('南京市两新工委', '320100');
});
afterAll(() => t?.stop());

const say = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => r.text).join('\n');

/**
 * A one-seat session and a notice offering it to a district's two workers, sent; the first answers 报名 and holds
 * the seat, the second answers 报名 and waits in line.
 */
async function oneSeatNotice(title: string, day: string, region: string, names: [string, string]) {
  const s = await t.api('POST', '/training/sessions', token, {
    title, kind: 'continuing', regionCode: '320100', startsAt: `${day}T09:00:00+08:00`, endsAt: `${day}T17:00:00+08:00`,
    hours: 8, capacity: 1, enrolBy: `${day}T08:00:00+08:00`, place: '南京市委党校',
  });
  expect(s.status).toBe(201);
  const [holder, next] = [await t.worker({ name: names[0], region }), await t.worker({ name: names[1], region })];
  const broadcastId = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}同志：请报名参加{session}。', en: 'Dear {name}, please enrol in {session}.' }, segment: { region }, sessionId: s.body.id })).body.id as string;
  expect((await t.api('POST', `/broadcasts/${broadcastId}/send`, token)).body.status).toBe('sending');
  await runBroadcastUntil(t, token, broadcastId, ['done']);
  expect(await say(holder.userId, '报名')).toContain(`已报名“${title}”`);
  expect(await say(next.userId, '报名')).toContain('候补名单');
  return { broadcastId, holder, next };
}

describe('a broadcast answer after the waiting list gave a seat', () => {
  let broadcastId: string;
  let seated: { userId: string };
  let waiting: { userId: string };
  beforeAll(async () => {
    ({ broadcastId, holder: seated, next: waiting } = await oneSeatNotice('候补转正班', '2026-03-12', '320105', ['孙一', '孙二']));
    // The seat holder gives it up: the seat is offered to the first in line, who takes it under 培训.
    await say(seated.userId, '取消报名');
    expect(await say(seated.userId, '1')).toContain('已取消报名');
    await say(waiting.userId, '培训');
    expect(await say(waiting.userId, '1')).toContain('已为您保留的名额已确认');
  });

  it('regression: the counters caught up with a seat taken up under 培训, or one given up by 取消报名, only when the worker replied to the notice again', async () => {
    // Neither worker has replied to the notice since: the one who took the seat counts as 报名, the one who gave
    // it up as 不参加.
    expect((await t.api('GET', `/broadcasts/${broadcastId}`, token)).body.answers).toEqual({ enrol: 1, waiting: 0, decline: 1 });
    const recipients = (await t.api('GET', `/broadcasts/${broadcastId}/recipients`, token)).body.items as { answer?: string }[];
    expect(recipients.map((r) => r.answer).sort()).toEqual(['decline', 'enrol']);
  });

  it('regression: a worker moved from the waiting list to a seat was still told "候补中" by a later reply to the notice', async () => {
    const reply = await say(waiting.userId, '不参加');
    expect(reply).not.toContain('候补');
    expect(reply).toContain('已报名');
    expect(await say(waiting.userId, '我的培训')).toContain('候补转正班，2026-03-12 09:00：已报名');
  });

  it('regression: the notice\'s answers still counted a worker with a seat as waiting', async () => {
    await say(waiting.userId, '报名');
    const b = (await t.api('GET', `/broadcasts/${broadcastId}`, token)).body;
    expect(b.answers).toMatchObject({ waiting: 0 });
  });

  it('regression: a worker who had given up the seat (取消报名) was told "已报名" by 不参加, which was not recorded', async () => {
    const reply = await say(seated.userId, '不参加');
    expect(reply).not.toContain('已报名');
    expect(reply).toContain('您不参加“候补转正班”');
    expect((await t.api('GET', `/broadcasts/${broadcastId}`, token)).body.answers).toEqual({ enrol: 1, waiting: 0, decline: 1 });
  });
});

describe('a broadcast answer after the seat offered from the waiting list lapsed', () => {
  it('regression: a worker whose offered seat lapsed still counted as waiting on the notice', async () => {
    const { broadcastId: id, holder, next } = await oneSeatNotice('保留名额班', '2026-03-20', '320106', ['周一', '周二']);
    await say(holder.userId, '取消报名');
    expect(await say(holder.userId, '1')).toContain('已取消报名');
    // The seat is held for the next in line, who does not take it up: still waiting, until the offer lapses.
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 0, waiting: 1, decline: 1 });
    const day = 25 * 3_600_000;
    t.clock.advance(day);
    await t.app.scheduler.catchUp(day);
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 0, waiting: 0, decline: 2 });
    // Told so when they answer 不参加 now, without "you answered that before", which they never did.
    expect(await say(next.userId, '不参加')).toContain('您不参加“保留名额班”');
  });
});
