/**
 * Dates typed in chat, and the date arithmetic the rules need (age limits, years in post).
 *
 * Everything is calendar arithmetic on 'YYYY-MM-DD' strings: no `Date` parsing, so no time zone can move a day.
 * Invalid user input returns a reason code; only a malformed option from the program itself (a flow's `min`
 * written as "March") throws, because that is a bug to fix, not an answer to reject.
 */
import { normalizeInput } from '../text/normalize.ts';

export type DateReason = 'format' | 'invalid' | 'future' | 'tooEarly' | 'tooLate';

export type ParseDateResult = { ok: true; value: string } | { ok: false; reason: DateReason };

export interface DateOptions {
  /** The current date in China, 'YYYY-MM-DD'; only `notFuture` reads it (and parseYearMonth its month). */
  today: string;
  /** Earliest accepted value, inclusive. */
  min?: string;
  /** Latest accepted value, inclusive. */
  max?: string;
  /** Reject values after `today`. */
  notFuture?: boolean;
}

// ---- calendar ---------------------------------------------------------------------------------------------------

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whether year/month/day name a real day of the Gregorian calendar (years 1–9999). */
export function isValidYmd(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function formatYmd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

interface Ymd {
  year: number;
  month: number;
  day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;

/** Split a canonical 'YYYY-MM-DD'; undefined when it is not one or not a real day. */
export function splitYmd(value: string): Ymd | undefined {
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const ymd = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return isValidYmd(ymd.year, ymd.month, ymd.day) ? ymd : undefined;
}

function requireYmd(value: string, what: string): Ymd {
  const ymd = splitYmd(value);
  if (!ymd) throw new TypeError(`${what} must be a real date written YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return ymd;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
let lastDay = Number.NaN;
let lastDate = '';

/**
 * The calendar date in China (UTC+8, no daylight saving) at an instant: the users' "today". Servers run in UTC;
 * a user typing just after midnight in Beijing is already on the next day. Every engine turn asks for it, so the
 * last day's string is kept (one division instead of formatting a date per turn).
 */
export function chinaDate(instant: Date): string {
  const day = Math.floor((instant.getTime() + CHINA_OFFSET_MS) / DAY_MS);
  if (Number.isNaN(day)) throw new RangeError('chinaDate needs a valid Date');
  if (day !== lastDay) {
    const shifted = new Date(day * DAY_MS);
    lastDate = formatYmd(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
    lastDay = day;
  }
  return lastDate;
}

// ---- parsing ----------------------------------------------------------------------------------------------------

const DATE_PATTERNS: readonly RegExp[] = [
  /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/, // 2024-03-01, 2024/3/1, 2024.3.1 (one separator throughout)
  // The empty group keeps year, month and day at groups 1, 3 and 4 in every pattern.
  /^(\d{4})()年(\d{1,2})月(\d{1,2})[日号]?$/, // 2024年3月1日, 2024年3月1号
  /^(\d{4})()(\d{2})(\d{2})$/, // 20240301
];

const MONTH_PATTERNS: readonly RegExp[] = [
  /^(\d{4})[-/.](\d{1,2})$/, // 2024-03, 2024/3, 2024.3
  /^(\d{4})年(\d{1,2})月?$/, // 2024年3月
  /^(\d{4})(\d{2})$/, // 202403
];

/** The typed text with full-width digits folded and every space removed ("2024 年 3 月 1 日" is fine). */
function compact(raw: string): string {
  return normalizeInput(raw).replace(/ /g, '');
}

/** A date typed by a person, in any of the common Chinese ways of writing it. */
export function parseDate(raw: string, opts: DateOptions): ParseDateResult {
  const today = formatYmdOf(requireYmd(opts.today, 'today'));
  const min = opts.min === undefined ? undefined : formatYmdOf(requireYmd(opts.min, 'min'));
  const max = opts.max === undefined ? undefined : formatYmdOf(requireYmd(opts.max, 'max'));

  const text = compact(raw);
  let ymd: Ymd | undefined;
  for (const pattern of DATE_PATTERNS) {
    const m = pattern.exec(text);
    if (m) {
      ymd = { year: Number(m[1]), month: Number(m[3]), day: Number(m[4]) };
      break;
    }
  }
  if (!ymd) return { ok: false, reason: 'format' };
  if (!isValidYmd(ymd.year, ymd.month, ymd.day)) return { ok: false, reason: 'invalid' };

  // Canonical strings of equal length compare in calendar order.
  const value = formatYmdOf(ymd);
  if (opts.notFuture && value > today) return { ok: false, reason: 'future' };
  if (min !== undefined && value < min) return { ok: false, reason: 'tooEarly' };
  if (max !== undefined && value > max) return { ok: false, reason: 'tooLate' };
  return { ok: true, value };
}

function formatYmdOf(d: Ymd): string {
  return formatYmd(d.year, d.month, d.day);
}

/** A month bound: 'YYYY-MM', or a full date of which only the month counts. */
function requireMonth(value: string, what: string): string {
  const m = ISO_MONTH.exec(value);
  if (m && isValidYmd(Number(m[1]), Number(m[2]), 1)) return value;
  if (splitYmd(value)) return value.slice(0, 7);
  throw new TypeError(`${what} must be a month written YYYY-MM, got ${JSON.stringify(value)}`);
}

/**
 * A month typed by a person (when someone joined the party, started the post). `today` is 'YYYY-MM-DD' as for
 * parseDate (its month counts: the current month is not future); `min` and `max` are 'YYYY-MM' (a full date counts
 * as its month).
 */
export function parseYearMonth(raw: string, opts: DateOptions): ParseDateResult {
  const thisMonth = requireMonth(opts.today, 'today');
  const min = opts.min === undefined ? undefined : requireMonth(opts.min, 'min');
  const max = opts.max === undefined ? undefined : requireMonth(opts.max, 'max');

  const text = compact(raw);
  let ym: { year: number; month: number } | undefined;
  for (const pattern of MONTH_PATTERNS) {
    const m = pattern.exec(text);
    if (m) {
      ym = { year: Number(m[1]), month: Number(m[2]) };
      break;
    }
  }
  if (!ym) return { ok: false, reason: 'format' };
  if (!isValidYmd(ym.year, ym.month, 1)) return { ok: false, reason: 'invalid' };

  const value = formatYmd(ym.year, ym.month, 1).slice(0, 7);
  if (opts.notFuture && value > thisMonth) return { ok: false, reason: 'future' };
  if (min !== undefined && value < min) return { ok: false, reason: 'tooEarly' };
  if (max !== undefined && value > max) return { ok: false, reason: 'tooLate' };
  return { ok: true, value };
}

// ---- intervals --------------------------------------------------------------------------------------------------

/**
 * The n-th anniversary of a date. A 29 February start has no anniversary day in a common year; as in the Civil
 * Code (art. 201: without a corresponding day, the period ends on the last day of the month) it falls on
 * 28 February.
 */
function anniversary(from: Ymd, years: number): number {
  const year = from.year + years;
  return dayNumber(year, from.month, Math.min(from.day, daysInMonth(year, from.month)));
}

/** Whole years completed from `from` to `to` (to >= from). */
function completedYears(from: Ymd, to: Ymd): number {
  let n = to.year - from.year;
  if (anniversary(from, n) > dayNumber(to.year, to.month, to.day)) n -= 1;
  return n;
}

/**
 * Years from one date to another as a decimal: the completed years, plus the share of the current anniversary
 * year that has passed. An exact anniversary gives a whole number (2020-03-01 → 2023-03-01 is 3), so rules such
 * as "at least 3 years in post" can compare with `>=` without rounding. Negative when `to` is before `from`.
 */
export function yearsBetween(from: string, to: string): number {
  const a = requireYmd(from, 'from');
  const b = requireYmd(to, 'to');
  const start = dayNumber(a.year, a.month, a.day);
  const end = dayNumber(b.year, b.month, b.day);
  if (end < start) return -yearsBetween(to, from);
  const n = completedYears(a, b);
  const last = anniversary(a, n);
  const next = anniversary(a, n + 1);
  return n + (end - last) / (next - last);
}

/** Age in completed years on a date (0 on the day of birth; one more on each birthday). Negative before birth. */
export function ageOn(birth: string, date: string): number {
  return Math.floor(yearsBetween(birth, date));
}
