import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Clock } from '../../app/ports/clock.ts';
import type { ReplayGuard } from '../../app/ports/replayGuard.ts';
import { HttpError } from '../../http/errors.ts';
import type { Logger } from '../../infra/logger.ts';
import { WechatCryptoError, type WechatCrypto } from './crypto.ts';
import { encryptedField, type PushBody } from './encryptedEnvelope.ts';

/**
 * The checks every WeChat push endpoint makes (official account and mini program alike), before the body is read:
 * query shape, timestamp window, the plain signature, what the mode needs; then (openPush) the msg_signature, and
 * the replay guard. Each failure is a 4xx that says what is wrong; nothing but the (timestamp, nonce) of a
 * correctly signed push is stored before these pass.
 */
const token = (name: string, max: number) => z.string({ message: `${name} is required` }).regex(new RegExp(`^[A-Za-z0-9_-]{1,${max}}$`), { message: `${name} is malformed` });
const hex40 = (name: string) => z.string({ message: `${name} is required` }).regex(/^[0-9a-fA-F]{40}$/, { message: `${name} is not a SHA-1 signature` });
const timestamp = z.string({ message: 'timestamp is required' }).regex(/^\d{1,12}$/, { message: 'timestamp is not a Unix time' });

const verifyQuery = z.object({ signature: hex40('signature'), timestamp, nonce: token('nonce', 64), echostr: token('echostr', 128) });
const pushQuery = z.object({
  signature: hex40('signature').optional(),
  timestamp,
  nonce: token('nonce', 64),
  encrypt_type: z.enum(['raw', 'aes'], { message: 'encrypt_type must be raw or aes' }).optional(),
  msg_signature: hex40('msg_signature').optional(),
  openid: z.string().max(64).optional(),
});
export type PushQuery = z.infer<typeof pushQuery>;

function parseQuery<T>(schema: z.ZodType<T>, ctx: Context): T {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

export interface SignedRequestChecks {
  crypto: WechatCrypto;
  clock: Clock;
  timestampWindowSeconds: number;
  /** Setting names for the error messages ("check WECHAT_OA_TOKEN"). */
  tokenSetting: string;
  aesKeySetting: string;
}

function checkTimestamp(c: SignedRequestChecks, ts: string): void {
  const skew = Math.abs(Math.floor(c.clock.now().getTime() / 1000) - Number(ts));
  if (skew > c.timestampWindowSeconds) throw new HttpError(403, 'timestamp outside the accepted window; check the server clock');
}

/** GET URL verification: answer `echostr` when the signature over token, timestamp and nonce matches. */
export function answerUrlVerification(c: SignedRequestChecks, ctx: Context): void {
  const q = parseQuery(verifyQuery, ctx);
  checkTimestamp(c, q.timestamp);
  if (!c.crypto.verifySignature(q.signature, q.timestamp, q.nonce)) throw new HttpError(403, `signature does not match; check ${c.tokenSetting}`);
  ctx.type = 'text/plain';
  ctx.body = q.echostr;
}

/**
 * What the account's console is set to (消息加解密方式), and so what a push must be:
 * - plain: the body is plaintext; only the URL is signed (token, timestamp, nonce), never the body;
 * - compatible: plaintext and ciphertext side by side; only the ciphertext is used, checked by msg_signature;
 * - safe: ciphertext only.
 * In compatible and safe mode a push without the ciphertext is refused: its URL signature does not cover the body,
 * so anyone who saw one signed URL could otherwise post any message as any openid.
 */
export type WechatPushMode = 'plain' | 'compatible' | 'safe';

/** The mode when none is set: safe when there is a key to decrypt with. */
export function defaultPushMode(aesKey: string | undefined): WechatPushMode {
  return aesKey ? 'safe' : 'plain';
}

export interface PushChecks extends SignedRequestChecks {
  mode: WechatPushMode;
  /** The setting's name for the error messages (WECHAT_OA_MODE). */
  modeSetting: string;
  replay: ReplayGuard;
  /** Keeps apart the nonces of different accounts: channel and app id. */
  replayScope: string;
  logger: Logger;
}

/** What a channel's push endpoint is configured with; pushChecksFor makes its PushChecks from it. */
export interface PushEndpointDeps {
  crypto: WechatCrypto;
  clock: Clock;
  logger: Logger;
  timestampWindowSeconds: number;
  /** What the console is set to (WECHAT_OA_MODE, WECHAT_MP_MODE). */
  mode: WechatPushMode;
  /** (timestamp, nonce) pairs already used, across instances. */
  replay: ReplayGuard;
  appId: string;
}

/**
 * The checks of one channel's push endpoint. Its settings are named after `settingPrefix` (WECHAT_OA gives
 * WECHAT_OA_TOKEN, WECHAT_OA_AES_KEY, WECHAT_OA_MODE) so a refusal names what to fix; nonces are kept per channel and app.
 */
export function pushChecksFor(settingPrefix: string, channel: string, deps: PushEndpointDeps): PushChecks {
  return {
    crypto: deps.crypto,
    clock: deps.clock,
    logger: deps.logger,
    timestampWindowSeconds: deps.timestampWindowSeconds,
    tokenSetting: `${settingPrefix}_TOKEN`,
    aesKeySetting: `${settingPrefix}_AES_KEY`,
    mode: deps.mode,
    modeSetting: `${settingPrefix}_MODE`,
    replay: deps.replay,
    replayScope: `${channel}:${deps.appId}`,
  };
}

/** A push's query, checked: returns it and whether the body is encrypted (compatible or safe mode). */
export function checkPushQuery(c: PushChecks, ctx: Context): { q: PushQuery; encrypted: boolean } {
  const q = parseQuery(pushQuery, ctx);
  const encrypted = q.encrypt_type === 'aes';
  checkTimestamp(c, q.timestamp);
  if (!encrypted && c.mode !== 'plain') {
    throw new HttpError(403, `plaintext pushes are refused in ${c.mode} mode (${c.modeSetting}=${c.mode}): their signature does not cover the body; WeChat sends encrypt_type=aes and msg_signature in this mode`);
  }
  // WeChat sends `signature` in every mode; checked before the body is read when present.
  if (q.signature && !c.crypto.verifySignature(q.signature, q.timestamp, q.nonce)) throw new HttpError(403, 'signature does not match');
  if (!encrypted && !q.signature) throw new HttpError(400, 'signature is required');
  if (encrypted && !q.msg_signature) throw new HttpError(400, 'msg_signature is required with encrypt_type=aes');
  if (encrypted && !c.crypto.canDecrypt) throw new HttpError(400, `no EncodingAESKey is configured; set ${c.aesKeySetting} or use plaintext mode`);
  return { q, encrypted };
}

export interface OpenedPush {
  q: PushQuery;
  encrypted: boolean;
  /** The message text: decrypted (compatible and safe mode), or the body as sent (plain mode). */
  message: string;
  /** Which key decrypted it; the reply is encrypted with the same one. */
  keyIndex: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A push, checked in an order that spends nothing on an unsigned body: query, timestamp window and URL signature
 * first (before the body is read); then, with the body read (bounded), the msg_signature over the Encrypt field
 * taken out without parsing (encryptedEnvelope.ts), and decryption; then the replay guard. No XML is parsed here:
 * the caller parses `message`, which by then is either authenticated (decrypted ciphertext) or at least came with
 * a valid URL signature whose (timestamp, nonce) had not been used for another message.
 *
 * The replay guard is keyed by (timestamp, nonce) and remembers a digest of the message: the decrypted one in
 * compatible and safe mode (the ciphertext starts with 16 random bytes, so a sender may encrypt the same message
 * differently), the body in plain mode. A platform retry carries the same MsgId: whether it comes with a fresh
 * URL or reuses the first one for the same message, it passes here and the MsgId dedupe answers it from the
 * stored reply without a second turn. The same (timestamp, nonce) with another message is a replay of a signed
 * URL seen somewhere (a proxy, an access log) and is refused with 403.
 */
export async function openPush(c: PushChecks, ctx: Context, readBody: () => Promise<PushBody>): Promise<OpenedPush> {
  const { q, encrypted } = checkPushQuery(c, ctx);
  const body = await readBody();
  let opened: OpenedPush = { q, encrypted, message: body.text, keyIndex: 0 };
  if (encrypted) {
    const enc = encryptedField(body, c.mode === 'safe' ? 'safe' : 'compatible', c.modeSetting);
    if (!c.crypto.verifyMsgSignature(q.msg_signature!, q.timestamp, q.nonce, enc)) throw new HttpError(403, 'msg_signature does not match');
    try {
      opened = { q, encrypted, ...c.crypto.decrypt(enc) };
    } catch (err) {
      if (!(err instanceof WechatCryptoError)) throw err;
      c.logger.warn({ reason: err.reason }, 'a WeChat push with a valid signature could not be decrypted');
      throw new HttpError(400, 'the message could not be decrypted');
    }
  }
  // Kept until the timestamp has left the window of every instance (one whose clock is up to a window behind, too).
  const expiresAt = new Date((Number(q.timestamp) + 2 * c.timestampWindowSeconds) * 1000);
  const verdict = await c.replay.claim(c.replayScope, q.timestamp, q.nonce, sha256(opened.message), expiresAt);
  if (verdict === 'reused') throw new HttpError(403, 'this timestamp and nonce were already used for another message; a signed URL is good for one message only');
  return opened;
}
