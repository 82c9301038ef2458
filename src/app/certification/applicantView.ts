import { maskIdNumber } from '../../domain/identity/idNumber.ts';
import { maskMobile } from '../../domain/identity/mobile.ts';
import { maskName } from '../../domain/pii/maskName.ts';
import { evidenceTimeline, type EvidenceEntry } from '../../domain/certification/evidenceTimeline.ts';
import { daysInStage, stageEnteredAt } from '../../domain/certification/stageAge.ts';
import type { Application } from '../../domain/certification/types.ts';
import { regionPath, type RegionName } from '../../domain/regions/regions.ts';
import type { WorkerProfile } from '../../domain/worker/profile.ts';
import type { Organization } from '../ports/organizationRepository.ts';
import { applicationEligibility, type EligibilityView } from './applicationEligibility.ts';
import type { CertificationDeps } from './deps.ts';

/**
 * What a reviewer (资格审查) sees of who applied, next to the application: the registered profile with the ID and
 * mobile numbers masked (the plaintext only through the audited reveal, see adminService.reveal), and the
 * organisation record. The list carries a summary per row, read for the whole page at once.
 */

type Localized = { 'zh-CN': string; en: string };

export interface ApplicantProfile {
  workerId: string;
  name: string;
  /** Masked: 320***********1234. */
  idNumber: string;
  /** Masked: 138****5678. */
  mobile: string;
  membership: WorkerProfile['membership'];
  joinDate: string;
  role: WorkerProfile['role'];
  workStart: string;
  education: WorkerProfile['education'];
  professionalTitle: WorkerProfile['professionalTitle'];
  region: { code: string; name: RegionName | null };
  /** The organisation record when the worker registered after it existed; else what the worker typed. */
  organization: Pick<Organization, 'name' | 'type' | 'sizeClass' | 'uscc' | 'employees'> & { id: string | null };
  registeredAt: string;
}

export interface ReviewFacts {
  levelName: Localized | null;
  /** The current stage's name, and every stage of the pipeline by id (for the history's from → to). */
  stageName: Localized | null;
  stageNames: Record<string, Localized>;
  /** When the application entered its current stage, and whole days since. */
  stageEnteredAt: string;
  daysInStage: number;
}

/** `evidenceTimeline`: each photo with the time it came and the stage it answered (declaration or added later). */
export type ApplicationDetail = Application &
  ReviewFacts & { applicant: ApplicantProfile | null; eligibility: EligibilityView | null; evidenceUrls: string[]; evidenceTimeline: EvidenceEntry[] };
export type ApplicationListItem = Application &
  Omit<ReviewFacts, 'stageNames'> & {
    applicant: { workerId: string; name: string; orgName: string } | null;
    /** For the console's queue: the name masked as in every list (张*), the organisation, the stage's name. */
    applicantName: string | null;
    organizationName: string | null;
    /** = stageEnteredAt. */
    stageSince: string;
  };

/** The region's full name, province first (江苏省南京市玄武区), or null for a code not in the tree. */
function regionName(deps: CertificationDeps, code: string): RegionName | null {
  const path = regionPath(deps.regions, code);
  if (path.length === 0) return null;
  return { 'zh-CN': path.map((n) => n.name['zh-CN']).join(''), en: path.map((n) => n.name.en).reverse().join(', ') };
}

function reviewFacts(deps: CertificationDeps, app: Application, now: Date): ReviewFacts {
  const policy = deps.policies.get(app.policyId);
  const level = policy ? deps.policies.level(policy, app.level) : null;
  const stages = policy?.pipeline.stages ?? [];
  return {
    levelName: level ? level.name : null,
    stageName: stages.find((st) => st.id === app.stage)?.name ?? null,
    stageNames: Object.fromEntries(stages.map((st) => [st.id, st.name])),
    stageEnteredAt: stageEnteredAt(app),
    daysInStage: daysInStage(app, now),
  };
}

export async function applicationDetail(deps: CertificationDeps, app: Application): Promise<ApplicationDetail> {
  const worker = await deps.workers.findById(app.workerId);
  let applicant: ApplicantProfile | null = null;
  let eligibility: EligibilityView | null = null;
  if (worker) {
    eligibility = await applicationEligibility(deps, app, worker);
    const org = worker.orgId ? await deps.organizations.get(worker.orgId) : null;
    applicant = {
      workerId: worker.id,
      name: worker.name,
      idNumber: maskIdNumber(worker.idNumber),
      mobile: maskMobile(worker.mobile),
      membership: worker.membership,
      joinDate: worker.joinDate,
      role: worker.role,
      workStart: worker.workStart,
      education: worker.education,
      professionalTitle: worker.professionalTitle,
      region: { code: worker.regionCode, name: regionName(deps, worker.regionCode) },
      organization: org
        ? { id: org.id, name: org.name, type: org.type, sizeClass: org.sizeClass, uscc: org.uscc, employees: org.employees }
        : { id: null, name: worker.orgName, type: worker.orgType, sizeClass: null, uscc: null, employees: null },
      registeredAt: worker.registeredAt.toISOString(),
    };
  }
  return {
    ...app,
    ...reviewFacts(deps, app, deps.clock.now()),
    applicant,
    eligibility,
    evidenceUrls: app.evidence.map((_ref, i) => `/admin/api/applications/${encodeURIComponent(app.id)}/evidence/${i}`),
    evidenceTimeline: evidenceTimeline(app),
  };
}

/** A page of the list with who applied: one read of the page's workers, not one per row. */
export async function listItems(deps: CertificationDeps, apps: readonly Application[]): Promise<ApplicationListItem[]> {
  const summaries = new Map((await deps.workers.summaries(apps.map((a) => a.workerId))).map((s) => [s.id, s]));
  const now = deps.clock.now();
  return apps.map((app) => {
    const s = summaries.get(app.workerId);
    const { stageNames: _pipeline, ...facts } = reviewFacts(deps, app, now);
    return {
      ...app,
      ...facts,
      applicant: s ? { workerId: s.id, name: s.name, orgName: s.orgName } : null,
      applicantName: s ? maskName(s.name) : null,
      organizationName: s ? s.orgName : null,
      stageSince: facts.stageEnteredAt,
    };
  });
}
