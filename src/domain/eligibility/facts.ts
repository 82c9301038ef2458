/**
 * What the eligibility rules know about one worker on one day: the registered profile plus what the certification
 * records add (exams passed, certificates held, a measured satisfaction rate) and what the worker declared
 * (organisation size, commendations). Unknown facts are null and come out as 'pending', not as failures.
 */
import type { LevelId } from '../certification/types.ts';
import type { COMMENDATION_LEVELS, ORG_SIZE_CLASSES } from '../policy/schema.ts';
import type { EDUCATION, MEMBERSHIPS, PROFESSIONAL_TITLES, WorkerProfile } from '../worker/profile.ts';

export type Membership = (typeof MEMBERSHIPS)[number];
export type Education = (typeof EDUCATION)[number];
export type ProfessionalTitle = (typeof PROFESSIONAL_TITLES)[number];
export type OrgSizeClass = (typeof ORG_SIZE_CLASSES)[number];
export type CommendationLevel = (typeof COMMENDATION_LEVELS)[number];
export type Gender = 'male' | 'female';

export interface WorkerFacts {
  /** YYYY-MM-DD */
  birthDate: string;
  gender: Gender;
  membership: Membership;
  education: Education;
  professionalTitle: ProfessionalTitle;
  /** YYYY-MM-DD: start of party work (the years of party work run from here). */
  workStart: string;
  /** Still working in a party post now (在岗 / 目前仍从事党务工作). */
  stillInPost: boolean;
  /** Levels whose training test the worker has passed. */
  examsPassed: readonly LevelId[];
  /** Measured satisfaction rate 0..1, or null while not measured. */
  satisfaction: number | null;
  /** The organisation's size class, or null while not declared. */
  orgSizeClass: OrgSizeClass | null;
  /** The highest commendation (or shared experience) level, 'none' if none; null while not declared. */
  commendationLevel: CommendationLevel | null;
  /** Levels whose certificate the worker holds (valid certificates only). */
  heldLevels: readonly LevelId[];
  /** 学时 credited in the better of this and last calendar year (src/domain/training/hours.ts), or null when not read. */
  trainingHours?: number | null;
}

/** The certification side of the facts; everything defaults to "nothing known yet". */
export type CertificationFacts = Partial<Pick<WorkerFacts, 'stillInPost' | 'examsPassed' | 'satisfaction' | 'orgSizeClass' | 'commendationLevel' | 'heldLevels' | 'trainingHours'>>;

/**
 * Facts from a registered profile. A registered worker is taken to be in post unless told otherwise (registration
 * is for workers in party posts).
 */
export function factsFromProfile(
  profile: Pick<WorkerProfile, 'birthDate' | 'gender' | 'membership' | 'education' | 'professionalTitle' | 'workStart'>,
  more: CertificationFacts = {},
): WorkerFacts {
  return {
    birthDate: profile.birthDate,
    gender: profile.gender,
    membership: profile.membership,
    education: profile.education,
    professionalTitle: profile.professionalTitle,
    workStart: profile.workStart,
    stillInPost: more.stillInPost ?? true,
    examsPassed: more.examsPassed ?? [],
    satisfaction: more.satisfaction ?? null,
    orgSizeClass: more.orgSizeClass ?? null,
    commendationLevel: more.commendationLevel ?? null,
    heldLevels: more.heldLevels ?? [],
    trainingHours: more.trainingHours ?? null,
  };
}
