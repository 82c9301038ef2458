import { chinaDate } from '../dates/parseDate.ts';

/**
 * What the dashboard's counters count, as keys of one record: a counter is the number of records whose keys
 * include it. Kept up on write by adding a record's new keys and taking away its old ones, so a counter always
 * equals a recount of the records (see the recount in src/store/mongo/dashboardCounters.ts).
 *
 * Every key is repeated for each region prefix of the record's region, '' (the whole country) included, and
 * carries the record's level: any admin's scope (a prefix and, maybe, some levels) then reads its own counters.
 */
export type CounterKind =
  /** Applications (any status) by stage. */
  | 'stage'
  /** Applications (any status) by the next region below the prefix. */
  | 'subRegion'
  /** Applications by the UTC month (YYYY-MM) they were created. */
  | 'declared'
  /** Certified, returned or rejected applications by `status|month of their last change`. */
  | 'closed'
  /** Open applications by stage. */
  | 'open'
  /** Open applications by stage, and in `day` the China date they entered it (for the dashboard's ages). */
  | 'openDay'
  /** Certificates by status. */
  | 'certStatus'
  /** Certificates not revoked, by `first year|last year` of their validity (年检 due in the years between). */
  | 'certSpan'
  /** Annual records with an inspection, by year, on the certificate's region and level. */
  | 'inspected'
  /** Annual records with an assessment, by year. */
  | 'assessed'
  /** Applications by their exact region code, `day` the UTC year they were created (报表 counts: declared). */
  | 'yearDeclared'
  /** Certified applications by their exact region code, `day` the UTC year of their last change (报表: certified). */
  | 'yearCertified'
  /**
   * Valid certificates by `region code|first year of validity|e`, `day` the last year of validity; `e` is 1 when
   * the validity ends on 31 December, else 0. Enough to know, without reading a certificate, which were in force on
   * the last day of any year (报表: in force).
   */
  | 'validSpan'
  /** 红领津贴 rows paid, by `policy|amount in yuan`, `day` the year (src/domain/certification/allowanceEntries.ts). */
  | 'allowancePaid'
  /** 红领津贴 rows not paid, by policy, `day` the year. */
  | 'allowanceExcluded'
  /** Workers with a row not paid, once per prefix and year (level and key ''). */
  | 'allowanceHolders';

/** The kinds the allowance upkeep counts (recounted with the allowance entries, not with the dashboard). */
export const ALLOWANCE_KINDS: readonly CounterKind[] = ['allowancePaid', 'allowanceExcluded', 'allowanceHolders'];

export interface CounterKey {
  kind: CounterKind;
  prefix: string;
  level: string;
  key: string;
  day?: string;
}

export interface CounterRow extends CounterKey {
  n: number;
}

const BOUNDARIES = [2, 4, 6, 9];

/** '' and the region prefixes of a code at each administrative boundary: '', 32, 3201, 320102 for 320102. */
export function counterPrefixes(regionCode: string): string[] {
  return ['', ...BOUNDARIES.filter((n) => n <= regionCode.length).map((n) => regionCode.slice(0, n))];
}

export interface CountedApplication {
  regionCode: string;
  level: string;
  stage: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  /** When it entered its current stage (stageEnteredAt). */
  stageSince: string;
}

const CLOSED = new Set(['certified', 'returned', 'rejected']);
const month = (iso: string) => iso.slice(0, 7);

export function applicationKeys(a: CountedApplication): CounterKey[] {
  const prefixes = counterPrefixes(a.regionCode);
  const path = prefixes.slice(1);
  const keys: CounterKey[] = [];
  prefixes.forEach((prefix, i) => {
    const base = { prefix, level: a.level };
    keys.push({ ...base, kind: 'stage', key: a.stage });
    if (path[i] !== undefined) keys.push({ ...base, kind: 'subRegion', key: path[i]! });
    keys.push({ ...base, kind: 'declared', key: month(a.createdAt) });
    if (CLOSED.has(a.status)) keys.push({ ...base, kind: 'closed', key: `${a.status}|${month(a.updatedAt)}` });
    keys.push({ ...base, kind: 'yearDeclared', key: a.regionCode, day: a.createdAt.slice(0, 4) });
    if (a.status === 'certified') keys.push({ ...base, kind: 'yearCertified', key: a.regionCode, day: a.updatedAt.slice(0, 4) });
    if (a.status === 'open') {
      keys.push({ ...base, kind: 'open', key: a.stage });
      keys.push({ ...base, kind: 'openDay', key: a.stage, day: chinaDate(new Date(a.stageSince)) });
    }
  });
  return keys;
}

export interface CountedCertificate {
  regionCode: string;
  level: string;
  status: string;
  issuedOn: string;
  validUntil: string;
}

export function certificateKeys(c: CountedCertificate): CounterKey[] {
  return counterPrefixes(c.regionCode).flatMap((prefix) => [
    { prefix, level: c.level, kind: 'certStatus' as const, key: c.status },
    ...(c.status === 'revoked' ? [] : [{ prefix, level: c.level, kind: 'certSpan' as const, key: `${c.issuedOn.slice(0, 4)}|${c.validUntil.slice(0, 4)}` }]),
    ...(c.status === 'valid' ? [{ prefix, level: c.level, kind: 'validSpan' as const, key: validSpanKey(c), day: c.validUntil.slice(0, 4) }] : []),
  ]);
}

const validSpanKey = (c: CountedCertificate) => `${c.regionCode}|${c.issuedOn.slice(0, 4)}|${c.validUntil.slice(5) === '12-31' ? 1 : 0}`;

/**
 * Of the validSpan counters, which certificates were in force (valid from issuedOn to validUntil, both included) on
 * the last day of `year`: issued in that year or before, and ending after it or on its last day.
 */
export function inForceAtYearEnd(row: Pick<CounterRow, 'key' | 'day'>, year: number): boolean {
  const [, first, endsOnLastDay] = row.key.split('|');
  const last = Number(row.day);
  return Number(first) <= year && (last > year || (last === year && endsOnLastDay === '1'));
}

/** An annual record's keys, on its certificate's region and level (records carry neither). */
export function annualKeys(r: { year: number; inspection: unknown; assessment: unknown }, cert: { regionCode: string; level: string }): CounterKey[] {
  return counterPrefixes(cert.regionCode).flatMap((prefix) => [
    ...(r.inspection ? [{ prefix, level: cert.level, kind: 'inspected' as const, key: String(r.year) }] : []),
    ...(r.assessment ? [{ prefix, level: cert.level, kind: 'assessed' as const, key: String(r.year) }] : []),
  ]);
}

export const counterId = (k: CounterKey) => `${k.kind}|${k.prefix}|${k.level}|${k.key}|${k.day ?? ''}`;

/** Adds `sign` for each key into `into`, by counter. */
export function tally(keys: readonly CounterKey[], sign: 1 | -1, into = new Map<string, CounterRow>()): Map<string, CounterRow> {
  for (const k of keys) {
    const id = counterId(k);
    const row = into.get(id);
    if (row) row.n += sign;
    else into.set(id, { ...k, n: sign });
  }
  return into;
}

/** What to add to the counters when a record's keys change from `before` to `after` (either may be empty). */
export function counterDeltas(before: readonly CounterKey[], after: readonly CounterKey[]): CounterRow[] {
  return [...tally(after, 1, tally(before, -1)).values()].filter((r) => r.n !== 0);
}
