/**
 * Forms take times in China time (a training session's timetable, a poll's closing time: what the region's
 * workers read, wherever the admin's browser is), as `datetime-local` inputs or date pickers holding the text
 * 'YYYY-MM-DDTHH:mm'; the API takes instants with a zone.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Element Plus's date pickers' `value-format` for that text (dayjs tokens; the T is a literal). */
export const CHINA_INPUT_FORMAT = 'YYYY-MM-DD[T]HH:mm';

/** '2026-03-10T09:00' (China time) → '2026-03-10T09:00:00+08:00'; '' stays ''. */
export function fromChinaInput(value: string): string {
  if (!value) return '';
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

/** An instant → '2026-03-10T09:00' in China time, for a `datetime-local` input. */
export function chinaInput(iso: string | Date): string {
  return new Date(new Date(iso).getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}
