/**
 * Broadcast replies on the mini program, through the whole app against the fake WeChat API: the notice goes out
 * as a subscribe message (one line, no buttons), the front end lists the notices still open with their choices
 * (GET /mp/api/notices), and 报名 / 不参加 come back through POST /mp/api/turn by button, number or word.
 * Telegram and the Official Account are in broadcast-channels.test.ts, the simulator in broadcastsApi.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApiApp, type AdminApiApp } from '../support/adminApiHarness.ts';
import { runBroadcastUntil } from '../support/broadcastRuns.ts';
import { FakeWechatApi, openidOf } from '../channels/wechat-mp/fakeWechatApi.ts';
import { MP_APPID, MP_SECRET, TEMPLATE_A as TEMPLATE } from '../channels/wechat-mp/harness.ts';
let t: AdminApiApp;
let mp: FakeWechatApi;
let token: string;

interface Reply {
  text: string;
  choices?: { id: string; label: string }[];
}

beforeAll(async () => {
  mp = await new FakeWechatApi(MP_APPID, MP_SECRET).start();
  t = await startAdminApiApp('broadcast_mp', { env: { WECHAT_MP_APPID: MP_APPID, WECHAT_MP_SECRET: MP_SECRET, WECHAT_API_BASE: mp.url, WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS: TEMPLATE } });
  token = await t.token('南京市两新工委', '320100');
});
afterAll(async () => {
  await t?.stop();
  await mp?.stop();
});

/** A mini program user: logs in, has accepted the notice template once, and talks through /mp/api. */
async function mpUser(name: string) {
  const post = (path: string, body: unknown, session?: string) =>
    fetch(`${t.app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(session ? { authorization: `Bearer ${session}` } : {}) }, body: JSON.stringify(body) });
  const session = ((await (await post('/mp/api/login', { code: `good-${name}` })).json()) as { token: string }).token;
  expect((await post('/mp/api/subscriptions', { results: { [TEMPLATE]: 'accept' } }, session)).status).toBe(200);
  return {
    openid: openidOf(name),
    async turn(input: { text: string } | { choiceId: string }): Promise<string> {
      const res = await post('/mp/api/turn', input, session);
      expect(res.status).toBe(200);
      return ((await res.json()) as { replies: Reply[] }).replies.map((r) => r.text).join('\n');
    },
    async notices(): Promise<Reply[]> {
      const res = await fetch(`${t.app.url}/mp/api/notices`, { headers: { authorization: `Bearer ${session}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { notices: Reply[] }).notices;
    },
  };
}

const until = (id: string) => runBroadcastUntil(t, token, id);

describe('broadcast replies on the mini program', () => {
  it('the notice goes as a subscribe message; the open notices show 报名 / 不参加 as buttons (tap, never a number); 报名 by button, number and word enrols (seat, then waiting list), 不参加 is recorded, a second tap says it was answered', async () => {
    const [a, b, c, d] = [await mpUser('bc-mp-a'), await mpUser('bc-mp-b'), await mpUser('bc-mp-c'), await mpUser('bc-mp-d')];
    for (const [u, name] of [[a, '陈一'], [b, '陈二'], [c, '陈三'], [d, '陈四']] as const) await t.worker({ name, region: '320105' }, undefined, { channel: 'wechat-mp', userId: u.openid });
    const session = await t.api('POST', '/training/sessions', token, {
      title: '新任书记培训班', kind: 'continuing', regionCode: '320100', startsAt: '2026-03-25T09:00:00+08:00', endsAt: '2026-03-25T17:00:00+08:00',
      hours: 8, capacity: 2, enrolBy: '2026-03-24T18:00:00+08:00', place: '南京市委党校',
    });
    expect(session.status).toBe(201);
    const id = (await t.api('POST', '/broadcasts', token, { text: { 'zh-CN': '{name}同志：请报名参加{session}。' }, segment: { region: '320105', channels: ['wechat-mp'] }, sessionId: session.body.id })).body.id as string;
    const dry = (await t.api('POST', `/broadcasts/${id}/dry-run`, token)).body;
    expect(dry.byChannel).toEqual([expect.objectContaining({ channel: 'wechat-mp', recipients: 4, reachable: expect.objectContaining({ subscribe: 4 }) })]);
    expect((await t.api('POST', `/broadcasts/${id}/send`, token)).body.status).toBe('sending');
    expect(await until(id)).toMatchObject({ total: 4, counts: { sent: 4, skipped: 0, failed: 0 } });

    // One subscribe message each, its line the notice's first line.
    for (const [u, name] of [[a, '陈一'], [b, '陈二'], [c, '陈三'], [d, '陈四']] as const) {
      const sent = mp.sent('/cgi-bin/message/subscribe/send', u.openid);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.body).toMatchObject({ template_id: TEMPLATE, data: { thing1: { value: `${name}同志：请报名参加新任书记培训班。` } } });
    }

    const [notice] = await a.notices();
    expect(notice!.text).toBe('陈一同志：请报名参加新任书记培训班。\n\n请点按下方按钮回复：报名，或不参加。');
    expect(notice!.choices?.map((x) => x.label)).toEqual(['报名', '不参加']);
    expect(await a.turn({ choiceId: notice!.choices![0]!.id })).toContain('已报名“新任书记培训班”');
    expect(await a.notices()).toEqual([]);
    expect(await a.turn({ choiceId: notice!.choices![0]!.id })).toBe('这条通知您已经回复过“报名”：您已报名“新任书记培训班”：2026-03-25 09:00，南京市委党校。如需取消，发送“取消报名”。');

    expect(await b.turn({ text: '1' })).toContain('已报名“新任书记培训班”');
    expect(await c.turn({ text: '报名' })).toContain('候补');
    expect(await d.turn({ text: '不参加' })).toContain('您不参加“新任书记培训班”');

    expect((await t.api('GET', `/broadcasts/${id}`, token)).body.answers).toEqual({ enrol: 2, waiting: 1, decline: 1 });
    expect((await t.api('GET', `/training/sessions/${session.body.id}`, token)).body).toMatchObject({ enrolled: 2, waiting: 1 });
  });
});
