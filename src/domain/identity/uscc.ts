import { toHalfWidth } from '../text/normalize.ts';

/**
 * The unified social credit code of an organisation (统一社会信用代码, GB 32100-2015): 18 characters from a
 * 31-character alphabet (digits and capitals without I, O, S, V, Z); the last is a check character over the
 * first 17 with weights 3^i mod 31. Written by hand: no maintained npm package validates it.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccResult = { ok: true; value: string; regionCode: string } | { ok: false; reason: 'length' | 'format' | 'checksum' };

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function parseUscc(raw: string): UsccResult {
  const value = toHalfWidth(raw).replace(/[\s-]/g, '').toUpperCase();
  if (value.length !== 18) return { ok: false, reason: 'length' };
  for (const c of value) if (!ALPHABET.includes(c)) return { ok: false, reason: 'format' };
  if (!/^\d{6}$/.test(value.slice(2, 8))) return { ok: false, reason: 'format' };
  if (usccCheckChar(value.slice(0, 17)) !== value[17]) return { ok: false, reason: 'checksum' };
  return { ok: true, value, regionCode: value.slice(2, 8) };
}
