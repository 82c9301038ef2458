/**
 * A bare number typed inside a flow: the flow's answer, unless a notice with numbered choices came after the flow's
 * last turn (then it answers the notice). Such numbers are run on the state this instance remembers, without the
 * lease and without reading the notices (ConversationStore.commitIfCurrent); a sent notice marks the conversation
 * (ConversationStore.noticeSent) so that a number after it takes the long way, where the broadcast replies see it.
 * Through the whole app on the simulator, with a flow whose numbered answer needs no action (我的信息 →
 * 需要修改哪一项？, where 1 = 不修改 ends the flow and 2 asks for the name).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { runBroadcastUntil } from '../support/broadcastRuns.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
let worker: { userId: string };
beforeAll(async () => {
  t = await startAdminApiApp('broadcast_number_in_flow');
  token = await t.token('南京市两新工委', '320100');
  worker = await t.worker({ name: '陈十', region: '320102' });
});
afterAll(() => t?.stop());

const say = async (text: string) => (await simSay(t.app.url, worker.userId, text)).map((r) => r.text).join('\n');

describe('a number typed inside a flow around a broadcast notice', () => {
  it('a number typed inside a flow after a notice answers the notice, though such turns run on the remembered state without reading notices (the notice marks the conversation); before the notice, and once the flow has moved on, numbers are the flow’s', async () => {
    // Before any notice: the number is the flow's (2 = 姓名).
    expect(await say('我的信息')).toContain('需要修改哪一项');
    expect(await say('2')).toContain('姓名');
    expect(await say('我的信息')).toContain('需要修改哪一项');

    // The notice comes a while after the flow's last turn.
    t.clock.advance(60_000);
    const session = await t.api('POST', '/training/sessions', token, {
      title: '党务工作者培训班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-10T09:00:00+08:00', endsAt: '2026-03-10T17:00:00+08:00',
      hours: 8, capacity: 5, enrolBy: '2026-03-09T18:00:00+08:00', place: '南京市委党校',
    });
    expect(session.status).toBe(201);
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}同志：请报名参加{session}。' }, segment: { region: '320102' }, sessionId: session.body.id })).body.id as string;
    expect((await t.api('POST', `/broadcasts/${id}/send`, token)).body.status).toBe('sending');
    expect(await runBroadcastUntil(t, token, id)).toMatchObject({ counts: { sent: 1 } });

    t.clock.advance(1_000);
    const answer = await say('1');
    expect(answer).toContain('已报名');
    expect(answer).not.toContain('回复“菜单”返回主菜单');
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 1, waiting: 0, decline: 0 });

    // The answer left the flow where it was (still asking 需要修改哪一项, its last turn before the notice): the
    // notice is still the last thing read, so a second 1 is its answer again, counted once.
    expect(await say('1')).toContain('已经回复过');
    // Once the flow has moved on after the notice, numbers are the flow's again.
    expect(await say('不修改')).toContain('回复“菜单”返回主菜单');
    expect(await say('我的信息')).toContain('需要修改哪一项');
    expect(await say('2')).toContain('姓名');
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 1, waiting: 0, decline: 0 });
  });
});
