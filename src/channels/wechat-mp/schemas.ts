import { z } from 'zod';
import { SUBSCRIBE_RESULTS, TEMPLATE_ID } from '../ports.ts';

/**
 * The mini program REST API's bodies, checked by these schemas and described by them in /mp/api/openapi.json
 * (z.toJSONSchema), so the document cannot drift from what the server accepts.
 */

export const errorBody = z.object({ error: z.string() }).meta({ id: 'MpError', description: 'Every error: a message saying what is wrong.' });

export const loginRequest = z
  .strictObject({
    code: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { message: 'code is the string wx.login() gave' }).meta({ description: 'The code from wx.login(); valid once, for five minutes.' }),
  })
  .meta({ id: 'MpLoginRequest' });

export const loginResponse = z
  .object({
    token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`.' }),
    expiresAt: z.string().meta({ description: 'ISO time; after it, call wx.login() and log in again (any 401 means the same).' }),
  })
  .meta({ id: 'MpLoginResponse' });

const choice = z.object({ id: z.string(), label: z.string() }).meta({ id: 'MpChoice' });
export const reply = z
  .object({
    text: z.string(),
    choices: z.array(choice).optional().meta({ description: 'Show as buttons; a tap is sent back as {choiceId}.' }),
    multi: z.boolean().optional().meta({ description: 'Several choices may be picked (send their labels as text, separated by 、).' }),
  })
  .meta({ id: 'MpReply' });

const messageId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'messageId must be 1-100 letters, digits or _ . : -' })
  .meta({ description: 'Idempotency key chosen by the client: sending the same key again runs the turn once and returns the same replies. Also accepted as the Idempotency-Key header.' });

export const turnRequest = z
  .union([
    z.strictObject({ text: z.string().refine((t) => t.trim().length > 0, { message: 'text must not be empty' }), messageId: messageId.optional() }),
    z.strictObject({ choiceId: z.string().min(1).max(200), messageId: messageId.optional() }),
  ])
  .meta({ id: 'MpTurnRequest', description: 'What the user typed, or the id of the choice they tapped.' });

export const turnResponse = z
  .object({
    replies: z.array(reply),
    duplicate: z.boolean().optional().meta({ description: 'The messageId was seen before; these are the replies given then.' }),
  })
  .meta({ id: 'MpTurnResponse' });

export const meResponse = z
  .union([
    z.object({ registered: z.literal(false) }),
    z.object({
      registered: z.literal(true),
      profile: z.object({
        name: z.string().meta({ description: 'Masked: 张*三.' }),
        mobile: z.string().meta({ description: 'Masked: 138****5678.' }),
        idNumber: z.string().meta({ description: 'Masked: 320***********1234.' }),
        gender: z.enum(['male', 'female']),
        orgName: z.string(),
        regionCode: z.string(),
        regionName: z.string(),
        registeredOn: z.string().meta({ description: 'YYYY-MM-DD' }),
      }),
    }),
  ])
  .meta({ id: 'MpMe' });

export const noticesResponse = z
  .object({
    notices: z
      .array(reply)
      .meta({ description: 'Training notices the user can still answer (of the last two weeks), newest first. Show each with its choices as buttons; a tap is sent to POST /mp/api/turn as {choiceId}. Typing 报名 / 不参加 (or 1 / 2) answers the newest.' }),
  })
  .meta({ id: 'MpNotices' });

export const statusQuery = z.object({ locale: z.enum(['zh-CN', 'en']).optional() });
export const statusResponse = z.object({ registered: z.boolean(), text: z.string() }).meta({ id: 'MpStatus' });

export const subscriptionsRequest = z
  .strictObject({
    results: z
      .record(z.string().regex(TEMPLATE_ID, { message: 'template ids are letters, digits, _ and -' }), z.enum(SUBSCRIBE_RESULTS, { message: `a result is one of ${SUBSCRIBE_RESULTS.join(', ')}` }))
      .refine((r) => Object.keys(r).length <= 20, { message: 'at most 20 results at once' })
      .meta({ description: "The success result of wx.requestSubscribeMessage as it is (its `errMsg` is ignored): template id → 'accept' | 'reject' | 'ban' | 'filter'." }),
  })
  .meta({ id: 'MpSubscriptionsRequest' });

export const subscriptionsResponse = z
  .object({
    templates: z
      .array(z.object({ templateId: z.string(), remaining: z.number().int().meta({ description: 'Messages of this template the bot may still send.' }), lastResult: z.enum(SUBSCRIBE_RESULTS).nullable() }))
      .meta({ description: 'The templates the bot uses, in order; pass their ids to wx.requestSubscribeMessage.' }),
    ignored: z.array(z.string()).optional().meta({ description: 'Template ids in the request that this bot does not use.' }),
  })
  .meta({ id: 'MpSubscriptions' });
