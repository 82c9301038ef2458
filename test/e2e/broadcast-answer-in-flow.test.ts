/**
 * A broadcast's answer typed in the middle of a flow (报名 at 我的信息's name question, 不参加 at its 需要修改哪一项):
 * the broadcast replies answer it before the flows, and the reply then brings the user back to the question the
 * flow waits at, as after a poll (app/backToFlow.ts). Through the whole app on the simulator; the funnels count
 * each question once and the notice's counters count each answer once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { runBroadcastUntil } from '../support/broadcastRuns.ts';
import { content } from '../support/engineHarness.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
let worker: { userId: string };
let broadcastId: string;
beforeAll(async () => {
  t = await startAdminApiApp('broadcast_answer_in_flow');
  token = await t.token('南京市两新工委', '320100');
  worker = await t.worker({ name: '陈十', region: '320102' });
  const session = await t.api('POST', '/training/sessions', token, {
    title: '党务工作者培训班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-10T09:00:00+08:00', endsAt: '2026-03-10T17:00:00+08:00',
    hours: 8, capacity: 5, enrolBy: '2026-03-09T18:00:00+08:00', place: '南京市委党校',
  });
  expect(session.status).toBe(201);
  broadcastId = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}同志：请报名参加{session}。' }, segment: { region: '320102' }, sessionId: session.body.id })).body.id as string;
  expect((await t.api('POST', `/broadcasts/${broadcastId}/send`, token)).body.status).toBe('sending');
  expect(await runBroadcastUntil(t, token, broadcastId)).toMatchObject({ counts: { sent: 1 } });
  t.clock.advance(1_000);
});
afterAll(() => t?.stop());

const say = async (text: string) => (await simSay(t.app.url, worker.userId, text)).map((r) => r.text).join('\n');
const tr = (key: string, params?: Record<string, unknown>) => content().translator.t('zh-CN', key, params);
const backTo = () => tr('common:backToFlow', { title: tr('profile:title') });

describe('a broadcast answered in the middle of a flow', () => {
  it('regression: a broadcast answer typed in the middle of a flow left the user without the flow\'s question', async () => {
    expect(await say('我的信息')).toContain(tr('profile:pick.prompt'));
    expect(await say('2')).toContain(tr('registration:name.prompt'));
    // 报名 would pass as a name: the notice's answer comes first, then the name question again, once.
    const enrolled = await say('报名');
    expect(enrolled).toContain('已报名');
    expect(enrolled.endsWith(`${backTo()}\n${tr('registration:name.prompt')}`), enrolled).toBe(true);
    expect(enrolled.split(tr('registration:name.prompt'))).toHaveLength(2);
    expect((await t.api('GET', `/broadcasts/${broadcastId}`, token)).body.answers).toEqual({ enrol: 1, waiting: 0, decline: 0 });

    // A second 报名 there says it was answered, brings the user back again, and counts nothing twice.
    const again = await say('报名');
    expect(again).toContain('已经回复过');
    expect(again.endsWith(`${backTo()}\n${tr('registration:name.prompt')}`), again).toBe(true);
    expect((await t.api('GET', `/broadcasts/${broadcastId}`, token)).body.answers).toEqual({ enrol: 1, waiting: 0, decline: 0 });

    // The flow goes on from its question: the name is saved, and 需要修改哪一项 asked again.
    const saved = await say('陈十一');
    expect(saved).toContain(tr('profile:saved.text'));
    expect(saved).toContain('陈十一');
  });

  it('adds nothing outside a flow', async () => {
    expect(await say('不修改')).toContain(tr('profile:bye.text'));
    const reply = await say('报名');
    expect(reply).toContain('已经回复过');
    expect(reply).not.toContain(backTo());
  });

  it('counts the interrupted question once in the funnels: reached before the answer, answered after it', async () => {
    const day = new Date(t.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const res = await t.api('GET', `/funnels?flow=profile&from=${day}&to=${day}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const steps = new Map((res.body.steps as { stepId: string; reached: number; answered: number; retries: number; gaveUp: number }[]).map((s) => [s.stepId, s]));
    expect(steps.get('name'), JSON.stringify(res.body.steps)).toMatchObject({ reached: 1, answered: 1, retries: 0, gaveUp: 0 });
  });
});
