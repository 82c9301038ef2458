import Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../../http/errors.ts';
import { answerUrlVerification, openPush, pushChecksFor, type PushEndpointDeps } from '../wechat-common/signedRequest.ts';
import type { PushBody } from '../wechat-common/encryptedEnvelope.ts';
import { maskOpenid } from '../wechat-common/delivery.ts';
import { readRawBody, WECHAT_MAX_BODY_BYTES } from '../wechat-common/rawBody.ts';
import { parseWechatXml, WechatXmlError } from '../wechat-common/xml.ts';
import { WECHAT_MP_CHANNEL } from './outbound.ts';
import { decidePush, jsonFields, MpPushError, type MpPushDecision } from './push.ts';

export const WECHAT_MP_PUSH_PATH = '/wechat/mp';


export interface MpPushRouterDeps extends PushEndpointDeps {
  /** Take a checked push; false when too many are waiting (the push is then answered 503 and WeChat retries). */
  accept(decision: MpPushDecision): boolean;
}

/**
 * GET /wechat/mp (URL verification with echostr) and POST /wechat/mp (customer-service message pushes), checked
 * like the official account's (openPush): signature over token/timestamp/nonce, msg_signature over the Encrypt
 * field in compatible and safe mode (plaintext refused there), timestamps within a window, and each
 * (timestamp, nonce) good for one message (a captured URL cannot be replayed with another body). The answer is always
 * "success" at once; the reply goes out through the customer-service API when the turn is done.
 */
export function mpPushRouter(deps: MpPushRouterDeps): Router {
  const { logger } = deps;
  const router = new Router();
  const checks = pushChecksFor('WECHAT_MP', WECHAT_MP_CHANNEL, deps);


  router.get(WECHAT_MP_PUSH_PATH, (ctx) => answerUrlVerification(checks, ctx));

  router.post(WECHAT_MP_PUSH_PATH, async (ctx) => {
    const { message, encrypted } = await openPush(checks, ctx, () => readBody(ctx));
    // The decrypted message is in the console's data format whatever the envelope; a plaintext one is the body.
    const json = encrypted ? message.trimStart().startsWith('{') : !!ctx.is('application/json');
    let fields: Record<string, string>;
    try {
      fields = json ? jsonFields(message) : parseWechatXml(message).fields;
    } catch (err) {
      if (err instanceof WechatXmlError || err instanceof MpPushError) throw new HttpError(400, err.message);
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
 * The push body as sent. JSON bodies have usually been parsed by the app's body parser already (its raw text is
 * kept beside it, which is what jsonFields reads: numbers exactly as written); XML is read here, bounded, and not
 * parsed until its signature has been checked.
 */
async function readBody(ctx: Context): Promise<PushBody> {
  if (ctx.is('application/json')) {
    const rawText = (ctx.request as { rawBody?: string }).rawBody;
    const parsed = ctx.request.body as unknown;
    if (parsed !== undefined) return { text: typeof rawText === 'string' ? rawText : JSON.stringify(parsed), json: parsed };
    const text = typeof rawText === 'string' ? rawText : (await readRawBody(ctx.req, WECHAT_MAX_BODY_BYTES)).toString('utf8');
    try {
      return { text, json: JSON.parse(text) as unknown };
    } catch {
      throw new HttpError(400, 'the body is not valid JSON');
    }
  }
  return { text: (await readRawBody(ctx.req, WECHAT_MAX_BODY_BYTES)).toString('utf8') };
}
