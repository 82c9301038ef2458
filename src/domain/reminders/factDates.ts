/**
 * The events of the fact-based reminder kinds, as instants. A fact that is a calendar day (a certificate's last
 * valid day, a 年检 due date, the day a secretary took office) counts from 09:00 China time on that day, so hour
 * offsets of whole days land in the morning rather than at midnight inside the quiet hours.
 */
import { addDays } from '../certification/expiryNotice.ts';
import { splitYmd } from '../dates/parseDate.ts';

export const DAY_EVENT_TIME = '09:00';

/** 09:00 China time on `date` ('YYYY-MM-DD'). */
export function morningOf(date: string): Date {
  return new Date(`${date}T${DAY_EVENT_TIME}:00+08:00`);
}

/** `date` plus `years`, 29 February landing on 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const ymd = splitYmd(date);
  if (!ymd) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const y = ymd.year + years;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const day = ymd.month === 2 && ymd.day === 29 && !leap ? 28 : ymd.day;
  return `${String(y).padStart(4, '0')}-${String(ymd.month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The 年检 due dates of a certificate: each anniversary of its issue while it is still valid (the last valid day
 * itself is the certificate's expiry, reminded as `certificateExpiring`, not inspected).
 * Decision: the domain sets no calendar day for 年检; the anniversary of issue is the one date every holder has.
 */
export function inspectionDueDates(cert: { issuedOn: string; validUntil: string }): string[] {
  const out: string[] = [];
  for (let n = 1; n < 100; n++) {
    const due = addYears(cert.issuedOn, n);
    if (due >= cert.validUntil) break;
    out.push(due);
  }
  return out;
}

/** The days `from`..`to` (inclusive) minus `days`: which fact days put a reminder `days` after them into that window. */
export function windowBefore(from: string, to: string, days: number): { from: string; to: string } {
  return { from: addDays(from, -days), to: addDays(to, -days) };
}

/** The first day of the last quarter of `year` (1 October): "yearly hours still short" is reminded from then. */
export function lastQuarterStart(year: number): string {
  return `${year}-10-01`;
}
