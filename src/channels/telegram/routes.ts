import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { HttpError } from '../../http/errors.ts';
import { updateSchema, type TelegramUpdate } from './updates.ts';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** What the channel did with an update that passed the checks. */
export type Admission = 'queued' | 'ignored' | 'full';

/**
 * POST /telegram/webhook. The secret header is the only thing authenticating Telegram (updates are not signed),
 * so it is checked first, in constant time, and nothing else happens without it. The answer is given as soon as
 * the update is queued: Telegram waits for it before sending that chat's next update, and redelivers when it is
 * slow. A full queue answers 503 so Telegram delivers again later instead of the update being lost.
 */
export function telegramWebhookRouter(opts: { secret: string; admit(update: TelegramUpdate): Admission }): Router {
  if (!opts.secret) throw new Error('the Telegram webhook needs TELEGRAM_WEBHOOK_SECRET; without it anyone who learns the URL can post updates');
  const expected = digest(opts.secret);
  const router = new Router();
  router.post(TELEGRAM_WEBHOOK_PATH, (ctx) => {
    const given = ctx.get(SECRET_HEADER);
    // Hashing first makes both sides the same length, so timingSafeEqual leaks neither content nor length.
    if (!given || !timingSafeEqual(digest(given), expected)) throw new HttpError(401, `missing or wrong ${SECRET_HEADER} header`);
    if (!ctx.is('application/json')) throw new HttpError(415, 'send the update as application/json');
    const parsed = updateSchema.safeParse(ctx.request.body);
    if (!parsed.success) {
      throw new HttpError(400, `not a Telegram update: ${parsed.error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
    }
    const admission = opts.admit(parsed.data);
    if (admission === 'full') {
      // Set here rather than thrown: a full queue is load, not a server error worth an error log line.
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = { error: 'too many updates waiting; deliver this one again later' };
      return;
    }
    ctx.status = 200;
    ctx.body = { ok: true };
  });
  return router;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
