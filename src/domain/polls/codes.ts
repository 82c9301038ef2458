/**
 * Respondent codes: 10 characters of Crockford's base32 alphabet (no I, L, O, U), about 50 bits, so a code can be
 * neither guessed nor mistyped into another one easily. Typed codes are read case-insensitively, with O as 0 and
 * I/L as 1, spaces and dashes ignored.
 */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 10;
const CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** A new code from `bytes` random bytes (at least CODE_LENGTH of them). */
export function codeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < CODE_LENGTH) throw new Error(`a code needs ${CODE_LENGTH} random bytes`);
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[bytes[i]! & 31];
  return code;
}

/** The code as typed, in canonical form, or null when it cannot be one. */
export function normalizeCode(typed: string): string | null {
  const c = typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return CODE.test(c) ? c : null;
}

/**
 * A message that opens a poll: `测评 <code>`, `poll <code>`, or `poll_<code>` (a Telegram deep link's payload or
 * a WeChat QR scene, which the channels hand over as text). Returns the code as written (normalised later), or null.
 */
export function pollCommand(text: string): string | null {
  const m = /^\s*(?:测评|满意度测评|poll)[\s_:：]*([A-Za-z0-9][A-Za-z0-9 -]{5,20})\s*$/i.exec(text);
  return m ? m[1]! : null;
}

/**
 * A poll command with no code that could be one (`测评`, `测评 abc`, `poll`, `poll 12`, `poll_x`): answered with what
 * a code looks like and where it comes from, not left to the flows' "unknown command". A longer word after the
 * command (`测评 abcdefg`) is taken as a mistyped code instead (pollCommand), whose refusal says the same.
 */
export function isPollCommandWithoutCode(text: string): boolean {
  return /^\s*(?:测评|满意度测评|poll)(?:[\s_:：][\s\S]*)?$/i.test(text) && pollCommand(text) === null;
}

/** The mini program's poll page for a code: it sends `poll_<code>` as its first turn (docs/polls.md). */
export const miniProgramPollPath = (code: string) => `pages/poll/index?code=${encodeURIComponent(code)}`;
