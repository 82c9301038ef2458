/**
 * Broadcasts over the whole app (the simulator as the platform): the contract's shapes, refusals, the test send,
 * approval by a second admin, a scheduled broadcast sent when the clock moves, and the recipients' answers
 * (button, number, word, 不参加) enrolling them through the training use cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { runBroadcastUntil } from '../support/broadcastRuns.ts';
import { simSay } from '../support/httpApp.ts';

let t: AdminApiApp;
let token: string;
let second: string;
const workers: { id: string; userId: string }[] = [];
beforeAll(async () => {
  t = await startAdminApiApp('broadcast_api', { env: { BROADCAST_APPROVAL_THRESHOLD: '3', BROADCAST_TICK_SECONDS: '1' } });
  token = await t.token('南京市两新工委', '320100');
  second = await t.token('南京市两新工委 审核', '320100');
  for (let i = 0; i < 3; i++) workers.push(await t.worker({ name: `王${'一二三'[i]}`, region: '320102' }));
});
afterAll(() => t?.stop());

const pushes = async (userId: string) => ((await (await fetch(`${t.app.url}/sim/api/pushes?userId=${userId}`)).json()) as { replies: { text: string; choices?: { id: string; label: string }[] }[] }).replies;

const until = (id: string, statuses: string[]) => runBroadcastUntil(t, token, id, statuses);

const body = { text: { 'zh-CN': '{name}同志：请报名参加{session}，{startsAt}，{place}。', en: 'Dear {name}, please enrol in {session}.' }, segment: { region: '320102' } };

describe('broadcast admin API', () => {
  it('creates a draft in the contract shape, refuses bad bodies and other regions, lists and edits it', async () => {
    const bad = await t.api('POST', '/broadcasts', token, { ...body, segment: { region: '320102', colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/colour/);
    const noSession = await t.api('POST', '/broadcasts', token, body);
    expect(noSession.status).toBe(400);
    expect(noSession.body.error).toContain('{session} needs a linked session');
    const other = await t.api('POST', '/broadcasts', await t.token('无锡', '320200'), { ...body, text: { 'zh-CN': '通知' } });
    expect(other.status).toBe(403);
    const r = await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}同志：通知' }, segment: { region: '320102' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'draft', urgent: false, inFlight: 'hold', needsApproval: false, total: 0, counts: { pending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0, sending: 0 }, answers: { enrol: 0, waiting: 0, decline: 0 }, version: 1, createdBy: { name: '南京市两新工委' } });
    const list = await t.api('GET', '/broadcasts?status=draft', token);
    expect(list.body.items.map((b: { id: string }) => b.id)).toContain(r.body.id);
    expect((await t.api('GET', `/broadcasts/${r.body.id}`, await t.token('无锡', '320200'))).status).toBe(404);
    const edited = await t.api('PATCH', `/broadcasts/${r.body.id}`, token, { urgent: true });
    expect(edited.body).toMatchObject({ urgent: true, version: 2 });
    expect((await t.api('GET', '/broadcasts/settings', token)).body).toEqual({ approvalThreshold: 3 });
  });

  it('test send: a clear 409 until the admin binds a chat identity, then the notice reaches it', async () => {
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}：测试' }, segment: {} })).body.id;
    const none = await t.api('POST', `/broadcasts/${id}/test-send`, token);
    expect(none.status).toBe(409);
    expect(none.body.error).toContain('PUT /admin/api/broadcasts/test-target');
    expect((await t.api('PUT', '/broadcasts/test-target', token, { channel: 'sim', userId: 'admin-phone' })).status).toBe(200);
    expect((await t.api('POST', `/broadcasts/${id}/test-send`, token)).body).toEqual({ sent: true, channel: 'sim' });
    expect((await pushes('admin-phone')).map((p) => p.text)).toEqual(['南京市两新工委：测试']);
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body).toMatchObject({ status: 'draft', counts: { sent: 0 } });
  });

  it('regression: tapping 报名 on a test send told the admin the notice was answered already; it says the notice was not sent to this account and records nothing', async () => {
    const session = await t.api('POST', '/training/sessions', token, {
      title: '测试培训班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-14T09:00:00+08:00', endsAt: '2026-03-14T17:00:00+08:00',
      hours: 8, capacity: 5, enrolBy: '2026-03-13T18:00:00+08:00', place: '南京市委党校',
    });
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}：请报名{session}' }, segment: {}, sessionId: session.body.id })).body.id;
    expect((await t.api('PUT', '/broadcasts/test-target', token, { channel: 'sim', userId: 'admin-phone-2' })).status).toBe(200);
    expect((await t.api('POST', `/broadcasts/${id}/test-send`, token)).body).toEqual({ sent: true, channel: 'sim' });
    const [got] = await pushes('admin-phone-2');
    const said = (await simSay(t.app.url, 'admin-phone-2', got!.choices![0]!.id)).map((r) => r.text).join('\n');
    expect(said).toContain('这条通知没有发给您这个账号（测试消息不记录回复）');
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 0, waiting: 0, decline: 0 });
    expect((await t.api('GET', `/training/sessions/${session.body.id}`, token)).body).toMatchObject({ enrolled: 0 });
  });

  it('above the threshold a second admin approves (never the writer); the dry run equals the fan-out', async () => {
    await t.worker({ name: '王四', region: '320102' });
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}同志：年检通知' }, segment: { region: '320102' } })).body.id;
    const dry = (await t.api('POST', `/broadcasts/${id}/dry-run`, token)).body;
    expect(dry).toMatchObject({ total: 4, byChannel: [{ channel: 'sim', recipients: 4, reachable: { direct: 4, none: 0 } }] });
    expect(dry.sample[0].name).toMatch(/^王\*$/);
    const sent = await t.api('POST', `/broadcasts/${id}/send`, token);
    expect(sent.body).toMatchObject({ status: 'awaitingApproval', needsApproval: true });
    expect((await t.api('POST', `/broadcasts/${id}/approve`, token)).status).toBe(403);
    expect((await t.api('PATCH', `/broadcasts/${id}`, token, { urgent: true })).status).toBe(409);
    const approved = await t.api('POST', `/broadcasts/${id}/approve`, second);
    expect(approved.body).toMatchObject({ status: 'sending', approvedBy: { name: '南京市两新工委 审核' } });
    const done = await until(id, ['done']);
    expect(done).toMatchObject({ total: dry.total, counts: { sent: dry.total } });
    const recipients = (await t.api('GET', `/broadcasts/${id}/recipients?limit=2`, token)).body;
    expect(recipients.items).toHaveLength(2);
    expect(recipients.items[0]).toMatchObject({ channel: 'sim', status: 'sent', name: expect.stringMatching(/\*/) });
    const rest = (await t.api('GET', `/broadcasts/${id}/recipients?cursor=${recipients.nextCursor}`, token)).body;
    expect(rest.items).toHaveLength(2);
    const audit = await t.api('GET', `/audit?target=broadcast:${id}`, token);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('broadcast.approve');
  });

  it('a scheduled broadcast waits for its time and goes out when the clock moves there', async () => {
    const sendAt = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}：定时通知' }, segment: { region: '320102', roles: ['secretary'] }, sendAt })).body.id;
    expect((await t.api('POST', `/broadcasts/${id}/send`, token)).body).toMatchObject({ status: 'awaitingApproval' });
    expect((await t.api('POST', `/broadcasts/${id}/approve`, second)).body).toMatchObject({ status: 'scheduled' });
    await t.app.scheduler.catchUp(0);
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body).toMatchObject({ status: 'scheduled', counts: { sent: 0 } });
    t.clock.advance(2 * 3_600_000);
    await t.app.scheduler.catchUp(2 * 3_600_000);
    expect(await until(id, ['done'])).toMatchObject({ total: 4, counts: { sent: 4 } });
  });

  it('replies: 报名 by button, number or word enrols once (or waiting list); 不参加 is recorded; answers counted', async () => {
    for (const w of workers) await pushes(w.userId);
    const session = await t.api('POST', '/training/sessions', token, {
      title: '党务工作者培训班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-10T09:00:00+08:00', endsAt: '2026-03-10T17:00:00+08:00',
      hours: 8, capacity: 1, enrolBy: '2026-03-09T18:00:00+08:00', place: '南京市委党校',
    });
    expect(session.status).toBe(201);
    const id = (await t.api('POST', '/broadcasts', token, { ...body, segment: { region: '320102', roles: ['secretary'] }, sessionId: session.body.id })).body.id;
    await t.api('POST', `/broadcasts/${id}/send`, token);
    await t.api('POST', `/broadcasts/${id}/approve`, second);
    await until(id, ['done']);
    const [a, b, c] = workers;
    const got = (await pushes(a!.userId))[0]!;
    expect(got.text).toMatch(/^王一同志：请报名参加党务工作者培训班，.*10.*09:00.*，南京市委党校。\n\n请点按下方按钮回复：报名，或不参加。$/);
    expect(got.choices?.map((x) => x.label)).toEqual(['报名', '不参加']);
    const reply = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => r.text).join('\n');
    expect(await reply(a!.userId, got.choices![0]!.id)).toContain('已报名');
    expect(await reply(a!.userId, got.choices![0]!.id)).toContain('已经回复过');
    expect(await reply(b!.userId, '1')).toContain('候补');
    expect(await reply(c!.userId, '不参加')).toContain('不参加');
    const after = (await t.api('GET', `/broadcasts/${id}`, token)).body;
    expect(after.answers).toEqual({ enrol: 1, waiting: 1, decline: 1 });
    expect((await t.api('GET', `/training/sessions/${session.body.id}`, token)).body).toMatchObject({ enrolled: 1, waiting: 1 });

  });

  it('regression: 报名 a second time to the same notice said "please choose" (the training menu) instead of "you have already answered: 报名" and where the worker stands; 报名 after 不参加 (as the 不参加 answer invites) did the same instead of enrolling', async () => {
    const [a, b, c] = [await t.worker({ name: '钱一', region: '320104' }), await t.worker({ name: '钱二', region: '320104' }), await t.worker({ name: '钱三', region: '320104' })];
    const session = await t.api('POST', '/training/sessions', token, {
      title: '书记轮训班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-12T09:00:00+08:00', endsAt: '2026-03-12T17:00:00+08:00',
      hours: 8, capacity: 1, enrolBy: '2026-03-11T18:00:00+08:00', place: '南京市委党校',
    });
    const id = (await t.api('POST', '/broadcasts', token, { ...body, segment: { region: '320104' }, sessionId: session.body.id })).body.id;
    expect((await t.api('POST', `/broadcasts/${id}/send`, token)).body.status).toBe('sending');
    await until(id, ['done']);
    const reply = async (userId: string, text: string) => (await simSay(t.app.url, userId, text)).map((r) => r.text).join('\n');
    expect(await reply(a.userId, '报名')).toContain('已报名“书记轮训班”');
    expect(await reply(b.userId, '报名')).toContain('候补');
    expect(await reply(c.userId, '不参加')).toContain('您不参加“书记轮训班”');

    expect(await reply(a.userId, '报名')).toBe('这条通知您已经回复过“报名”：您已报名“书记轮训班”：2026-03-12 09:00，南京市委党校。如需取消，发送“取消报名”。');
    expect(await reply(b.userId, '报名')).toBe('这条通知您已经回复过“报名”：您已报名“书记轮训班”（候补第 1 位）。');
    expect(await reply(a.userId, '不参加')).toBe('这条通知您已经回复过“报名”：已报名。如不能参加，请发送“取消报名”。');
    expect(await reply(c.userId, '不参加')).toBe('这条通知您已经回复过“不参加”。如改变主意，回复“报名”即可。');
    expect(await reply(c.userId, '报名')).toContain('候补');
    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 1, waiting: 2, decline: 0 });
    expect((await t.api('GET', `/training/sessions/${session.body.id}`, token)).body).toMatchObject({ enrolled: 1, waiting: 2 });
  });

  it('pause, resume and cancel over HTTP; sending is one agenda job keyed by the broadcast; a cancelled one sends nothing more', async () => {
    const ws = [await t.worker({ name: '孔一', region: '320111' }), await t.worker({ name: '孔二', region: '320111' })];
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}：请查收通知' }, segment: { region: '320111' } })).body.id;
    expect((await t.api('POST', `/broadcasts/${id}/send`, token)).body.status).toBe('sending');
    const paused = await t.api('POST', `/broadcasts/${id}/pause`, token);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    for (let i = 0; i < 3; i++) await t.app.scheduler.catchUp(0);
    for (const w of ws) expect(await pushes(w.userId)).toEqual([]);
    expect((await t.api('POST', `/broadcasts/${id}/pause`, token)).status).toBe(409);
    expect((await t.api('POST', `/broadcasts/${id}/resume`, token)).body.status).toBe('sending');
    const jobs = await t.db.collection('jobs').countDocuments({ name: 'broadcasts.send', 'data.key': id });
    expect(jobs).toBe(1);
    expect(await until(id, ['done'])).toMatchObject({ counts: { sent: 2 } });
    for (const w of ws) expect((await pushes(w.userId)).map((p) => p.text)).toHaveLength(1);
    expect((await t.api('POST', `/broadcasts/${id}/cancel`, token)).status).toBe(409);

    const other = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}：第二条' }, segment: { region: '320111' } })).body.id;
    await t.api('POST', `/broadcasts/${other}/send`, token);
    const cancelled = await t.api('POST', `/broadcasts/${other}/cancel`, token);
    expect(cancelled.body.status).toBe('cancelled');
    for (let i = 0; i < 3; i++) await t.app.scheduler.catchUp(0);
    const after = (await t.api('GET', `/broadcasts/${other}`, token)).body;
    expect(after).toMatchObject({ status: 'cancelled', counts: { sent: 0, pending: 0 } });
    for (const w of ws) expect(await pushes(w.userId)).toEqual([]);
  });

  it('a worker mutes notices alone in the chat ("退订 通知"): a broadcast skips them as muted; 恢复提醒 undoes it', async () => {
    const w = await t.worker({ name: '吴七', region: '320113' });
    const say = async (text: string) => (await simSay(t.app.url, w.userId, text)).map((r) => r.text).join('\n');
    expect(await say('退订 通知')).toContain('已退订“培训通知”提醒');
    const notice = async () => {
      const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}：通知' }, segment: { region: '320113' } })).body.id;
      expect((await t.api('POST', `/broadcasts/${id}/send`, token)).body.status).toBe('sending');
      return until(id, ['done']);
    };
    expect(await notice()).toMatchObject({ counts: { sent: 0, skipped: 1 }, skipped: { muted: 1 } });
    expect(await say('恢复提醒')).toContain('已恢复全部提醒');
    expect(await notice()).toMatchObject({ counts: { sent: 1, skipped: 0 } });
    expect((await pushes(w.userId)).map((p) => p.text)).toEqual(['吴七：通知']);
  });
});
