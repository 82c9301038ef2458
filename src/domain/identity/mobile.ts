/** Mainland China mobile numbers: 11 digits, 1[3-9]xxxxxxxxx, often typed with +86 and separators. */
import { normalizeInput } from '../text/normalize.ts';

export type MobileReason = 'format' | 'prefix' | 'length';

export type MobileResult = { ok: true; value: string } | { ok: false; reason: MobileReason };

/** Spaces, hyphens and dashes of every kind, dots and brackets people put between digit groups. */
const SEPARATORS = /[\s\-‐‑‒–—―−.()]/g;

/**
 * Read a mobile number typed by a person. "+86 138-1234-5678", "0086 13812345678", "8613812345678" and full-width
 * digits all give "13812345678". Reasons: `format` — characters other than digits and separators (or a lone +);
 * `length` — not 11 digits once a country code is removed; `prefix` — not 1[3-9]…, or a country code other than +86.
 */
export function parseMobile(raw: string): MobileResult {
  let s = normalizeInput(raw).replace(SEPARATORS, '');
  if (s.startsWith('+')) {
    if (!/^\+\d+$/.test(s)) return { ok: false, reason: 'format' };
    if (!s.startsWith('+86')) return { ok: false, reason: 'prefix' };
    s = s.slice(3);
  } else if (s.startsWith('0086')) {
    s = s.slice(4);
  } else if (s.startsWith('00')) {
    // An international call prefix with another country code.
    if (/^\d+$/.test(s)) return { ok: false, reason: 'prefix' };
  } else if (s.length === 13 && s.startsWith('86')) {
    s = s.slice(2);
  }
  if (!/^\d*$/.test(s)) return { ok: false, reason: 'format' };
  if (s.length !== 11) return { ok: false, reason: 'length' };
  if (!/^1[3-9]/.test(s)) return { ok: false, reason: 'prefix' };
  return { ok: true, value: s };
}

/**
 * For display and logs: 13812345678 → 138****5678 (a country code is dropped first). Anything else keeps its first
 * 3 and last 4 characters; 7 characters or fewer are masked whole.
 */
export function maskMobile(v: string): string {
  const parsed = parseMobile(v);
  const s = parsed.ok ? parsed.value : normalizeInput(v).replace(SEPARATORS, '');
  if (s.length <= 7) return '*'.repeat(s.length);
  return s.slice(0, 3) + '*'.repeat(s.length - 7) + s.slice(-4);
}
