import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'node-telegram-bot-api';
import type { OutboundMessage } from '../../engine/types.ts';
import { LONG_CHOICE_PREFIX } from './updates.ts';

/** One Telegram message: plain text (no parse_mode, so user text never breaks the markup) and maybe a keyboard. */
export interface TelegramMessage {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}

/** Telegram's limits: 4096 characters of text, 1-64 bytes of callback_data. */
export const MAX_TEXT = 4096;
const MAX_CALLBACK_BYTES = 64;

/**
 * A turn's replies as Telegram messages. Replies without choices are joined onto the next reply (a blank line
 * apart) so a turn usually costs one message: Telegram allows about one message a second per chat, and three
 * bubbles would make the user wait two seconds for the question. A reply with choices closes its message, since
 * the keyboard belongs under the question it answers. Over-long text is split at line breaks.
 */
export function renderReplies(replies: OutboundMessage[]): TelegramMessage[] {
  const out: TelegramMessage[] = [];
  let pending: string[] = [];
  for (const reply of replies) {
    pending.push(reply.text);
    if (reply.choices?.length) {
      out.push(...split(pending.join('\n\n'), inlineKeyboard(reply.choices)));
      pending = [];
    }
  }
  if (pending.length) out.push(...split(pending.join('\n\n')));
  return out.filter((m) => m.text.trim().length > 0 || m.reply_markup);
}

/**
 * Buttons carry the choice id as callback_data, so a tap comes back as exactly that choice. Short labels go
 * three to a row, longer ones one to a row (region names and long answers stay readable on a phone). An id over
 * 64 bytes cannot be callback_data: the button then carries its index and the tap is answered with its label.
 */
export function inlineKeyboard(choices: { id: string; label: string }[]): InlineKeyboardMarkup {
  const buttons: InlineKeyboardButton[] = choices.map((c, i) => ({
    text: c.label,
    callback_data: Buffer.byteLength(c.id, 'utf8') <= MAX_CALLBACK_BYTES && c.id.length > 0 ? c.id : `${LONG_CHOICE_PREFIX}${i}`,
  }));
  const wide = choices.some((c) => displayWidth(c.label) > 12);
  const perRow = wide ? 1 : 3;
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return { inline_keyboard: rows };
}

/** CJK characters take two columns on a phone keyboard button. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\uffef]/u.test(ch) ? 2 : 1;
  return w;
}

/** Split at line breaks (else hard) into pieces Telegram accepts; the keyboard goes under the last piece. */
function split(text: string, keyboard?: InlineKeyboardMarkup): TelegramMessage[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > MAX_TEXT) {
    let cut = rest.lastIndexOf('\n', MAX_TEXT);
    if (cut < MAX_TEXT / 2) cut = MAX_TEXT;
    // Never cut a surrogate pair in half.
    if (cut === MAX_TEXT && /[\ud800-\udbff]/.test(rest[cut - 1]!)) cut--;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  pieces.push(rest);
  return pieces.map((p, i) => (keyboard && i === pieces.length - 1 ? { text: p, reply_markup: keyboard } : { text: p }));
}
