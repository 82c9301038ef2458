import { z } from 'zod';
import { requiredTogether } from '../../infra/envFields.ts';
import { defineChannel } from '../module.ts';
import { createTelegramChannel, TELEGRAM_CHANNEL } from './channel.ts';

/** Telegram, on when the bot token and the webhook secret are set (webhook at /telegram/webhook). */
export const telegramChannel = defineChannel({
  id: TELEGRAM_CHANNEL,
  settings: {
    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, { message: 'TELEGRAM_BOT_TOKEN looks like 123456:ABC... (from @BotFather)' }).optional(),
    TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, { message: 'TELEGRAM_WEBHOOK_SECRET is 16-256 characters of A-Z, a-z, 0-9, _ and -' }).optional(),
    TELEGRAM_API_BASE: z.url({ message: 'TELEGRAM_API_BASE must be an absolute URL' }).default('https://api.telegram.org'),
    TELEGRAM_PER_CHAT_PER_SECOND: z.coerce.number().positive().max(30).default(1),
    TELEGRAM_GLOBAL_PER_SECOND: z.coerce.number().positive().max(1000).default(30),
  },
  check: (s) => requiredTogether([['TELEGRAM_BOT_TOKEN', s.TELEGRAM_BOT_TOKEN, 'TELEGRAM_WEBHOOK_SECRET', s.TELEGRAM_WEBHOOK_SECRET]]),
  create(ctx, s) {
    if (!s.TELEGRAM_BOT_TOKEN || !s.TELEGRAM_WEBHOOK_SECRET) return null;
    return createTelegramChannel({
      config: {
        botToken: s.TELEGRAM_BOT_TOKEN,
        webhookSecret: s.TELEGRAM_WEBHOOK_SECRET,
        apiBase: s.TELEGRAM_API_BASE,
        perChatPerSecond: s.TELEGRAM_PER_CHAT_PER_SECOND,
        globalPerSecond: s.TELEGRAM_GLOBAL_PER_SECOND,
        closeTimeoutMs: ctx.shutdownTimeoutMs,
      },
      handleInbound: ctx.handleInbound,
      users: ctx.stores.telegramUsers(),
      logger: ctx.logger,
      now: () => ctx.clock.now(),
    });
  },
});
