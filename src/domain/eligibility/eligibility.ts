/**
 * Which certification levels a worker may declare for, and for each level which condition holds, which fails and by
 * how much ("党务工作年限 2.5 年，中级需满 3 年，还差 0.5 年"). Pure, and fast (the admin list evaluates every worker):
 * each policy is compiled once into flat per-level checks (cached per policy object), the two date intervals are
 * computed once per evaluation with character arithmetic (no regex, no Date), and the loops allocate only the
 * results they return.
 *
 * Status of a condition:
 *   met      known and satisfied;
 *   unmet    known and failing: the worker cannot declare for the level now;
 *   pending  not known yet and assessed inside the pipeline (the level's training test not taken, satisfaction not
 *            measured, organisation size or commendation not declared yet): the worker may still declare.
 * A level is `eligible` (may be declared for) when no condition is unmet.
 *
 * Units of required / actual / gap, chosen for display:
 *   minYearsInPartyWork  years with one decimal: actual rounded down, gap rounded up and at least 0.1 when unmet,
 *                        so actual + gap = required on screen; the comparison itself uses the exact decimal years
 *                        of yearsBetween (inclusive: 3 years on the third anniversary).
 *   minSatisfaction      rates 0..1 like the policy, to 0.001 (one decimal of a percent), rounded the same way
 *                        (0.7999 → actual 0.799, gap 0.001: "79.9 %, 0.1 points short"); compared exactly,
 *                        inclusive (0.8 meets 80 %). Shown as percentages by the caller.
 *   maxAge               completed years; the age must be strictly below the limit (a man is out on his 60th
 *                        birthday). No gap: age cannot be made up.
 *   fullMember           required 'full', actual the membership.
 *   minEducation         required / actual are EDUCATION ids.
 *   orgSizeClass, commendationLevel   ids from ORG_SIZE_CLASSES / COMMENDATION_LEVELS; actual null = pending.
 *   stillInPost, examPassed          required true, actual boolean.
 *   requiresLevel        required the level id to hold, actual whether it is held.
 *   minTrainingHours     学时 of the better of this and last calendar year; actual null (ledger not read) = pending.
 * Relaxations (professional title) lower the years or waive the education requirement; the affected result carries
 * `relaxedBy` (the title) and `relaxedFrom` (the requirement before relaxing).
 */
import type { LevelId } from '../certification/types.ts';
import { dayNumber, daysInMonth, isValidYmd, yearsBetween } from '../dates/parseDate.ts';
import { COMMENDATION_LEVELS, ORG_SIZE_CLASSES, type Conditions, type Policy } from '../policy/schema.ts';
import { EDUCATION, PROFESSIONAL_TITLES } from '../worker/profile.ts';
import type { CommendationLevel, Education, OrgSizeClass, ProfessionalTitle, WorkerFacts } from './facts.ts';

export type ConditionName = keyof Conditions;
export type ConditionStatus = 'met' | 'unmet' | 'pending';

export interface ConditionResult {
  condition: ConditionName;
  status: ConditionStatus;
  required: number | string | boolean;
  actual: number | string | boolean | null;
  /** How far from the requirement, in the units of `required`; set only for unmet years and satisfaction. */
  gap?: number;
  /** The professional title that relaxed this condition. */
  relaxedBy?: ProfessionalTitle;
  /** The requirement before the relaxation. */
  relaxedFrom?: number | string;
}

export interface LevelEligibility {
  level: LevelId;
  /** The worker already holds this level's certificate. */
  held: boolean;
  /** No condition is unmet: the worker may declare for this level now (pending ones are settled in the pipeline). */
  eligible: boolean;
  /** The level's conditions in a fixed order: personal ones first, pipeline ones (test, satisfaction) last. */
  conditions: ConditionResult[];
}

// ---- compiled policies ------------------------------------------------------------------------------------------

const NO_LIMIT = -1;

interface CompiledLevel {
  id: LevelId;
  fullMember: boolean;
  maxAgeMale: number; // NO_LIMIT when absent
  maxAgeFemale: number;
  minEducation: Education | null;
  minEducationRank: number;
  /** Per professional title (index in PROFESSIONAL_TITLES): */
  educationWaived: boolean[];
  minYears: number | null;
  yearsRequired: number[];
  yearsRelaxed: boolean[];
  stillInPost: boolean;
  requiresLevel: LevelId | null;
  orgSizeClass: OrgSizeClass | null;
  orgSizeRank: number;
  commendationLevel: CommendationLevel | null;
  commendationRank: number;
  examPassed: boolean;
  minSatisfaction: number | null;
  minTrainingHours: number | null;
}

interface CompiledPolicy {
  levels: CompiledLevel[];
  needsAge: boolean;
  needsYears: boolean;
}

const rankOf = <T extends string>(values: readonly T[]): Record<T, number> => Object.fromEntries(values.map((v, i) => [v, i])) as Record<T, number>;
const EDUCATION_RANK = rankOf(EDUCATION);
const TITLE_INDEX = rankOf(PROFESSIONAL_TITLES);
const ORG_SIZE_RANK = rankOf(ORG_SIZE_CLASSES);
const COMMENDATION_RANK = rankOf(COMMENDATION_LEVELS);

const compiled = new WeakMap<Policy, CompiledPolicy>();

function compile(policy: Policy): CompiledPolicy {
  let needsAge = false;
  let needsYears = false;
  const levels = policy.levels.map((level): CompiledLevel => {
    const c = level.conditions;
    const educationWaived: boolean[] = [];
    const yearsRequired: number[] = [];
    const yearsRelaxed: boolean[] = [];
    for (const title of PROFESSIONAL_TITLES) {
      let reducedBy = 0;
      let waived = false;
      for (const r of level.relaxations) {
        if (!r.professionalTitles.includes(title)) continue;
        reducedBy = Math.max(reducedBy, r.yearsReducedBy);
        waived ||= r.waiveEducation;
      }
      educationWaived.push(waived && c.minEducation !== undefined);
      yearsRequired.push(c.minYearsInPartyWork === undefined ? 0 : Math.max(0, c.minYearsInPartyWork - reducedBy));
      yearsRelaxed.push(c.minYearsInPartyWork !== undefined && reducedBy > 0 && c.minYearsInPartyWork > 0);
    }
    if (c.maxAge) needsAge = true;
    if (c.minYearsInPartyWork !== undefined) needsYears = true;
    return {
      id: level.id,
      fullMember: c.fullMember === true,
      maxAgeMale: c.maxAge ? c.maxAge.male : NO_LIMIT,
      maxAgeFemale: c.maxAge ? c.maxAge.female : NO_LIMIT,
      minEducation: c.minEducation ?? null,
      minEducationRank: c.minEducation === undefined ? 0 : EDUCATION_RANK[c.minEducation],
      educationWaived,
      minYears: c.minYearsInPartyWork ?? null,
      yearsRequired,
      yearsRelaxed,
      stillInPost: c.stillInPost === true,
      requiresLevel: c.requiresLevel ?? null,
      orgSizeClass: c.orgSizeClass ?? null,
      orgSizeRank: c.orgSizeClass === undefined ? 0 : ORG_SIZE_RANK[c.orgSizeClass],
      commendationLevel: c.commendationLevel ?? null,
      commendationRank: c.commendationLevel === undefined ? 0 : COMMENDATION_RANK[c.commendationLevel],
      examPassed: c.examPassed === true,
      minSatisfaction: c.minSatisfaction ?? null,
      minTrainingHours: c.minTrainingHours ?? null,
    };
  });
  return { levels, needsAge, needsYears };
}

function compiledFor(policy: Policy): CompiledPolicy {
  let c = compiled.get(policy);
  if (!c) {
    c = compile(policy);
    compiled.set(policy, c);
  }
  return c;
}

// ---- dates without regex ----------------------------------------------------------------------------------------

/** y * 10000 + m * 100 + d for a canonical real 'YYYY-MM-DD', else -1. */
function packYmd(s: string): number {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return -1;
  let y = 0;
  for (let i = 0; i < 4; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    y = y * 10 + d;
  }
  const m1 = s.charCodeAt(5) - 48;
  const m2 = s.charCodeAt(6) - 48;
  const d1 = s.charCodeAt(8) - 48;
  const d2 = s.charCodeAt(9) - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return -1;
  const m = m1 * 10 + m2;
  const d = d1 * 10 + d2;
  return isValidYmd(y, m, d) ? y * 10000 + m * 100 + d : -1;
}

/** Day number of the anniversary of month/day in a year (29 February → 28 February in common years). */
function anniversary(year: number, month: number, day: number): number {
  const dim = daysInMonth(year, month);
  return dayNumber(year, month, day < dim ? day : dim);
}

// `today` is the same for a whole batch (an admin list); keep its parse.
let todayText = '';
let todayPacked = -1;
let todayDay = 0;

/**
 * yearsBetween(from, today) without regex: the same value (completed years plus the share of the current
 * anniversary year). Anything unusual (not canonical, `from` after today) goes to yearsBetween itself.
 */
function yearsUntilToday(from: string, today: string): number {
  if (today !== todayText) {
    todayPacked = packYmd(today);
    todayText = today;
    if (todayPacked >= 0) todayDay = dayNumber(Math.floor(todayPacked / 10000), Math.floor(todayPacked / 100) % 100, todayPacked % 100);
  }
  const f = packYmd(from);
  if (f < 0 || todayPacked < 0 || f > todayPacked) return yearsBetween(from, today);
  const fy = Math.floor(f / 10000);
  const fm = Math.floor(f / 100) % 100;
  const fd = f % 100;
  let n = Math.floor(todayPacked / 10000) - fy;
  let last = anniversary(fy + n, fm, fd);
  if (last > todayDay) {
    n -= 1;
    last = anniversary(fy + n, fm, fd);
  }
  const next = anniversary(fy + n + 1, fm, fd);
  return n + (todayDay - last) / (next - last);
}

// ---- display rounding -------------------------------------------------------------------------------------------

// Steps: years to 0.1 (STEP 10), rates to 0.001 = 0.1 % (STEP 1000). Decimal products such as
// 0.29 * 100 = 28.999999999999996 must not lose a step, hence EPS.
const YEAR_STEPS = 10;
const RATE_STEPS = 1000;
const EPS = 1e-9;
/** Rounded down to a step. */
const down = (x: number, steps: number): number => Math.floor(x * steps + EPS) / steps;
/** A shortfall rounded up to a step, at least one step. */
const gapUp = (x: number, steps: number): number => Math.max(1, Math.ceil(x * steps - EPS)) / steps;
/**
 * The actual value shown next to a shortfall: rounded down, and never so close to the requirement that it would
 * read as met (a rate of 0.8 − 1e-13 shows as 0.799, not 0.8), so that actual + gap = required on screen.
 */
const shortOf = (required: number, actual: number, gap: number, steps: number): number =>
  Math.min(down(actual, steps), Math.round((required - gap) * steps) / steps);

// ---- evaluation -------------------------------------------------------------------------------------------------

function result(
  condition: ConditionName,
  status: ConditionStatus,
  required: ConditionResult['required'],
  actual: ConditionResult['actual'],
  gap?: number,
  relaxedBy?: ProfessionalTitle,
  relaxedFrom?: number | string,
): ConditionResult {
  // Always the same seven properties, so every result has one hidden class.
  return { condition, status, required, actual, gap, relaxedBy, relaxedFrom };
}

/**
 * Every level of the policy, in the policy's order, with the result of each of its conditions for this worker on
 * `today` ('YYYY-MM-DD', the date in China).
 */
export function evaluateEligibility(policy: Policy, facts: WorkerFacts, today: string): LevelEligibility[] {
  const cp = compiledFor(policy);
  const years = cp.needsYears ? yearsUntilToday(facts.workStart, today) : 0;
  const age = cp.needsAge ? Math.floor(yearsUntilToday(facts.birthDate, today)) : 0;
  const title = TITLE_INDEX[facts.professionalTitle];
  const educationRank = EDUCATION_RANK[facts.education];
  const male = facts.gender === 'male';
  const out: LevelEligibility[] = new Array(cp.levels.length);

  for (let i = 0; i < cp.levels.length; i++) {
    const lv = cp.levels[i]!;
    const conditions: ConditionResult[] = [];
    let eligible = true;

    if (lv.fullMember) {
      const ok = facts.membership === 'full';
      if (!ok) eligible = false;
      conditions.push(result('fullMember', ok ? 'met' : 'unmet', 'full', facts.membership));
    }
    const maxAge = male ? lv.maxAgeMale : lv.maxAgeFemale;
    if (maxAge !== NO_LIMIT) {
      const ok = age < maxAge;
      if (!ok) eligible = false;
      conditions.push(result('maxAge', ok ? 'met' : 'unmet', maxAge, age));
    }
    if (lv.minEducation !== null) {
      if (lv.educationWaived[title]) {
        conditions.push(result('minEducation', 'met', lv.minEducation, facts.education, undefined, facts.professionalTitle, lv.minEducation));
      } else {
        const ok = educationRank >= lv.minEducationRank;
        if (!ok) eligible = false;
        conditions.push(result('minEducation', ok ? 'met' : 'unmet', lv.minEducation, facts.education));
      }
    }
    if (lv.minYears !== null) {
      const required = lv.yearsRequired[title]!;
      const relaxedBy = lv.yearsRelaxed[title] ? facts.professionalTitle : undefined;
      const relaxedFrom = relaxedBy === undefined ? undefined : lv.minYears;
      if (years >= required) {
        conditions.push(result('minYearsInPartyWork', 'met', required, down(years, YEAR_STEPS), undefined, relaxedBy, relaxedFrom));
      } else {
        eligible = false;
        const gap = gapUp(required - years, YEAR_STEPS);
        conditions.push(result('minYearsInPartyWork', 'unmet', required, shortOf(required, years, gap, YEAR_STEPS), gap, relaxedBy, relaxedFrom));
      }
    }
    if (lv.stillInPost) {
      const ok = facts.stillInPost;
      if (!ok) eligible = false;
      conditions.push(result('stillInPost', ok ? 'met' : 'unmet', true, ok));
    }
    if (lv.requiresLevel !== null) {
      const ok = facts.heldLevels.includes(lv.requiresLevel);
      if (!ok) eligible = false;
      conditions.push(result('requiresLevel', ok ? 'met' : 'unmet', lv.requiresLevel, ok));
    }
    if (lv.orgSizeClass !== null) {
      const actual = facts.orgSizeClass;
      let status: ConditionStatus = 'pending';
      if (actual !== null) {
        status = ORG_SIZE_RANK[actual] >= lv.orgSizeRank ? 'met' : 'unmet';
        if (status === 'unmet') eligible = false;
      }
      conditions.push(result('orgSizeClass', status, lv.orgSizeClass, actual));
    }
    if (lv.commendationLevel !== null) {
      const actual = facts.commendationLevel;
      let status: ConditionStatus = 'pending';
      if (actual !== null) {
        status = COMMENDATION_RANK[actual] >= lv.commendationRank ? 'met' : 'unmet';
        if (status === 'unmet') eligible = false;
      }
      conditions.push(result('commendationLevel', status, lv.commendationLevel, actual));
    }
    if (lv.examPassed) {
      const ok = facts.examsPassed.includes(lv.id);
      conditions.push(result('examPassed', ok ? 'met' : 'pending', true, ok));
    }
    if (lv.minSatisfaction !== null) {
      const rate = facts.satisfaction;
      const required = lv.minSatisfaction;
      if (rate === null) {
        conditions.push(result('minSatisfaction', 'pending', required, null));
      } else if (rate >= required) {
        conditions.push(result('minSatisfaction', 'met', required, down(rate, RATE_STEPS)));
      } else {
        eligible = false;
        const gap = gapUp(required - rate, RATE_STEPS);
        conditions.push(result('minSatisfaction', 'unmet', required, shortOf(required, rate, gap, RATE_STEPS), gap));
      }
    }
    if (lv.minTrainingHours !== null) {
      // Hours are whole or half 学时; compared exactly, inclusive. Null: the ledger was not read, so pending.
      const actual = facts.trainingHours ?? null;
      if (actual === null) conditions.push(result('minTrainingHours', 'pending', lv.minTrainingHours, null));
      else if (actual >= lv.minTrainingHours) conditions.push(result('minTrainingHours', 'met', lv.minTrainingHours, actual));
      else {
        eligible = false;
        conditions.push(result('minTrainingHours', 'unmet', lv.minTrainingHours, actual, lv.minTrainingHours - actual));
      }
    }
    out[i] = { level: lv.id, held: facts.heldLevels.includes(lv.id), eligible, conditions };
  }
  return out;
}
