import * as wecom from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import type { HandleInbound, HandleResult, InboundMessage } from '../../../src/app/handleInbound.ts';
import { renderText } from '../../../src/channels/wechat-oa/render.ts';
import { parseWechatXml } from '../../../src/channels/wechat-common/xml.ts';
import { createAppInstance, registrationScript, TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { makeIdNumber } from '../../support/engineHarness.ts';
import { oaHarnessPerTest, OLD_AES_KEY, openidOf, sleep, TOKEN } from './harness.ts';

/**
 * POST /wechat/oa end to end: WeChat's side signs and encrypts (safe mode) with @wecom/crypto, the channel runs the
 * real pipeline on the test database, replies are decrypted and checked; the customer-service API is a fake
 * WeChat server on loopback.
 */
const CUSTOM = '/cgi-bin/message/custom/send';
const harness = oaHarnessPerTest();

/** Records what reached the pipeline and what it answered. */
function recording(delayMs = 0) {
  const calls: { msg: InboundMessage; result?: HandleResult }[] = [];
  const wrap = (handle: HandleInbound): HandleInbound => async (msg) => {
    const entry: { msg: InboundMessage; result?: HandleResult } = { msg };
    calls.push(entry);
    const result = await handle(msg);
    if (delayMs) await sleep(delayMs);
    entry.result = result;
    return result;
  };
  return { calls, wrap, turnsRun: () => calls.filter((c) => c.result && !c.result.duplicate).length };
}

describe('registration through POST /wechat/oa in safe mode', () => {
  it('registers the worker with the same replies as the simulator gives for the same script', async () => {
    const h = await harness('wx_oa_registration');
    const openid = openidOf('reg1');
    const id = makeIdNumber('320102', '19850312', '555');
    const before = h.fake.callsTo(CUSTOM).length;

    // Following the account: welcome, and the menu with registration first, as numbered lines.
    const welcome = await h.wx.event(openid, 'subscribe');
    expect(welcome.status).toBe(200);
    expect(welcome.fields).toMatchObject({ ToUserName: openid, FromUserName: 'gh_0123456789ab', MsgType: 'text' });
    expect(welcome.text).toContain('您好');
    expect(welcome.text).toMatch(/\n1\. 注册\n2\. /);

    const wechatReplies: string[] = [];
    for (const text of [...registrationScript(id), '确认']) {
      const r = await h.wx.text(openid, text);
      expect(r.status, `reply to ${text}`).toBe(200);
      expect(r.text, `reply to ${text}`).not.toBeNull();
      wechatReplies.push(r.text!);
    }
    expect(wechatReplies.at(-1)).toContain('注册成功');
    expect(await h.app.workers.findByAccount('wechat-oa', openid)).toMatchObject({ name: '张三', idNumber: id });
    // Every answer went back passively; nothing through the customer-service API.
    expect(h.fake.callsTo(CUSTOM).length).toBe(before);

    // The same script on the simulator channel (a separate database, same clock): the same words, rendered alike.
    const sim = await createAppInstance(testDbUri('wx_oa_registration_sim'), { clock: new TestClock() });
    try {
      await sim.handle({ channel: 'sim', userId: 'simuser', messageId: 'sub', input: { type: 'text', text: '菜单' } });
      const simReplies: string[] = [];
      let n = 0;
      for (const text of [...registrationScript(id), '确认']) {
        const r = await sim.handle({ channel: 'sim', userId: 'simuser', messageId: `s${++n}`, input: { type: 'text', text } });
        simReplies.push(renderText(r.replies));
      }
      expect(wechatReplies).toEqual(simReplies);
      expect(await sim.workers.findByAccount('sim', 'simuser')).toMatchObject({ name: '张三', idNumber: id });
    } finally {
      await sim.close();
    }
  });

  it('plaintext mode (WECHAT_OA_MODE=plain) and compatible mode (WECHAT_OA_MODE=compatible) work too', async () => {
    const hPlain = await harness('wx_oa_mode_plain', { config: { mode: 'plain' } });
    const plain = await hPlain.wx.text(openidOf('mode1'), '你好', { mode: 'plain' });
    expect(plain.status).toBe(200);
    expect(plain.raw.startsWith('<xml><ToUserName>')).toBe(true);
    expect(plain.text).toContain('请选择要办理的事项');

    const hCompatible = await harness('wx_oa_mode_compatible', { config: { mode: 'compatible' } });
    const compatible = await hCompatible.wx.text(openidOf('mode2'), '你好', { mode: 'compatible' });
    expect(compatible.status).toBe(200);
    expect(compatible.text).toContain('请选择要办理的事项');
  });
});

describe('the 5-second rule', () => {
  it('a turn slower than the budget is answered "success" now and by a customer-service message later', async () => {
    const rec = recording(700);
    const h = await harness('wx_oa_slow', { replyBudgetMs: 200, wrapHandle: rec.wrap });
    const openid = openidOf('slow1');
    const before = h.fake.callsTo(CUSTOM).length;
    const r = await h.wx.text(openid, '注册');
    expect(r.status).toBe(200);
    expect(r.raw).toBe('success');
    const calls = await h.fake.waitForCalls(CUSTOM, before + 1);
    const sent = calls.at(-1)!;
    expect(sent.body).toMatchObject({ touser: openid, msgtype: 'text' });
    const content = (sent.body.text as { content: string }).content;
    expect(content).toContain('请输入您的姓名');
    expect(content).toBe(renderText(rec.calls[0]!.result!.replies));
    // It used one unit of the user's customer-service quota.
    expect(await h.channel.reachability(openid)).toMatchObject({ canSendCs: true, remaining: 4 });
  });

  it('a WeChat retry while the turn still runs: no second turn, and the user gets exactly one answer (both time out)', async () => {
    const rec = recording();
    const h = await harness('wx_oa_retry1', {
      replyBudgetMs: 250,
      wrapHandle: rec.wrap,
      // '注册' first checks whether the user is registered: that action is made slow, so the lease is held meanwhile.
      actions: (base) => ({ ...base, 'worker.profile': async (...args) => (await sleep(900), base['worker.profile']!(...args)) }),
    });
    const openid = openidOf('retry1');
    const msgId = h.wx.nextMsgId();
    const before = h.fake.callsTo(CUSTOM).length;
    const first = h.wx.text(openid, '注册', { msgId });
    await sleep(350);
    const retry = await h.wx.text(openid, '注册', { msgId });
    expect((await first).raw).toBe('success');
    expect(retry.raw).toBe('success');
    await h.channel.drain();
    await sleep(300);
    await h.channel.drain();
    const sent = h.fake.callsTo(CUSTOM).slice(before);
    expect(sent).toHaveLength(1);
    expect((sent[0]!.body.text as { content: string }).content).toContain('请输入您的姓名');
    expect(rec.turnsRun()).toBe(1);
    // The conversation moved on once: the next message is taken as the name.
    expect((await h.wx.text(openid, '张三')).text).toContain('手机');
  });

  it('a retry that gets the replies in time answers passively, and the slow first attempt then sends nothing', async () => {
    const rec = recording();
    const h = await harness('wx_oa_retry2', {
      replyBudgetMs: 1500,
      wrapHandle: rec.wrap,
      actions: (base) => ({ ...base, 'worker.profile': async (...args) => (await sleep(700), base['worker.profile']!(...args)) }),
    });
    const openid = openidOf('retry2');
    const msgId = h.wx.nextMsgId();
    const before = h.fake.callsTo(CUSTOM).length;
    const first = h.wx.text(openid, '注册', { msgId });
    await sleep(200);
    const retry = await h.wx.text(openid, '注册', { msgId });
    const a = await first;
    expect(retry.text).toContain('请输入您的姓名');
    expect(a.text).toBe(retry.text);
    await h.channel.drain();
    expect(h.fake.callsTo(CUSTOM).length).toBe(before);
    expect(rec.turnsRun()).toBe(1);
    expect(rec.calls.filter((c) => c.result?.duplicate)).toHaveLength(1);
  });

  it('first attempt late, retry in time: exactly one of them answers', async () => {
    const rec = recording();
    const h = await harness('wx_oa_retry3', {
      replyBudgetMs: 300,
      wrapHandle: rec.wrap,
      actions: (base) => ({ ...base, 'worker.profile': async (...args) => (await sleep(800), base['worker.profile']!(...args)) }),
    });
    const openid = openidOf('retry3');
    const msgId = h.wx.nextMsgId();
    const before = h.fake.callsTo(CUSTOM).length;
    const first = h.wx.text(openid, '注册', { msgId });
    await sleep(650); // the first attempt has given up on a passive reply; the turn ends ~150 ms into the retry's budget
    const retry = await h.wx.text(openid, '注册', { msgId });
    expect((await first).raw).toBe('success');
    await h.channel.drain();
    const csAnswers = h.fake.callsTo(CUSTOM).length - before;
    const passiveAnswers = retry.text ? 1 : 0;
    expect(csAnswers + passiveAnswers).toBe(1);
    expect(rec.turnsRun()).toBe(1);
  });

  it('a reply too long for one message goes through the customer-service API in pieces', async () => {
    const long = '很长的回复'.repeat(300); // 4,500 bytes
    const h = await harness('wx_oa_long', {
      wrapHandle: (handle) => async (msg) => ({ ...(await handle(msg)), replies: [{ text: long }] }),
    });
    const openid = openidOf('long1');
    const before = h.fake.callsTo(CUSTOM).length;
    expect((await h.wx.text(openid, '你好')).raw).toBe('success');
    await h.channel.drain();
    const sent = h.fake.callsTo(CUSTOM).slice(before);
    expect(sent).toHaveLength(3);
    expect(sent.map((c) => (c.body.text as { content: string }).content).join('')).toBe(long);
  });
});

describe('events and message types', () => {
  it('maps events, voice and images to the pipeline, answers the rest itself, and dedupes event retries', async () => {
    const rec = recording();
    const h = await harness('wx_oa_events', { wrapHandle: rec.wrap });
    const u = (n: string) => openidOf(`ev${n}`);

    // A parametric QR code: the scene starts a flow.
    expect((await h.wx.event(u('1'), 'subscribe', 'qrscene_register')).text).toContain('请输入您的姓名');
    expect(rec.calls.at(-1)!.msg).toMatchObject({ channel: 'wechat-oa', userId: u('1'), input: { type: 'text', text: 'register' } });
    // Scanning while already following: EventKey is the scene itself.
    expect((await h.wx.event(u('2'), 'SCAN', 'register')).text).toContain('请输入您的姓名');
    // Menu clicks are the commands a user could type.
    expect((await h.wx.event(u('3'), 'CLICK', 'REGISTER')).text).toContain('请输入您的姓名');
    expect(rec.calls.at(-1)!.msg.input).toEqual({ type: 'text', text: '注册' });
    await h.wx.event(u('3b'), 'CLICK', 'HELP');
    expect(rec.calls.at(-1)!.msg.input).toEqual({ type: 'text', text: '帮助' });
    await h.wx.event(u('3c'), 'CLICK', 'CERTS');
    expect(rec.calls.at(-1)!.msg.input).toEqual({ type: 'text', text: '我的证书' });

    // Voice: the recognised text, or a polite request to type.
    expect((await h.wx.message(u('4'), 'voice', { MediaId: 'm1', Format: 'amr', Recognition: '注册' })).text).toContain('请输入您的姓名');
    const calls = rec.calls.length;
    expect((await h.wx.message(u('5'), 'voice', { MediaId: 'm2', Format: 'amr', Recognition: '' })).text).toContain('请直接输入文字');
    expect((await h.wx.message(u('5'), 'video', { MediaId: 'm3', ThumbMediaId: 't' })).text).toContain('暂不支持');
    expect(rec.calls.length).toBe(calls);

    // An image becomes an evidence reference for the pipeline (this pipeline takes no images: a polite refusal).
    const image = await h.wx.message(u('6'), 'image', { PicUrl: 'http://mmbiz.qpic.cn/x', MediaId: 'MEDIA_ID_1' });
    expect(image.text).toBeTruthy();
    expect(rec.calls.at(-1)!.msg.input).toEqual({ type: 'image', mediaRef: 'wechat-media:MEDIA_ID_1' });

    // VIEW is acknowledged and ignored.
    const seen = rec.calls.length;
    expect((await h.wx.event(u('7'), 'VIEW', 'https://example.org')).raw).toBe('success');
    expect(rec.calls.length).toBe(seen);

    // The same event delivered twice (WeChat's retry: same FromUserName, CreateTime, Event): one turn.
    const first = await h.wx.event(u('8'), 'CLICK', 'REGISTER');
    const again = await h.wx.event(u('8'), 'CLICK', 'REGISTER');
    expect(again.text).toBe(first.text);
    expect(rec.calls.at(-1)!.result!.duplicate).toBe(true);
  });

  it('unsubscribe marks the user unreachable, runs no turn and sends nothing afterwards', async () => {
    const rec = recording();
    const h = await harness('wx_oa_unsubscribe', { wrapHandle: rec.wrap, templateIds: { applicationProgress: 'TPL_PROGRESS' } });
    const openid = openidOf('unsub1');
    await h.wx.text(openid, '你好');
    const turns = rec.calls.length;
    const res = await h.wx.event(openid, 'unsubscribe');
    expect(res.raw).toBe('success');
    expect(rec.calls.length).toBe(turns);
    expect(await h.channel.users.get(openid)).toMatchObject({ subscribed: false });
    expect(await h.channel.reachability(openid)).toEqual({ canSendCs: false, remaining: 0, windowEndsAt: null, viaTemplate: false });
    const before = h.fake.calls.length;
    expect(await h.channel.sender.send('wechat-oa', openid, [{ text: '审核通过' }])).toMatchObject({ ok: false, permanent: true });
    expect(h.fake.calls.length).toBe(before);
  });
});

describe('checks of the encrypted reply itself', () => {
  it('the reply is signed over its own timestamp and the request nonce, and decrypts with the key WeChat used', async () => {
    const h = await harness('wx_oa_reply_key');
    const ts = Math.floor(h.clock.now().getTime() / 1000);
    const fields = `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[${openidOf('key1')}]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content><MsgId>1234567890123456</MsgId></xml>`;
    const encrypt = wecom.encrypt(OLD_AES_KEY, fields, 'wx1234567890abcdef');
    const nonce = '98765';
    const q = new URLSearchParams({ timestamp: String(ts), nonce, encrypt_type: 'aes', msg_signature: wecom.getSignature(TOKEN, ts, nonce, encrypt) });
    const res = await fetch(`${h.url}/wechat/oa?${q}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
    expect(res.status).toBe(200);
    const outer = parseWechatXml(await res.text()).fields;
    expect(outer.Nonce).toBe(nonce);
    expect(wecom.getSignature(TOKEN, outer.TimeStamp!, outer.Nonce!, outer.Encrypt!)).toBe(outer.MsgSignature);
    const inner = wecom.decrypt(OLD_AES_KEY, outer.Encrypt!);
    expect(inner.id).toBe('wx1234567890abcdef');
    expect(parseWechatXml(inner.message).fields.Content).toContain('请选择要办理的事项');
  });
});
