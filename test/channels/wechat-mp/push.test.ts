import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WechatMpChannel } from '../../../src/channels/wechat-mp/channel.ts';
import { createAppInstance, TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { serveRouters } from '../telegram/harness.ts';
import { FakeWechatApi, openidOf } from './fakeWechatApi.ts';
import { MP_AES_KEY, MP_APPID, MP_SECRET, MP_TOKEN, mpChannel } from './harness.ts';

/**
 * GET/POST /wechat/mp: customer-service message pushes in XML and JSON, plaintext and safe mode, answered through
 * the customer-service API of a fake WeChat server. Signatures and encryption are computed here independently of
 * the server's code (WeChat's documented scheme), so a mistake there cannot cancel itself out.
 */
let fake: FakeWechatApi;
let app: Awaited<ReturnType<typeof createAppInstance>>;
/** The same mini program twice: pushes in plaintext mode (WECHAT_MP_MODE=plain) and in safe mode (the default with a key). */
let channel: WechatMpChannel;
let safeChannel: WechatMpChannel;
let http: Awaited<ReturnType<typeof serveRouters>>;
let safeHttp: Awaited<ReturnType<typeof serveRouters>>;
const clock = new TestClock(new Date());
const idle = () => Promise.all([channel.idle(), safeChannel.idle()]);

beforeAll(async () => {
  fake = await new FakeWechatApi(MP_APPID, MP_SECRET).start();
  app = await createAppInstance(testDbUri('mp_push'), { clock });
  channel = mpChannel(app, fake, { mode: 'plain' });
  safeChannel = mpChannel(app, fake);
  await channel.start();
  http = await serveRouters([channel.routes], { maxBodyKb: 64 });
  safeHttp = await serveRouters([safeChannel.routes], { maxBodyKb: 64 });
});
afterAll(async () => {
  await http?.close();
  await safeHttp?.close();
  await app?.close();
  await fake?.stop();
});

const sha1 = (parts: string[]) => createHash('sha1').update([...parts].sort().join('')).digest('hex');
const now = () => String(Math.floor(clock.now().getTime() / 1000));

function encrypt(message: string): string {
  const key = Buffer.from(`${MP_AES_KEY}=`, 'base64');
  const msg = Buffer.from(message);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(MP_APPID)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

let seq = 7_000_000_000_000_000_000n;
function textXml(openid: string, content: string, msgId = String(seq++)) {
  return `<xml><ToUserName><![CDATA[gh_abcdef123456]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}
function textJson(openid: string, content: string, msgId = String(seq++)) {
  // MsgId as a bare JSON number, as WeChat writes it.
  return `{"ToUserName":"gh_abcdef123456","FromUserName":${JSON.stringify(openid)},"CreateTime":${now()},"MsgType":"text","Content":${JSON.stringify(content)},"MsgId":${msgId}}`;
}

interface PushOpts {
  format?: 'xml' | 'json';
  safe?: boolean;
  signature?: string;
  msgSignature?: string;
  timestamp?: string;
  encryptOverride?: string;
}
async function push(body: string, opts: PushOpts = {}) {
  const timestamp = opts.timestamp ?? now();
  const nonce = `n${Math.floor(Math.random() * 1e9)}`;
  const q = new URLSearchParams({ signature: opts.signature ?? sha1([MP_TOKEN, timestamp, nonce]), timestamp, nonce });
  let payload = body;
  if (opts.safe) {
    const enc = opts.encryptOverride ?? encrypt(body);
    q.set('encrypt_type', 'aes');
    q.set('msg_signature', opts.msgSignature ?? sha1([MP_TOKEN, timestamp, nonce, enc]));
    payload = opts.format === 'json' ? JSON.stringify({ ToUserName: 'gh_abcdef123456', Encrypt: enc }) : `<xml><ToUserName><![CDATA[gh_abcdef123456]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
  }
  const res = await fetch(`${(opts.safe ? safeHttp : http).url}/wechat/mp?${q}`, { method: 'POST', headers: { 'content-type': opts.format === 'json' ? 'application/json' : 'text/xml' }, body: payload });
  return { status: res.status, text: await res.text() };
}

const csTexts = (openid: string) => fake.sent('/cgi-bin/message/custom/send', openid).map((c) => (c.body?.text as { content: string }).content);

describe('GET /wechat/mp (URL verification)', () => {
  it('echoes echostr for a good signature only', async () => {
    const ts = now();
    const good = new URLSearchParams({ signature: sha1([MP_TOKEN, ts, 'abc']), timestamp: ts, nonce: 'abc', echostr: 'echo123' });
    const r = await fetch(`${http.url}/wechat/mp?${good}`);
    expect([r.status, await r.text()]).toEqual([200, 'echo123']);
    const bad = new URLSearchParams({ signature: sha1(['other', ts, 'abc']), timestamp: ts, nonce: 'abc', echostr: 'echo123' });
    const b = await fetch(`${http.url}/wechat/mp?${bad}`);
    expect(b.status).toBe(403);
    expect(await b.text()).not.toContain('echo123');
    expect((await fetch(`${http.url}/wechat/mp?timestamp=${ts}&nonce=abc&echostr=x`)).status).toBe(400);
    const old = String(Number(ts) - 3600);
    expect((await fetch(`${http.url}/wechat/mp?${new URLSearchParams({ signature: sha1([MP_TOKEN, old, 'abc']), timestamp: old, nonce: 'abc', echostr: 'e' })}`)).status).toBe(403);
  });
});

describe('POST /wechat/mp', () => {
  it.each([
    ['XML, plaintext', { format: 'xml' as const }],
    ['JSON, plaintext', { format: 'json' as const }],
    ['XML, safe mode', { format: 'xml' as const, safe: true }],
    ['JSON, safe mode', { format: 'json' as const, safe: true }],
  ])('%s: a text message runs a turn, answered through the customer-service API', async (name, opts) => {
    const openid = openidOf(`push-${name}`);
    const make = opts.format === 'json' ? textJson : textXml;
    const r = await push(make(openid, '注册'), opts);
    expect([r.status, r.text]).toEqual([200, 'success']);
    await idle();
    expect(csTexts(openid)).toEqual([expect.stringContaining('请输入您的姓名')]);
    const r2 = await push(make(openid, '张三'), opts);
    expect(r2.status).toBe(200);
    await idle();
    expect(csTexts(openid)[1]).toContain('手机号码');
    expect(fake.sent('/cgi-bin/message/custom/send', openid)[0]?.body).toMatchObject({ touser: openid, msgtype: 'text' });
  });

  it('renders choices as numbered lines the engine understands', async () => {
    const openid = openidOf('push-menu');
    await push(textXml(openid, '菜单'));
    await idle();
    expect(csTexts(openid)[0]).toMatch(/\n1\. 注册\n2\. /);
    await push(textXml(openid, '1'));
    await idle();
    expect(csTexts(openid)[1]).toContain('请输入您的姓名');
  });

  it('a repeated MsgId is handled once (XML and JSON; JSON ids above 2^53 kept exact)', async () => {
    const openid = openidOf('push-dup');
    const xml = textXml(openid, '菜单', '24000000000000001');
    await Promise.all([push(xml), push(xml)]);
    await push(xml);
    await idle();
    expect(csTexts(openid)).toHaveLength(1);
    // Two JSON messages whose ids differ by one: JSON.parse would round both to the same number.
    const other = openidOf('push-bigint');
    await push(textJson(other, '菜单', '24000000000000003'), { format: 'json' });
    await idle();
    await push(textJson(other, '注册', '24000000000000004'), { format: 'json' });
    await idle();
    expect(csTexts(other)).toHaveLength(2);
    await push(textJson(other, '注册', '24000000000000004'), { format: 'json' });
    await idle();
    expect(csTexts(other)).toHaveLength(2);
  });

  it('refuses bad signatures, old timestamps, tampered and malformed bodies; processes nothing; stays up', async () => {
    const openid = openidOf('push-bad');
    const xml = textXml(openid, '菜单');
    const cases: [string, Promise<{ status: number; text: string }>, number][] = [
      ['wrong signature', push(xml, { signature: sha1(['wrong', '1', '2']) }), 403],
      ['signature not hex', push(xml, { signature: 'zz' }), 400],
      ['old timestamp', push(xml, { timestamp: String(Number(now()) - 3600) }), 403],
      ['wrong msg_signature', push(xml, { safe: true, msgSignature: sha1(['x']) }), 403],
      ['JSON wrong msg_signature', push(textJson(openid, '菜单'), { format: 'json', safe: true, msgSignature: sha1(['x']) }), 403],
      ['garbage Encrypt, signed', push(xml, { safe: true, encryptOverride: Buffer.alloc(48, 7).toString('base64') }), 400],
      ['malformed XML', push('<xml><ToUserName>', {}), 400],
      ['DTD', push('<!DOCTYPE x [<!ENTITY a "b">]><xml><a>&a;</a></xml>', {}), 400],
      ['malformed JSON', push('{"ToUserName":', { format: 'json' }), 400],
      ['not an openid', push(textXml('../../etc', '菜单'), {}), 400],
      ['oversized', push(textXml(openid, 'x'.repeat(70 * 1024)), {}), 413],
    ];
    for (const [what, res, status] of cases) expect((await res).status, what).toBe(status);
    const noSig = await fetch(`${http.url}/wechat/mp?timestamp=${now()}&nonce=abc`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
    expect(noSig.status).toBe(400);
    await idle();
    expect(fake.sent('/cgi-bin/message/custom/send', openid)).toHaveLength(0);
    expect(await app.conversations.lastReply('wechat-mp', openid, clock.now())).toMatchObject({ last: null });
    // Still up.
    expect((await push(xml)).text).toBe('success');
    await idle();
    expect(csTexts(openid)).toHaveLength(1);
  });

  it('acknowledges events and other message types without a turn', async () => {
    const openid = openidOf('push-event');
    const event = `<xml><ToUserName><![CDATA[gh_abcdef123456]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[user_enter_tempsession]]></Event><SessionFrom><![CDATA[x]]></SessionFrom></xml>`;
    const card = `<xml><ToUserName><![CDATA[gh_abcdef123456]]></ToUserName><FromUserName><![CDATA[${openid}]]></FromUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[miniprogrampage]]></MsgType><MsgId>123</MsgId><Title><![CDATA[t]]></Title></xml>`;
    for (const body of [event, card]) expect(await push(body)).toEqual({ status: 200, text: 'success' });
    await idle();
    expect(fake.sent('/cgi-bin/message/custom/send', openid)).toHaveLength(0);
  });

  it('a channel without a push Token does not serve /wechat/mp', async () => {
    const c = mpChannel(app, fake, { token: undefined });
    const server = await serveRouters([c.routes]);
    try {
      expect((await fetch(`${server.url}/wechat/mp?signature=x`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
