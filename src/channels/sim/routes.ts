import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import { z } from 'zod';
import type { HandleInbound } from '../../app/handleInbound.ts';
import type { OutboundMessage } from '../../engine/types.ts';
import { HttpError } from '../../http/errors.ts';
import { answerOverloaded } from '../../http/overloaded.ts';

/** Simulator user ids are plain tokens so they cannot smuggle operators or paths anywhere. */
export const SIM_USER_ID = /^[A-Za-z0-9_.:@-]{1,64}$/;

/** The simulator's request body. */
const messageBody = z.strictObject({
  userId: z.string({ message: 'userId must be a string' }).regex(SIM_USER_ID, { message: 'userId must be 1-64 letters, digits or _ . : @ -' }),
  text: z.string({ message: 'text must be a string' }).refine((t) => t.trim().length > 0, { message: 'text must not be empty' }),
  /** Optional: a client-chosen id; sending the same id twice runs the turn once (as platform retries do). */
  messageId: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, { message: 'messageId must be 1-100 letters, digits or _ . : -' }).optional(),
});

/**
 * A tapped button as the platforms send it, by its choice id (`{"userId", "choiceId"}`): what scripts use to send
 * what Telegram and the mini program send, such as a poll's button tapped again after the poll ended.
 */
const choiceBody = messageBody.omit({ text: true }).extend({
  choiceId: z.string({ message: 'choiceId must be a string' }).min(1, { message: 'choiceId must not be empty' }).max(200, { message: 'choiceId must be at most 200 characters' }),
});

export const SIM_CHANNEL = 'sim';

/**
 * The web simulator: a real channel through the same pipeline as WeChat and Telegram. Replies come back in the
 * HTTP response (the page shows them); choices are buttons on the page.
 */
const pushQuery = z.strictObject({
  userId: z.string({ message: 'userId is required' }).regex(SIM_USER_ID, { message: 'userId must be 1-64 letters, digits or _ . : @ -' }),
});

export function simRouter(handle: HandleInbound, outbox: { take(userId: string): Promise<OutboundMessage[]> }): Router {
  const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
  const router = new Router();
  router.get('/sim', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page;
  });
  router.post('/sim/api/messages', async (ctx) => {
    if (!ctx.is('application/json')) throw new HttpError(415, 'send the message as application/json: {"userId": "...", "text": "..."}');
    const body: unknown = ctx.request.body;
    const byChoice = typeof body === 'object' && body !== null && 'choiceId' in body;
    const parsed = byChoice ? choiceBody.safeParse(body) : messageBody.safeParse(body);
    if (!parsed.success) {
      throw new HttpError(400, parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
    }
    const { userId, messageId } = parsed.data;
    const input = 'choiceId' in parsed.data ? { type: 'choice' as const, choiceId: parsed.data.choiceId } : { type: 'text' as const, text: (parsed.data as { text: string }).text };
    const result = await handle({ channel: SIM_CHANNEL, userId, messageId: messageId ?? randomUUID(), input });
    if (result.overloaded) return answerOverloaded(ctx, result.replies);
    ctx.body = {
      // `numbered`: the text for clients that number the choices (npm run chat); the page shows buttons.
      replies: result.replies.map((r) => ({ text: r.text, ...(r.numbered ? { numbered: r.numbered } : {}), ...(r.choices ? { choices: r.choices } : {}), ...(r.multi ? { multi: true } : {}) })),
      ...(result.duplicate ? { duplicate: true } : {}),
    };
  });
  // Pushes (messages the bot sent on its own) for one user, in the same shape as replies; fetched once each.
  router.get('/sim/api/pushes', async (ctx) => {
    const parsed = pushQuery.safeParse(ctx.query);
    if (!parsed.success) throw new HttpError(400, parsed.error.issues.map((i) => i.message).join('; '));
    const messages = await outbox.take(parsed.data.userId);
    ctx.body = { replies: messages.map((r) => ({ text: r.text, ...(r.choices ? { choices: r.choices } : {}) })) };
  });
  return router;
}
