import { createHmac, timingSafeEqual } from 'node:crypto';

/** A check-in code is valid for one 30-second window; the one before is still accepted (typing takes a moment). */
export const CHECKIN_WINDOW_MS = 30_000;

const windowOf = (at: Date) => Math.floor(at.getTime() / CHECKIN_WINDOW_MS);

/** Six digits from the HMAC of the session id and the time window, with the server's secret (TOTP-style truncation). */
export function checkinCodeFor(secret: Buffer, sessionId: string, window: number): string {
  const mac = createHmac('sha256', secret).update(`checkin:${sessionId}:${window}`).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

export function currentCheckinCode(secret: Buffer, sessionId: string, now: Date): { code: string; validUntil: Date } {
  const w = windowOf(now);
  return { code: checkinCodeFor(secret, sessionId, w), validUntil: new Date((w + 1) * CHECKIN_WINDOW_MS) };
}

/** Whether `code` is this session's code now or in the window just before; compared timing-safe. */
export function checkinCodeValid(secret: Buffer, sessionId: string, code: string, now: Date): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const w = windowOf(now);
  const given = Buffer.from(code);
  let ok = false;
  for (const window of [w, w - 1]) ok = timingSafeEqual(given, Buffer.from(checkinCodeFor(secret, sessionId, window))) || ok;
  return ok;
}
