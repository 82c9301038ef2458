import { z } from 'zod';
import { requiredTogether } from '../../infra/envFields.ts';
import { defineChannel } from '../module.ts';
import { keylessMode, pushMode, wechatAesKey, wechatAppId, wechatCommonSettings, wechatPushToken } from '../wechat-common/settings.ts';
import { createWechatMpChannel, WECHAT_MP_CHANNEL } from './channel.ts';

/** The WeChat mini program, on when WECHAT_MP_APPID and _SECRET are set (REST at /mp/api, pushes at /wechat/mp). */
export const wechatMpChannel = defineChannel({
  id: WECHAT_MP_CHANNEL,
  settings: {
    ...wechatCommonSettings,
    WECHAT_MP_APPID: wechatAppId('WECHAT_MP_APPID'),
    WECHAT_MP_SECRET: z.string().min(16, { message: 'WECHAT_MP_SECRET is the mini program AppSecret' }).optional(),
    WECHAT_MP_TOKEN: wechatPushToken('WECHAT_MP_TOKEN', 'message-push Token'),
    WECHAT_MP_AES_KEY: wechatAesKey('WECHAT_MP_AES_KEY'),
    /** The push's 消息加密方式; unset: safe when WECHAT_MP_AES_KEY is set, else plain. */
    WECHAT_MP_MODE: pushMode('WECHAT_MP_MODE'),
    /** Subscribe-message template ids the bot may use, in order of preference, comma-separated. */
    WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$/, { message: 'WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS is a comma-separated list of template ids' })
      .transform((v) => v.split(','))
      .optional(),
  },
  check: (s) => [
    ...requiredTogether([['WECHAT_MP_APPID', s.WECHAT_MP_APPID, 'WECHAT_MP_SECRET', s.WECHAT_MP_SECRET]]),
    ...keylessMode('WECHAT_MP_MODE', s.WECHAT_MP_MODE, 'WECHAT_MP_AES_KEY', s.WECHAT_MP_AES_KEY),
  ],
  create(ctx, s) {
    if (!s.WECHAT_MP_APPID || !s.WECHAT_MP_SECRET) return null;
    return createWechatMpChannel({
      config: {
        appId: s.WECHAT_MP_APPID,
        secret: s.WECHAT_MP_SECRET,
        token: s.WECHAT_MP_TOKEN,
        aesKey: s.WECHAT_MP_AES_KEY,
        mode: s.WECHAT_MP_MODE,
        apiBase: s.WECHAT_API_BASE,
        timestampWindowSeconds: s.WECHAT_TIMESTAMP_WINDOW_SECONDS,
        ...(s.WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS ? { subscribeTemplateIds: s.WECHAT_MP_SUBSCRIBE_TEMPLATE_IDS } : {}),
        defaultLocale: ctx.defaultLocale,
        closeTimeoutMs: ctx.shutdownTimeoutMs,
      },
      handleInbound: ctx.handleInbound,
      stores: ctx.stores,
      replayGuard: ctx.replayGuard,
      logger: ctx.logger,
      clock: ctx.clock,
      workers: ctx.workers,
      regions: ctx.regions,
      status: ctx.status,
      translator: ctx.translator,
      notices: ctx.notices ? (openid, now) => ctx.notices!(WECHAT_MP_CHANNEL, openid, now) : undefined,
    });
  },
});
