import { z } from 'zod';
import type { InboundMessage } from '../../app/handleInbound.ts';

/**
 * The parts of a Telegram `Update` this bot reads, checked before anything else looks at them. Objects are loose:
 * Telegram adds fields with every Bot API release and an unknown field must never turn a real update into a 400.
 * The types of node-telegram-bot-api describe the full shape; this schema is the runtime check the library does
 * not do for webhook bodies.
 */
const chat = z.looseObject({ id: z.number().int(), type: z.string() });
const user = z.looseObject({ id: z.number().int(), is_bot: z.boolean().optional() });
const button = z.looseObject({ text: z.string(), callback_data: z.string().optional() });
const message = z.looseObject({
  message_id: z.number().int(),
  chat,
  from: user.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(z.looseObject({ file_id: z.string(), file_size: z.number().optional(), width: z.number().optional() })).optional(),
  reply_markup: z.looseObject({ inline_keyboard: z.array(z.array(button)).optional() }).optional(),
});
const callbackQuery = z.looseObject({
  id: z.string().min(1).max(256),
  from: user,
  message: message.partial({ from: true }).optional(),
  data: z.string().max(256).optional(),
});

export const updateSchema = z.looseObject({
  update_id: z.number().int().nonnegative(),
  message: message.optional(),
  callback_query: callbackQuery.optional(),
});
export type TelegramUpdate = z.infer<typeof updateSchema>;

export const TELEGRAM_CHANNEL = 'telegram';

/** Choice ids longer than Telegram's 64-byte `callback_data` travel as the button's index; see render.ts. */
export const LONG_CHOICE_PREFIX = '~label:';

/** What one update asks of the bot: a message for the pipeline and, for a button tap, the query to answer. */
export interface ParsedUpdate {
  chatId: string;
  /** Absent for updates that carry nothing for the pipeline (a sticker, a tap on a button without data). */
  inbound?: InboundMessage;
  callbackQueryId?: string;
}

/**
 * Normalise an update for the pipeline, or null for updates this bot ignores (groups, channels, edits, other
 * kinds). Message ids are `<chat>:<message_id>` and `cb:<callback query id>` rather than update_id: message ids
 * are stable for the life of a chat, while update_id sequences restart at a random number after a week without
 * updates and are tied to the bot's webhook registration; both are the same on a redelivery.
 */
export function parseUpdate(update: TelegramUpdate): ParsedUpdate | null {
  if (update.message) {
    const m = update.message;
    // Only private chats: in a group every member would share one conversation (and one registration).
    if (m.chat.type !== 'private' || m.from?.is_bot) return null;
    const chatId = String(m.chat.id);
    const messageId = `${chatId}:${m.message_id}`;
    const base = { channel: TELEGRAM_CHANNEL, userId: chatId, messageId };
    if (typeof m.text === 'string') return { chatId, inbound: { ...base, input: { type: 'text', text: commandToText(m.text) } } };
    if (m.photo?.length) {
      // The largest size is last; the pipeline decides (by the channel's capabilities) what an image means.
      const largest = m.photo[m.photo.length - 1]!;
      return { chatId, inbound: { ...base, input: { type: 'image', mediaRef: `telegram:${largest.file_id}` } } };
    }
    if (typeof m.caption === 'string' && m.caption.trim()) return { chatId, inbound: { ...base, input: { type: 'text', text: m.caption } } };
    return { chatId };
  }
  if (update.callback_query) {
    const q = update.callback_query;
    if (q.message && q.message.chat.type !== 'private') return { chatId: String(q.message.chat.id), callbackQueryId: q.id };
    // A private chat's id is the user's id; a query from an old message may come without the message.
    const chatId = String(q.message?.chat.id ?? q.from.id);
    const parsed: ParsedUpdate = { chatId, callbackQueryId: q.id };
    if (!q.data) return parsed;
    const base = { channel: TELEGRAM_CHANNEL, userId: chatId, messageId: `cb:${q.id}` };
    if (q.data.startsWith(LONG_CHOICE_PREFIX)) {
      // The id did not fit; the tapped button's label is an answer the engine matches like a typed one.
      const label = q.message?.reply_markup?.inline_keyboard?.flat().find((b) => b.callback_data === q.data)?.text;
      if (label) parsed.inbound = { ...base, input: { type: 'text', text: label } };
      return parsed;
    }
    parsed.inbound = { ...base, input: { type: 'choice', choiceId: q.data } };
    return parsed;
  }
  return null;
}

/**
 * Bot commands as the engine expects them. `/start` alone opens the menu; `/start <payload>` (a deep link such
 * as t.me/bot?start=poll_42) hands the payload to the pipeline as if typed. `/cmd@botname` loses the bot name
 * (Telegram adds it in groups and on tapped commands); other commands stay text, and the engine's global
 * commands already accept a leading slash (`/help`, `/cancel`, `/menu`).
 */
export function commandToText(text: string): string {
  const m = /^\/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return text;
  const [, command, args] = m;
  const rest = args?.trim() ?? '';
  if (command!.toLowerCase() === 'start') return rest ? rest : '菜单';
  return rest ? `/${command} ${rest}` : `/${command}`;
}
