import type { ChannelModule } from '../module.ts';
import type { WechatApiClient } from '../wechat-common/apiClient.ts';

/** WeChat keeps a temporary QR code at most 30 days. */
export const MAX_TEMPORARY_QR_SECONDS = 30 * 86_400;

/**
 * A temporary parametric QR code of the Official Account (POST /cgi-bin/qrcode/create, QR_STR_SCENE): scanning it
 * follows the account (a subscribe event with EventKey `qrscene_<scene>`) or, for a follower, sends a SCAN event
 * with EventKey `<scene>`; the channel hands the scene to the pipeline as text. Returns the text the QR image
 * encodes (`url`), which the caller renders itself.
 */
export function sceneQr(api: WechatApiClient) {
  return async (scene: string, expireSeconds: number): Promise<string> => {
    const r = await api.call('/cgi-bin/qrcode/create', {
      expire_seconds: Math.max(60, Math.min(MAX_TEMPORARY_QR_SECONDS, Math.floor(expireSeconds))),
      action_name: 'QR_STR_SCENE',
      action_info: { scene: { scene_str: scene } },
    });
    if (typeof r.url !== 'string') throw new Error('WeChat answered qrcode/create without a url');
    return r.url;
  };
}

/** The scene QR maker of the enabled Official Account channel, if there is one. */
export function sceneQrOf(channel: ChannelModule | undefined): ReturnType<typeof sceneQr> | null {
  return channel && 'api' in channel ? sceneQr((channel as ChannelModule & { api: WechatApiClient }).api) : null;
}
