/**
 * Mini program customer-service messages are plain text (no tappable menus there), so a turn's replies are one
 * text with choices as numbered lines ("1. 注册"), which the engine takes as answers: the official account's
 * rendering, shared in wechat-common.
 */
export { MAX_TEXT_BYTES, renderText } from '../wechat-common/text.ts';
import { splitText as splitWechatText } from '../wechat-common/text.ts';

/** Pieces of at most `max` UTF-8 bytes; nothing for an empty text. */
export function splitText(text: string, max?: number): string[] {
  return text ? splitWechatText(text, max) : [];
}

/** A subscribe message field: `thing` values take at most 20 characters. */
export function clip(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
