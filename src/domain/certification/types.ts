/**
 * The certification records as plain data: applications moving through a region's pipeline, and the
 * certificates they end in. Shared by the pure rules (pipeline.ts, eligibility), the stores and the admin API.
 * See docs/domain.md "The application pipeline" and "After certification".
 */

/** A level id from the worker's policy, e.g. 'junior' | 'intermediate' | 'senior' | 'special'. */
export type LevelId = string;
/** A stage id from the policy's pipeline, e.g. 'declaration', 'qualificationReview', 'trainingTest'. */
export type StageId = string;

export type Actor =
  | { kind: 'worker'; id: string }
  | { kind: 'admin'; id: string; name: string }
  | { kind: 'system'; id: string };

export type ApplicationStatus =
  /** Moving through the stages. */
  | 'open'
  /** Sent back to the worker for correction; the worker resubmits and it is open again at the same stage. */
  | 'returned'
  | 'rejected'
  | 'withdrawn'
  /** Passed every stage; a certificate was issued. */
  | 'certified';

export type ApplicationAction =
  | 'submit'
  | 'advance'
  | 'return'
  | 'resubmit'
  | 'reject'
  | 'withdraw'
  | 'recordScore'
  | 'recordSatisfaction'
  | 'recordObjection'
  | 'decideObjection'
  | 'certify'
  /** The certificate's number was recorded on the certified application (data.number); no stage or status change. */
  | 'certificateIssued'
  /** The worker added an evidence photo after submitting (data.index: its place in `evidence`). */
  | 'addEvidence';

/** One line of an application's history: every change is appended, none is silent. */
export interface ApplicationEvent {
  at: string; // ISO time
  actor: Actor;
  action: ApplicationAction;
  fromStage: StageId | null;
  toStage: StageId | null;
  fromStatus: ApplicationStatus | null;
  toStatus: ApplicationStatus;
  /** Shown to the worker for returns and rejections. */
  note?: string;
  /** Extra facts of the event (a score, a satisfaction rate, an objection id). */
  data?: Record<string, string | number | boolean | null>;
}

export interface Objection {
  id: string;
  at: string;
  text: string;
  /** null while undecided; an upheld objection stops certification. */
  upheld: boolean | null;
  decidedAt?: string;
}

export type WayIn = 'self' | 'recommended';

export interface Application {
  id: string;
  workerId: string;
  /** The worker's account, so the worker can be told about every change on their channel. */
  channel: string;
  userId: string;
  policyId: string;
  regionCode: string;
  level: LevelId;
  wayIn: WayIn;
  recommendingOrg?: string;
  /** Facts the worker declared (exam results, commendations, years) as the declaration flow collected them. */
  declared: Record<string, string | number | boolean | null>;
  /** Media references of evidence photos, where the channel carries images. */
  evidence: string[];
  stage: StageId;
  status: ApplicationStatus;
  testScore: number | null;
  /** 0..1, recorded by an admin until polls exist. */
  satisfaction: number | null;
  objections: Objection[];
  noticeStartedAt: string | null;
  noticeEndsAt: string | null;
  certificateNumber: string | null;
  history: ApplicationEvent[];
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: every write checks and increments it; a stale write is a conflict (HTTP 409). */
  version: number;
}

export type CertificateStatus = 'valid' | 'suspended' | 'revoked' | 'expired';

/** Where a certificate is valid: the holder's county-level unit, city or province (see scopeRegionOf). */
export type CertificateScope = 'county' | 'city' | 'province';

export interface Certificate {
  number: string;
  applicationId: string;
  workerId: string;
  policyId: string;
  level: LevelId;
  regionCode: string;
  /** Where it is valid, per the level's policy (Jiangsu: a city for 高级 and below, the province for 特级). */
  scope: CertificateScope;
  scopeRegionCode: string;
  issuedOn: string; // YYYY-MM-DD
  validUntil: string; // YYYY-MM-DD
  status: CertificateStatus;
  statusHistory: { at: string; status: CertificateStatus; reason: string; actor: Actor }[];
  /** When the holder was told the certificate expires soon / has expired (ISO times); each is sent once. */
  notices?: { expiringSoon?: string; expired?: string };
}

export type AssessmentGrade = 'excellent' | 'competent' | 'basicallyCompetent' | 'incompetent';

/** A mistaken 年检 or 考核 entry replaced by an admin of the managing tier: what it said, who corrected it and why. */
export interface AnnualCorrection<T> {
  at: string;
  by: Actor;
  reason: string;
  previous: T;
}

export interface InspectionEntry {
  passed: boolean;
  note?: string;
  recordedAt: string;
  by: Actor;
  /** Oldest first; absent on an entry never corrected. */
  corrections?: AnnualCorrection<Omit<InspectionEntry, 'corrections'>>[];
}

export interface AssessmentEntry {
  grade: AssessmentGrade;
  note?: string;
  recordedAt: string;
  by: Actor;
  corrections?: AnnualCorrection<Omit<AssessmentEntry, 'corrections'>>[];
}

/** 年检 and 年度考核, one record per holder and year. */
export interface AnnualRecord {
  workerId: string;
  certificateNumber: string;
  year: number;
  inspection: InspectionEntry | null;
  assessment: AssessmentEntry | null;
  /** The year's 满意度测评 (a closed poll), for the 年度考核; absent until one closes. */
  satisfaction?: SatisfactionEntry | null;
}

/** A closed poll's outcome as the annual record keeps it (counts only: nothing per answer). */
export interface SatisfactionEntry {
  pollId: string;
  rate: number | null;
  valid: number;
  quorumMet: boolean;
  recordedAt: string;
}
