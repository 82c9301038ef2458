/**
 * A broadcast's 报名 answer follows the enrolment it made: a worker who answered from the waiting list and got a
 * seat later is told (and counted) as holding a seat, not as waiting.
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

describe('a broadcast answer after the waiting list gave a seat', () => {
  let sessionId: string;
  let broadcastId: string;
  let seated: { userId: string };
  let waiting: { userId: string };
  beforeAll(async () => {
    const s = await t.api('POST', '/training/sessions', token, {
      title: '候补转正班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-12T09:00:00+08:00', endsAt: '2026-03-12T17:00:00+08:00',
      hours: 8, capacity: 1, enrolBy: '2026-03-11T18:00:00+08:00', place: '南京市委党校',
    });
    expect(s.status).toBe(201);
    sessionId = s.body.id;
    [seated, waiting] = [await t.worker({ name: '孙一', region: '320105' }), await t.worker({ name: '孙二', region: '320105' })];
    broadcastId = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}同志：请报名参加{session}。', en: 'Dear {name}, please enrol in {session}.' }, segment: { region: '320105' }, sessionId })).body.id;
    expect((await t.api('POST', `/broadcasts/${broadcastId}/send`, token)).body.status).toBe('sending');
    await runBroadcastUntil(t, token, broadcastId, ['done']);
    expect(await say(seated.userId, '报名')).toContain('已报名“候补转正班”');
    expect(await say(waiting.userId, '报名')).toContain('候补名单');
    // The seat holder gives it up: the seat is offered to the first in line, who takes it under 培训.
    await say(seated.userId, '取消报名');
    expect(await say(seated.userId, '1')).toContain('已取消报名');
    await say(waiting.userId, '培训');
    expect(await say(waiting.userId, '1')).toContain('已为您保留的名额已确认');
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
