import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTokenBucket } from '../../../src/channels/wechat-common/delivery.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { oaHarnessPerTest, openidOf, type OaHarness } from './harness.ts';

/**
 * The Sender for channel 'wechat-oa' against a fake WeChat API: customer-service messages inside the window and
 * quota, template messages outside it, WeChat's verdicts recorded on the user, transient failures retried.
 */
const CUSTOM = '/cgi-bin/message/custom/send';
const TEMPLATE = '/cgi-bin/message/template/send';
const STABLE = '/cgi-bin/stable_token';
const harness = oaHarnessPerTest();
const since = (h: OaHarness, path: string, from: number) => h.fake.calls.slice(from).filter((c) => c.path === path);
/**
 * A message from the user, and the channel's background work after it. The route opens the customer-service
 * window in the background (the turn does not wait for it), so a send right after `wx.text` could find no window
 * yet, fail without an API call and leave the access token unfetched: the next send's stable_token call then
 * landed after a test's starting mark (the sender tests flaked on a loaded machine).
 */
async function write(h: OaHarness, openid: string, text = '你好'): Promise<void> {
  await h.wx.text(openid, text);
  await h.channel.drain();
}
const notice = [{ text: '您的申报已通过初审。', choices: [{ id: 'status', label: '查看进度' }, { id: 'menu', label: '菜单' }] }];

describe('WeChat OA sender', () => {
  it('inside the window: customer-service text with numbered choices, one stable_token for many sends, openids masked in logs', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const h = await harness('wx_send_window', { logger });
    const users = [1, 2, 3, 4].map((n) => openidOf(`win${n}`));
    for (const u of users) await write(h, u);
    const from = h.fake.calls.length;
    const results = await Promise.all(users.flatMap((u) => [h.channel.sender.send('wechat-oa', u, notice), h.channel.sender.send('wechat-oa', u, [{ text: '第二条' }])]));
    expect(results.every((r) => r.ok)).toBe(true);
    const sent = since(h, CUSTOM, from);
    expect(sent).toHaveLength(8);
    expect(sent.find((c) => c.body.touser === users[0] && (c.body.text as { content: string }).content.startsWith('您的申报'))!.body).toEqual({
      touser: users[0],
      msgtype: 'text',
      text: { content: '您的申报已通过初审。\n1. 查看进度\n2. 菜单' },
    });
    expect(since(h, STABLE, from)).toHaveLength(1);
    expect(await h.channel.reachability(users[0]!)).toMatchObject({ canSendCs: true, remaining: 3, viaTemplate: false });
    const sendLogs = lines.filter((l) => l.includes('"wechat send"'));
    expect(sendLogs.length).toBeGreaterThanOrEqual(8);
    expect(sendLogs.some((l) => l.includes('"openid":"oWx_***"'))).toBe(true);
    expect(lines.some((l) => users.some((u) => l.includes(u)))).toBe(false);
  });

  it('after five customer-service messages the sixth goes as a template message', async () => {
    const h = await harness('wx_send_quota', { templateIds: { applicationProgress: 'TPL_PROGRESS' } });
    const u = openidOf('quota1');
    await write(h, u);
    const from = h.fake.calls.length;
    for (let i = 0; i < 5; i++) expect(await h.channel.sender.send('wechat-oa', u, [{ text: `通知${i}` }])).toEqual({ ok: true });
    expect(await h.channel.reachability(u)).toMatchObject({ canSendCs: false, remaining: 0, viaTemplate: true });
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: '第六条' }])).toEqual({ ok: true });
    expect(since(h, CUSTOM, from)).toHaveLength(5);
    const tpl = since(h, TEMPLATE, from);
    expect(tpl).toHaveLength(1);
    expect(tpl[0]!.body).toEqual({ touser: u, template_id: 'TPL_PROGRESS', data: { content: { value: '第六条' } } });
    // A new message from the user reopens the window with a fresh quota.
    h.clock.advance(2 * 60_000);
    await write(h, u, '进度');
    expect(await h.channel.reachability(u)).toMatchObject({ canSendCs: true, remaining: 5 });
  });

  it('outside the window without a template: a recorded permanent failure, and nothing sent', async () => {
    const h = await harness('wx_send_notemplate');
    const u = openidOf('notpl1');
    await write(h, u);
    h.clock.advance(49 * 3_600_000);
    const from = h.fake.calls.length;
    const r = await h.channel.sender.send('wechat-oa', u, [{ text: '通知' }]);
    expect(r).toMatchObject({ ok: false, permanent: true });
    expect(since(h, CUSTOM, from).concat(since(h, TEMPLATE, from))).toHaveLength(0);
    expect((await h.channel.users.get(u))?.lastError?.message).toMatch(/no template/);
    expect(await h.channel.reachability(u)).toMatchObject({ canSendCs: false, viaTemplate: false });
  });

  it('regression: a notice kind named like an inherited property ("constructor") sent a template message without a template id', async () => {
    const h = await harness('wx_send_inherited_kind', { templateIds: { applicationProgress: 'TPL_PROGRESS' } });
    const u = openidOf('inherited1');
    await write(h, u);
    h.clock.advance(49 * 3_600_000);
    const from = h.fake.calls.length;
    for (const kind of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      const r = await h.channel.sendNotice(u, kind, [{ text: '通知' }]);
      expect(r, kind).toMatchObject({ ok: false, permanent: true, reason: expect.stringContaining(`no template configured for notice kind "${kind}"`) });
    }
    expect(since(h, CUSTOM, from).concat(since(h, TEMPLATE, from))).toHaveLength(0);
  });

  it('45015 from WeChat closes the window on record and falls back to the template; 45047 uses up the quota', async () => {
    const h = await harness('wx_send_45015', { templateIds: { applicationProgress: 'TPL_PROGRESS' } });
    const u = openidOf('w45015');
    await write(h, u);
    const from = h.fake.calls.length;
    h.fake.answerNext(CUSTOM, { json: { errcode: 45015, errmsg: 'response out of time limit or subscription is canceled' } });
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: '通知' }])).toEqual({ ok: true });
    expect(since(h, CUSTOM, from)).toHaveLength(1);
    expect(since(h, TEMPLATE, from)).toHaveLength(1);
    expect(await h.channel.reachability(u)).toMatchObject({ canSendCs: false, viaTemplate: true });
    expect((await h.channel.users.get(u))?.lastError).toMatchObject({ code: 45015 });
    // The next notice goes straight to the template.
    await h.channel.sender.send('wechat-oa', u, [{ text: '通知2' }]);
    expect(since(h, CUSTOM, from)).toHaveLength(1);
    expect(since(h, TEMPLATE, from)).toHaveLength(2);

    const v = openidOf('w45047');
    await write(h, v);
    h.fake.answerNext(CUSTOM, { json: { errcode: 45047, errmsg: 'out of response count limit' } });
    await h.channel.sender.send('wechat-oa', v, [{ text: '通知' }]);
    expect(await h.channel.reachability(v)).toMatchObject({ canSendCs: false, remaining: 0 });
  });

  it('43004 marks the user unsubscribed: a permanent failure, and later sends make no API call', async () => {
    const h = await harness('wx_send_43004', { templateIds: { applicationProgress: 'TPL_PROGRESS' } });
    const u = openidOf('w43004');
    await write(h, u);
    h.fake.answerNext(CUSTOM, { json: { errcode: 43004, errmsg: 'require subscribe' } });
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: '通知' }])).toMatchObject({ ok: false, permanent: true });
    expect(await h.channel.users.get(u)).toMatchObject({ subscribed: false, lastError: { code: 43004 } });
    expect(await h.channel.reachability(u)).toMatchObject({ canSendCs: false, viaTemplate: false });
    const from = h.fake.calls.length;
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: '通知' }])).toMatchObject({ ok: false, permanent: true });
    expect(h.fake.calls.length).toBe(from);
  });

  it('retries "system busy" and 5xx with backoff; gives up after the configured attempts without using quota', async () => {
    const h = await harness('wx_send_retry');
    const u = openidOf('retry1');
    await write(h, u);
    let from = h.fake.calls.length;
    h.fake.answerNext(CUSTOM, { json: { errcode: -1, errmsg: 'system error' } }, { status: 503, raw: 'busy' });
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: '通知' }])).toEqual({ ok: true });
    expect(since(h, CUSTOM, from)).toHaveLength(3);
    expect((await h.channel.reachability(u)).remaining).toBe(4);

    from = h.fake.calls.length;
    h.fake.answerNext(CUSTOM, { status: 500, raw: 'x' }, { status: 500, raw: 'x' }, { status: 500, raw: 'x' });
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: '通知' }])).toMatchObject({ ok: false, permanent: false });
    expect(since(h, CUSTOM, from)).toHaveLength(3);
    expect((await h.channel.reachability(u)).remaining).toBe(4);
  });

  it('a 40001 in the middle of sends: one forced refresh, one retry, delivered', async () => {
    const h = await harness('wx_send_40001');
    const u = openidOf('tok1');
    await write(h, u);
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: 'a' }])).toEqual({ ok: true });
    const from = h.fake.calls.length;
    h.fake.answerNext(CUSTOM, { json: { errcode: 40001, errmsg: 'invalid credential' } });
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: 'b' }])).toEqual({ ok: true });
    expect(since(h, STABLE, from)).toHaveLength(1);
    expect(since(h, STABLE, from)[0]!.body.force_refresh).toBe(true);
    expect(since(h, CUSTOM, from)).toHaveLength(2);
  });

  it("regression: another test's channel refreshing its token on the shared fake WeChat server broke this test's count", async () => {
    const other = await harness('wx_send_other');
    const h = await harness('wx_send_isolated');
    const [v, u] = [openidOf('other1'), openidOf('iso1')];
    await write(other, v);
    await write(h, u);
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: 'a' }])).toEqual({ ok: true });
    const from = h.fake.calls.length;
    // The other channel is told its token is invalid and forces a new one.
    other.fake.answerNext(CUSTOM, { json: { errcode: 40001, errmsg: 'invalid credential' } });
    expect(await other.channel.sender.send('wechat-oa', v, [{ text: 'x' }])).toEqual({ ok: true });
    expect(other.fake.callsTo(STABLE).at(-1)!.body.force_refresh).toBe(true);
    // This channel's token is untouched: one send, one call, no refresh.
    expect(await h.channel.sender.send('wechat-oa', u, [{ text: 'b' }])).toEqual({ ok: true });
    expect(h.fake.calls.slice(from).map((c) => c.path)).toEqual([CUSTOM]);
  });

  it('with csMenus, a final single-choice question goes as a msgmenu', async () => {
    const h = await harness('wx_send_menu', { config: { csMenus: true } });
    const u = openidOf('menu1');
    await write(h, u);
    const from = h.fake.calls.length;
    await h.channel.sender.send('wechat-oa', u, notice);
    expect(since(h, CUSTOM, from)[0]!.body).toEqual({
      touser: u,
      msgtype: 'msgmenu',
      msgmenu: { head_content: '您的申报已通过初审。', list: [{ id: '1', content: '查看进度' }, { id: '2', content: '菜单' }], tail_content: '' },
    });
  });

  it('refuses other channels and strings that are not openids', async () => {
    const h = await harness('wx_send_refuse');
    const from = h.fake.calls.length;
    expect(await h.channel.sender.send('telegram', openidOf('x1'), [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
    expect(await h.channel.sender.send('wechat-oa', '{"$ne":null}', [{ text: 'x' }])).toMatchObject({ ok: false, permanent: true });
    expect(h.fake.calls.length).toBe(from);
  });
});

describe('token bucket', () => {
  it('lets a burst through at once, then holds the rate (a lower bound only)', async () => {
    const bucket = createTokenBucket(50, 10);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => bucket.take()));
    const burst = performance.now() - t0;
    await Promise.all(Array.from({ length: 25 }, () => bucket.take()));
    const total = performance.now() - t0;
    // 25 beyond the burst at 50/s need at least 500 ms; the burst itself needs no waiting.
    expect(total).toBeGreaterThanOrEqual(450);
    expect(burst).toBeLessThan(total);
  });
});
