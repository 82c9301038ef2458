import { z } from 'zod';
import type { InboundMessage } from '../../app/handleInbound.ts';
import { MEDIA_ID, pushEnvelope, pushMessageId, readPushFields } from '../wechat-common/envelope.ts';
import { CLICK_COMMANDS } from './menu.ts';
import type { WechatOaTexts } from './texts.ts';

export const WECHAT_OA_CHANNEL = 'wechat-oa';

/** The common envelope, plus the menu key of CLICK/VIEW events. */
const envelope = pushEnvelope.extend({
  EventKey: z.string().max(256).optional(),
});

export type OaEnvelope = z.infer<typeof envelope>;

export type OaDecision =
  /** Run a turn; the reply goes back passively or through the customer-service API. */
  | { kind: 'turn'; message: InboundMessage; subscribe: boolean }
  /** Answer by the channel itself, no turn (voice without recognition, video, location, ...). */
  | { kind: 'say'; openid: string; text: string }
  | { kind: 'unsubscribe'; openid: string }
  /** Acknowledge with "success" and do nothing (VIEW, unknown events). */
  | { kind: 'ignore'; openid: string; opensWindow: boolean };

export class OaMessageError extends Error {
  override name = 'OaMessageError';
}

/** Check the envelope of a decrypted push. */
export function readEnvelope(fields: Record<string, string>): OaEnvelope {
  return readPushFields(envelope, fields, OaMessageError);
}

/** Whether a decision stands for an interaction that opens the customer-service window. */
export function opensWindow(d: OaDecision): boolean {
  return d.kind === 'turn' || d.kind === 'say' || (d.kind === 'ignore' && d.opensWindow);
}

/**
 * From a WeChat push to what the channel does with it. Ids for dedupe: MsgId for messages; for events (which have
 * none) FromUserName + CreateTime + Event (+ EventKey, so two different menu clicks in one second stay distinct;
 * a retry repeats all four).
 */
export function decide(env: OaEnvelope, fields: Record<string, string>, texts: WechatOaTexts): OaDecision {
  const openid = env.FromUserName;
  const type = env.MsgType.toLowerCase();
  const msgId = pushMessageId(env, type);
  const turn = (messageId: string, input: InboundMessage['input'], subscribe = false): OaDecision => ({
    kind: 'turn',
    message: { channel: WECHAT_OA_CHANNEL, userId: openid, messageId, input },
    subscribe,
  });

  switch (type) {
    case 'text':
      return turn(msgId, { type: 'text', text: fields.Content ?? '' });
    case 'image': {
      const mediaId = fields.MediaId;
      if (!mediaId || !MEDIA_ID.test(mediaId)) return { kind: 'say', openid, text: texts.unsupported };
      return turn(msgId, { type: 'image', mediaRef: `wechat-media:${mediaId}` });
    }
    case 'voice': {
      const recognised = (fields.Recognition ?? '').trim();
      return recognised ? turn(msgId, { type: 'text', text: recognised }) : { kind: 'say', openid, text: texts.voiceNotRecognised };
    }
    case 'event':
      return decideEvent(env, openid, turn);
    default:
      // video, shortvideo, location, link, file, ...
      return { kind: 'say', openid, text: texts.unsupported };
  }
}

function decideEvent(env: OaEnvelope, openid: string, turn: (id: string, input: InboundMessage['input'], subscribe?: boolean) => OaDecision): OaDecision {
  const event = (env.Event ?? '').toLowerCase();
  const key = env.EventKey ?? '';
  const eventId = `evt:${openid}:${env.CreateTime}:${event}${key ? `:${key}` : ''}`;
  switch (event) {
    case 'subscribe': {
      // Followed through a parametric QR code: EventKey is "qrscene_<scene>", and the scene starts a flow.
      const scene = key.startsWith('qrscene_') ? key.slice('qrscene_'.length).trim() : '';
      // Without a scene: "菜单" — on first contact the engine greets and offers the menu, 注册 first.
      return turn(eventId, { type: 'text', text: scene || '菜单' }, true);
    }
    case 'unsubscribe':
      return { kind: 'unsubscribe', openid };
    case 'scan': {
      const scene = key.trim();
      return scene ? turn(eventId, { type: 'text', text: scene }) : { kind: 'ignore', openid, opensWindow: true };
    }
    case 'click': {
      const command = CLICK_COMMANDS.get(key);
      return command ? turn(eventId, { type: 'text', text: command }) : { kind: 'ignore', openid, opensWindow: true };
    }
    default:
      // VIEW (a link in the menu), LOCATION reports, template/mass-send receipts, ...
      return { kind: 'ignore', openid, opensWindow: false };
  }
}
