import type { OutboundMessage } from '../../engine/types.ts';

/**
 * WeChat text: one passive reply per message, so the messages of a turn are merged; choices become numbered
 * lines under their message ("1. 注册"), which the engine understands as answers.
 */

/** Longest text sent in one message. WeChat documents 2048 bytes for customer-service text; passive replies alike. */
export const MAX_TEXT_BYTES = 2000;

export function renderMessage(m: OutboundMessage): string {
  if (!m.choices?.length) return m.text;
  // Numbers are shown here, so the text that asks for one (回复编号) goes with them.
  return `${m.numbered ?? m.text}\n${m.choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`;
}

/** All messages of a turn as one text. */
export function renderText(messages: OutboundMessage[]): string {
  return messages.map(renderMessage).filter((t) => t.length > 0).join('\n\n');
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Split a text into pieces of at most `max` UTF-8 bytes, at blank lines, then lines, then characters. */
export function splitText(text: string, max = MAX_TEXT_BYTES): string[] {
  if (bytes(text) <= max) return [text];
  const out: string[] = [];
  let current = '';
  const push = () => {
    if (current) out.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (bytes(candidate) <= max) {
      current = candidate;
      continue;
    }
    push();
    if (bytes(line) <= max) {
      current = line;
      continue;
    }
    for (const ch of line) {
      if (bytes(current + ch) > max) push();
      current += ch;
    }
  }
  push();
  return out;
}
