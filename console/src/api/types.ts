/** The admin API's shapes as the console reads them (the console contract of issue 11). */

export type Localized = { 'zh-CN': string; en: string };
export type Tier = 'province' | 'city' | 'county' | 'street';

export interface Account {
  id: string;
  username: string;
  name: string;
  regionCode: string;
  regionName?: string;
  tier: Tier;
  levels?: string[];
  disabled?: boolean;
  createdAt?: string;
  lastLoginAt?: string;
}

export interface SessionInfo {
  account: Account;
  csrfToken: string;
  mustChangePassword: boolean;
}

export interface HistoryEvent {
  at: string;
  actor?: { kind?: string; id?: string; name?: string } | string;
  action: string;
  fromStage?: string | null;
  toStage?: string | null;
  fromStatus?: string | null;
  toStatus?: string;
  note?: string;
  data?: Record<string, string | number | boolean | null>;
}

export interface ApplicationItem {
  id: string;
  regionCode: string;
  level: string;
  stage: string;
  status: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  applicantName?: string;
  organizationName?: string;
  levelName?: Localized | string | null;
  stageName?: Localized | string | null;
  /** Detail only: every stage of the pipeline by id. */
  stageNames?: Record<string, Localized>;
  stageSince?: string;
  stageEnteredAt?: string;
  daysInStage?: number;
  applicant?: { workerId: string; name: string; orgName?: string } | null;
}

export interface ApplicationPage {
  items: ApplicationItem[];
  next?: string | null;
  nextCursor?: string | null;
  total?: number;
}

export interface Objection {
  id: string;
  at: string;
  text: string;
  /** null while undecided. */
  upheld: boolean | null;
  decidedAt?: string;
}

export type ConditionStatus = 'met' | 'unmet' | 'pending';

export interface Eligibility {
  asOf: string;
  level: string;
  eligible: boolean;
  held: boolean;
  conditions: { condition: string; status: ConditionStatus; text: Localized }[];
}

export interface ApplicationDetail extends ApplicationItem {
  workerId: string;
  declared: Record<string, string | number | boolean | null>;
  evidence: string[];
  evidenceUrls?: string[];
  evidenceTimeline?: { at?: string; stage?: string; index?: number; [key: string]: unknown }[];
  testScore: number | null;
  satisfaction: number | null;
  objections: Objection[];
  history: HistoryEvent[];
  certificateNumber: string | null;
  noticeEndsAt?: string | null;
  /** The level's rules checked today, each in the policy's words in both languages; null when the worker is gone. */
  eligibility?: Eligibility | null;
  /** Actions this admin's tier may take now, when the API says so; else the page offers them and shows the 403. */
  allowedActions?: string[];
  applicant?:
    | ({
        workerId: string;
        name: string;
        idNumber?: string;
        mobile?: string;
        membership?: string;
        joinDate?: string;
        role?: string;
        workStart?: string;
        education?: string;
        professionalTitle?: string;
        region?: { code: string; name: Localized | null };
        organization?: { name?: string; type?: string; sizeClass?: string; uscc?: string; employees?: number };
        registeredAt?: string;
      } & Record<string, unknown>)
    | null;
}

export interface Dashboard {
  scope: { regionCode: string; regionName: string };
  applications: {
    byStage: { stage: string; name: string; count: number }[];
    byLevel: { level: string; name: string; count: number }[];
    byRegion: { regionCode: string; name: string; count: number }[];
  };
  waiting: {
    total: number;
    byAge: { bucket: string; count: number }[];
    oldest: { applicationId: string; applicantName: string; level: string; stage: string; stageName: string; since: string; days: number }[];
  };
  certificates: { byStatus: { status: string; count: number }[] };
  annual: { year: number; inspectionsDue: number; inspectionsDone: number; assessmentsDue: number; assessmentsDone: number };
  trends: { month: string; declared: number; certified: number; returned: number; rejected: number }[];
}

export interface FunnelStep {
  stepId: string;
  label: string;
  reached: number;
  answered: number;
  retries: number;
  gaveUp: number;
  timedOut: number;
  medianMs: number | null;
}

export interface Funnels {
  /** `title`: the flow's name in the asked language (its id when it has none). */
  flows: { id: string; title?: string; versions: (string | number)[] }[];
  flow: string | null;
  version: string | number | null;
  from: string;
  to: string;
  steps: FunnelStep[];
}

export interface CertificateItem {
  number: string;
  holderName: string;
  level: string;
  levelName?: Localized | string | null;
  regionCode: string;
  status: string;
  validFrom: string;
  validUntil: string;
}

export interface AnnualEntry {
  year: number;
  passed?: boolean;
  grade?: string;
  note?: string;
  corrections?: { at: string; reason: string; by?: unknown; [k: string]: unknown }[];
  [key: string]: unknown;
}

export interface CertificateDetail extends Omit<CertificateItem, 'validFrom'> {
  /** The search rows name it validFrom; the detail is the stored certificate, which says issuedOn. */
  validFrom?: string;
  issuedOn?: string;
  regionName?: Localized | string | null;
  /** The status as of today (a valid certificate past its end reads expired). */
  effectiveStatus?: string;
  inspections?: AnnualEntry[];
  assessments?: AnnualEntry[];
  verifyUrl?: string;
  /** What this admin may do here: recordInspection, recordAssessment, correctInspection, correctAssessment. */
  allowedActions?: string[];
  /** Why nothing is allowed (a tier that may only read), as the record routes would refuse it. */
  actRefusal?: { error: string; code?: string; params?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface CountsReport {
  year: number;
  rows: { regionCode: string; regionName: string; level: string; levelName: string; declared: number; certified: number; active: number }[];
}

export interface AllowanceReport {
  year: number;
  rows: Record<string, unknown>[];
  excluded?: Record<string, unknown>[];
  [key: string]: unknown;
}

export interface AuditEntry {
  at: string;
  adminId: string;
  action: string;
  target: string;
  outcome: string;
  detail?: Record<string, unknown>;
  actor?: string;
  [key: string]: unknown;
}

export interface SavedFilter {
  id: string;
  name: string;
  query: Record<string, string>;
}

export interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  address?: string;
  userAgent?: string;
  current: boolean;
}

export interface TokenRow {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

/** GET /catalog: what the filters' pickers offer, with names. */
export interface Catalog {
  stages: { id: string; name: Localized }[];
  levels: { id: string; name: Localized }[];
  regions: { code: string; name: Localized }[];
  /** Every region below the admin's, as a tree: where the admin may create accounts. */
  accountRegions: RegionChoice[];
}

export interface RegionChoice {
  code: string;
  name: Localized;
  children?: RegionChoice[];
}
