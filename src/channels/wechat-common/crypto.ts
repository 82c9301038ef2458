import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's message signature and encryption scheme, shared by the Official Account and the Mini Program
 * ("消息加解密", the WXBizMsgCrypt scheme):
 *
 * - signature      = sha1(sort(token, timestamp, nonce).join(''))           (URL verification, plaintext mode)
 * - msg_signature  = sha1(sort(token, timestamp, nonce, Encrypt).join(''))  (compatible and safe mode)
 * - AESKey         = base64decode(EncodingAESKey + '='), 32 bytes; IV = its first 16 bytes; AES-256-CBC
 * - plaintext      = random(16) ‖ uint32be(len(msg)) ‖ msg ‖ appid, PKCS#7-padded to a multiple of 32 bytes
 *
 * Node's own PKCS#7 padding works in 16-byte blocks, so padding is done here, by hand, in 32-byte blocks.
 */

const BLOCK = 32;

export class WechatCryptoError extends Error {
  override name = 'WechatCryptoError';
  constructor(
    /** A stable reason, for logs and tests: never the plaintext, never the key. */
    readonly reason: 'badKey' | 'badBase64' | 'badLength' | 'badPadding' | 'badMessageLength' | 'wrongAppId',
    message: string,
  ) {
    super(message);
  }
}

/** sha1 of the parts sorted as strings (byte order, which is what WeChat's sample code does) and joined. */
export function sha1Sorted(parts: readonly string[]): string {
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

/** Constant-time comparison of two signatures (hex strings); different lengths compare unequal. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    // Still spend the time of one comparison, so a length mismatch is not noticeably faster.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** The 32-byte AES key of a 43-character EncodingAESKey. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new WechatCryptoError('badKey', 'an EncodingAESKey is 43 letters and digits (copy it from the WeChat console)');
  }
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WechatCryptoError('badKey', 'the EncodingAESKey does not decode to 32 bytes');
  return key;
}

function pkcs7Pad(buf: Buffer): Buffer {
  const n = BLOCK - (buf.length % BLOCK);
  return Buffer.concat([buf, Buffer.alloc(n, n)]);
}

function pkcs7Unpad(buf: Buffer): Buffer {
  const n = buf[buf.length - 1];
  if (n === undefined || n < 1 || n > BLOCK || n > buf.length) throw new WechatCryptoError('badPadding', 'the decrypted message has invalid padding');
  // Every padding byte must carry the padding length; checked without an early exit.
  let bad = 0;
  for (let i = buf.length - n; i < buf.length; i++) bad |= buf[i]! ^ n;
  if (bad !== 0) throw new WechatCryptoError('badPadding', 'the decrypted message has invalid padding');
  return buf.subarray(0, buf.length - n);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encrypt `message` for `appId` (the `Encrypt` field). `random` is for tests reproducing a published example. */
export function encryptMessage(key: Buffer, appId: string, message: string, random: Buffer = randomBytes(16)): string {
  if (random.length !== 16) throw new Error('the random prefix is 16 bytes');
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random, len, msg, Buffer.from(appId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** Decrypt an `Encrypt` field; returns the message and the app id found at its end (not yet checked). */
export function decryptMessage(key: Buffer, encrypted: string): { message: string; appId: string } {
  if (!BASE64.test(encrypted)) throw new WechatCryptoError('badBase64', 'Encrypt is not base64');
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new WechatCryptoError('badLength', 'Encrypt is not a whole number of AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = pkcs7Unpad(Buffer.concat([decipher.update(data), decipher.final()]));
  if (plain.length < 20) throw new WechatCryptoError('badMessageLength', 'the decrypted message is too short');
  const len = plain.readUInt32BE(16);
  if (len > plain.length - 20) throw new WechatCryptoError('badMessageLength', 'the decrypted message length field is out of range');
  return { message: plain.subarray(20, 20 + len).toString('utf8'), appId: plain.subarray(20 + len).toString('utf8') };
}

export interface WechatCryptoConfig {
  token: string;
  appId: string;
  /** Absent in plaintext mode: encrypted requests are then refused. */
  aesKey?: string | undefined;
  /** The key before the last change in the console; tried when the current one fails, so a key change loses nothing. */
  previousAesKey?: string | undefined;
}

export interface DecryptedMessage {
  message: string;
  /** Which key worked; the reply is encrypted with the same one, since that is the key WeChat is using. */
  keyIndex: number;
}

/** The scheme bound to one account's token, app id and keys. */
export function createWechatCrypto(config: WechatCryptoConfig) {
  const keys = [config.aesKey, config.previousAesKey].filter((k): k is string => !!k).map(aesKeyOf);
  const appId = Buffer.from(config.appId, 'utf8');

  return {
    canDecrypt: keys.length > 0,

    signature(timestamp: string, nonce: string): string {
      return sha1Sorted([config.token, timestamp, nonce]);
    },
    verifySignature(signature: string, timestamp: string, nonce: string): boolean {
      return safeEqual(signature.toLowerCase(), sha1Sorted([config.token, timestamp, nonce]));
    },
    msgSignature(timestamp: string, nonce: string, encrypted: string): string {
      return sha1Sorted([config.token, timestamp, nonce, encrypted]);
    },
    verifyMsgSignature(signature: string, timestamp: string, nonce: string, encrypted: string): boolean {
      return safeEqual(signature.toLowerCase(), sha1Sorted([config.token, timestamp, nonce, encrypted]));
    },

    /** Decrypt with the current key, then the previous one; the trailing app id must be this account's. */
    decrypt(encrypted: string): DecryptedMessage {
      if (keys.length === 0) throw new WechatCryptoError('badKey', 'this account has no EncodingAESKey configured, so it cannot read encrypted messages');
      let last: unknown;
      for (const [keyIndex, key] of keys.entries()) {
        try {
          const { message, appId: found } = decryptMessage(key, encrypted);
          const foundBytes = Buffer.from(found, 'utf8');
          if (foundBytes.length !== appId.length || !timingSafeEqual(foundBytes, appId)) {
            throw new WechatCryptoError('wrongAppId', 'the message was encrypted for another app id');
          }
          return { message, keyIndex };
        } catch (err) {
          last = err;
        }
      }
      throw last;
    },

    /** Encrypt a reply; returns the four fields of the encrypted reply envelope. */
    encryptReply(message: string, timestamp: string, nonce: string, keyIndex = 0, random?: Buffer): { Encrypt: string; MsgSignature: string; TimeStamp: string; Nonce: string } {
      const key = keys[keyIndex] ?? keys[0];
      if (!key) throw new WechatCryptoError('badKey', 'this account has no EncodingAESKey configured');
      const encrypted = encryptMessage(key, config.appId, message, random);
      return { Encrypt: encrypted, MsgSignature: sha1Sorted([config.token, timestamp, nonce, encrypted]), TimeStamp: timestamp, Nonce: nonce };
    },
  };
}

export type WechatCrypto = ReturnType<typeof createWechatCrypto>;
