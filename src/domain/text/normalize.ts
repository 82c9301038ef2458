/**
 * Text clean-up for what people type into a chat box. Chinese input methods produce full-width digits and
 * letters (１３８, ＡＢＣ), the ideographic space and pasted invisible characters; every parser in the domain
 * runs its input through here first so that "１３８ １２３４ ５６７８" is read the same as "138 1234 5678".
 */

const FULL_WIDTH_FIRST = 0xff01; // ！
const FULL_WIDTH_LAST = 0xff5e; // ～
const FULL_TO_HALF_OFFSET = 0xfee0;
const IDEOGRAPHIC_SPACE = 0x3000;

/** Full-width ASCII (U+FF01–U+FF5E) to ASCII, the ideographic space (U+3000) to a plain space. */
export function toHalfWidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= FULL_WIDTH_FIRST && cp <= FULL_WIDTH_LAST) out += String.fromCharCode(cp - FULL_TO_HALF_OFFSET);
    else if (cp === IDEOGRAPHIC_SPACE) out += ' ';
    else out += ch;
  }
  return out;
}

/**
 * Characters that copy-paste from WeChat or web pages leaves in text but nobody means to type: zero-width space,
 * word joiner and byte-order mark. Zero-width (non-)joiners are kept because emoji sequences need them.
 */
const INVISIBLE = /[\u200B\u2060\uFEFF]/g;

/**
 * The canonical form of a typed answer: Unicode NFKC (which also folds circled and other compatibility digits),
 * full-width to half-width, invisible characters removed, every run of whitespace collapsed to one space, trimmed.
 */
export function normalizeInput(s: string): string {
  return toHalfWidth(s.normalize('NFKC')).replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
}

/**
 * Spaces between two Chinese characters removed: "王 五" is 王五 and "某某 科技 公司" is 某某科技公司 (Chinese
 * writes no spaces between words; they come from input methods and pasting). Spaces next to Latin letters stay.
 */
export function joinHanSpaces(s: string): string {
  return s.replace(/(\p{Script=Han})\s+(?=\p{Script=Han})/gu, '$1');
}
