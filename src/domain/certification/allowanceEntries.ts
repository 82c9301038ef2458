import { counterPrefixes, type CounterKey } from '../dashboard/counterKeys.ts';
import { allowanceReport, type AllowanceExcluded, type AllowanceRow, type PolicyLookup } from './annual.ts';
import type { AnnualRecord, Certificate } from './types.ts';

/**
 * The 红领津贴 report kept up on write: one entry per (year, certificate held that year) saying whether it is paid
 * and how much, or why not. A worker's entries are recomputed from all of their certificates and records whenever
 * one of them changes, so the one-allowance-per-worker rule looks at every certificate the worker holds, not only
 * those in the reading admin's region (two committees must not both pay the same person).
 */
export type AllowanceEntry =
  | { year: number; regionCode: string; rank: number; kind: 'paid'; row: AllowanceRow }
  | { year: number; regionCode: string; rank: number; kind: 'excluded'; row: AllowanceExcluded };

/** The calendar years a certificate's validity touches (an allowance is reported for each). */
export function yearsHeld(c: Pick<Certificate, 'issuedOn' | 'validUntil'>): number[] {
  const years: number[] = [];
  for (let y = Number(c.issuedOn.slice(0, 4)); y <= Number(c.validUntil.slice(0, 4)); y++) years.push(y);
  return years;
}

/**
 * One worker's entries for every year any of their certificates is held, from all of their certificates and annual
 * records. `rank` orders a year's paid rows as the report lists them (the level's place in its policy); excluded
 * entries rank 0 (they are listed by policy and number).
 */
export function allowanceEntriesOf(policies: PolicyLookup, certificates: readonly Certificate[], records: readonly AnnualRecord[]): AllowanceEntry[] {
  const lookup = typeof policies === 'function' ? policies : (id: string) => policies.find((p) => p.id === id);
  const years = [...new Set(certificates.flatMap(yearsHeld))].sort((a, b) => a - b);
  const regionOf = new Map(certificates.map((c) => [c.number, c.regionCode]));
  const entries: AllowanceEntry[] = [];
  for (const year of years) {
    const report = allowanceReport(policies, certificates, records, year);
    for (const row of report.rows) {
      const rank = lookup(row.policyId)?.levels.findIndex((l) => l.id === row.level) ?? 0;
      entries.push({ year, regionCode: regionOf.get(row.certificateNumber)!, rank, kind: 'paid', row });
    }
    for (const row of report.excluded) entries.push({ year, regionCode: regionOf.get(row.certificateNumber)!, rank: 0, kind: 'excluded', row });
  }
  return entries;
}

/**
 * The counters a worker's entries stand for, on every region prefix of each certificate's region, `day` the year:
 * paid rows by `policy|amount` (so totals need no entry read), excluded rows by policy, and the worker once per
 * prefix and year where they have an excluded row (the "none of the N holders qualifies" notice counts people).
 */
export function allowanceKeys(entries: readonly AllowanceEntry[]): CounterKey[] {
  const keys: CounterKey[] = [];
  const excludedAt = new Set<string>();
  for (const e of entries) {
    const day = String(e.year);
    for (const prefix of counterPrefixes(e.regionCode)) {
      if (e.kind === 'paid') keys.push({ kind: 'allowancePaid', prefix, level: e.row.level, key: `${e.row.policyId}|${e.row.amountYuan}`, day });
      else {
        keys.push({ kind: 'allowanceExcluded', prefix, level: e.row.level, key: e.row.policyId, day });
        excludedAt.add(`${prefix}|${day}`);
      }
    }
  }
  for (const at of excludedAt) {
    const [prefix, day] = at.split('|') as [string, string];
    keys.push({ kind: 'allowanceHolders', prefix, level: '', key: '', day });
  }
  return keys;
}
