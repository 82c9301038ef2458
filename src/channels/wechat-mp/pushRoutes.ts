import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Clock } from '../../app/ports/clock.ts';
import { HttpError } from '../../http/errors.ts';
import type { Logger } from '../../infra/logger.ts';
import { WechatCryptoError, type WechatCrypto } from '../wechat-common/crypto.ts';
import { maskOpenid } from '../wechat-common/delivery.ts';
import { readRawBody, WECHAT_MAX_BODY_BYTES } from '../wechat-common/rawBody.ts';
import { parseWechatXml, WechatXmlError } from '../wechat-common/xml.ts';
import { decidePush, jsonFields, MpPushError, type MpPushDecision } from './push.ts';

export const WECHAT_MP_PUSH_PATH = '/wechat/mp';

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

function parseQuery<T>(schema: z.ZodType<T>, ctx: Context): T {
  const parsed = schema.safeParse(ctx.query);
  if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

export interface MpPushRouterDeps {
  crypto: WechatCrypto;
  clock: Clock;
  logger: Logger;
  timestampWindowSeconds: number;
  /** Take a checked push; false when too many are waiting (the push is then answered 503 and WeChat retries). */
  accept(decision: MpPushDecision): boolean;
}

/**
 * GET /wechat/mp (URL verification with echostr) and POST /wechat/mp (customer-service message pushes), checked
 * like the official account's: signature over token/timestamp/nonce, msg_signature over the Encrypt field in
 * safe mode, timestamps within a window (a captured push cannot be replayed days later). The answer is always
 * "success" at once; the reply goes out through the customer-service API when the turn is done.
 */
export function mpPushRouter(deps: MpPushRouterDeps): Router {
  const { crypto, clock, logger } = deps;
  const router = new Router();

  function checkTimestamp(ts: string): void {
    const skew = Math.abs(Math.floor(clock.now().getTime() / 1000) - Number(ts));
    if (skew > deps.timestampWindowSeconds) throw new HttpError(403, 'timestamp outside the accepted window; check the server clock');
  }

  router.get(WECHAT_MP_PUSH_PATH, (ctx) => {
    const q = parseQuery(verifyQuery, ctx);
    checkTimestamp(q.timestamp);
    if (!crypto.verifySignature(q.signature, q.timestamp, q.nonce)) throw new HttpError(403, 'signature does not match; check WECHAT_MP_TOKEN');
    ctx.type = 'text/plain';
    ctx.body = q.echostr;
  });

  router.post(WECHAT_MP_PUSH_PATH, async (ctx) => {
    const q = parseQuery(pushQuery, ctx);
    const encrypted = q.encrypt_type === 'aes';
    checkTimestamp(q.timestamp);
    if (q.signature && !crypto.verifySignature(q.signature, q.timestamp, q.nonce)) throw new HttpError(403, 'signature does not match');
    if (!encrypted && !q.signature) throw new HttpError(400, 'signature is required');
    if (encrypted && !q.msg_signature) throw new HttpError(400, 'msg_signature is required with encrypt_type=aes');
    if (encrypted && !crypto.canDecrypt) throw new HttpError(400, 'no EncodingAESKey is configured; set WECHAT_MP_AES_KEY or use plaintext mode');

    let fields: Record<string, string>;
    try {
      const outer = await readFields(ctx);
      if (encrypted) {
        const enc = outer.Encrypt;
        if (!enc) throw new HttpError(400, 'Encrypt is missing');
        if (!crypto.verifyMsgSignature(q.msg_signature!, q.timestamp, q.nonce, enc)) throw new HttpError(403, 'msg_signature does not match');
        const inner = crypto.decrypt(enc).message;
        fields = inner.trimStart().startsWith('{') ? jsonFields(inner) : parseWechatXml(inner).fields;
      } else {
        fields = outer;
      }
    } catch (err) {
      if (err instanceof WechatXmlError || err instanceof MpPushError) throw new HttpError(400, err.message);
      if (err instanceof WechatCryptoError) {
        logger.warn({ reason: err.reason }, 'a mini program push with a valid signature could not be decrypted');
        throw new HttpError(400, 'the message could not be decrypted');
      }
      throw err;
    }

    let decision: MpPushDecision;
    try {
      decision = decidePush(fields);
    } catch (err) {
      if (err instanceof MpPushError) throw new HttpError(400, err.message);
      throw err;
    }
    if (decision.kind === 'ignore') {
      logger.debug({ openid: maskOpenid(decision.openid), why: decision.why }, 'mini program push ignored');
    } else if (!deps.accept(decision)) {
      ctx.status = 503;
      ctx.body = { error: 'too many messages waiting; WeChat will deliver this one again' };
      return;
    }
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });

  return router;
}

/**
 * The push's top-level fields. JSON bodies have usually been parsed by the app's body parser already (its raw
 * text is kept beside it, which is what jsonFields reads); XML is read here, bounded.
 */
async function readFields(ctx: Context): Promise<Record<string, string>> {
  if (ctx.is('application/json')) {
    const rawText = (ctx.request as { rawBody?: string }).rawBody;
    if (typeof rawText === 'string') return jsonFields(rawText);
    if (ctx.request.body !== undefined) return jsonFields(JSON.stringify(ctx.request.body));
    return jsonFields((await readRawBody(ctx.req, WECHAT_MAX_BODY_BYTES)).toString('utf8'));
  }
  return parseWechatXml((await readRawBody(ctx.req, WECHAT_MAX_BODY_BYTES)).toString('utf8')).fields;
}
