/**
 * Quiet hours, in China time (UTC+8, no daylight saving): a reminder falling due inside them waits for the
 * morning, each one shifted by a spread derived from its key so that a thousand reminders due at night do not go
 * out in the same second, and the same reminder always lands on the same second (a replay moves nothing).
 */

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export interface QuietHours {
  /** HH:MM China time */
  start: string;
  end: string;
  spreadMinutes: number;
}

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `at` falls inside the quiet window (start inclusive, end exclusive; a window may wrap midnight). */
export function isQuiet(at: Date, quiet: QuietHours): boolean {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const minute = Math.floor((((at.getTime() + CHINA_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / 60_000);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/** A stable number of seconds in [0, spread) for this key (FNV-1a). */
export function spreadSeconds(key: string, spreadMinutes: number): number {
  if (spreadMinutes <= 0) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % (spreadMinutes * 60);
}

/** When a reminder due at `due` may go out: `due` itself, or the end of the quiet hours plus the key's spread. */
export function deliveryTime(due: Date, quiet: QuietHours, key: string): Date {
  if (!isQuiet(due, quiet)) return due;
  const end = minutesOf(quiet.end);
  const localMs = due.getTime() + CHINA_OFFSET_MS;
  const dayStart = Math.floor(localMs / DAY_MS) * DAY_MS;
  let endLocal = dayStart + end * 60_000;
  if (endLocal <= localMs) endLocal += DAY_MS;
  return new Date(endLocal - CHINA_OFFSET_MS + spreadSeconds(key, quiet.spreadMinutes) * 1000);
}

/** The China calendar day of an instant, 'YYYY-MM-DD' (the daily cap counts per such day). */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}
