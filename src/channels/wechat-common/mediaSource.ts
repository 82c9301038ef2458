import { MediaGoneError, UnknownMediaError, type MediaSource } from '../../app/ports/media.ts';
import { WechatApiError, type WechatApiClient } from './apiClient.ts';

/** WeChat media ids are letters, digits, `_` and `-`; anything else never came from WeChat. */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,256}$/;
const INVALID_MEDIA_ID = 40007;

/**
 * Pictures a user sent the official account (`wechat-media:<MediaId>`) or the mini program's customer-service
 * chat (`wechat-mp-media:<MediaId>`): GET /cgi-bin/media/get with that app's token. WeChat deletes them after
 * 3 days, which is why the evidence job copies them at once.
 */
export function wechatMediaSource(api: Pick<WechatApiClient, 'getMedia'>, scheme: 'wechat-media' | 'wechat-mp-media'): MediaSource {
  const prefix = `${scheme}:`;
  return {
    async fetch(ref) {
      const mediaId = ref.startsWith(prefix) ? ref.slice(prefix.length) : '';
      if (!MEDIA_ID.test(mediaId)) throw new UnknownMediaError(`not a ${scheme} reference: ${JSON.stringify(ref.slice(0, 80))}`);
      try {
        return await api.getMedia(mediaId);
      } catch (err) {
        // 40007 "invalid media_id": expired (after 3 days) or never existed; asking again will not change it.
        if (err instanceof WechatApiError && err.errcode === INVALID_MEDIA_ID) throw new MediaGoneError(`${ref}: ${err.message}`);
        throw err;
      }
    },
  };
}
