import * as wecom from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HandleInbound, HandleResult, InboundMessage } from '../../../src/app/handleInbound.ts';
import { createWechatOaChannel } from '../../../src/channels/wechat-oa/channel.ts';
import { createMongoChannelStores } from '../../../src/store/mongo/channelStores.ts';
import { buildWechatXml, parseWechatXml } from '../../../src/channels/wechat-common/xml.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createMemoryReplayGuard } from '../../support/memoryReplayGuard.ts';
import { startFakeWechatApi, type FakeWechatApi } from '../wechat-common/fakeWechatApi.ts';
import { AES_KEY, APP_ID, GH_ID, openidOf, startOaHarness, TOKEN, wecomSignature, type HarnessOptions, type OaHarness } from './harness.ts';

// The XML parser, watched: an unsigned body must be refused without it ever running.
vi.mock('../../../src/channels/wechat-common/xml.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/channels/wechat-common/xml.ts')>();
  return { ...real, parseWechatXml: vi.fn(real.parseWechatXml) };
});
const parsed = vi.mocked(parseWechatXml);

/**
 * WECHAT_OA_MODE and the replay guard through POST /wechat/oa: safe mode refuses plaintext, compatible mode reads
 * only the ciphertext, each (timestamp, nonce) serves one message across instances, and signatures are checked
 * before any XML is parsed. One account per mode, all on the real pipeline; "plain B" is a second instance of the
 * plaintext one on the same database.
 */
let fake: FakeWechatApi;
const turns: { msg: InboundMessage; result?: HandleResult }[] = [];
const recording = (handle: HandleInbound): HandleInbound => async (msg) => {
  const entry: { msg: InboundMessage; result?: HandleResult } = { msg };
  turns.push(entry);
  entry.result = await handle(msg);
  return entry.result;
};
const turnsOf = (openid: string) => turns.filter((t) => t.msg.userId === openid);
let safe: OaHarness;
let compatible: OaHarness;
let plain: OaHarness;
let plainB: OaHarness;

beforeAll(async () => {
  fake = await startFakeWechatApi();
  const opts = (o: HarnessOptions = {}): HarnessOptions => ({ fake, wrapHandle: recording, ...o });
  safe = await startOaHarness('wx_oa_signed_safe', opts());
  compatible = await startOaHarness('wx_oa_signed_compatible', opts({ config: { mode: 'compatible' } }));
  plain = await startOaHarness('wx_oa_signed_plain', opts({ config: { mode: 'plain' } }));
  plainB = await startOaHarness('wx_oa_signed_plain_b', opts({ config: { mode: 'plain' }, uri: plain.uri }));
});
afterAll(async () => {
  for (const h of [safe, compatible, plain, plainB]) await h?.close();
  await fake?.close();
});

const now = (h: OaHarness) => Math.floor(h.clock.now().getTime() / 1000);
let nonceSeq = 0;
const nextNonce = () => `n${++nonceSeq}`;

async function post(h: OaHarness, query: Record<string, string>, body: string) {
  const res = await fetch(`${h.url}/wechat/oa?${new URLSearchParams(query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { status: res.status, raw: await res.text() };
}

describe('WECHAT_OA_MODE: safe mode means safe', () => {
  it('regression: in safe mode a plaintext push with only the URL signature started a turn', async () => {
    const openid = openidOf('mode-evil1');
    const r = await safe.wx.text(openid, '注册', { mode: 'plain' });
    expect(r.status).toBe(403);
    expect(r.raw).toContain('WECHAT_OA_MODE=safe');
    expect(turnsOf(openid)).toHaveLength(0);
    // The same message as WeChat sends it in safe mode is answered.
    const ok = await safe.wx.text(openid, '注册');
    expect(ok.text).toContain('请输入您的姓名');
  });

  it('safe mode refuses a body that carries a plaintext copy beside the ciphertext (the console is in compatible mode)', async () => {
    const openid = openidOf('mode-compat1');
    const r = await safe.wx.text(openid, '你好', { mode: 'compatible' });
    expect(r.status).toBe(400);
    expect(r.raw).toContain('WECHAT_OA_MODE=compatible');
    expect(turnsOf(openid)).toHaveLength(0);
  });

  it('compatible mode refuses plaintext-only pushes too, and reads only the encrypted part of a push', async () => {
    const victim = openidOf('mode-victim');
    expect((await compatible.wx.text(victim, '注册', { mode: 'plain' })).status).toBe(403);

    // A compatible push whose plaintext copy says something else than its ciphertext: only the ciphertext counts.
    const sender = openidOf('mode-sender');
    const ts = String(now(compatible));
    const nonce = nextNonce();
    const base = { ToUserName: GH_ID, CreateTime: now(compatible), MsgType: 'text' };
    const encrypt = wecom.encrypt(AES_KEY, buildWechatXml({ ...base, FromUserName: sender, Content: '你好', MsgId: compatible.wx.nextMsgId() }), APP_ID);
    const plaintextCopy = buildWechatXml({ ...base, FromUserName: victim, Content: '注册', MsgId: compatible.wx.nextMsgId() }).slice('<xml>'.length, -'</xml>'.length);
    const r = await compatible.wx.push(
      {},
      {
        mode: 'compatible',
        query: { signature: wecomSignature(TOKEN, ts, nonce), timestamp: ts, nonce, encrypt_type: 'aes', msg_signature: wecom.getSignature(TOKEN, ts, nonce, encrypt) },
        body: `<xml>${plaintextCopy}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
      },
    );
    expect(r.status).toBe(200);
    expect(r.fields?.ToUserName).toBe(sender);
    expect(r.text).toContain('请选择要办理的事项');
    expect(turnsOf(sender).map((t) => t.msg.input)).toEqual([{ type: 'text', text: '你好' }]);
    expect(turnsOf(victim)).toHaveLength(0);
  });
});

describe('the default mode', () => {
  it('is plain without an AES key, and compatible or safe mode cannot be set without one', async () => {
    const keyless = await startOaHarness('wx_oa_signed_keyless', { fake, config: { aesKey: undefined, previousAesKey: undefined } });
    try {
      const r = await keyless.wx.text(openidOf('keyless1'), '你好', { mode: 'plain' });
      expect(r.text).toContain('请选择要办理的事项');
      const deps = { handleInbound: keyless.app.handle, stores: createMongoChannelStores(keyless.app.connection, keyless.app.cipher, keyless.clock), replayGuard: createMemoryReplayGuard(), logger: createLogger('silent'), clock: keyless.clock };
      const config = { appId: APP_ID, secret: 'secret-secret-secret-secret', token: TOKEN, apiBase: fake.url, replyBudgetMs: 4000, timestampWindowSeconds: 300, csWindowHours: 48, csQuota: 5, templateIds: {} };
      expect(() => createWechatOaChannel({ ...deps, config: { ...config, mode: 'safe' } })).toThrow('WECHAT_OA_MODE=safe needs WECHAT_OA_AES_KEY');
      expect(() => createWechatOaChannel({ ...deps, config: { ...config, mode: 'compatible' } })).toThrow('WECHAT_OA_MODE=compatible needs WECHAT_OA_AES_KEY');
    } finally {
      await keyless.close();
    }
  });
});

describe('a signed URL is good for one message', () => {
  it('regression: a signed URL replayed with another body within the timestamp window was accepted as any openid', async () => {
    const user = openidOf('replay-user');
    const ts = now(plain);
    const nonce = nextNonce();
    const msgId = plain.wx.nextMsgId();
    const first = await plain.wx.text(user, '你好', { mode: 'plain', timestamp: ts, nonce, msgId });
    expect(first.text).toContain('请选择要办理的事项');

    // WeChat delivering the very same request again: same URL, same body. Not a replay: answered from the dedupe record.
    const again = await plain.wx.text(user, '你好', { mode: 'plain', timestamp: ts, nonce, msgId });
    expect(again.text).toBe(first.text);
    expect(turnsOf(user).map((t) => t.result?.duplicate)).toEqual([false, true]);

    // The URL as a proxy or access log saw it, with someone else's message: refused, here and on another instance.
    const attacker = openidOf('replay-evil');
    for (const h of [plain, plainB]) {
      const forged = await h.wx.text(attacker, '注册', { mode: 'plain', timestamp: ts, nonce });
      expect(forged.status).toBe(403);
      expect(forged.raw).toContain('already used for another message');
    }
    expect(turnsOf(attacker)).toHaveLength(0);
  });

  it('a platform retry (same MsgId) is answered from the dedupe record, with the same URL or a fresh one; a replay (same timestamp and nonce, another message) is refused', async () => {
    const user = openidOf('retry-user');
    const ts = now(safe);
    const nonce = nextNonce();
    const msgId = safe.wx.nextMsgId();
    const first = await safe.wx.text(user, '注册', { timestamp: ts, nonce, msgId });
    expect(first.text).toContain('请输入您的姓名');
    // Retry reusing the URL (encrypted afresh, as any sender may): the same message, so it passes the replay guard.
    const sameUrl = await safe.wx.text(user, '注册', { timestamp: ts, nonce, msgId });
    // Retry with a new timestamp and nonce: a new pair.
    const freshUrl = await safe.wx.text(user, '注册', { msgId });
    expect([sameUrl.status, sameUrl.text]).toEqual([200, first.text]);
    expect([freshUrl.status, freshUrl.text]).toEqual([200, first.text]);
    // One turn; the retries were answered from the dedupe record.
    expect(turnsOf(user).map((t) => t.result?.duplicate)).toEqual([false, true, true]);

    // The pair again with another message (another MsgId, other text): refused before the pipeline sees it.
    const replay = await safe.wx.text(user, '张三', { timestamp: ts, nonce });
    expect(replay.status).toBe(403);
    expect(turnsOf(user)).toHaveLength(3);
  });
});

describe('signatures before parsing', () => {
  it('regression: 64 KB of unsigned XML was parsed before its msg_signature was checked', async () => {
    const junk = '<Item><Name><![CDATA[x]]></Name><Value>1</Value></Item>'.repeat(1160); // about 63 KB of elements
    const crafted = `<xml><ToUserName><![CDATA[${GH_ID}]]></ToUserName><Encrypt><![CDATA[QUJDRA==]]></Encrypt>${junk}</xml>`;
    const bigEnvelope = `<xml><ToUserName><![CDATA[${GH_ID}]]></ToUserName><Encrypt><![CDATA[${'QUJD'.repeat(15_000)}]]></Encrypt></xml>`;
    expect(crafted.length).toBeGreaterThan(60 * 1024);
    expect(crafted.length).toBeLessThan(64 * 1024);
    const cases: [string, OaHarness, string, number][] = [
      ['safe, extra elements', safe, crafted, 400],
      ['safe, a 60 KB Encrypt', safe, bigEnvelope, 403],
      ['compatible, extra elements', compatible, crafted, 403],
      ['compatible, a 60 KB Encrypt', compatible, bigEnvelope, 403],
    ];
    for (const [name, h, body, status] of cases) {
      parsed.mockClear();
      const query = { timestamp: String(now(h)), nonce: nextNonce(), encrypt_type: 'aes', msg_signature: 'a'.repeat(40) };
      const r = await post(h, query, body);
      expect(parsed, name).not.toHaveBeenCalled();
      expect(r.status, name).toBe(status);
    }

    // The spy does see the server parse a signed message (the decrypted one).
    parsed.mockClear();
    const ts = String(now(safe));
    const nonce = nextNonce();
    const encrypt = wecom.encrypt(AES_KEY, buildWechatXml({ ToUserName: GH_ID, FromUserName: openidOf('parse1'), CreateTime: now(safe), MsgType: 'text', Content: '你好', MsgId: safe.wx.nextMsgId() }), APP_ID);
    const good = await post(safe, { timestamp: ts, nonce, encrypt_type: 'aes', msg_signature: wecom.getSignature(TOKEN, ts, nonce, encrypt) }, buildWechatXml({ ToUserName: GH_ID, Encrypt: encrypt }));
    expect(good.status).toBe(200);
    expect(parsed).toHaveBeenCalledTimes(1);
  });
});
