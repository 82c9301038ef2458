import type { Clock } from '../../app/ports/clock.ts';
import type { DeliveryResult, Sender } from '../../app/ports/sender.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { WechatApiError, type WechatApiClient } from '../wechat-common/apiClient.ts';
import { maskOpenid, withRetries, type RetryOptions, type TokenBucket } from '../wechat-common/delivery.ts';
import { OPENID } from '../ports.ts';
import { clip, renderText, splitText } from './render.ts';
import type { MpSubscriptionStore } from '../ports.ts';

export const WECHAT_MP_CHANNEL = 'wechat-mp';

/** 43101: WeChat holds no grant of this template for the user (never accepted, or all used). */
const NO_GRANT = 43101;

/** A subscribe message's `data`: template keyword → value. */
export type SubscribeDataBuilder = (templateId: string, text: string, now: Date) => Record<string, { value: string }>;

/**
 * The default fills `thing1` (up to 20 characters) with the notice and `time2` with the time, the two keywords
 * most notice templates start with. Templates differ: pass a builder matching the chosen templates' keywords.
 */
export const defaultSubscribeData: SubscribeDataBuilder = (_templateId, text, now) => ({
  thing1: { value: clip(text.split('\n')[0] ?? text, 20) },
  time2: { value: new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') },
});

export interface MpOutboundDeps {
  api: WechatApiClient;
  subscriptions: MpSubscriptionStore;
  logger: Logger;
  clock: Clock;
  bucket: TokenBucket;
  /** Subscribe templates the bot may use, in order of preference. */
  templateIds: string[];
  templateData: SubscribeDataBuilder;
  /** The mini program page a subscribe message opens. */
  page: string;
  miniprogramState: 'formal' | 'trial' | 'developer';
  retry?: RetryOptions;
}

export function createMpOutbound(deps: MpOutboundDeps) {
  const { api, subscriptions, logger, clock, bucket } = deps;

  /** Replies to a customer-service message, through POST /cgi-bin/message/custom/send (never passive). */
  async function sendCustomerService(openid: string, messages: OutboundMessage[]): Promise<DeliveryResult> {
    const pieces = splitText(renderText(messages));
    for (const [i, content] of pieces.entries()) {
      try {
        await withRetries(async () => {
          await bucket.take();
          await api.sendCustomMessage(openid, { msgtype: 'text', text: { content } });
        }, deps.retry);
      } catch (err) {
        const errcode = err instanceof WechatApiError ? err.errcode : 0;
        logger.warn({ channel: WECHAT_MP_CHANNEL, openid: maskOpenid(openid), kind: 'cs', sent: i, of: pieces.length, errcode, error: (err as Error).message }, 'wechat send failed');
        // 45015: the 48-hour window is closed; 45047: too many messages in it. Both about this user, for now.
        return { ok: false, permanent: false, reason: (err as Error).message };
      }
    }
    logger.info({ channel: WECHAT_MP_CHANNEL, openid: maskOpenid(openid), kind: 'cs', pieces: pieces.length }, 'wechat send');
    return { ok: true };
  }

  /**
   * A push as a subscribe message: one grant is spent per message (reserved before the call, given back when the
   * call fails in a way that did not use it). Without a grant nothing is sent and the refusal is recorded.
   */
  async function sendSubscribe(openid: string, messages: OutboundMessage[]): Promise<DeliveryResult & { templateId?: string }> {
    const now = clock.now();
    const templateId = await subscriptions.spend(openid, deps.templateIds, now);
    if (!templateId) {
      const reason = deps.templateIds.length
        ? 'no subscribe-message grant left: the user has not accepted (or has used up) the templates'
        : 'no subscribe-message templates configured';
      await subscriptions.recordRefusal(openid, reason, null, now).catch((err: unknown) => logger.error({ err }, 'could not record a refused mini program push'));
      logger.info({ channel: WECHAT_MP_CHANNEL, openid: maskOpenid(openid), kind: 'subscribe', ok: false, reason }, 'wechat send refused');
      return { ok: false, permanent: true, reason };
    }
    const text = renderText(messages.map((m) => ({ text: m.text })));
    try {
      await withRetries(async () => {
        await bucket.take();
        await api.call('/cgi-bin/message/subscribe/send', {
          touser: openid,
          template_id: templateId,
          page: deps.page,
          miniprogram_state: deps.miniprogramState,
          lang: 'zh_CN',
          data: deps.templateData(templateId, text, now),
        });
      }, deps.retry);
      logger.info({ channel: WECHAT_MP_CHANNEL, openid: maskOpenid(openid), kind: 'subscribe', ok: true, templateId }, 'wechat send');
      return { ok: true, templateId };
    } catch (err) {
      const e = err instanceof WechatApiError ? err : null;
      logger.warn({ channel: WECHAT_MP_CHANNEL, openid: maskOpenid(openid), kind: 'subscribe', templateId, errcode: e?.errcode, error: (err as Error).message }, 'wechat send failed');
      if (e?.errcode === NO_GRANT) {
        await subscriptions.exhaust(openid, templateId, clock.now()).catch(() => undefined);
        await subscriptions.recordRefusal(openid, `WeChat refused: no grant for template (${NO_GRANT})`, templateId, clock.now()).catch(() => undefined);
        return { ok: false, permanent: true, reason: `the user has no grant for template ${templateId} (${NO_GRANT})` };
      }
      // Anything else did not use the grant: give it back for the next push.
      await subscriptions.giveBack(openid, templateId, clock.now()).catch(() => undefined);
      return { ok: false, permanent: false, reason: (err as Error).message };
    }
  }

  const sender: Sender = {
    async send(channel, userId, messages) {
      if (channel !== WECHAT_MP_CHANNEL) return { ok: false, permanent: true, reason: `the mini program sender cannot send on channel ${channel}` };
      if (!OPENID.test(userId)) return { ok: false, permanent: true, reason: 'not a WeChat openid' };
      const r = await sendSubscribe(userId, messages);
      return r.ok ? { ok: true } : { ok: false, permanent: r.permanent, reason: r.reason };
    },
  };

  return { sender, sendCustomerService, sendSubscribe };
}

export type MpOutbound = ReturnType<typeof createMpOutbound>;
