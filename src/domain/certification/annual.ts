/**
 * Pure rules after certification (docs/domain.md "After certification", 动态管理): what a 年检 does to a
 * certificate, a certificate's status on a given day, and who is paid the yearly 红领津贴.
 *
 * Decisions where the domain is silent:
 *  - A passed inspection keeps a valid certificate valid, and lifts a suspension that a failed inspection caused
 *    (policy onFail 'suspend': "the certificate and the allowance stop until the holder passes again"). A
 *    suspension for another reason is left for an admin to lift.
 *  - A failed inspection of an already suspended certificate: stays suspended ('suspend'), revoked ('revoke').
 *  - Revoked and expired certificates are not inspected.
 *  - Every inspection adds a status-history entry, even when the status does not change, so the archive shows it.
 *  - A mistaken inspection is corrected (correctedInspectionOutcome), never deleted. Corrected to passed, it
 *    restores the certificate when the mistake itself suspended or revoked it — the one way out of a revocation:
 *    the certificate's last status entry is that inspection's failure (same time as the record). Any other
 *    suspension or revocation stays. Corrected to failed, it has the consequence a failure has. Either way the
 *    status history shows the correction and its reason.
 *  - Allowance for year Y: the certificate must have been issued by 31 December Y and be valid on that day
 *    (neither suspended, revoked nor expired at the end of the year, as its status history shows it; a certificate
 *    that expired or was suspended during the year is not paid); the annual record of that certificate for Y must
 *    grade the holder 'competent' or 'excellent' (称职 or better) and must not record a failed inspection. A missing
 *    inspection does not block the payment (a failure shows in the certificate's status); a missing assessment does.
 *  - One allowance per worker and year: a worker holding several qualifying certificates is paid for the one with
 *    the highest allowance; the others are listed as excluded.
 *  - A level whose allowanceYuan is 0 pays nothing and is listed as excluded.
 *  - Certificates not held during the year at all (issued after it, expired before it) are not in the report.
 */
import type { Level, Policy } from '../policy/schema.ts';
import { chinaDate, splitYmd } from '../dates/parseDate.ts';
import type { Actor, AnnualRecord, AssessmentGrade, Certificate, CertificateStatus, LevelId } from './types.ts';

// ---- annual inspection ------------------------------------------------------------------------------------------

/** The reason written for a failed inspection; a later pass lifts a suspension that starts with it. */
export const INSPECTION_FAILED_REASON = 'annual inspection failed';
export const INSPECTION_PASSED_REASON = 'annual inspection passed';

export type InspectionResult =
  | {
      ok: true;
      /** A new certificate object with the new status and one more status-history entry. */
      certificate: Certificate;
      /** Whether the status changed (for the repository's setStatus and for telling the holder). */
      changed: boolean;
    }
  | { ok: false; error: { code: 'closed' | 'forbiddenActor' | 'invalid'; message: string } };

/**
 * The outcome of a 年检 on a certificate. `at` is when it is recorded; `note` is appended to the reason.
 * The input certificate is not modified.
 */
export function inspectionOutcome(policy: Policy, cert: Certificate, passed: boolean, actor: Actor, at: Date, note?: string): InspectionResult {
  if (Number.isNaN(at.getTime())) throw new TypeError('at must be a valid Date');
  if (actor.kind !== 'admin') return { ok: false, error: { code: 'forbiddenActor', message: `an annual inspection is recorded by an admin, not by a ${actor.kind}` } };
  if (cert.policyId !== policy.id) return { ok: false, error: { code: 'invalid', message: `certificate ${cert.number} follows policy ${cert.policyId}, not ${policy.id}` } };
  const today = chinaDate(at);
  const current = effectiveStatus(cert, today);
  if (current === 'revoked' || current === 'expired') {
    return { ok: false, error: { code: 'closed', message: `certificate ${cert.number} is ${current}${current === 'expired' ? ` since ${cert.validUntil}` : ''}; it is not inspected` } };
  }

  let status: CertificateStatus;
  let reason: string;
  if (passed) {
    const lastEntry = cert.statusHistory.at(-1);
    const suspendedByInspection = current === 'suspended' && lastEntry?.status === 'suspended' && lastEntry.reason.startsWith(INSPECTION_FAILED_REASON);
    if (current === 'suspended' && !suspendedByInspection) {
      status = 'suspended';
      reason = `${INSPECTION_PASSED_REASON}; the suspension was not caused by an inspection and stays`;
    } else {
      status = 'valid';
      reason = suspendedByInspection ? `${INSPECTION_PASSED_REASON}; suspension lifted` : INSPECTION_PASSED_REASON;
    }
  } else {
    status = policy.annualInspection.onFail === 'revoke' ? 'revoked' : 'suspended';
    reason = INSPECTION_FAILED_REASON;
  }
  const trimmed = note?.trim();
  if (trimmed) reason = `${reason}: ${trimmed}`;

  const certificate: Certificate = {
    ...cert,
    status,
    statusHistory: [...cert.statusHistory, { at: at.toISOString(), status, reason, actor }],
  };
  return { ok: true, certificate, changed: status !== cert.status };
}

// ---- correcting a mistaken inspection ---------------------------------------------------------------------------

export const INSPECTION_CORRECTED_REASON = 'annual inspection corrected';

export type CorrectionResult =
  | {
      ok: true;
      certificate: Certificate;
      changed: boolean;
      /** The status the mistake had set and the correction lifted ('suspended' or 'revoked'), else null. */
      restored: 'suspended' | 'revoked' | null;
    }
  | { ok: false; error: { code: 'forbiddenActor' | 'invalid'; message: string } };

/**
 * The restore path: the certificate after the 年检 recorded as `mistaken` (its result and when it was recorded) is
 * corrected to `passed`, for `reason`, at `at`. See the decisions at the top of this file. The input is not modified.
 */
export function correctedInspectionOutcome(
  policy: Policy,
  cert: Certificate,
  mistaken: { passed: boolean; recordedAt: string },
  passed: boolean,
  actor: Actor,
  at: Date,
  reason: string,
): CorrectionResult {
  if (Number.isNaN(at.getTime())) throw new TypeError('at must be a valid Date');
  if (actor.kind !== 'admin') return { ok: false, error: { code: 'forbiddenActor', message: `an inspection is corrected by an admin, not by a ${actor.kind}` } };
  if (cert.policyId !== policy.id) return { ok: false, error: { code: 'invalid', message: `certificate ${cert.number} follows policy ${cert.policyId}, not ${policy.id}` } };
  const why = reason.trim();
  if (!why) return { ok: false, error: { code: 'invalid', message: 'a correction needs a reason' } };
  if (mistaken.passed === passed) return { ok: false, error: { code: 'invalid', message: `the inspection already records ${passed ? 'passed' : 'failed'}; there is nothing to correct` } };

  let status: CertificateStatus = cert.status;
  let restored: 'suspended' | 'revoked' | null = null;
  let text: string;
  if (passed) {
    const entries = cert.statusHistory;
    const last = entries.at(-1);
    const causedByMistake =
      last !== undefined &&
      (last.status === 'suspended' || last.status === 'revoked') &&
      cert.status === last.status &&
      last.reason.startsWith(INSPECTION_FAILED_REASON) &&
      Date.parse(last.at) === Date.parse(mistaken.recordedAt);
    if (causedByMistake) {
      restored = last.status as 'suspended' | 'revoked';
      status = entries.at(-2)?.status ?? 'valid';
      text = `${INSPECTION_CORRECTED_REASON} to passed; ${restored === 'revoked' ? 'revocation' : 'suspension'} lifted`;
    } else {
      text = `${INSPECTION_CORRECTED_REASON} to passed${cert.status === 'valid' ? '' : `; the certificate stays ${cert.status}: the inspection did not cause it`}`;
    }
  } else {
    const current = effectiveStatus(cert, chinaDate(at));
    if (current === 'valid' || current === 'suspended') {
      status = policy.annualInspection.onFail === 'revoke' ? 'revoked' : 'suspended';
      // Starts with the failure reason, so a later pass lifts the suspension as after any failed inspection.
      text = `${INSPECTION_FAILED_REASON} (${INSPECTION_CORRECTED_REASON})`;
    } else {
      text = `${INSPECTION_CORRECTED_REASON} to failed; the certificate is ${current} already`;
    }
  }
  const certificate: Certificate = {
    ...cert,
    status,
    statusHistory: [...cert.statusHistory, { at: at.toISOString(), status, reason: `${text}: ${why}`, actor }],
  };
  return { ok: true, certificate, changed: status !== cert.status, restored };
}

// ---- status on a day --------------------------------------------------------------------------------------------

/**
 * The status to act on today ('YYYY-MM-DD', China date): 'expired' once today is after validUntil, unless the
 * certificate is revoked (revocation is final and says more).
 */
export function effectiveStatus(cert: Certificate, today: string): CertificateStatus {
  requireDate(today, 'today');
  if (cert.status === 'revoked') return 'revoked';
  if (today > cert.validUntil) return 'expired';
  return cert.status;
}

/**
 * The status at the end of `date` ('YYYY-MM-DD', China date), from the status history; null when the
 * certificate was not issued yet. Expiry and revocation as in effectiveStatus.
 */
export function statusOn(cert: Certificate, date: string): CertificateStatus | null {
  requireDate(date, 'date');
  if (cert.issuedOn > date) return null;
  let status: CertificateStatus = 'valid';
  for (const entry of cert.statusHistory) {
    if (chinaDate(new Date(entry.at)) <= date) status = entry.status;
  }
  if (status === 'revoked') return 'revoked';
  if (date > cert.validUntil) return 'expired';
  return status;
}

// ---- allowance --------------------------------------------------------------------------------------------------

export const ALLOWANCE_GRADES: readonly AssessmentGrade[] = ['excellent', 'competent'];

export interface AllowanceRow {
  workerId: string;
  certificateNumber: string;
  policyId: string;
  level: LevelId;
  grade: AssessmentGrade;
  amountYuan: number;
  /** English, for the report: why the holder is paid. */
  reason: string;
}

export type AllowanceExclusion =
  | 'unknownPolicy'
  | 'unknownLevel'
  | 'suspended'
  | 'revoked'
  | 'expired'
  | 'inspectionFailed'
  | 'notAssessed'
  | 'gradeTooLow'
  | 'noAllowanceForLevel'
  | 'paidForAnotherCertificate';

export interface AllowanceExcluded {
  workerId: string;
  certificateNumber: string;
  policyId: string;
  level: LevelId;
  code: AllowanceExclusion;
  /** English, specific. */
  reason: string;
  /** The facts the reason names, for a report in another language: the day, the grade, the certificate paid instead. */
  facts: { date?: string; grade?: AssessmentGrade; certificate?: string };
}

export interface AllowanceReport {
  year: number;
  /** Holders paid, ordered by policy, level (as the policy lists them) and certificate number. */
  rows: AllowanceRow[];
  /** Holders during the year who are not paid, and why (so nobody is left out silently). */
  excluded: AllowanceExcluded[];
  totals: {
    holders: number;
    amountYuan: number;
    byLevel: { policyId: string; level: LevelId; holders: number; amountYuan: number }[];
  };
}

export type PolicyLookup = readonly Policy[] | ((policyId: string) => Policy | undefined);

/** Who is paid the 红领津贴 for `year`, how much, and the totals. See the decisions at the top of this file. */
export function allowanceReport(policies: PolicyLookup, certificates: readonly Certificate[], annualRecords: readonly AnnualRecord[], year: number): AllowanceReport {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`year must be a 4-digit year, got ${year}`);
  const lookup = typeof policies === 'function' ? policies : (id: string) => policies.find((p) => p.id === id);
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year}-12-31`;

  const records = new Map<string, AnnualRecord>();
  for (const r of annualRecords) {
    if (r.year === year) records.set(`${r.workerId}\u0000${r.certificateNumber}`, r);
  }

  const excluded: AllowanceExcluded[] = [];
  const candidates: { row: AllowanceRow; levelIndex: number }[] = [];
  for (const cert of certificates) {
    // Not a holder during the year at all.
    if (cert.issuedOn > yearEnd || cert.validUntil < yearStart) continue;
    const base = { workerId: cert.workerId, certificateNumber: cert.number, policyId: cert.policyId, level: cert.level };
    const exclude = (code: AllowanceExclusion, reason: string, facts: AllowanceExcluded['facts'] = {}) => excluded.push({ ...base, code, reason, facts });

    const policy = lookup(cert.policyId);
    if (!policy) {
      exclude('unknownPolicy', `policy ${cert.policyId} is not known`);
      continue;
    }
    const levelIndex = policy.levels.findIndex((l) => l.id === cert.level);
    const level: Level | undefined = policy.levels[levelIndex];
    if (!level) {
      exclude('unknownLevel', `policy ${policy.id} has no level ${cert.level}`);
      continue;
    }
    const record = records.get(`${cert.workerId}\u0000${cert.number}`);
    if (record?.inspection && !record.inspection.passed) {
      exclude('inspectionFailed', `failed the ${year} annual inspection`);
      continue;
    }
    const status = statusOn(cert, yearEnd);
    if (status !== 'valid') {
      exclude(status ?? 'expired', `certificate ${status === 'expired' ? `expired on ${cert.validUntil}` : `${status} on ${yearEnd}`}`, { date: status === 'expired' ? cert.validUntil : yearEnd });
      continue;
    }
    const grade = record?.assessment?.grade;
    if (!grade) {
      exclude('notAssessed', `no ${year} annual assessment recorded`);
      continue;
    }
    if (!ALLOWANCE_GRADES.includes(grade)) {
      exclude('gradeTooLow', `assessed ${grade} for ${year}; the allowance needs competent or better`, { grade });
      continue;
    }
    if (level.allowanceYuan <= 0) {
      exclude('noAllowanceForLevel', `level ${level.id} of policy ${policy.id} has no allowance`);
      continue;
    }
    candidates.push({
      levelIndex,
      row: {
        ...base,
        grade,
        amountYuan: level.allowanceYuan,
        reason: `assessed ${grade} for ${year}; certificate valid on ${yearEnd}`,
      },
    });
  }

  // One allowance per worker: the highest amount (ties: the higher level, then the later certificate number).
  const best = new Map<string, { row: AllowanceRow; levelIndex: number }>();
  for (const c of candidates) {
    const held = best.get(c.row.workerId);
    if (!held || better(c, held)) best.set(c.row.workerId, c);
  }
  const paid: { row: AllowanceRow; levelIndex: number }[] = [];
  for (const c of candidates) {
    const chosen = best.get(c.row.workerId);
    if (chosen === c) {
      paid.push(c);
    } else {
      const { workerId, certificateNumber, policyId, level } = c.row;
      const paidFor = chosen?.row.certificateNumber ?? '';
      excluded.push({ workerId, certificateNumber, policyId, level, code: 'paidForAnotherCertificate', reason: `paid for certificate ${paidFor} instead`, facts: { certificate: paidFor } });
    }
  }
  paid.sort((a, b) => cmp(a.row.policyId, b.row.policyId) || a.levelIndex - b.levelIndex || cmp(a.row.certificateNumber, b.row.certificateNumber));
  const rows = paid.map((c) => c.row);

  const byLevel: AllowanceReport['totals']['byLevel'] = [];
  for (const r of rows) {
    let t = byLevel.find((x) => x.policyId === r.policyId && x.level === r.level);
    if (!t) {
      t = { policyId: r.policyId, level: r.level, holders: 0, amountYuan: 0 };
      byLevel.push(t);
    }
    t.holders += 1;
    t.amountYuan += r.amountYuan;
  }
  excluded.sort((a, b) => cmp(a.policyId, b.policyId) || cmp(a.certificateNumber, b.certificateNumber));
  return {
    year,
    rows,
    excluded,
    totals: { holders: rows.length, amountYuan: rows.reduce((s, r) => s + r.amountYuan, 0), byLevel },
  };
}

function better(a: { row: AllowanceRow; levelIndex: number }, b: { row: AllowanceRow; levelIndex: number }): boolean {
  if (a.row.amountYuan !== b.row.amountYuan) return a.row.amountYuan > b.row.amountYuan;
  if (a.levelIndex !== b.levelIndex) return a.levelIndex > b.levelIndex;
  return a.row.certificateNumber > b.row.certificateNumber;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function requireDate(value: string, what: string): void {
  if (!splitYmd(value)) throw new RangeError(`${what} must be a real date written YYYY-MM-DD, got ${JSON.stringify(value)}`);
}
