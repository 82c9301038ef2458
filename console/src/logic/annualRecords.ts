/**
 * 年检 and 年度考核 on the certificate page: which acts to offer (the API's `allowedActions`), which years, and
 * the one API call each becomes. The API decides who may; the page only stops offering what it would refuse.
 */
import type { AdminApi } from '../api/admin.ts';
import type { CertificateDetail } from '../api/types.ts';
import { chinaDay } from './format.ts';

export type AnnualKind = 'inspection' | 'assessment';
export type AnnualMode = 'record' | 'correct';
export const GRADES = ['excellent', 'competent', 'basicallyCompetent', 'incompetent'] as const;

export interface AnnualDraft {
  kind: AnnualKind;
  mode: AnnualMode;
  year: number;
  passed: boolean;
  grade: string;
  /** The note of a new record (optional), the reason of a correction (required). */
  text: string;
}

const ACTION: Record<AnnualMode, Record<AnnualKind, string>> = {
  record: { inspection: 'recordInspection', assessment: 'recordAssessment' },
  correct: { inspection: 'correctInspection', assessment: 'correctAssessment' },
};

/** Whether the API offers this act on this certificate to this admin (nothing when it did not say). */
export function mayDo(cert: Pick<CertificateDetail, 'allowedActions'>, mode: AnnualMode, kind: AnnualKind): boolean {
  return Array.isArray(cert.allowedActions) && cert.allowedActions.includes(ACTION[mode][kind]);
}

/** The years a record can be for: from the year of issue to this China year, not past the end of validity; newest first. */
export function recordYears(cert: Pick<CertificateDetail, 'issuedOn' | 'validFrom' | 'validUntil'>, now: Date): number[] {
  const first = Number((cert.issuedOn ?? cert.validFrom ?? '').slice(0, 4));
  const thisYear = Number(chinaDay(now).slice(0, 4));
  const end = Number((cert.validUntil ?? '').slice(0, 4));
  const last = Number.isFinite(end) && end > 0 ? Math.min(thisYear, end) : thisYear;
  if (!Number.isFinite(first) || first <= 0 || first > last) return [thisYear];
  return Array.from({ length: last - first + 1 }, (_, i) => last - i);
}

/** A problem the API would refuse anyway, as an i18n key; null when the draft can be sent. */
export function annualDraftProblem(d: AnnualDraft): string | null {
  if (d.mode === 'correct' && !d.text.trim()) return 'annual.reasonRequired';
  if (d.kind === 'assessment' && !(GRADES as readonly string[]).includes(d.grade)) return 'annual.gradeRequired';
  if (d.text.length > 500) return 'annual.tooLong';
  return null;
}

/** The draft as its API call (a new record has no client method in api/admin.ts, so it posts through its http). */
export function sendAnnual(api: Pick<AdminApi, 'http' | 'correctInspection' | 'correctAssessment'>, number: string, d: AnnualDraft): Promise<unknown> {
  const text = d.text.trim();
  if (d.mode === 'correct') return d.kind === 'inspection' ? api.correctInspection(number, d.year, d.passed, text) : api.correctAssessment(number, d.year, d.grade, text);
  const body = d.kind === 'inspection' ? { year: d.year, passed: d.passed } : { year: d.year, grade: d.grade };
  return api.http.post(`/certificates/${encodeURIComponent(number)}/${d.kind === 'inspection' ? 'inspections' : 'assessments'}`, { ...body, ...(text ? { note: text } : {}) });
}
