import Router from '@koa/router';
import type { Context } from 'koa';
import type { Clock } from '../../app/ports/clock.ts';
import { HttpError } from '../../http/errors.ts';
import { answerUrlVerification, checkPushQuery } from '../wechat-common/signedRequest.ts';
import type { Logger } from '../../infra/logger.ts';
import { WechatCryptoError, type WechatCrypto } from '../wechat-common/crypto.ts';
import { maskOpenid } from '../wechat-common/delivery.ts';
import { readRawBody, WECHAT_MAX_BODY_BYTES } from '../wechat-common/rawBody.ts';
import { parseWechatXml, WechatXmlError } from '../wechat-common/xml.ts';
import { decidePush, jsonFields, MpPushError, type MpPushDecision } from './push.ts';

export const WECHAT_MP_PUSH_PATH = '/wechat/mp';


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
  const checks = { crypto, clock, timestampWindowSeconds: deps.timestampWindowSeconds, tokenSetting: 'WECHAT_MP_TOKEN', aesKeySetting: 'WECHAT_MP_AES_KEY' };


  router.get(WECHAT_MP_PUSH_PATH, (ctx) => answerUrlVerification(checks, ctx));

  router.post(WECHAT_MP_PUSH_PATH, async (ctx) => {
    const { q, encrypted } = checkPushQuery(checks, ctx);

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
