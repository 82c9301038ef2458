import type { OutboundMessage } from '../../engine/types.ts';

/**
 * Mini program customer-service messages are plain text (no tappable menus there), so a turn's replies are one
 * text with choices as numbered lines ("1. 注册"), which the engine takes as answers; the same rendering as the
 * official account's text replies.
 */
export const MAX_TEXT_BYTES = 2000;

export function renderText(messages: OutboundMessage[]): string {
  return messages
    .map((m) => (m.choices?.length ? `${m.text}\n${m.choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}` : m.text))
    .filter((t) => t.length > 0)
    .join('\n\n');
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Pieces of at most `max` UTF-8 bytes, cut at line breaks where possible. */
export function splitText(text: string, max = MAX_TEXT_BYTES): string[] {
  if (bytes(text) <= max) return text ? [text] : [];
  const out: string[] = [];
  let current = '';
  const flush = () => {
    if (current) out.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (bytes(candidate) <= max) {
      current = candidate;
      continue;
    }
    flush();
    for (const ch of line) {
      if (bytes(current + ch) > max) flush();
      current += ch;
    }
  }
  flush();
  return out;
}

/** A subscribe message field: `thing` values take at most 20 characters. */
export function clip(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
