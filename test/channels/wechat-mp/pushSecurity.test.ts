import { createHash } from 'node:crypto';
import * as wecom from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HandleInbound, HandleResult, InboundMessage } from '../../../src/app/handleInbound.ts';
import type { WechatMpChannel } from '../../../src/channels/wechat-mp/channel.ts';
import { parseWechatXml } from '../../../src/channels/wechat-common/xml.ts';
import { createAppInstance, TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';
import { serveRouters } from '../telegram/harness.ts';
import { FakeWechatApi, openidOf } from './fakeWechatApi.ts';
import { MP_AES_KEY, MP_APPID, MP_SECRET, MP_TOKEN, mpChannel } from './harness.ts';

// The XML parser, watched: an unsigned body must be refused without it ever running.
vi.mock('../../../src/channels/wechat-common/xml.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/channels/wechat-common/xml.ts')>();
  return { ...real, parseWechatXml: vi.fn(real.parseWechatXml) };
});
const parsed = vi.mocked(parseWechatXml);

/**
 * The mini program's push endpoint under the same three rules as the official account's: WECHAT_MP_MODE (safe
 * refuses plaintext, compatible reads only the ciphertext), each (timestamp, nonce) good for one message across
 * instances, signatures checked before any XML is parsed. "plain B" is a second app instance on the same database.
 */
type App = Awaited<ReturnType<typeof createAppInstance>>;
type Served = { channel: WechatMpChannel; url: string; close(): Promise<void> };
const clock = new TestClock(new Date());
let fake: FakeWechatApi;
const apps: App[] = [];
const turns: { msg: InboundMessage; result?: HandleResult }[] = [];
const turnsOf = (openid: string) => turns.filter((t) => t.msg.userId === openid);
const recording = (handle: HandleInbound): HandleInbound => async (msg) => {
  const entry: { msg: InboundMessage; result?: HandleResult } = { msg };
  turns.push(entry);
  entry.result = await handle(msg);
  return entry.result;
};
let safe: Served;
let compatible: Served;
let plain: Served;
let plainB: Served;
const all = () => [safe, compatible, plain, plainB];
const idle = () => Promise.all(all().map((s) => s.channel.idle()));

async function serve(uri: string, mode?: 'plain' | 'compatible'): Promise<Served> {
  const app = await createAppInstance(uri, { clock });
  apps.push(app);
  const channel = mpChannel({ ...app, handle: recording(app.handle) }, fake, mode ? { mode } : {});
  await channel.start();
  const http = await serveRouters([channel.routes], { maxBodyKb: 64 });
  return { channel, url: http.url, close: http.close };
}

beforeAll(async () => {
  fake = await new FakeWechatApi(MP_APPID, MP_SECRET).start();
  safe = await serve(testDbUri('mp_signed_safe'));
  compatible = await serve(testDbUri('mp_signed_compatible'), 'compatible');
  const plainUri = testDbUri('mp_signed_plain');
  plain = await serve(plainUri, 'plain');
  plainB = await serve(plainUri, 'plain');
});
afterAll(async () => {
  for (const s of all()) await s?.close();
  for (const app of apps) await app.close();
  await fake?.stop();
});

const sha1 = (parts: string[]) => createHash('sha1').update([...parts].sort().join('')).digest('hex');
const now = () => String(Math.floor(clock.now().getTime() / 1000));
let seq = 7_100_000_000_000_000_000n;
let nonceSeq = 0;
const nextNonce = () => `mp${++nonceSeq}`;
const fieldsOf = (openid: string, content: string, msgId = String(seq++)) => ({ ToUserName: 'gh_abcdef123456', FromUserName: openid, CreateTime: Number(now()), MsgType: 'text', Content: content, MsgId: msgId });
const xmlOf = (f: ReturnType<typeof fieldsOf>) =>
  `<xml><ToUserName><![CDATA[${f.ToUserName}]]></ToUserName><FromUserName><![CDATA[${f.FromUserName}]]></FromUserName><CreateTime>${f.CreateTime}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${f.Content}]]></Content><MsgId>${f.MsgId}</MsgId></xml>`;

interface Sent {
  timestamp?: string;
  nonce?: string;
  /** Given: an encrypted push (encrypt_type=aes, msg_signature over this); absent: a plaintext one. */
  encrypt?: string;
  msgSignature?: string;
  json?: boolean;
}
async function post(to: Served, body: string, o: Sent = {}) {
  const timestamp = o.timestamp ?? now();
  const nonce = o.nonce ?? nextNonce();
  const q = new URLSearchParams({ signature: sha1([MP_TOKEN, timestamp, nonce]), timestamp, nonce });
  if (o.encrypt !== undefined) {
    q.set('encrypt_type', 'aes');
    q.set('msg_signature', o.msgSignature ?? sha1([MP_TOKEN, timestamp, nonce, o.encrypt]));
  }
  const res = await fetch(`${to.url}/wechat/mp?${q}`, { method: 'POST', headers: { 'content-type': o.json ? 'application/json' : 'text/xml' }, body });
  return { status: res.status, text: await res.text() };
}
const safeXml = (encrypt: string) => `<xml><ToUserName><![CDATA[gh_abcdef123456]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;

describe('WECHAT_MP_MODE', () => {
  it('regression: in safe mode a plaintext mini program push with only the URL signature started a turn', async () => {
    const openid = openidOf('mp-mode-evil');
    const xml = await post(safe, xmlOf(fieldsOf(openid, '注册')));
    const json = await post(safe, JSON.stringify(fieldsOf(openid, '注册')), { json: true });
    for (const r of [xml, json]) {
      expect(r.status).toBe(403);
      expect(r.text).toContain('WECHAT_MP_MODE=safe');
    }
    await idle();
    expect(turnsOf(openid)).toHaveLength(0);
    // The same message encrypted, as WeChat sends it in safe mode, runs its turn.
    const encrypt = wecom.encrypt(MP_AES_KEY, xmlOf(fieldsOf(openid, '注册')), MP_APPID);
    expect(await post(safe, safeXml(encrypt), { encrypt })).toEqual({ status: 200, text: 'success' });
    await idle();
    expect(turnsOf(openid)).toHaveLength(1);
  });

  it('compatible mode reads a JSON push from its encrypted part only, and refuses plaintext-only pushes', async () => {
    const victim = openidOf('mp-compat-victim');
    const sender = openidOf('mp-compat-sender');
    expect((await post(compatible, JSON.stringify(fieldsOf(victim, '注册')), { json: true })).status).toBe(403);
    const encrypt = wecom.encrypt(MP_AES_KEY, JSON.stringify(fieldsOf(sender, '你好')), MP_APPID);
    const body = JSON.stringify({ ...fieldsOf(victim, '注册'), Encrypt: encrypt });
    expect(await post(compatible, body, { encrypt, json: true })).toEqual({ status: 200, text: 'success' });
    await idle();
    expect(turnsOf(sender).map((t) => t.msg.input)).toEqual([{ type: 'text', text: '你好' }]);
    expect(turnsOf(victim)).toHaveLength(0);
  });
});

describe('a signed push URL is good for one message', () => {
  it('regression: a signed mini program push URL replayed with another body within the timestamp window was accepted as any openid', async () => {
    const user = openidOf('mp-replay-user');
    const timestamp = now();
    const nonce = nextNonce();
    const body = xmlOf(fieldsOf(user, '菜单'));
    expect(await post(plain, body, { timestamp, nonce })).toEqual({ status: 200, text: 'success' });
    // The very same request again (WeChat retrying it): passes, and the MsgId dedupe runs no second turn.
    expect(await post(plain, body, { timestamp, nonce })).toEqual({ status: 200, text: 'success' });
    await idle();
    expect(turnsOf(user).map((t) => t.result?.duplicate)).toEqual([false, true]);

    // The URL with someone else's message: refused by this instance and by another one on the same database.
    const attacker = openidOf('mp-replay-evil');
    for (const to of [plain, plainB]) {
      const forged = await post(to, xmlOf(fieldsOf(attacker, '注册')), { timestamp, nonce });
      expect(forged.status).toBe(403);
      expect(forged.text).toContain('already used for another message');
    }
    await idle();
    expect(turnsOf(attacker)).toHaveLength(0);
  });
});

describe('signatures before parsing', () => {
  it('regression: 64 KB of unsigned XML pushed to the mini program was parsed before its msg_signature was checked', async () => {
    const junk = '<Item><Name><![CDATA[x]]></Name><Value>1</Value></Item>'.repeat(1160);
    const crafted = `<xml><ToUserName><![CDATA[gh_abcdef123456]]></ToUserName><Encrypt><![CDATA[QUJDRA==]]></Encrypt>${junk}</xml>`;
    expect(crafted.length).toBeGreaterThan(60 * 1024);
    expect(crafted.length).toBeLessThan(64 * 1024);
    // Safe mode: refused as not the safe envelope; compatible mode: by the msg_signature over the Encrypt found.
    for (const [name, to, status] of [['safe', safe, 400], ['compatible', compatible, 403]] as const) {
      parsed.mockClear();
      const r = await post(to, crafted, { encrypt: 'QUJDRA==', msgSignature: 'a'.repeat(40) });
      expect(parsed, name).not.toHaveBeenCalled();
      expect(r.status, name).toBe(status);
    }
    // The spy does see the server parse a signed message (the decrypted one).
    parsed.mockClear();
    const encrypt = wecom.encrypt(MP_AES_KEY, xmlOf(fieldsOf(openidOf('mp-parse'), '你好')), MP_APPID);
    expect((await post(safe, safeXml(encrypt), { encrypt })).status).toBe(200);
    expect(parsed).toHaveBeenCalledTimes(1);
  });
});
