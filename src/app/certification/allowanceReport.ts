import { allowanceReport as computeAllowance } from '../../domain/certification/annual.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import type { AdminScope } from '../admin/scope.ts';
import type { CertificationDeps } from './deps.ts';
import type { Result } from './runCommand.ts';

export interface AllowanceReport {
  year: number;
  rows: { certificateNumber: string; holder: string; level: string; regionCode: string; grade: string; amountYuan: number }[];
  excluded: { certificateNumber: string; holder: string; level: string; reason: string }[];
  totals: { holders: number; amountYuan: number; byLevel: { policyId: string; level: string; holders: number; amountYuan: number }[] };
}

/**
 * The yearly 红领津贴 report for an admin's region: holders assessed 称职 or better with a certificate in good
 * standing, the amount per level from the policy, and everyone left out with the reason. Names are masked.
 */
export async function allowanceReport(deps: CertificationDeps, scope: AdminScope, year: number): Promise<Result<AllowanceReport>> {
  const certificates = (await deps.certificates.listForRegion(scope.regionPrefix)).filter((c) => scope.levels === null || scope.levels.includes(c.level));
  const records = (await deps.annual.listForYear(year)).filter((r) => certificates.some((c) => c.number === r.certificateNumber));
  const report = computeAllowance((id) => deps.policies.get(id) ?? undefined, certificates, records, year);
  const regionOf = new Map(certificates.map((c) => [c.number, c.regionCode]));
  const names = new Map<string, string>();
  for (const workerId of new Set(certificates.map((c) => c.workerId))) {
    const w = await deps.workers.findById(workerId);
    names.set(workerId, w ? maskName(w.name) : '—');
  }
  return {
    ok: true,
    value: {
      year,
      rows: report.rows.map((r) => ({ certificateNumber: r.certificateNumber, holder: names.get(r.workerId) ?? '—', level: r.level, regionCode: regionOf.get(r.certificateNumber) ?? '', grade: r.grade, amountYuan: r.amountYuan })),
      excluded: report.excluded.map((e) => ({ certificateNumber: e.certificateNumber, holder: names.get(e.workerId) ?? '—', level: e.level, reason: e.reason })),
      totals: report.totals,
    },
  };
}
