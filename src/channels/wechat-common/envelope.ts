import { z } from 'zod';
import { OPENID } from '../ports.ts';

/**
 * The fields every WeChat push carries (official account and mini program alike), checked before anything is looked
 * up or stored: FromUserName becomes the user id (the openid), so it must look like one.
 */
export const pushEnvelope = z.object({
  ToUserName: z.string().min(1).max(64),
  FromUserName: z.string().regex(OPENID, { message: 'FromUserName is not an openid' }),
  CreateTime: z.string().regex(/^\d{1,12}$/, { message: 'CreateTime is not a Unix time' }),
  MsgType: z.string().regex(/^[a-z_]{1,32}$/i, { message: 'MsgType is missing' }),
  MsgId: z.string().regex(/^\d{1,24}$/, { message: 'MsgId is not a number' }).optional(),
  Event: z.string().max(64).optional(),
});

/** A media id as WeChat hands it out; anything else is not put into a media reference. */
export const MEDIA_ID = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * A push's fields checked against `schema`; a failure is thrown as the channel's own error (which its routes answer
 * with 400), naming each bad field.
 */
export function readPushFields<T>(schema: z.ZodType<T>, fields: Record<string, string>, fail: new (message: string) => Error): T {
  const parsed = schema.safeParse(fields);
  if (!parsed.success) throw new fail(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  return parsed.data;
}

/** The dedupe id of a message push: its MsgId, or when it has none, who sent what type when. */
export function pushMessageId(env: z.infer<typeof pushEnvelope>, type: string): string {
  return env.MsgId ?? `msg:${env.FromUserName}:${env.CreateTime}:${type}`;
}
