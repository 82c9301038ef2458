import type { InboundMessage } from '../../app/handleInbound.ts';
import { MEDIA_ID, pushEnvelope, pushMessageId, readPushFields } from '../wechat-common/envelope.ts';
import { WECHAT_MP_CHANNEL } from './outbound.ts';

/**
 * Customer-service message pushes (客服消息推送) of the mini program, in either data format the console offers:
 * XML, or JSON. In JSON a MsgId is a bare number above 2^53, which JSON.parse rounds; two messages a few ids apart
 * would then dedupe as one, so numbers are taken from the text as written.
 */
export class MpPushError extends Error {
  override name = 'MpPushError';
}

/** Top-level fields of a JSON push as strings, numbers exactly as written. */
export function jsonFields(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new MpPushError('the body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MpPushError('the body is not a JSON object');
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') fields[k] = v;
    else if (typeof v === 'boolean') fields[k] = String(v);
    else if (typeof v === 'number') {
      const written = new RegExp(`"${k.replace(/[^A-Za-z0-9_]/g, '')}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`).exec(raw)?.[1];
      fields[k] = written ?? String(v);
    }
  }
  return fields;
}

export type MpPushDecision = { kind: 'turn'; message: InboundMessage } | { kind: 'ignore'; openid: string; why: string };

/** From a push's fields to what the channel does: a turn for text (and images), nothing for the rest. */
export function decidePush(fields: Record<string, string>): MpPushDecision {
  const env = readPushFields(pushEnvelope, fields, MpPushError);
  const openid = env.FromUserName;
  const type = env.MsgType.toLowerCase();
  const messageId = pushMessageId(env, type);
  const turn = (input: InboundMessage['input']): MpPushDecision => ({ kind: 'turn', message: { channel: WECHAT_MP_CHANNEL, userId: openid, messageId, input } });
  switch (type) {
    case 'text': {
      const text = fields.Content ?? '';
      return text.trim() ? turn({ type: 'text', text }) : { kind: 'ignore', openid, why: 'empty text' };
    }
    case 'image': {
      const mediaId = fields.MediaId;
      return mediaId && MEDIA_ID.test(mediaId) ? turn({ type: 'image', mediaRef: `wechat-mp-media:${mediaId}` }) : { kind: 'ignore', openid, why: 'image without a media id' };
    }
    case 'event':
      // user_enter_tempsession (the user opened the chat): no greeting pushed, the user speaks first.
      return { kind: 'ignore', openid, why: `event ${env.Event ?? ''}` };
    default:
      // miniprogrampage cards and anything newer.
      return { kind: 'ignore', openid, why: `message type ${type}` };
  }
}
