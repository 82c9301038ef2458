import { createCipheriv, randomBytes } from 'node:crypto';
import * as wecom from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWechatXml } from '../../../src/channels/wechat-common/xml.ts';
import { AES_KEY, APP_ID, GH_ID, openidOf, startOaHarness, TOKEN, wecomSignature, type OaHarness } from './harness.ts';

/**
 * Hostile and broken requests to /wechat/oa: each is refused with a 4xx before anything is stored (no
 * conversation, no dedupe record, no WeChat user), and the server keeps answering good requests. Safe-mode
 * requests go to an account in safe mode, plaintext ones to an account in plaintext mode (WECHAT_OA_MODE=plain).
 */
let h: OaHarness;
let hPlain: OaHarness;
beforeAll(async () => {
  h = await startOaHarness('wx_oa_bad_input');
  hPlain = await startOaHarness('wx_oa_bad_input_plain', { config: { mode: 'plain' } });
});
afterAll(async () => {
  await h?.close();
  await hPlain?.close();
});

const now = () => Math.floor(h.clock.now().getTime() / 1000);
const OPENID = openidOf('bad1');
const innerXml = (extra: Record<string, string | number> = {}) =>
  buildWechatXml({ ToUserName: GH_ID, FromUserName: OPENID, CreateTime: now(), MsgType: 'text', Content: '注册', MsgId: '1234567890123456789', ...extra });

// Every request has its own nonce: a (timestamp, nonce) pair is good for one message only.
let nonceSeq = 10_000;
const nextNonce = () => String(++nonceSeq);

/** A safe-mode request around an arbitrary Encrypt value, correctly signed with the token. */
function signedSafe(encrypt: string, ts = now(), nonce = nextNonce()) {
  return {
    query: { signature: wecomSignature(TOKEN, String(ts), nonce), timestamp: String(ts), nonce, encrypt_type: 'aes', msg_signature: wecom.getSignature(TOKEN, ts, nonce, encrypt) },
    body: buildWechatXml({ ToUserName: GH_ID, Encrypt: encrypt }),
  };
}
/** A plaintext-mode request with a correct signature around any body, for the account in plaintext mode. */
function signedPlain(body: string | Buffer, ts = now(), nonce = nextNonce()) {
  return { query: { signature: wecomSignature(TOKEN, String(ts), nonce), timestamp: String(ts), nonce }, body, plain: true };
}

async function post(query: Record<string, string> | string, body: string | Buffer, contentType = 'text/xml', to: OaHarness = h) {
  const qs = typeof query === 'string' ? query : new URLSearchParams(query).toString();
  const res = await fetch(`${to.url}/wechat/oa?${qs}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: await res.text() };
}

/** Encrypt raw bytes with the account key and no padding of ours (to build bad padding). */
function encryptRaw(plain: Buffer): string {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

const XXE = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
const LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';

async function countStored(of: OaHarness = h): Promise<Record<string, number>> {
  const db = of.app.connection.db!;
  const names = ['conversations', 'inbound_messages', 'wechat_users', 'wechat_deliveries'];
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await db.collection(n).countDocuments()] as const)));
}

describe('POST /wechat/oa refuses', () => {
  const cases: [string, () => { query: Record<string, string> | string; body: string | Buffer; contentType?: string; plain?: boolean }, number][] = [
    ['no query at all', () => ({ query: {}, body: innerXml() }), 400],
    ['a missing signature (plaintext mode)', () => ({ query: { timestamp: String(now()), nonce: '1' }, body: innerXml(), plain: true }), 400],
    ['a wrong signature', () => ({ query: { ...signedPlain(innerXml()).query, signature: 'a'.repeat(40) }, body: innerXml(), plain: true }), 403],
    ['a signature of another token', () => ({ query: { signature: wecomSignature('otherToken', String(now()), '1'), timestamp: String(now()), nonce: '1' }, body: innerXml(), plain: true }), 403],
    ['a stale timestamp (301 s old)', () => signedPlain(innerXml(), now() - 301), 403],
    ['a timestamp from the future (301 s ahead)', () => signedPlain(innerXml(), now() + 301), 403],
    ['a repeated timestamp parameter', () => ({ query: `${new URLSearchParams(signedPlain(innerXml()).query)}&timestamp=1`, body: innerXml(), plain: true }), 400],
    ['encrypt_type=aes without msg_signature', () => ({ query: { ...signedSafe(wecom.encrypt(AES_KEY, innerXml(), APP_ID)).query, msg_signature: '' }, body: signedSafe('x').body }), 400],
    [
      'a wrong msg_signature',
      () => {
        const s = signedSafe(wecom.encrypt(AES_KEY, innerXml(), APP_ID));
        return { ...s, query: { ...s.query, msg_signature: 'b'.repeat(40) } };
      },
      403,
    ],
    [
      'ciphertext tampered after signing',
      () => {
        const enc = wecom.encrypt(AES_KEY, innerXml(), APP_ID);
        const s = signedSafe(enc);
        const bytes = Buffer.from(enc, 'base64');
        bytes[bytes.length - 40]! ^= 0x55;
        return { query: s.query, body: buildWechatXml({ ToUserName: GH_ID, Encrypt: bytes.toString('base64') }) };
      },
      403,
    ],
    [
      'tampered ciphertext re-signed by someone holding the token but not the key',
      () => {
        const bytes = Buffer.from(wecom.encrypt(AES_KEY, innerXml(), APP_ID), 'base64');
        // The last byte of the next-to-last block: CBC flips the same bit of the last plaintext byte, the padding length.
        bytes[bytes.length - 17]! ^= 0x01;
        return signedSafe(bytes.toString('base64'));
      },
      400,
    ],
    ['a message encrypted for another app id', () => signedSafe(wecom.encrypt(AES_KEY, innerXml(), 'wx0000000000000000')), 400],
    ['a message encrypted with another key', () => signedSafe(wecom.encrypt('Q'.repeat(43), innerXml(), APP_ID)), 400],
    [
      'bad padding',
      () => {
        const msg = Buffer.from(innerXml());
        const len = Buffer.alloc(4);
        len.writeUInt32BE(msg.length);
        const body = Buffer.concat([randomBytes(16), len, msg, Buffer.from(APP_ID)]);
        const n = 32 - (body.length % 32);
        const padded = Buffer.concat([body, Buffer.alloc(n, n)]);
        padded[padded.length - 1] = 0; // a zero pad length
        return signedSafe(encryptRaw(padded));
      },
      400,
    ],
    ['Encrypt that is not base64', () => signedSafe('%%%not-base64%%%'), 400],
    ['no Encrypt element', () => ({ query: signedSafe('AAAA').query, body: buildWechatXml({ ToUserName: GH_ID }) }), 400],
    ['an XXE payload (plaintext mode)', () => signedPlain(`${XXE}<xml><ToUserName>gh</ToUserName><FromUserName>${OPENID}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>`), 400],
    ['a billion-laughs payload (plaintext mode)', () => signedPlain(`${LAUGHS}<xml><ToUserName>gh</ToUserName><FromUserName>${OPENID}</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>`), 400],
    ['an XXE payload inside a correctly encrypted message', () => signedSafe(wecom.encrypt(AES_KEY, `${XXE}${innerXml({ Content: '&xxe;' })}`, APP_ID)), 400],
    ['a billion-laughs payload inside a correctly encrypted message', () => signedSafe(wecom.encrypt(AES_KEY, `${LAUGHS}${innerXml()}`, APP_ID)), 400],
    ['a bare DOCTYPE', () => signedPlain(`<!DOCTYPE xml>${innerXml()}`), 400],
    ['a 1 MB body', () => signedPlain(Buffer.alloc(1024 * 1024, 'a')), 413],
    ['a body just over 64 KB', () => signedPlain(innerXml({ Content: 'x'.repeat(64 * 1024) })), 413],
    ['text that is not XML', () => signedPlain('hello, WeChat'), 400],
    ['a JSON body', () => ({ ...signedPlain('{"ToUserName":"gh","FromUserName":"x"}'), contentType: 'application/json' }), 400],
    ['an empty body', () => signedPlain(''), 400],
    ['XML that is not a WeChat message', () => signedPlain('<html><body>hi</body></html>'), 400],
    ['a FromUserName that is not an openid', () => signedSafe(wecom.encrypt(AES_KEY, innerXml({ FromUserName: '{"$gt":""}' }), APP_ID)), 400],
    ['a message without MsgType', () => signedPlain(buildWechatXml({ ToUserName: GH_ID, FromUserName: OPENID, CreateTime: now(), Content: 'x' })), 400],
  ];

  for (const [name, build, status] of cases) {
    it(name, async () => {
      const { query, body, contentType, plain } = build();
      const to = plain ? hPlain : h;
      const res = await post(query, body, contentType, to);
      expect(res.status).toBe(status);
      expect(res.body).not.toContain('注册');
      expect(await countStored(to)).toEqual({ conversations: 0, inbound_messages: 0, wechat_users: 0, wechat_deliveries: 0 });
    });
  }

  it('after all of that the server still answers, and a good message is stored as usual', async () => {
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    const good = await h.wx.text(OPENID, '注册');
    expect(good.status).toBe(200);
    expect(good.text).toContain('请输入您的姓名');
    // The WeChat user's record (its window) is written in the background after the reply.
    await h.channel.drain();
    // The message's dedupe record is kept in its conversation (written by the turn's commit), not in inbound_messages.
    expect(await countStored()).toMatchObject({ conversations: 1, inbound_messages: 0, wechat_users: 1 });
    const conversation = await h.app.connection.db!.collection('conversations').findOne({});
    expect(conversation?.seen).toHaveLength(1);
  });
});

describe('GET /wechat/oa (URL verification)', () => {
  const q = (over: Record<string, string> = {}) => {
    const timestamp = String(now());
    const nonce = '1514711492';
    return { signature: wecomSignature(TOKEN, timestamp, nonce), timestamp, nonce, echostr: '4375120948345356249', ...over };
  };
  it('answers echostr when the signature matches', async () => {
    expect(await h.wx.verify(q())).toEqual({ status: 200, raw: '4375120948345356249' });
  });
  it.each([
    ['a missing signature', { signature: '' }, 400],
    ['a wrong signature', { signature: 'c'.repeat(40) }, 403],
    ['a stale timestamp', { timestamp: '1714036504', signature: wecomSignature(TOKEN, '1714036504', '1514711492') }, 403],
    ['an echostr that is not a plain token', { echostr: '<script>alert(1)</script>' }, 400],
  ])('refuses %s', async (_name, over, status) => {
    const res = await h.wx.verify(q(over));
    expect(res.status).toBe(status);
    expect(res.raw).not.toContain('4375120948345356249');
  });
});
