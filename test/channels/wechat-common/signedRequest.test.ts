import * as wecom from '@wecom/crypto';
import type { Context } from 'koa';
import { describe, expect, it, vi } from 'vitest';
import type { ReplayGuard } from '../../../src/app/ports/replayGuard.ts';
import { createWechatCrypto } from '../../../src/channels/wechat-common/crypto.ts';
import { encryptedField } from '../../../src/channels/wechat-common/encryptedEnvelope.ts';
import { openPush, type PushChecks, type WechatPushMode } from '../../../src/channels/wechat-common/signedRequest.ts';
import { HttpError } from '../../../src/http/errors.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createMemoryReplayGuard } from '../../support/memoryReplayGuard.ts';

/**
 * The checks every WeChat push goes through (openPush), on the in-memory replay guard: which mode accepts what,
 * that the body is not read before the URL is checked, and what the replay guard makes of repeats. The "WeChat
 * side" encrypts and signs with @wecom/crypto; the safe-mode example is the one published in WeChat's docs.
 */
const TOKEN = 'AAAAA';
const AES_KEY = 'A'.repeat(43);
const APP_ID = 'wxba5fad812f8e6fb9';
// WeChat's published safe-mode example (mini program message push, JSON data format); see crypto.test.ts.
const DOC = {
  timestamp: '1714112445',
  nonce: '415670741',
  msgSignature: '046e02f8204d34f8ba5fa3b1db94908f3df2e9b3',
  encrypt:
    '+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=',
  message: '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
};
const NOW = new Date(Number(DOC.timestamp) * 1000);
const crypto = createWechatCrypto({ token: TOKEN, appId: APP_ID, aesKey: AES_KEY });
const sign = (ts: string, nonce: string, encrypt: string) => wecom.getSignature(TOKEN, ts, nonce, encrypt);
const urlSignature = (ts: string, nonce: string) => crypto.signature(ts, nonce);

function checks(mode: WechatPushMode, replay: ReplayGuard = createMemoryReplayGuard()): PushChecks {
  return {
    crypto,
    clock: { now: () => NOW },
    logger: createLogger('silent'),
    timestampWindowSeconds: 300,
    tokenSetting: 'WECHAT_MP_TOKEN',
    aesKeySetting: 'WECHAT_MP_AES_KEY',
    mode,
    modeSetting: 'WECHAT_MP_MODE',
    replay,
    replayScope: `wechat-mp:${APP_ID}`,
  };
}
const ctx = (query: Record<string, string>) => ({ query }) as unknown as Context;
const safeEnvelope = (enc: string) => `<xml>\n  <ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>\n  <Encrypt><![CDATA[${enc}]]></Encrypt>\n</xml>`;

async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(err)}`);
  return { status: err.status, message: err.message };
}

describe('openPush', () => {
  it("opens WeChat's published safe-mode example (JSON envelope)", async () => {
    const q = { signature: urlSignature(DOC.timestamp, DOC.nonce), timestamp: DOC.timestamp, nonce: DOC.nonce, encrypt_type: 'aes', msg_signature: DOC.msgSignature };
    const body = { ToUserName: 'gh_97417a04a28d', Encrypt: DOC.encrypt };
    const opened = await openPush(checks('safe'), ctx(q), async () => ({ text: JSON.stringify(body), json: body }));
    expect(opened).toMatchObject({ encrypted: true, message: DOC.message, keyIndex: 0 });
  });

  it.each(['compatible', 'safe'] as const)('in %s mode refuses a plaintext push without reading its body', async (mode) => {
    const readBody = vi.fn(async () => ({ text: '<xml/>' }));
    const q = { signature: urlSignature(DOC.timestamp, 'n1'), timestamp: DOC.timestamp, nonce: 'n1' };
    const r = await refusal(openPush(checks(mode), ctx(q), readBody));
    expect(r.status).toBe(403);
    expect(r.message).toContain(`WECHAT_MP_MODE=${mode}`);
    expect(readBody).not.toHaveBeenCalled();
  });

  it('in plain mode reads the body only after the URL signature matched', async () => {
    const readBody = vi.fn(async () => ({ text: '<xml><a>1</a></xml>' }));
    const q = { signature: 'f'.repeat(40), timestamp: DOC.timestamp, nonce: 'n2' };
    expect((await refusal(openPush(checks('plain'), ctx(q), readBody))).status).toBe(403);
    expect(readBody).not.toHaveBeenCalled();
    const good = await openPush(checks('plain'), ctx({ ...q, signature: urlSignature(DOC.timestamp, 'n2') }), readBody);
    expect(good).toMatchObject({ encrypted: false, message: '<xml><a>1</a></xml>' });
  });

  it('a refused msg_signature or undecryptable message does not use up the nonce', async () => {
    const replay = createMemoryReplayGuard();
    const claim = vi.spyOn(replay, 'claim');
    const enc = wecom.encrypt(AES_KEY, '<xml><Content>hi</Content></xml>', APP_ID);
    const q = { timestamp: DOC.timestamp, nonce: 'n3', encrypt_type: 'aes', msg_signature: 'a'.repeat(40) };
    expect((await refusal(openPush(checks('safe', replay), ctx(q), async () => ({ text: safeEnvelope(enc) })))).status).toBe(403);
    const other = wecom.encrypt(AES_KEY, '<xml/>', 'wx0000000000000000');
    expect((await refusal(openPush(checks('safe', replay), ctx({ ...q, msg_signature: sign(DOC.timestamp, 'n3', other) }), async () => ({ text: safeEnvelope(other) })))).status).toBe(400);
    expect(claim).not.toHaveBeenCalled();
    const opened = await openPush(checks('safe', replay), ctx({ ...q, msg_signature: sign(DOC.timestamp, 'n3', enc) }), async () => ({ text: safeEnvelope(enc) }));
    expect(opened.message).toBe('<xml><Content>hi</Content></xml>');
  });

  it('the same message again under one (timestamp, nonce) passes, even encrypted afresh; another message is refused', async () => {
    const c = checks('safe');
    const send = (message: string) => {
      const enc = wecom.encrypt(AES_KEY, message, APP_ID);
      return openPush(c, ctx({ timestamp: DOC.timestamp, nonce: 'n4', encrypt_type: 'aes', msg_signature: sign(DOC.timestamp, 'n4', enc) }), async () => ({ text: safeEnvelope(enc) }));
    };
    expect((await send('<xml><MsgId>1</MsgId></xml>')).message).toBe('<xml><MsgId>1</MsgId></xml>');
    expect((await send('<xml><MsgId>1</MsgId></xml>')).message).toBe('<xml><MsgId>1</MsgId></xml>');
    const r = await refusal(send('<xml><MsgId>2</MsgId></xml>'));
    expect(r).toEqual({ status: 403, message: expect.stringContaining('already used for another message') });
  });
});

describe('encryptedField: the Encrypt field taken out without an XML parser', () => {
  const enc = 'QUJDREVGR0g=';
  it('reads the safe-mode envelope as WeChat writes it (whitespace, prolog, CDATA or bare, ToUserName on either side)', () => {
    expect(encryptedField({ text: safeEnvelope(enc) }, 'safe', 'WECHAT_OA_MODE')).toBe(enc);
    expect(encryptedField({ text: `<?xml version="1.0"?><xml><Encrypt>${enc}</Encrypt><ToUserName>gh_1</ToUserName></xml>` }, 'safe', 'WECHAT_OA_MODE')).toBe(enc);
    expect(encryptedField({ text: `<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>` }, 'safe', 'WECHAT_OA_MODE')).toBe(enc);
  });

  it('in safe mode refuses a body with anything beside ToUserName and Encrypt, naming the compatible setting', () => {
    const compatible = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oX]]></FromUserName><Content><![CDATA[hi]]></Content><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
    expect(() => encryptedField({ text: compatible }, 'safe', 'WECHAT_OA_MODE')).toThrow(/WECHAT_OA_MODE=compatible/);
    expect(() => encryptedField({ text: '<xml><ToUserName>gh_1</ToUserName></xml>' }, 'safe', 'WECHAT_OA_MODE')).toThrow('Encrypt is missing');
    expect(() => encryptedField({ json: { ToUserName: 'gh_1', Encrypt: enc, Content: 'hi' }, text: '' }, 'safe', 'WECHAT_MP_MODE')).toThrow(/WECHAT_MP_MODE=compatible/);
  });

  it('in compatible mode takes the CDATA Encrypt element, not one a user typed into the plaintext copy', () => {
    const typed = `<xml><Content><![CDATA[look: <Encrypt>Zm9v</Encrypt>]]></Content><MsgId>1</MsgId><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
    expect(encryptedField({ text: typed }, 'compatible', 'WECHAT_OA_MODE')).toBe(enc);
    expect(() => encryptedField({ text: `<xml><Encrypt><![CDATA[${enc}]]></Encrypt><Encrypt><![CDATA[${enc}]]></Encrypt></xml>` }, 'compatible', 'WECHAT_OA_MODE')).toThrow(/more than one/);
    expect(() => encryptedField({ text: '<xml><Content>hi</Content></xml>' }, 'compatible', 'WECHAT_OA_MODE')).toThrow('Encrypt is missing');
    expect(encryptedField({ json: { ToUserName: 'gh_1', Content: 'hi', Encrypt: enc }, text: '' }, 'compatible', 'WECHAT_MP_MODE')).toBe(enc);
  });
});
