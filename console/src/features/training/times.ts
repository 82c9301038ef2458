/**
 * The session forms type China time into `datetime-local` inputs (what the venue's timetable says, wherever the
 * browser is); the API takes instants with a zone.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** '2026-03-10T09:00' (China time) → '2026-03-10T09:00:00+08:00'; '' stays ''. */
export function fromChinaInput(value: string): string {
  if (!value) return '';
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

/** An instant → '2026-03-10T09:00' in China time, for a `datetime-local` input. */
export function chinaInput(iso: string): string {
  return new Date(new Date(iso).getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}
