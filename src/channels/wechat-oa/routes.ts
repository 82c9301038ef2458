import Router from '@koa/router';
import type { Context } from 'koa';
import type { HandleInbound, HandleResult } from '../../app/handleInbound.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import { HttpError } from '../../http/errors.ts';
import { answerUrlVerification, openPush, pushChecksFor, type PushEndpointDeps } from '../wechat-common/signedRequest.ts';
import { maskOpenid } from '../wechat-common/delivery.ts';
import { readRawBody, WECHAT_MAX_BODY_BYTES } from '../wechat-common/rawBody.ts';
import type { DeliveryClaimStore, WechatUserStore } from '../ports.ts';
import { buildWechatXml, parseWechatXml, WechatXmlError } from '../wechat-common/xml.ts';
import { decide, OaMessageError, opensWindow, readEnvelope, WECHAT_OA_CHANNEL, type OaDecision } from './inbound.ts';
import type { WechatOaOutbound } from './outbound.ts';
import { MAX_TEXT_BYTES, renderText } from './render.ts';
import type { WechatOaTexts } from './texts.ts';

export const WECHAT_OA_PATH = '/wechat/oa';

export interface WechatOaRouterDeps extends PushEndpointDeps {
  handleInbound: HandleInbound;
  users: WechatUserStore;
  claims: DeliveryClaimStore;
  outbound: WechatOaOutbound;
  texts: WechatOaTexts;
  replyBudgetMs: number;
  /** Work that outlives its request (slow-path deliveries); the channel keeps it so shutdown and tests can wait. */
  track(work: Promise<unknown>): void;
}


/**
 * GET /wechat/oa (URL verification) and POST /wechat/oa (pushes). Every refusal happens before anything of the
 * message is stored (a well-signed push has only had its timestamp and nonce remembered, see openPush);
 * a well-signed push is always answered within the reply budget: the replies themselves when the turn is done in
 * time, otherwise "success" now and a customer-service message when the turn completes.
 */
export function wechatOaRouter(deps: WechatOaRouterDeps): Router {
  const { crypto, logger, clock } = deps;
  const router = new Router();
  const checks = pushChecksFor('WECHAT_OA', WECHAT_OA_CHANNEL, deps);


  router.get(WECHAT_OA_PATH, (ctx) => answerUrlVerification(checks, ctx));

  router.post(WECHAT_OA_PATH, async (ctx) => {
    const started = performance.now();
    const { q, encrypted, message: xml, keyIndex } = await openPush(checks, ctx, async () => ({ text: (await readRawBody(ctx.req, WECHAT_MAX_BODY_BYTES)).toString('utf8') }));
    let fields: Record<string, string>;
    try {
      fields = parseWechatXml(xml).fields;
    } catch (err) {
      if (err instanceof WechatXmlError) throw new HttpError(400, err.message);
      throw err;
    }

    let decision: OaDecision;
    let replyEnvelope: { from: string; to: string };
    try {
      const env = readEnvelope(fields);
      decision = decide(env, fields, deps.texts);
      replyEnvelope = { from: env.ToUserName, to: env.FromUserName };
    } catch (err) {
      if (err instanceof OaMessageError) throw new HttpError(400, err.message);
      throw err;
    }

    const now = clock.now();
    const reply = (replies: OutboundMessage[]) => passive(ctx, renderText(replies), replyEnvelope, encrypted, q.nonce, keyIndex);

    if (decision.kind === 'unsubscribe') {
      await deps.users.markUnsubscribed(decision.openid, now);
      return success(ctx);
    }
    const openid = decision.kind === 'turn' ? decision.message.userId : decision.openid;
    // The window is opened in the background: the turn does not wait for it, only a slow-path send does.
    const touched = opensWindow(decision)
      ? (async () => {
          if (decision.kind === 'turn' && decision.subscribe) await deps.users.markSubscribed(openid, now);
          await deps.users.touchInbound(openid, now);
        })().catch((err: unknown) => logger.error({ err, openid: maskOpenid(openid) }, 'could not record a WeChat interaction'))
      : Promise.resolve();

    if (decision.kind === 'ignore') {
      deps.track(touched);
      return success(ctx);
    }
    if (decision.kind === 'say') {
      deps.track(touched);
      return reply([{ text: decision.text }]);
    }

    const message = decision.message;
    const turn = deps.handleInbound(message);
    const budgetLeft = deps.replyBudgetMs - (performance.now() - started);
    const result = await within(turn, budgetLeft);

    if (result && Buffer.byteLength(renderText(result.replies), 'utf8') <= MAX_TEXT_BYTES) {
      deps.track(touched);
      if (result.replies.length === 0) return success(ctx);
      // A retry answering passively must not race a slow first attempt that is about to send the same answer.
      if (result.duplicate && !(await deps.claims.claimPassive(message.messageId, clock.now()))) return success(ctx);
      return reply(result.replies);
    }

    // Too slow (or too long for one message): "success" now, customer-service message(s) when done.
    deps.track(
      turn
        .then(async (done) => {
          await touched;
          if (done.replies.length === 0) return;
          if (!(await deps.claims.claimCustomerService(message.messageId, clock.now()))) return;
          const sent = await deps.outbound.sendCustomerService(openid, done.replies);
          if (!sent.ok) logger.warn({ openid: maskOpenid(openid), reason: sent.reason }, 'the late answer could not be delivered');
        })
        .catch((err: unknown) => logger.error({ err, openid: maskOpenid(openid) }, 'a slow WeChat turn failed after its passive reply window')),
    );
    logger.info({ openid: maskOpenid(openid), budgetMs: deps.replyBudgetMs, late: !result }, 'wechat answer goes through the customer-service API');
    return success(ctx);
  });

  function passive(ctx: Context, text: string, env: { from: string; to: string }, encrypted: boolean, nonce: string, keyIndex: number): void {
    const now = Math.floor(clock.now().getTime() / 1000);
    const xml = buildWechatXml({ ToUserName: env.to, FromUserName: env.from, CreateTime: now, MsgType: 'text', Content: text });
    ctx.type = 'application/xml';
    if (!encrypted) {
      ctx.body = xml;
      return;
    }
    const e = crypto.encryptReply(xml, String(now), nonce, keyIndex);
    ctx.body = buildWechatXml({ Encrypt: e.Encrypt, MsgSignature: e.MsgSignature, TimeStamp: now, Nonce: e.Nonce });
  }

  return router;
}

/** The plain "success" WeChat takes as "received, no reply" (never encrypted). */
function success(ctx: Context): void {
  ctx.type = 'text/plain';
  ctx.body = 'success';
}

/** The turn's result if it settles within `ms`; null otherwise. A rejection within the budget is rethrown. */
async function within(turn: Promise<HandleResult>, ms: number): Promise<HandleResult | null> {
  if (ms <= 0) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([turn, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export { WECHAT_OA_CHANNEL };
