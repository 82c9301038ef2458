import { inspectionOutcome } from '../../domain/certification/annual.ts';
import type { AnnualRecord, AssessmentGrade, Certificate, CertificateStatus } from '../../domain/certification/types.ts';
import { actRefusal, inScope, scopeOf } from '../admin/scope.ts';
import type { AdminRecord } from '../ports/certification.ts';
import type { CertificationDeps } from './deps.ts';
import { notifyCertificateChange, type CertificateChange } from './notifyCertificateChange.ts';
import type { Result, ServiceError } from './runCommand.ts';

/** What the holder is told when a 年检 changes the status (it never makes a certificate expired). */
const INSPECTION_CHANGE: Record<CertificateStatus, CertificateChange> = {
  suspended: 'inspectionSuspended',
  revoked: 'inspectionRevoked',
  valid: 'restored',
  expired: 'expired',
};

/** The certificate, if it is in the admin's scope and their tier manages its level (年检 and 考核 are acts). */
async function certificateToActOn(deps: CertificationDeps, admin: AdminRecord, number: string): Promise<{ cert: Certificate } | { error: ServiceError }> {
  const cert = await deps.certificates.get(number);
  if (!cert) return { error: { status: 404, code: 'notFound', message: `no certificate ${number}` } };
  if (!inScope(scopeOf(admin), cert)) return { error: { status: 403, code: 'outOfScope', message: `certificate ${number} is outside your region or levels` } };
  const refused = actRefusal(deps.policies, admin, cert, 'certificates');
  return refused ? { error: refused } : { cert };
}

/** 年检: recorded per holder and year; a failed inspection suspends or revokes the certificate (per policy). */
export async function recordInspection(deps: CertificationDeps, admin: AdminRecord, number: string, input: { year: number; passed: boolean; note?: string }): Promise<Result<AnnualRecord>> {
  const found = await certificateToActOn(deps, admin, number);
  if ('error' in found) return { ok: false, error: found.error };
  const { cert } = found;
  const policy = deps.policies.get(cert.policyId);
  if (!policy) return { ok: false, error: { status: 500, code: 'policyMissing', message: `policy ${cert.policyId} is not loaded` } };
  const now = deps.clock.now();
  const actor = { kind: 'admin' as const, id: admin.id, name: admin.name };
  const outcome = inspectionOutcome(policy, cert, input.passed, actor, now, input.note);
  if (!outcome.ok) return { ok: false, error: { status: outcome.error.code === 'invalid' ? 400 : 422, code: outcome.error.code, message: outcome.error.message } };
  // The record first, then the certificate: a retry after a crash records the same result and re-applies the
  // same status (setStatus to the status it already has is harmless).
  const record = await deps.annual.recordInspection(cert.workerId, cert.number, input.year, {
    passed: input.passed,
    ...(input.note ? { note: input.note } : {}),
    recordedAt: now.toISOString(),
    by: actor,
  });
  if (outcome.changed) {
    const last = outcome.certificate.statusHistory.at(-1)!;
    const updated = await deps.certificates.setStatus(cert.number, outcome.certificate.status, last.reason, actor, now);
    await notifyCertificateChange(deps, updated ?? outcome.certificate, INSPECTION_CHANGE[outcome.certificate.status], input.note);
  }
  return { ok: true, value: record };
}

/** 年度考核: 优秀 / 称职 / 基本称职 / 不称职, one per holder and year (a later entry replaces an earlier one). */
export async function recordAssessment(deps: CertificationDeps, admin: AdminRecord, number: string, input: { year: number; grade: AssessmentGrade; note?: string }): Promise<Result<AnnualRecord>> {
  const found = await certificateToActOn(deps, admin, number);
  if ('error' in found) return { ok: false, error: found.error };
  const record = await deps.annual.recordAssessment(found.cert.workerId, found.cert.number, input.year, {
    grade: input.grade,
    ...(input.note ? { note: input.note } : {}),
    recordedAt: deps.clock.now().toISOString(),
    by: { kind: 'admin', id: admin.id, name: admin.name },
  });
  return { ok: true, value: record };
}
