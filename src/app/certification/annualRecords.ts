import { correctedInspectionOutcome, effectiveStatus, inspectionOutcome } from '../../domain/certification/annual.ts';
import type { AnnualRecord, AssessmentGrade, Certificate, CertificateStatus } from '../../domain/certification/types.ts';
import { chinaDate } from '../../domain/dates/parseDate.ts';
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

/** A 年检 or 考核 of a year that has not begun (China time) is a typo, not a record: refused before anything. */
function futureYear(deps: CertificationDeps, year: number): ServiceError | null {
  const thisYear = Number(chinaDate(deps.clock.now()).slice(0, 4));
  if (year <= thisYear) return null;
  return { status: 400, code: 'futureYear', message: `year ${year} is in the future (it is ${thisYear} in China); 年检 and 考核 are recorded for ${thisYear} or earlier`, params: { year, thisYear } };
}

/**
 * A 年检 or 考核 already recorded for (certificate, year) with another result: 409 naming the correction route, which
 * asks for a reason and keeps what the record said before (recording again used to overwrite it without a trace).
 * The same result again is a retry (after a lost answer or a crash between the record and the status) and goes on.
 */
async function recordedOtherwise<P extends 'inspection' | 'assessment'>(
  deps: CertificationDeps,
  cert: Certificate,
  year: number,
  part: P,
  same: (entry: NonNullable<AnnualRecord[P]>) => boolean,
): Promise<ServiceError | null> {
  const existing = await deps.annual.get(cert.workerId, year);
  const entry = existing && existing.certificateNumber === cert.number ? existing[part] : null;
  if (!entry || same(entry as NonNullable<AnnualRecord[P]>)) return null;
  const route = part === 'inspection' ? 'inspections' : 'assessments';
  return {
    status: 409,
    code: 'alreadyRecorded',
    message: `the ${year} ${part} of certificate ${cert.number} is already recorded with another result; to change it, correct it with a reason: POST /admin/api/certificates/${cert.number}/${route}/${year}/correction`,
    params: { year, part },
  };
}

const actorOf = (admin: AdminRecord) => ({ kind: 'admin' as const, id: admin.id, name: admin.name });

/** 年检: recorded per holder and year; a failed inspection suspends or revokes the certificate (per policy). */
export async function recordInspection(deps: CertificationDeps, admin: AdminRecord, number: string, input: { year: number; passed: boolean; note?: string }): Promise<Result<AnnualRecord>> {
  const future = futureYear(deps, input.year);
  if (future) return { ok: false, error: future };
  const found = await certificateToActOn(deps, admin, number);
  if ('error' in found) return { ok: false, error: found.error };
  const { cert } = found;
  const conflict = await recordedOtherwise(deps, cert, input.year, 'inspection', (e) => e.passed === input.passed && (e.note ?? '') === (input.note ?? ''));
  if (conflict) return { ok: false, error: conflict };
  const policy = deps.policies.get(cert.policyId);
  if (!policy) return { ok: false, error: { status: 500, code: 'policyMissing', message: `policy ${cert.policyId} is not loaded` } };
  const now = deps.clock.now();
  const actor = { kind: 'admin' as const, id: admin.id, name: admin.name };
  const outcome = inspectionOutcome(policy, cert, input.passed, actor, now, input.note);
  if (!outcome.ok) {
    const params = outcome.error.code === 'closed' ? { params: { status: effectiveStatus(cert, chinaDate(now)), validUntil: cert.validUntil } } : {};
    return { ok: false, error: { status: outcome.error.code === 'invalid' ? 400 : 422, code: outcome.error.code, message: outcome.error.message, ...params } };
  }
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

/** 年度考核: 优秀 / 称职 / 基本称职 / 不称职, one per holder and year (changed later only by a correction). */
export async function recordAssessment(deps: CertificationDeps, admin: AdminRecord, number: string, input: { year: number; grade: AssessmentGrade; note?: string }): Promise<Result<AnnualRecord>> {
  const future = futureYear(deps, input.year);
  if (future) return { ok: false, error: future };
  const found = await certificateToActOn(deps, admin, number);
  if ('error' in found) return { ok: false, error: found.error };
  const conflict = await recordedOtherwise(deps, found.cert, input.year, 'assessment', (e) => e.grade === input.grade && (e.note ?? '') === (input.note ?? ''));
  if (conflict) return { ok: false, error: conflict };
  const record = await deps.annual.recordAssessment(found.cert.workerId, found.cert.number, input.year, {
    grade: input.grade,
    ...(input.note ? { note: input.note } : {}),
    recordedAt: deps.clock.now().toISOString(),
    by: actorOf(admin),
  });
  return { ok: true, value: record };
}

/** The recorded entry of `part` for (certificate, year), to correct; 404 naming the route to record it instead. */
async function recorded(deps: CertificationDeps, cert: Certificate, year: number, part: 'inspection' | 'assessment'): Promise<{ record: AnnualRecord } | { error: ServiceError }> {
  const record = await deps.annual.get(cert.workerId, year);
  if (!record || record.certificateNumber !== cert.number || !record[part]) {
    const route = part === 'inspection' ? 'inspections' : 'assessments';
    return { error: { status: 404, code: 'notRecorded', message: `no ${year} ${part} of certificate ${cert.number} is recorded, so there is nothing to correct; record it with POST /admin/api/certificates/${cert.number}/${route}` } };
  }
  return { record };
}

/**
 * A mistaken 年检 corrected by the managing tier, with a reason: the record keeps what it said before, and the
 * certificate gets the status the corrected result gives (restored when the mistake suspended or revoked it,
 * see correctedInspectionOutcome), with the correction in its status history.
 */
export async function correctInspection(
  deps: CertificationDeps,
  admin: AdminRecord,
  number: string,
  year: number,
  input: { passed: boolean; reason: string },
): Promise<Result<{ record: AnnualRecord; certificate: Certificate; restored: 'suspended' | 'revoked' | null }>> {
  const future = futureYear(deps, year);
  if (future) return { ok: false, error: future };
  const found = await certificateToActOn(deps, admin, number);
  if ('error' in found) return { ok: false, error: found.error };
  const { cert } = found;
  const existing = await recorded(deps, cert, year, 'inspection');
  if ('error' in existing) return { ok: false, error: existing.error };
  const policy = deps.policies.get(cert.policyId);
  if (!policy) return { ok: false, error: { status: 500, code: 'policyMissing', message: `policy ${cert.policyId} is not loaded` } };
  const mistaken = existing.record.inspection!;
  const now = deps.clock.now();
  const actor = actorOf(admin);
  const outcome = correctedInspectionOutcome(policy, cert, mistaken, input.passed, actor, now, input.reason);
  if (!outcome.ok) return { ok: false, error: { status: outcome.error.code === 'invalid' ? 400 : 422, code: outcome.error.code, message: outcome.error.message } };
  const { corrections = [], ...previous } = mistaken;
  const record = await deps.annual.recordInspection(cert.workerId, cert.number, year, {
    passed: input.passed,
    recordedAt: now.toISOString(),
    by: actor,
    corrections: [...corrections, { at: now.toISOString(), by: actor, reason: input.reason.trim(), previous }],
  });
  // Always written, unchanged status included: the certificate's archive shows every correction.
  const last = outcome.certificate.statusHistory.at(-1)!;
  const certificate = (await deps.certificates.setStatus(cert.number, outcome.certificate.status, last.reason, actor, now)) ?? outcome.certificate;
  // The holder hears of a change the correction made (restored, or suspended or revoked by a corrected failure).
  if (certificate.status !== cert.status) await notifyCertificateChange(deps, certificate, INSPECTION_CHANGE[certificate.status], input.reason.trim());
  return { ok: true, value: { record, certificate, restored: outcome.restored } };
}

/** A mistaken 考核 grade corrected by the managing tier, with a reason; the record keeps the grade it replaced. */
export async function correctAssessment(
  deps: CertificationDeps,
  admin: AdminRecord,
  number: string,
  year: number,
  input: { grade: AssessmentGrade; reason: string },
): Promise<Result<{ record: AnnualRecord }>> {
  const future = futureYear(deps, year);
  if (future) return { ok: false, error: future };
  const found = await certificateToActOn(deps, admin, number);
  if ('error' in found) return { ok: false, error: found.error };
  const existing = await recorded(deps, found.cert, year, 'assessment');
  if ('error' in existing) return { ok: false, error: existing.error };
  const reason = input.reason.trim();
  if (!reason) return { ok: false, error: { status: 400, code: 'invalid', message: 'a correction needs a reason' } };
  const { corrections = [], ...previous } = existing.record.assessment!;
  if (previous.grade === input.grade) return { ok: false, error: { status: 400, code: 'invalid', message: `the assessment already records ${input.grade}; there is nothing to correct` } };
  const now = deps.clock.now();
  const actor = actorOf(admin);
  const record = await deps.annual.recordAssessment(found.cert.workerId, found.cert.number, year, {
    grade: input.grade,
    recordedAt: now.toISOString(),
    by: actor,
    corrections: [...corrections, { at: now.toISOString(), by: actor, reason, previous }],
  });
  return { ok: true, value: { record } };
}
