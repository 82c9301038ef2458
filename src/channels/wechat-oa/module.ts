import { z } from 'zod';
import { int, requiredTogether } from '../../infra/envFields.ts';
import { defineChannel } from '../module.ts';
import { keylessMode, pushMode, wechatAesKey, wechatAppId, wechatCommonSettings, wechatPushToken } from '../wechat-common/settings.ts';
import { createWechatOaChannel, WECHAT_OA_CHANNEL } from './channel.ts';

/** A JSON object of notice kind → template id, e.g. {"applicationProgress":"abc..."}. */
function templateIdMap(v: string): Record<string, string> | null {
  try {
    const o: unknown = JSON.parse(v);
    if (!o || typeof o !== 'object' || Array.isArray(o)) return null;
    const entries = Object.entries(o);
    return entries.every((e): e is [string, string] => typeof e[1] === 'string') ? Object.fromEntries(entries) : null;
  } catch {
    return null;
  }
}

/** The WeChat Official Account, on when WECHAT_OA_APPID, _SECRET and _TOKEN are set. */
export const wechatOaChannel = defineChannel({
  id: WECHAT_OA_CHANNEL,
  settings: {
    ...wechatCommonSettings,
    WECHAT_OA_APPID: wechatAppId('WECHAT_OA_APPID'),
    WECHAT_OA_SECRET: z.string().min(16, { message: 'WECHAT_OA_SECRET is the AppSecret from the WeChat console (32 characters)' }).optional(),
    WECHAT_OA_TOKEN: wechatPushToken('WECHAT_OA_TOKEN', 'Token set in the WeChat console'),
    WECHAT_OA_AES_KEY: wechatAesKey('WECHAT_OA_AES_KEY'),
    WECHAT_OA_AES_KEY_PREVIOUS: wechatAesKey('WECHAT_OA_AES_KEY_PREVIOUS', 'the previous 43-character EncodingAESKey'),
    /** The console's 消息加解密方式; unset: safe when WECHAT_OA_AES_KEY is set, else plain. */
    WECHAT_OA_MODE: pushMode('WECHAT_OA_MODE'),
    WECHAT_REPLY_BUDGET_MS: int('WECHAT_REPLY_BUDGET_MS', 500, 4800).default(4000),
    WECHAT_CS_WINDOW_HOURS: int('WECHAT_CS_WINDOW_HOURS', 1, 168).default(48),
    WECHAT_CS_QUOTA: int('WECHAT_CS_QUOTA', 1, 100).default(5),
    WECHAT_TEMPLATE_IDS: z
      .string()
      .transform((v, ctx) => {
        const map = templateIdMap(v);
        if (!map) ctx.addIssue({ code: 'custom', message: 'WECHAT_TEMPLATE_IDS must be a JSON object of notice kind to template id, e.g. {"applicationProgress":"TEMPLATE_ID"}' });
        return map ?? {};
      })
      .optional(),
  },
  check: (s) => [
    ...requiredTogether([
      ['WECHAT_OA_APPID', s.WECHAT_OA_APPID, 'WECHAT_OA_TOKEN', s.WECHAT_OA_TOKEN],
      ['WECHAT_OA_APPID', s.WECHAT_OA_APPID, 'WECHAT_OA_SECRET', s.WECHAT_OA_SECRET],
    ]),
    ...keylessMode('WECHAT_OA_MODE', s.WECHAT_OA_MODE, 'WECHAT_OA_AES_KEY', s.WECHAT_OA_AES_KEY),
  ],
  create(ctx, s) {
    if (!s.WECHAT_OA_APPID || !s.WECHAT_OA_SECRET || !s.WECHAT_OA_TOKEN) return null;
    return createWechatOaChannel({
      config: {
        appId: s.WECHAT_OA_APPID,
        secret: s.WECHAT_OA_SECRET,
        token: s.WECHAT_OA_TOKEN,
        aesKey: s.WECHAT_OA_AES_KEY,
        previousAesKey: s.WECHAT_OA_AES_KEY_PREVIOUS,
        mode: s.WECHAT_OA_MODE,
        apiBase: s.WECHAT_API_BASE,
        replyBudgetMs: s.WECHAT_REPLY_BUDGET_MS,
        timestampWindowSeconds: s.WECHAT_TIMESTAMP_WINDOW_SECONDS,
        csWindowHours: s.WECHAT_CS_WINDOW_HOURS,
        csQuota: s.WECHAT_CS_QUOTA,
        templateIds: s.WECHAT_TEMPLATE_IDS ?? {},
      },
      handleInbound: ctx.handleInbound,
      stores: ctx.stores,
      replayGuard: ctx.replayGuard,
      logger: ctx.logger,
      clock: ctx.clock,
    });
  },
});
