import { createCipheriv, randomBytes } from 'node:crypto';
import * as wecom from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { aesKeyOf, createWechatCrypto, decryptMessage, encryptMessage, sha1Sorted, WechatCryptoError } from '../../../src/channels/wechat-common/crypto.ts';

/**
 * The worked example published in WeChat's documentation of message push ("消息推送", developers.weixin.qq.com:
 * the Mini Program's framework/server-ability/message-push page; the Official Account's encryption page carries
 * the same plaintext-mode figures): Token "AAAAA", EncodingAESKey 43 × "A", appid wxba5fad812f8e6fb9.
 * Copied figure for figure; the JSON body of the example is the message, the scheme does not care what it is.
 */
const DOC = {
  token: 'AAAAA',
  aesKey: 'A'.repeat(43),
  appId: 'wxba5fad812f8e6fb9',
  urlVerify: { signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696', timestamp: '1714036504', nonce: '1514711492', echostr: '4375120948345356249' },
  plainPush: { signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78', timestamp: '1714037059', nonce: '486452656' },
  safePush: {
    signature: '6c5c811b55cc85e0e1b54100749188c20beb3f5d',
    msgSignature: '046e02f8204d34f8ba5fa3b1db94908f3df2e9b3',
    timestamp: '1714112445',
    nonce: '415670741',
    encrypt:
      '+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04=',
    random: 'a8eedb185eb2fecf',
    message: '{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}',
  },
  reply: {
    message: '{"demo_resp":"good luck"}',
    random: '707722b803182950',
    timestamp: '1713424427',
    nonce: '415670741',
    encrypt: 'ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==',
    msgSignature: '1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1',
  },
};

const docCrypto = () => createWechatCrypto({ token: DOC.token, appId: DOC.appId, aesKey: DOC.aesKey });
const randomKey = () => randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'x');

describe("WeChat's published worked example", () => {
  it('URL verification: signature over the sorted token, timestamp and nonce', () => {
    const c = docCrypto();
    const { signature, timestamp, nonce } = DOC.urlVerify;
    expect(c.signature(timestamp, nonce)).toBe(signature);
    expect(c.verifySignature(signature, timestamp, nonce)).toBe(true);
    expect(c.verifySignature(signature, timestamp, '1514711493')).toBe(false);
    expect(sha1Sorted(['1514711492', '1714036504', 'AAAAA'])).toBe(signature);
  });

  it('plaintext push signature, and the plain signature sent along in safe mode', () => {
    const c = docCrypto();
    expect(c.verifySignature(DOC.plainPush.signature, DOC.plainPush.timestamp, DOC.plainPush.nonce)).toBe(true);
    expect(c.verifySignature(DOC.safePush.signature, DOC.safePush.timestamp, DOC.safePush.nonce)).toBe(true);
  });

  it('safe mode: msg_signature over token, timestamp, nonce and Encrypt; decrypts to the published message', () => {
    const c = docCrypto();
    const p = DOC.safePush;
    expect(c.msgSignature(p.timestamp, p.nonce, p.encrypt)).toBe(p.msgSignature);
    expect(c.verifyMsgSignature(p.msgSignature, p.timestamp, p.nonce, p.encrypt)).toBe(true);
    expect(c.verifyMsgSignature(p.msgSignature, p.timestamp, p.nonce, `${p.encrypt.slice(0, -4)}AAA=`)).toBe(false);
    expect(c.decrypt(p.encrypt)).toEqual({ message: p.message, keyIndex: 0 });
    // The published intermediate figures: 224 bytes of ciphertext, a 16-byte random prefix, msg_len 167.
    expect(Buffer.from(p.encrypt, 'base64').length).toBe(224);
    expect(Buffer.byteLength(p.message)).toBe(167);
    expect(wecom.decrypt(DOC.aesKey, p.encrypt).random.toString()).toBe(p.random);
  });

  it('reply: the published Encrypt and MsgSignature are reproduced byte for byte from the same random prefix', () => {
    const c = docCrypto();
    const r = DOC.reply;
    const out = c.encryptReply(r.message, r.timestamp, r.nonce, 0, Buffer.from(r.random));
    expect(out).toEqual({ Encrypt: r.encrypt, MsgSignature: r.msgSignature, TimeStamp: r.timestamp, Nonce: r.nonce });
    expect(Buffer.from(out.Encrypt, 'base64').length).toBe(64);
  });

  it('refuses the published message for another app id', () => {
    const c = createWechatCrypto({ token: DOC.token, appId: 'wx0000000000000000', aesKey: DOC.aesKey });
    expect(() => c.decrypt(DOC.safePush.encrypt)).toThrow(expect.objectContaining({ reason: 'wrongAppId' }));
  });
});

describe('round trips against @wecom/crypto', () => {
  const messages = ['<xml><Content><![CDATA[你好，红领]]></Content></xml>', '', 'x'.repeat(12), 'y'.repeat(31), 'z'.repeat(32), '多字节'.repeat(500)];

  it('encrypted by @wecom/crypto, decrypted here; signatures agree', () => {
    for (const message of messages) {
      const aesKey = randomKey();
      const appId = 'wx1234567890abcdef';
      const encrypted = wecom.encrypt(aesKey, message, appId);
      const c = createWechatCrypto({ token: 'tok123', appId, aesKey });
      expect(c.decrypt(encrypted).message).toBe(message);
      expect(c.msgSignature('1700000000', 'n1', encrypted)).toBe(wecom.getSignature('tok123', '1700000000', 'n1', encrypted));
    }
  });

  it('encrypted here, decrypted by @wecom/crypto (identical output for the same random prefix)', () => {
    for (const message of messages) {
      const aesKey = randomKey();
      const appId = 'wx1234567890abcdef';
      const random = randomBytes(16);
      const ours = encryptMessage(aesKeyOf(aesKey), appId, message, random);
      expect(ours).toBe(wecom.encrypt(aesKey, message, appId, random));
      expect(wecom.decrypt(aesKey, ours)).toMatchObject({ message, id: appId });
    }
  });
});

describe('key rotation and refusals', () => {
  const appId = 'wx1234567890abcdef';

  it('falls back to the previous key, and says which key worked', () => {
    const oldKey = randomKey();
    const newKey = randomKey();
    const c = createWechatCrypto({ token: 't', appId, aesKey: newKey, previousAesKey: oldKey });
    expect(c.decrypt(wecom.encrypt(newKey, 'new', appId))).toEqual({ message: 'new', keyIndex: 0 });
    expect(c.decrypt(wecom.encrypt(oldKey, 'old', appId))).toEqual({ message: 'old', keyIndex: 1 });
    // The reply goes out under the key that worked.
    const reply = c.encryptReply('r', '1', 'n', 1);
    expect(wecom.decrypt(oldKey, reply.Encrypt).message).toBe('r');
    expect(() => createWechatCrypto({ token: 't', appId, aesKey: newKey }).decrypt(wecom.encrypt(oldKey, 'old', appId))).toThrow(WechatCryptoError);
  });

  it('rejects bad padding, tampered ciphertext, truncation, bad base64 and a wrong length field', () => {
    const aesKey = randomKey();
    const key = aesKeyOf(aesKey);
    const c = createWechatCrypto({ token: 't', appId, aesKey });
    const good = wecom.encrypt(aesKey, 'hello', appId);
    expect(c.decrypt(good).message).toBe('hello');

    // Bad padding: a plaintext whose last byte claims 33 bytes of padding, encrypted without padding checks.
    const encRaw = (plain: Buffer) => {
      const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
      cipher.setAutoPadding(false);
      return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
    };
    const body = Buffer.concat([randomBytes(16), Buffer.from([0, 0, 0, 5]), Buffer.from('hello'), Buffer.from(appId)]);
    const pad = (n: number, fill = n) => Buffer.concat([body, Buffer.alloc(n, fill)]);
    const need = 32 - (body.length % 32);
    expect(c.decrypt(encRaw(pad(need))).message).toBe('hello');
    const badFill = pad(need);
    badFill[badFill.length - 2] = need + 1;
    expect(() => c.decrypt(encRaw(badFill))).toThrow(expect.objectContaining({ reason: 'badPadding' }));
    expect(() => c.decrypt(encRaw(Buffer.concat([body, Buffer.alloc(need + 32 - 1, 0), Buffer.from([0])])))).toThrow(expect.objectContaining({ reason: 'badPadding' }));

    // Tampered: flip a bit in the last block; the padding (or the app id) no longer checks out.
    const bytes = Buffer.from(good, 'base64');
    bytes[bytes.length - 20]! ^= 0x01;
    expect(() => c.decrypt(bytes.toString('base64'))).toThrow(WechatCryptoError);
    // Flip a bit in the first block: the random prefix and the length field scramble.
    const bytes2 = Buffer.from(good, 'base64');
    bytes2[3]! ^= 0x80;
    expect(() => c.decrypt(bytes2.toString('base64'))).toThrow(WechatCryptoError);

    expect(() => c.decrypt(good.slice(0, 20))).toThrow(WechatCryptoError);
    expect(() => c.decrypt('not*base64')).toThrow(expect.objectContaining({ reason: 'badBase64' }));
    expect(() => c.decrypt(Buffer.alloc(40).toString('base64'))).toThrow(expect.objectContaining({ reason: 'badLength' }));

    // A length field pointing past the end.
    const liar = Buffer.concat([randomBytes(16), Buffer.from([0, 0, 1, 0]), Buffer.from('hi'), Buffer.from(appId)]);
    const n = 32 - (liar.length % 32);
    expect(() => decryptMessage(key, encRaw(Buffer.concat([liar, Buffer.alloc(n, n)])))).toThrow(expect.objectContaining({ reason: 'badMessageLength' }));
  });

  it('refuses keys that are not 43 letters and digits', () => {
    expect(() => aesKeyOf('short')).toThrow(WechatCryptoError);
    expect(() => aesKeyOf(`${'A'.repeat(42)}+`)).toThrow(WechatCryptoError);
    expect(() => createWechatCrypto({ token: 't', appId }).decrypt('AAAA')).toThrow(expect.objectContaining({ reason: 'badKey' }));
  });
});
