import { allowanceReport as computeAllowance, type AllowanceExcluded, type AllowanceExclusion, type AllowanceRow } from '../../domain/certification/annual.ts';
import type { AssessmentGrade } from '../../domain/certification/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import { regionPath } from '../../domain/regions/regions.ts';
import { actRefusal, inScope, scopeOf } from '../admin/scope.ts';
import type { AllowanceStore } from '../ports/allowance.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { CertificationDeps } from './deps.ts';
import type { Result } from './runCommand.ts';

export type ReportLang = 'zh-CN' | 'en';

export interface AllowanceReport {
  year: number;
  lang: ReportLang;
  /** Why the report pays nobody, in `lang`; null when it pays someone. */
  notice: { code: 'noCertificates' | 'noneEligible'; message: string } | null;
  rows: { certificateNumber: string; holder: string; nameMasked: boolean; level: string; levelName: string; regionCode: string; regionName: string; grade: string; gradeName: string; amountYuan: number }[];
  excluded: { certificateNumber: string; holder: string; nameMasked: boolean; level: string; levelName: string; regionCode: string; regionName: string; code: AllowanceExclusion; reason: string }[];
  totals: { holders: number; amountYuan: number; byLevel: { policyId: string; level: string; holders: number; amountYuan: number }[] };
  /** How many rows each list has in full; `rows` and `excluded` hold only the first `limit` of them when one was asked. */
  counts: { rows: number; excluded: number };
}

/** One sheet of the file (a CSV section, an .xlsx worksheet): headers and values already in the report's language. */
export interface ReportSheet {
  name: string;
  headers: string[];
  rows: (string | number)[][];
  /** A line under the rows (the total), or null. */
  footer: string | null;
}

/** The calendar year before today's, China time: the allowance is paid for a year that is over. */
export function lastYear(now: Date): number {
  return Number(chinaDate(now).slice(0, 4)) - 1;
}

/**
 * The yearly 红领津贴 report for an admin's region and levels: holders assessed 称职 or better with a certificate in
 * good standing, the amount per level from the policy, and everyone left out with the reason, in `lang`. Full
 * names only on certificates the admin's tier manages (the committee that pays them); masked everywhere else.
 * With `limit` (the console's preview), every figure is of the whole report but only the first `limit` rows of each
 * list are named and returned: a province's report has tens of thousands.
 */
export async function allowanceReport(deps: CertificationDeps, admin: AdminRecord, year: number, lang: ReportLang, limit?: number): Promise<Result<AllowanceReport>> {
  const report = deps.allowance ? await keptReport(deps.allowance, deps, admin, year, limit) : await computedReport(deps, admin, year, limit);
  const mayPay = (number: string) => {
    const c = report.subjects.get(number);
    return c !== undefined && actRefusal(deps.policies, admin, c, 'certificates') === null;
  };
  const workerIds = [...new Set([...report.rows, ...report.excluded].map((r) => r.workerId))];
  const names = new Map((await deps.workers.summaries(workerIds)).map((s) => [s.id, s.name]));
  const t = (key: string, params?: Record<string, unknown>) => deps.translator.t(lang, `allowanceReport:${key}`, params);
  const holderOf = (workerId: string, number: string) => {
    const name = names.get(workerId);
    const full = mayPay(number);
    return { holder: name === undefined ? '—' : full ? name : maskName(name), nameMasked: !full };
  };
  const levelName = (policyId: string, level: string) => {
    const policy = deps.policies.get(policyId);
    return (policy && deps.policies.level(policy, level)?.name[lang]) ?? level;
  };
  const regionName = (code: string) => regionPath(deps.regions, code).map((n) => n.name[lang]).join(lang === 'en' ? ', ' : '') || code;
  const gradeName = (g: AssessmentGrade) => t(`grades.${g}`);

  const rows = report.rows.map((r) => {
    const regionCode = report.subjects.get(r.certificateNumber)?.regionCode ?? '';
    return { certificateNumber: r.certificateNumber, ...holderOf(r.workerId, r.certificateNumber), level: r.level, levelName: levelName(r.policyId, r.level), regionCode, regionName: regionName(regionCode), grade: r.grade, gradeName: gradeName(r.grade), amountYuan: r.amountYuan };
  });
  const excluded = report.excluded.map((e) => {
    const regionCode = report.subjects.get(e.certificateNumber)?.regionCode ?? '';
    const reason = t(`excluded.${e.code}`, { year, policy: e.policyId, level: e.level, date: e.facts.date, certificate: e.facts.certificate, grade: e.facts.grade ? gradeName(e.facts.grade) : undefined });
    return { certificateNumber: e.certificateNumber, ...holderOf(e.workerId, e.certificateNumber), level: e.level, levelName: levelName(e.policyId, e.level), regionCode, regionName: regionName(regionCode), code: e.code, reason };
  });
  const notice: AllowanceReport['notice'] =
    rows.length > 0
      ? null
      : excluded.length === 0
        ? { code: 'noCertificates', message: t('empty.noCertificates', { year }) }
        : { code: 'noneEligible', message: t('empty.noneEligible', { year, holders: await report.excludedHolders() }) };
  return { ok: true, value: { year, lang, notice, rows, excluded, totals: report.totals, counts: report.counts } };
}

/** The report's figures and its first rows, before names and words: from the kept entries or computed. */
interface ReportFigures {
  rows: AllowanceRow[];
  excluded: AllowanceExcluded[];
  totals: AllowanceReport['totals'];
  counts: AllowanceReport['counts'];
  /** Each listed certificate's policy, level and region (who may pay it, where it is). */
  subjects: Map<string, { policyId: string; level: string; regionCode: string }>;
  /** Distinct workers among all excluded rows (asked only when nobody is paid). */
  excludedHolders: () => Promise<number>;
}

/** From the entries kept on write: the totals from their counters, one page of each list by index. */
async function keptReport(store: AllowanceStore, deps: CertificationDeps, admin: AdminRecord, year: number, limit?: number): Promise<ReportFigures> {
  const scope = scopeOf(admin);
  const [paid, excluded, totals] = await Promise.all([store.list(scope, year, 'paid', limit), store.list(scope, year, 'excluded', limit), store.totals(scope, year)]);
  const rank = (policyId: string, level: string) => deps.policies.get(policyId)?.levels.findIndex((l) => l.id === level) ?? -1;
  const byLevel = [...totals.byLevel].sort((a, b) => (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : rank(a.policyId, a.level) - rank(b.policyId, b.level)));
  return {
    rows: paid.map((e) => e.row as AllowanceRow),
    excluded: excluded.map((e) => e.row as AllowanceExcluded),
    totals: { holders: totals.rows, amountYuan: byLevel.reduce((n, t) => n + t.amountYuan, 0), byLevel },
    counts: { rows: totals.rows, excluded: totals.excluded },
    subjects: new Map([...paid, ...excluded].map((e) => [e.row.certificateNumber, { policyId: e.row.policyId, level: e.row.level, regionCode: e.regionCode }])),
    excludedHolders: async () => totals.excludedHolders ?? (await store.excludedWorkers(scope, year)),
  };
}

/**
 * Computed from the records (stores that keep no entries, as the in-memory ones of the unit tests): the year's
 * holders in scope, every certificate those workers hold (one allowance per worker, wherever the other is), and
 * their records of the year; then only the rows of the scope's certificates.
 */
async function computedReport(deps: CertificationDeps, admin: AdminRecord, year: number, limit?: number): Promise<ReportFigures> {
  const scope = scopeOf(admin);
  // Only the year's holders, and only their records: both reads are index ranges or keys, not the whole collections.
  const certificates = (await deps.certificates.listForRegion(scope.regionPrefix, year)).filter((c) => inScope(scope, c));
  const workerIds = [...new Set(certificates.map((c) => c.workerId))];
  const held = (await Promise.all(workerIds.map((w) => deps.certificates.listByWorker(w)))).flat();
  const numbers = new Set(held.map((c) => c.number));
  const records = certificates.length ? (await deps.annual.listForYear(year, workerIds)).filter((r) => numbers.has(r.certificateNumber)) : [];
  const all = computeAllowance((id) => deps.policies.get(id) ?? undefined, held, records, year);
  const mine = new Set(certificates.map((c) => c.number));
  const rows = all.rows.filter((r) => mine.has(r.certificateNumber));
  const excluded = all.excluded.filter((e) => mine.has(e.certificateNumber));
  const byLevel: AllowanceReport['totals']['byLevel'] = [];
  for (const r of rows) {
    const t = byLevel.find((x) => x.policyId === r.policyId && x.level === r.level) ?? byLevel[byLevel.push({ policyId: r.policyId, level: r.level, holders: 0, amountYuan: 0 }) - 1]!;
    t.holders += 1;
    t.amountYuan += r.amountYuan;
  }
  return {
    rows: limit === undefined ? rows : rows.slice(0, limit),
    excluded: limit === undefined ? excluded : excluded.slice(0, limit),
    totals: { holders: rows.length, amountYuan: rows.reduce((n, r) => n + r.amountYuan, 0), byLevel },
    counts: { rows: rows.length, excluded: excluded.length },
    subjects: new Map(certificates.map((c) => [c.number, c])),
    excludedHolders: async () => new Set(excluded.map((e) => e.workerId)).size,
  };
}

/** The report as the two sheets of its file: who is paid (with the total, or the notice why nobody is), who is not. */
export function allowanceSheets(deps: Pick<CertificationDeps, 'translator'>, report: AllowanceReport): ReportSheet[] {
  const t = (key: string, params?: Record<string, unknown>) => deps.translator.t(report.lang, `allowanceReport:${key}`, params);
  const h = (keys: string[]) => keys.map((k) => t(`headers.${k}`));
  return [
    {
      name: t('sheets.paid'),
      headers: h(['certificateNumber', 'holder', 'level', 'region', 'grade', 'amountYuan']),
      rows: report.rows.map((r) => [r.certificateNumber, r.holder, r.levelName, r.regionName, r.gradeName, r.amountYuan]),
      footer: report.notice ? report.notice.message : t('total', { holders: report.totals.holders, amountYuan: report.totals.amountYuan }),
    },
    {
      name: t('sheets.excluded'),
      headers: h(['certificateNumber', 'holder', 'level', 'region', 'reason']),
      rows: report.excluded.map((e) => [e.certificateNumber, e.holder, e.levelName, e.regionName, e.reason]),
      footer: null,
    },
  ];
}
