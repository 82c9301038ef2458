/**
 * Redaction of ID numbers and mobile numbers in free text: log lines, serialised JSON, error messages.
 * It errs on the side of masking: an ID number with a wrong check digit (a typo of a real one) is still personal
 * data, so a match needs only the shape of an ID number (a plausible birth date), not a valid checksum.
 */
import { maskIdNumber } from '../identity/idNumber.ts';
import { maskMobile } from '../identity/mobile.ts';
import { toHalfWidth } from '../text/normalize.ts';

/** A character class of the given ASCII characters/ranges plus their full-width forms (logs carry what users typed). */
function cls(ascii: string): string {
  const full = ascii.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  return `[${ascii}${full}]`;
}

const D = cls('0-9');
/** Neither digit nor Latin letter may touch a match, so parts of longer numbers, hashes and ids are left alone. */
const NOT_AFTER = `(?<!${cls('0-9A-Za-z')})`;
const NOT_BEFORE = `(?!${cls('0-9A-Za-z')})`;
/** Between digit groups: nothing, or one space or hyphen ("110105 19491231 002X", "138-1234-5678"). */
const SEP = '[ \\-]?';

// Region (6), birth date 18xx–20xx with month 01–12 and day 01–31, sequence (3), check digit or X.
const ID_SHAPE =
  `${cls('1-9')}${D}{5}${SEP}` +
  `(?:${cls('1')}${cls('89')}|${cls('2')}${cls('0')})${D}{2}` +
  `(?:${cls('0')}${cls('1-9')}|${cls('1')}${cls('0-2')})` +
  `(?:${cls('0')}${cls('1-9')}|${cls('12')}${D}|${cls('3')}${cls('01')})${SEP}` +
  `${D}{3}${cls('0-9Xx')}`;
const ID_IN_TEXT = new RegExp(`${NOT_AFTER}${ID_SHAPE}${NOT_BEFORE}`, 'g');

// An optional country code (kept as written), then 1[3-9] and 9 more digits, possibly grouped 3-4-4.
const MOBILE_IN_TEXT = new RegExp(
  `${NOT_AFTER}((?:(?:\\+|＋|00|００)?${cls('8')}${cls('6')}${SEP})?)` +
    `(${cls('1')}${cls('3-9')}${D}${SEP}${D}{4}${SEP}${D}{4})${NOT_BEFORE}`,
  'g',
);

/**
 * Mask every ID number (110***********1234) and mainland mobile number (138****5678) in a text. A country code in
 * front of a mobile number is kept. Idempotent: masked text is left as it is.
 */
export function maskPii(text: string): string {
  // Every log line's every string passes here; the shortest match (a bare mobile number) has 11 characters.
  if (text.length < 11) return text;
  return text
    .replace(ID_IN_TEXT, (m) => maskIdNumber(m))
    .replace(MOBILE_IN_TEXT, (_m, prefix: string, number: string) => prefix + maskMobile(toHalfWidth(number)));
}
