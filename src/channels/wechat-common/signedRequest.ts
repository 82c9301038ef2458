import type { Context } from 'koa';
import { z } from 'zod';
import type { Clock } from '../../app/ports/clock.ts';
import { HttpError } from '../../http/errors.ts';
import type { WechatCrypto } from './crypto.ts';

/**
 * The checks every WeChat push endpoint makes before reading a body (official account and mini program alike):
 * query shape, timestamp window, the plain signature, and what safe mode needs. Each failure is a 4xx that says
 * what is wrong; nothing is stored before these pass.
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

/** A push's query, checked: returns it and whether the body is encrypted (safe mode). */
export function checkPushQuery(c: SignedRequestChecks, ctx: Context): { q: PushQuery; encrypted: boolean } {
  const q = parseQuery(pushQuery, ctx);
  const encrypted = q.encrypt_type === 'aes';
  checkTimestamp(c, q.timestamp);
  // WeChat sends `signature` in every mode; checked before the body is read when present.
  if (q.signature && !c.crypto.verifySignature(q.signature, q.timestamp, q.nonce)) throw new HttpError(403, 'signature does not match');
  if (!encrypted && !q.signature) throw new HttpError(400, 'signature is required');
  if (encrypted && !q.msg_signature) throw new HttpError(400, 'msg_signature is required with encrypt_type=aes');
  if (encrypted && !c.crypto.canDecrypt) throw new HttpError(400, `no EncodingAESKey is configured; set ${c.aesKeySetting} or use plaintext mode`);
  return { q, encrypted };
}
