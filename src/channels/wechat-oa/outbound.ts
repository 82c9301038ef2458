import type { Clock } from '../../app/ports/clock.ts';
import type { DeliveryResult, Sender } from '../../app/ports/sender.ts';
import { ownValue } from '../../domain/records/ownValue.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { WechatApiError, type CustomMessage, type WechatApiClient } from '../wechat-common/apiClient.ts';
import { maskOpenid, withRetries, type RetryOptions, type TokenBucket } from '../wechat-common/delivery.ts';
import { OPENID, type WechatUserStore } from '../ports.ts';
import { WECHAT_OA_CHANNEL } from './inbound.ts';
import { renderCustomMessages, renderText } from './render.ts';

/** WeChat's answers about the recipient rather than the request. */
const OUT_OF_WINDOW = 45015;
const QUOTA_EXCEEDED = 45047;
const UNSUBSCRIBED = 43004;
const RECIPIENT_CODES = new Set([OUT_OF_WINDOW, QUOTA_EXCEEDED, UNSUBSCRIBED]);
/** Template errors that will not go away by trying again: bad template id, user refused, bad data. */
const TEMPLATE_PERMANENT = new Set([UNSUBSCRIBED, 40037, 43101, 47003, 40003]);

export type TemplateDataBuilder = (kind: string, text: string) => Record<string, { value: string }>;

/**
 * Default template data: the whole notice in one `content` field (a template is chosen in the console per notice
 * kind; give `templateData` when its fields are named otherwise).
 */
export const defaultTemplateData: TemplateDataBuilder = (_kind, text) => ({ content: { value: [...text].slice(0, 200).join('') } });

export interface WechatOaOutboundDeps {
  api: WechatApiClient;
  users: WechatUserStore;
  logger: Logger;
  clock: Clock;
  bucket: TokenBucket;
  /** Notice kind → template id; read with ownValue, since a kind is any string a caller passes. */
  templateIds: Record<string, string>;
  /** Kind used by the generic Sender.send (which carries no kind). Default 'applicationProgress', then 'default'. */
  defaultTemplateKind?: string;
  templateData?: TemplateDataBuilder;
  /** Send a final single-choice question as a msgmenu instead of numbered text. */
  csMenus: boolean;
  retry?: RetryOptions;
}

type CsResult = DeliveryResult & { outsideWindow?: boolean };

export function createWechatOaOutbound(deps: WechatOaOutboundDeps) {
  const { api, users, logger, clock, bucket } = deps;
  const templateData = deps.templateData ?? defaultTemplateData;

  function log(openid: string, kind: 'cs' | 'template', ok: boolean, extra: Record<string, unknown> = {}): void {
    const entry = { channel: WECHAT_OA_CHANNEL, openid: maskOpenid(openid), kind, ok, ...extra };
    if (ok) logger.info(entry, 'wechat send');
    else logger.warn(entry, 'wechat send failed');
  }

  /**
   * Customer-service messages for one turn or notice: quota reserved first (all pieces at once), sent in order,
   * transient failures retried with backoff, WeChat's verdicts about the user recorded.
   */
  async function sendCustomerService(openid: string, messages: OutboundMessage[]): Promise<CsResult> {
    const pieces: CustomMessage[] = renderCustomMessages(messages, { menus: deps.csMenus });
    if (pieces.length === 0) return { ok: true };
    if (!(await users.reserveCs(openid, clock.now(), pieces.length))) {
      return { ok: false, permanent: false, reason: 'outside the customer-service window or its quota', outsideWindow: true };
    }
    for (const [i, piece] of pieces.entries()) {
      try {
        await withRetries(async (attempt) => {
          await bucket.take();
          try {
            await api.sendCustomMessage(openid, piece);
            log(openid, 'cs', true, { msgtype: piece.msgtype, attempt });
          } catch (err) {
            log(openid, 'cs', false, { msgtype: piece.msgtype, attempt, errcode: (err as WechatApiError).errcode, error: (err as Error).message });
            throw err;
          }
        }, deps.retry);
      } catch (err) {
        // The failed piece and those after it were not sent: their quota units go back.
        await users.releaseCs(openid, clock.now(), pieces.length - i).catch(() => undefined);
        if (err instanceof WechatApiError && RECIPIENT_CODES.has(err.errcode)) {
          await users.recordError(openid, err.errcode, err.errmsg, clock.now()).catch((e: unknown) => logger.error({ err: e }, 'could not record a WeChat user error'));
          if (err.errcode === UNSUBSCRIBED) return { ok: false, permanent: true, reason: 'the user has unsubscribed (43004)' };
          return { ok: false, permanent: false, reason: `WeChat refused the customer-service message (${err.errcode})`, outsideWindow: i === 0 };
        }
        return { ok: false, permanent: !(err instanceof WechatApiError && err.transient), reason: (err as Error).message };
      }
    }
    return { ok: true };
  }

  /** A template message of the given notice kind (the route outside the window). */
  async function sendTemplate(openid: string, kind: string, messages: OutboundMessage[], url?: string): Promise<DeliveryResult> {
    const templateId = ownValue(deps.templateIds, kind);
    if (!templateId) return { ok: false, permanent: true, reason: `no template configured for notice kind "${kind}" (WECHAT_TEMPLATE_IDS)` };
    const text = renderText(messages);
    try {
      await withRetries(async (attempt) => {
        await bucket.take();
        try {
          await api.sendTemplateMessage(openid, { template_id: templateId, ...(url ? { url } : {}), data: templateData(kind, text) });
          log(openid, 'template', true, { templateKind: kind, attempt });
        } catch (err) {
          log(openid, 'template', false, { templateKind: kind, attempt, errcode: (err as WechatApiError).errcode, error: (err as Error).message });
          throw err;
        }
      }, deps.retry);
      return { ok: true };
    } catch (err) {
      if (err instanceof WechatApiError && err.errcode === UNSUBSCRIBED) {
        await users.recordError(openid, err.errcode, err.errmsg, clock.now()).catch(() => undefined);
        return { ok: false, permanent: true, reason: 'the user has unsubscribed (43004)' };
      }
      const permanent = err instanceof WechatApiError ? TEMPLATE_PERMANENT.has(err.errcode) || (!err.transient && err.errcode !== 0) : false;
      return { ok: false, permanent, reason: (err as Error).message };
    }
  }

  /** A notice: customer-service message inside the window, else a template message of `kind` if configured. */
  async function sendNotice(openid: string, kind: string, messages: OutboundMessage[], url?: string): Promise<DeliveryResult> {
    if (!OPENID.test(openid)) return { ok: false, permanent: true, reason: 'not a WeChat openid' };
    const user = await users.get(openid);
    if (user && user.subscribed === false) return { ok: false, permanent: true, reason: 'the user has unsubscribed' };
    const cs = await sendCustomerService(openid, messages);
    if (cs.ok || !cs.outsideWindow) return stripFlag(cs);
    if (!ownValue(deps.templateIds, kind)) {
      const reason = `outside the customer-service window and no template configured for notice kind "${kind}"`;
      await users.recordError(openid, 0, reason, clock.now()).catch(() => undefined);
      log(openid, 'template', false, { templateKind: kind, error: reason });
      return { ok: false, permanent: true, reason };
    }
    return sendTemplate(openid, kind, messages, url);
  }

  const genericKind = () => {
    const wanted = deps.defaultTemplateKind ?? 'applicationProgress';
    return ownValue(deps.templateIds, wanted) ? wanted : ownValue(deps.templateIds, 'default') ? 'default' : wanted;
  };

  const sender: Sender = {
    async send(channel, userId, messages) {
      if (channel !== WECHAT_OA_CHANNEL) return { ok: false, permanent: true, reason: `the WeChat OA sender cannot send on channel ${channel}` };
      return sendNotice(userId, genericKind(), messages);
    },
  };

  return { sender, sendNotice, sendCustomerService, sendTemplate };
}

function stripFlag(r: CsResult): DeliveryResult {
  if (r.ok) return { ok: true };
  return { ok: false, permanent: r.permanent, reason: r.reason };
}

export type WechatOaOutbound = ReturnType<typeof createWechatOaOutbound>;
