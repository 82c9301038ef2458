import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/app/admin/tokens.ts';
import { EXPIRE_CONVERSATIONS_JOB } from '../../src/app/housekeeping/expireConversations.ts';
import type { RunningApp } from '../../src/main.ts';
import { createMongoAdminRepository } from '../../src/store/mongo/adminRepository.ts';
import { connectMongo } from '../../src/store/mongo/connection.ts';
import { registrationScript, TestClock } from '../support/appHarness.ts';
import { makeIdNumber } from '../support/engineHarness.ts';
import { startTestApp, startTestAppWithDb } from '../support/httpApp.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../channels/wechat-common/fakeWechatApi.ts';
import { AES_KEY, APP_ID, openidOf, TOKEN, wechatClient, wecomSignature } from '../channels/wechat-oa/harness.ts';

/**
 * The WeChat Official Account channel as main.ts wires it: enabled by its settings, on the real pipeline, with
 * pictures accepted where a step takes them, and progress notices going out through WeChat's API.
 */
let app: RunningApp;
let db: Connection;
let fake: FakeWechatApi;
const clock = new TestClock(new Date());

beforeAll(async () => {
  fake = await startFakeWechatApi();
  const started = await startTestAppWithDb(
    'wechat_oa_wiring',
    { WECHAT_OA_APPID: APP_ID, WECHAT_OA_SECRET: 'secret-secret-secret-1234', WECHAT_OA_TOKEN: TOKEN, WECHAT_OA_AES_KEY: AES_KEY, WECHAT_API_BASE: fake.url },
    { clock },
  );
  app = started.app;
  db = await connectMongo(started.uri);
});
afterAll(async () => {
  await db?.close();
  await app?.stop();
  await fake?.close();
});

describe('WeChat Official Account wired into the app', () => {
  it('answers the URL verification and a safe-mode message with a passive reply', async () => {
    const wx = wechatClient(app.url, clock);
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const verified = await wx.verify({ signature: wecomSignature(TOKEN, timestamp, 'n1'), timestamp, nonce: 'n1', echostr: 'hello-echo' });
    expect(verified).toEqual({ status: 200, raw: 'hello-echo' });
    const reply = await wx.text(openidOf(1), '菜单');
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('请选择要办理的事项');
    expect(reply.text).toContain('1. 注册');
  });

  it('is off when its settings are absent', async () => {
    const plain = await startTestApp('wechat_oa_off');
    try {
      expect((await fetch(`${plain.url}/wechat/oa`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it("keeps a declared application's evidence photo before WeChat drops it, and serves it to the reviewing admin", async () => {
    const wx = wechatClient(app.url, clock);
    const openid = openidOf('evidence');
    const say = async (t: string) => (await wx.text(openid, t)).text ?? '';
    for (const t of registrationScript(makeIdNumber('320102', '19850312', '031'))) await say(t);
    expect(await say('确认')).toContain('注册成功');
    await say('申报');
    await say('是');
    await say('中级（可申报）');
    expect(await say('个人自荐')).toContain('照片');
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a commendation certificate')]);
    fake.media.set('EVIDENCE_MEDIA_1', { contentType: 'image/jpeg', bytes: photo });
    const summary = (await wx.message(openid, 'image', { PicUrl: 'http://mmbiz.qpic.cn/x', MediaId: 'EVIDENCE_MEDIA_1' })).text ?? '';
    expect(summary).toContain('请核对申报信息');
    expect(await say('确认')).toContain('申报已提交');

    // The evidence job fetches the photo at once; after that WeChat may drop it (as it does after 3 days).
    await fake.waitForCalls('/cgi-bin/media/get', 1);
    const admins = createMongoAdminRepository(db);
    await Promise.all(Object.values(db.models).map((m) => m.init()));
    const { token } = await createAdmin(admins, { name: '南京市两新工委', regionCode: '320100', levels: [] }, clock.now());
    const headers = { authorization: `Bearer ${token}` };
    const list = (await (await fetch(`${app.url}/admin/api/applications?region=3201`, { headers })).json()) as { items: { id: string; evidence: string[] }[] };
    const application = list.items.find((a) => a.evidence.includes('wechat-media:EVIDENCE_MEDIA_1'));
    expect(application).toBeDefined();
    let kept = false;
    for (let i = 0; i < 100 && !kept; i++) {
      kept = (await db.collection('media').countDocuments({ _id: 'wechat-media:EVIDENCE_MEDIA_1' as never })) === 1;
      if (!kept) await new Promise((r) => setTimeout(r, 100));
    }
    expect(kept).toBe(true);
    fake.media.clear();

    const res = await fetch(`${app.url}/admin/api/applications/${application!.id}/evidence/0`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);
    // Kept sealed: the stored document does not hold the picture's bytes in the clear.
    const raw = await db.collection('media').findOne({ _id: 'wechat-media:EVIDENCE_MEDIA_1' as never });
    expect(JSON.stringify(raw)).not.toContain(Buffer.from('a commendation certificate').toString('base64'));

    const missing = await fetch(`${app.url}/admin/api/applications/${application!.id}/evidence/1`, { headers });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toMatch(/1 evidence photo/);
    expect((await fetch(`${app.url}/admin/api/applications/${application!.id}/evidence/x`, { headers })).status).toBe(400);
    // Each viewing of the photo is in the admin's audit trail.
    const audit = ((await (await fetch(`${app.url}/admin/api/audit?target=application:${application!.id}`, { headers })).json()) as { items: { action: string; outcome: string }[] }).items;
    expect(audit.filter((e) => e.action === 'viewEvidence').map((e) => e.outcome).sort()).toEqual(['done', 'invalid']);
  });

  it('remembers the timestamp and nonce of each push in the database, and the housekeeping job forgets them after the window', async () => {
    const wx = wechatClient(app.url, clock);
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    expect((await wx.text(openidOf('nonce1'), '菜单', { timestamp, nonce: 'wiring1' })).status).toBe(200);
    // The same URL with another message is refused.
    expect((await wx.text(openidOf('nonce2'), '菜单', { timestamp, nonce: 'wiring1' })).status).toBe(403);
    const nonces = db.collection('signed_nonces');
    const id = `wechat-oa:${APP_ID}:${timestamp}:wiring1`;
    expect(await nonces.countDocuments({ _id: id as never })).toBe(1);

    // Twice the 300 s window later (the embedded database ignores TTL indexes): the job deletes it.
    clock.advance(601_000);
    await app.scheduler.now(EXPIRE_CONVERSATIONS_JOB, 'wiring-test');
    let left = 1;
    for (let i = 0; i < 100 && left > 0; i++) {
      left = await nonces.countDocuments({ _id: id as never });
      if (left > 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0);
  });
});
