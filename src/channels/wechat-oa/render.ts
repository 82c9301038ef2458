import type { OutboundMessage } from '../../engine/types.ts';
import type { CustomMessage } from '../wechat-common/apiClient.ts';

export { MAX_TEXT_BYTES, renderMessage, renderText, splitText } from '../wechat-common/text.ts';
import { MAX_TEXT_BYTES, renderText, splitText } from '../wechat-common/text.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The customer-service messages for a turn: merged text, split where too long. With `menus`, a final
 * single-choice question goes as a msgmenu (tappable options whose tap sends the label back as text).
 */
export function renderCustomMessages(messages: OutboundMessage[], opts: { menus: boolean }): CustomMessage[] {
  const last = messages[messages.length - 1];
  if (opts.menus && last?.choices?.length && !last.multi && last.choices.length <= 10) {
    const head = renderText([...messages.slice(0, -1), { text: last.text }]);
    if (bytes(head) <= MAX_TEXT_BYTES) {
      return [{ msgtype: 'msgmenu', msgmenu: { head_content: head, list: last.choices.map((c, i) => ({ id: String(i + 1), content: c.label })), tail_content: '' } }];
    }
  }
  return splitText(renderText(messages)).map((content) => ({ msgtype: 'text', text: { content } }));
}
