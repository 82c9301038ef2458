/**
 * The 18-character resident identity number (公民身份号码, GB 11643-1999):
 * 6-digit region code + 8-digit birth date + 3-digit sequence (odd = male) + check character (ISO 7064 MOD 11-2).
 */
import { chinaDate, formatYmd, isValidYmd } from '../dates/parseDate.ts';
import { normalizeInput } from '../text/normalize.ts';

export type IdNumberReason = 'length' | 'format' | 'birthdate' | 'checksum';

export type IdNumberResult =
  | {
      ok: true;
      /** 18 characters, check character X in upper case. */
      value: string;
      /** YYYY-MM-DD */
      birthDate: string;
      gender: 'male' | 'female';
      /** The 6-digit administrative division code where the number was issued. */
      regionCode: string;
    }
  | { ok: false; reason: IdNumberReason };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const ID_LENGTH = 18;
const EARLIEST_BIRTH_YEAR = 1900;

/** The check character for the first 17 digits of an ID number. */
export function idNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new TypeError(`expected 17 digits, got ${JSON.stringify(first17)}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/**
 * Read an ID number typed by a person: full-width digits, a lower-case x and spaces anywhere are accepted.
 * Reasons: `format` — a character other than digits and a final X; `length` — not 18 characters;
 * `birthdate` — not a real day, before 1900 or (when `today` is given) after today in China;
 * `checksum` — the last character does not match the first 17.
 *
 * `today` is an instant (its date in China counts) or a 'YYYY-MM-DD' string; without it only calendar validity
 * is checked.
 */
export function parseIdNumber(raw: string, today?: Date | string): IdNumberResult {
  const s = normalizeInput(raw).replace(/ /g, '').toUpperCase();
  if (!/^[0-9X]*$/.test(s)) return { ok: false, reason: 'format' };
  if (s.length !== ID_LENGTH) return { ok: false, reason: 'length' };
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, reason: 'format' };

  const year = Number(s.slice(6, 10));
  const month = Number(s.slice(10, 12));
  const day = Number(s.slice(12, 14));
  if (!isValidYmd(year, month, day) || year < EARLIEST_BIRTH_YEAR) return { ok: false, reason: 'birthdate' };
  const birthDate = formatYmd(year, month, day);
  if (today !== undefined) {
    const todayYmd = typeof today === 'string' ? today : chinaDate(today);
    if (birthDate > todayYmd) return { ok: false, reason: 'birthdate' };
  }

  if (idNumberCheckChar(s.slice(0, 17)) !== s[17]) return { ok: false, reason: 'checksum' };

  return { ok: true, value: s, ...idNumberFacts(s), regionCode: s.slice(0, 6) };
}

/**
 * Birth date and gender as the ID number states them. For a number already accepted by parseIdNumber (a stored
 * one): stores keep only the sealed ID number and derive these on read, so no plaintext copy of them exists.
 */
export function idNumberFacts(value: string): { birthDate: string; gender: 'male' | 'female' } {
  if (!/^\d{17}[\dX]$/.test(value)) throw new TypeError('not an 18-character ID number');
  return {
    birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
    gender: Number(value[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/**
 * For display and logs: the first 3 and last 4 characters, the rest as asterisks, same length
 * (110105194912310021 → 110***********0021). Anything of 7 characters or fewer is masked whole.
 */
export function maskIdNumber(v: string): string {
  const s = normalizeInput(v).replace(/ /g, '').toUpperCase();
  if (s.length <= 7) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}
