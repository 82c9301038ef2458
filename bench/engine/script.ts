import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { idNumberCheckChar } from '../../src/domain/identity/idNumber.ts';

/**
 * The script every benchmark user plays: the user messages of test/transcripts/registration.yaml (wrong answers
 * included), with the ID numbers made distinct per user so that no two users collide on the unique ID index.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const transcript = parseYaml(readFileSync(join(ROOT, 'test', 'transcripts', 'registration.yaml'), 'utf8')) as { turns: { user: string | number }[] };
export const TEMPLATE = transcript.turns.map((t) => String(t.user));
const isIdShaped = (s: string) => /^\d{17}[\dX]$/.test(s);
const isValidId = (s: string) => isIdShaped(s) && idNumberCheckChar(s.slice(0, 17)) === s[17];

/** GB 11643 ID number #n: region 320102, birth date 1970-01-01 + ⌊n/1000⌋ days, sequence n mod 1000 (7.3 M distinct). */
function idBody(n: number): string {
  const birth = new Date(Date.UTC(1970, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `320102${birth}${String(n % 1000).padStart(3, '0')}`;
}
function idFor(n: number, valid: boolean): string {
  const body = idBody(n);
  const good = idNumberCheckChar(body);
  if (valid) return body + good;
  return body + (good === '0' ? '1' : good === 'X' ? '0' : String((Number(good) + 1) % 10)); // any other digit is wrong
}
/** The registration transcript's messages for user #n (the valid ID replaced, and the wrong-check-digit one too). */
export function scriptFor(n: number): string[] {
  return TEMPLATE.map((text) => (isIdShaped(text) ? idFor(n, isValidId(text)) : text));
}
export const SUCCESS = '注册成功';
