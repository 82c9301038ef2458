import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ageOn, yearsBetween } from '../../../src/domain/dates/parseDate.ts';
import { evaluateEligibility, type ConditionResult, type LevelEligibility } from '../../../src/domain/eligibility/eligibility.ts';
import { factsFromProfile, type WorkerFacts } from '../../../src/domain/eligibility/facts.ts';
import { parsePolicy } from '../../../src/domain/policy/load.ts';
import type { Policy } from '../../../src/domain/policy/schema.ts';
import { createTranslator } from '../../../src/templates/translator.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');
const jiangsu = parsePolicy(read('policies/jiangsu.yaml'), 'policies/jiangsu.yaml');
const pinghu = parsePolicy(read('policies/pinghu.yaml'), 'policies/pinghu.yaml');
/**
 * Jiangsu's levels with a promotion rule added (each level requires the one below): the shipped policy has none
 * (the pilot certified workers directly at 中级 and 高级), so the requiresLevel condition is tested on this copy.
 */
const promotion = {
  ...jiangsu,
  id: 'promotion',
  levels: jiangsu.levels.map((l, i) => (i === 0 ? l : { ...l, conditions: { ...l.conditions, requiresLevel: jiangsu.levels[i - 1]!.id } })),
};
const POLICIES = { jiangsu, pinghu, promotion } as const;
type PolicyId = keyof typeof POLICIES;

const TODAY = '2026-03-01';

/** A 45-year-old full member, 11 years in party work, in post, nothing measured or declared yet. */
function facts(over: Partial<WorkerFacts> = {}): WorkerFacts {
  return {
    birthDate: '1980-06-15',
    gender: 'male',
    membership: 'full',
    education: 'college',
    professionalTitle: 'none',
    workStart: '2015-01-01',
    stillInPost: true,
    examsPassed: [],
    satisfaction: null,
    orgSizeClass: null,
    commendationLevel: null,
    heldLevels: [],
    ...over,
  };
}

function levelResult(policy: Policy, f: WorkerFacts, today: string, level: string): LevelEligibility {
  const found = evaluateEligibility(policy, f, today).find((l) => l.level === level);
  if (!found) throw new Error(`no level ${level}`);
  return found;
}

function conditionResult(policy: Policy, f: WorkerFacts, today: string, level: string, condition: string): ConditionResult | undefined {
  return levelResult(policy, f, today, level).conditions.find((c) => c.condition === condition);
}

type Row = [
  name: string,
  policy: PolicyId,
  over: Partial<WorkerFacts>,
  today: string,
  level: string,
  condition: ConditionResult['condition'],
  expected: Partial<ConditionResult>,
  eligible: boolean,
];

const ALL_HELD = { heldLevels: ['junior', 'intermediate', 'senior'] };

const PINGHU_ROWS: Row[] = [
  // years of party work, inclusive at the anniversary; junior needs the general 2 years
  ['junior: exactly 2 years', 'pinghu', { workStart: '2024-03-01' }, '2026-03-01', 'junior', 'minYearsInPartyWork', { status: 'met', required: 2, actual: 2, gap: undefined }, true],
  ['junior: one day short of 2 years', 'pinghu', { workStart: '2024-03-01' }, '2026-02-28', 'junior', 'minYearsInPartyWork', { status: 'unmet', required: 2, actual: 1.9, gap: 0.1 }, false],
  ['junior: 1 year in a new organisation is not enough', 'pinghu', { workStart: '2025-03-01' }, '2026-03-01', 'junior', 'minYearsInPartyWork', { status: 'unmet', required: 2, actual: 1, gap: 1 }, false],
  ['junior: half a year, gap rounded up', 'pinghu', { workStart: '2025-09-01' }, '2026-03-01', 'junior', 'minYearsInPartyWork', { status: 'unmet', actual: 0.4, gap: 1.6 }, false],
  ['intermediate: exactly 3 years (inclusive)', 'pinghu', { workStart: '2023-03-01' }, '2026-03-01', 'intermediate', 'minYearsInPartyWork', { status: 'met', required: 3, actual: 3 }, true],
  ['intermediate: 2.997 years', 'pinghu', { workStart: '2023-03-01' }, '2026-02-28', 'intermediate', 'minYearsInPartyWork', { status: 'unmet', required: 3, actual: 2.9, gap: 0.1 }, false],
  ['intermediate: 2.5 years → gap 0.5', 'pinghu', { workStart: '2021-03-01' }, '2023-08-31', 'intermediate', 'minYearsInPartyWork', { status: 'unmet', required: 3, actual: 2.5, gap: 0.5 }, false],
  ['senior: exactly 5 years', 'pinghu', { workStart: '2021-03-01' }, '2026-03-01', 'senior', 'minYearsInPartyWork', { status: 'met', required: 5, actual: 5 }, true],
  ['senior: one day short of 5 years', 'pinghu', { workStart: '2021-03-01' }, '2026-02-28', 'senior', 'minYearsInPartyWork', { status: 'unmet', required: 5, actual: 4.9, gap: 0.1 }, false],
  ['a 29 February start reaches its anniversary on 28 February', 'pinghu', { workStart: '2020-02-29' }, '2023-02-28', 'intermediate', 'minYearsInPartyWork', { status: 'met', actual: 3 }, true],
  ['a 29 February start, one day earlier', 'pinghu', { workStart: '2020-02-29' }, '2023-02-27', 'intermediate', 'minYearsInPartyWork', { status: 'unmet', actual: 2.9, gap: 0.1 }, false],
  // satisfaction, percent, inclusive
  ['intermediate: satisfaction exactly 80 %', 'pinghu', { satisfaction: 0.8 }, TODAY, 'intermediate', 'minSatisfaction', { status: 'met', required: 0.8, actual: 0.8, gap: undefined }, true],
  ['intermediate: satisfaction 79.99 %', 'pinghu', { satisfaction: 0.7999 }, TODAY, 'intermediate', 'minSatisfaction', { status: 'unmet', required: 0.8, actual: 0.799, gap: 0.001 }, false],
  ['intermediate: satisfaction a hair below 80 %', 'pinghu', { satisfaction: 0.8 - 1e-13 }, TODAY, 'intermediate', 'minSatisfaction', { status: 'unmet', required: 0.8, actual: 0.799, gap: 0.001 }, false],
  ['intermediate: satisfaction 75 %', 'pinghu', { satisfaction: 0.75 }, TODAY, 'intermediate', 'minSatisfaction', { status: 'unmet', actual: 0.75, gap: 0.05 }, false],
  ['intermediate: satisfaction 29 % (no lost tenth)', 'pinghu', { satisfaction: 0.29 }, TODAY, 'intermediate', 'minSatisfaction', { status: 'unmet', actual: 0.29, gap: 0.51 }, false],
  ['intermediate: 4 of 5 satisfied', 'pinghu', { satisfaction: 4 / 5 }, TODAY, 'intermediate', 'minSatisfaction', { status: 'met' }, true],
  ['intermediate: satisfaction not measured yet', 'pinghu', { satisfaction: null }, TODAY, 'intermediate', 'minSatisfaction', { status: 'pending', required: 0.8, actual: null }, true],
  ['senior: satisfaction exactly 90 %', 'pinghu', { satisfaction: 0.9 }, TODAY, 'senior', 'minSatisfaction', { status: 'met', required: 0.9, actual: 0.9 }, true],
  ['senior: satisfaction 89.99 %', 'pinghu', { satisfaction: 0.8999 }, TODAY, 'senior', 'minSatisfaction', { status: 'unmet', required: 0.9, actual: 0.899, gap: 0.001 }, false],
  ['senior: 85 % is enough for intermediate only', 'pinghu', { satisfaction: 0.85 }, TODAY, 'senior', 'minSatisfaction', { status: 'unmet', actual: 0.85, gap: 0.05 }, false],
  // age: strictly below the limit, on the exact birthday
  ['a man the day before his 60th birthday', 'pinghu', { gender: 'male', birthDate: '1966-03-01' }, '2026-02-28', 'junior', 'maxAge', { status: 'met', required: 60, actual: 59 }, true],
  ['a man on his 60th birthday', 'pinghu', { gender: 'male', birthDate: '1966-03-01' }, '2026-03-01', 'junior', 'maxAge', { status: 'unmet', required: 60, actual: 60, gap: undefined }, false],
  ['a woman the day before her 55th birthday', 'pinghu', { gender: 'female', birthDate: '1971-03-01' }, '2026-02-28', 'junior', 'maxAge', { status: 'met', required: 55, actual: 54 }, true],
  ['a woman on her 55th birthday', 'pinghu', { gender: 'female', birthDate: '1971-03-01' }, '2026-03-01', 'junior', 'maxAge', { status: 'unmet', required: 55, actual: 55 }, false],
  ['a man of 57', 'pinghu', { gender: 'male', birthDate: '1969-01-01' }, TODAY, 'senior', 'maxAge', { status: 'met', required: 60, actual: 57 }, true],
  ['a woman of 57', 'pinghu', { gender: 'female', birthDate: '1969-01-01' }, TODAY, 'senior', 'maxAge', { status: 'unmet', required: 55, actual: 57 }, false],
  ['born 29 February: 59 on the 28th of a leap February', 'pinghu', { gender: 'male', birthDate: '1968-02-29' }, '2028-02-28', 'junior', 'maxAge', { status: 'met', actual: 59 }, true],
  ['born 29 February: 60 on the 29th', 'pinghu', { gender: 'male', birthDate: '1968-02-29' }, '2028-02-29', 'junior', 'maxAge', { status: 'unmet', actual: 60 }, false],
  ['born 29 February: 55 on 28 February of a common year', 'pinghu', { gender: 'female', birthDate: '1972-02-29' }, '2027-02-28', 'junior', 'maxAge', { status: 'unmet', actual: 55 }, false],
  ['born 29 February: 54 the day before', 'pinghu', { gender: 'female', birthDate: '1972-02-29' }, '2027-02-27', 'junior', 'maxAge', { status: 'met', actual: 54 }, true],
  // membership
  ['junior: probationary member', 'pinghu', { membership: 'probationary' }, TODAY, 'junior', 'fullMember', { status: 'unmet', required: 'full', actual: 'probationary' }, false],
  ['senior: probationary member', 'pinghu', { membership: 'probationary' }, TODAY, 'senior', 'fullMember', { status: 'unmet' }, false],
  ['junior: full member', 'pinghu', { membership: 'full' }, TODAY, 'junior', 'fullMember', { status: 'met', actual: 'full' }, true],
  // education 高中（中专）or above
  ['junior: junior high school', 'pinghu', { education: 'juniorHigh' }, TODAY, 'junior', 'minEducation', { status: 'unmet', required: 'highSchool', actual: 'juniorHigh' }, false],
  ['junior: high school', 'pinghu', { education: 'highSchool' }, TODAY, 'junior', 'minEducation', { status: 'met', actual: 'highSchool' }, true],
  ['senior: postgraduate', 'pinghu', { education: 'postgraduate' }, TODAY, 'senior', 'minEducation', { status: 'met' }, true],
  ['a title does not relax Pinghu education', 'pinghu', { education: 'juniorHigh', professionalTitle: 'political' }, TODAY, 'junior', 'minEducation', { status: 'unmet', relaxedBy: undefined }, false],
  // organisation size (senior)
  ['senior: below designated size', 'pinghu', { orgSizeClass: 'belowDesignatedSize' }, TODAY, 'senior', 'orgSizeClass', { status: 'unmet', required: 'aboveDesignatedSize', actual: 'belowDesignatedSize' }, false],
  ['senior: above designated size', 'pinghu', { orgSizeClass: 'aboveDesignatedSize' }, TODAY, 'senior', 'orgSizeClass', { status: 'met' }, true],
  ['senior: size not declared yet', 'pinghu', { orgSizeClass: null }, TODAY, 'senior', 'orgSizeClass', { status: 'pending', actual: null }, true],
  // commendation (senior): city or above
  ['senior: county commendation', 'pinghu', { commendationLevel: 'county' }, TODAY, 'senior', 'commendationLevel', { status: 'unmet', required: 'city', actual: 'county' }, false],
  ['senior: no commendation', 'pinghu', { commendationLevel: 'none' }, TODAY, 'senior', 'commendationLevel', { status: 'unmet', actual: 'none' }, false],
  ['senior: city commendation', 'pinghu', { commendationLevel: 'city' }, TODAY, 'senior', 'commendationLevel', { status: 'met', actual: 'city' }, true],
  ['senior: province commendation', 'pinghu', { commendationLevel: 'province' }, TODAY, 'senior', 'commendationLevel', { status: 'met' }, true],
  ['senior: national commendation', 'pinghu', { commendationLevel: 'national' }, TODAY, 'senior', 'commendationLevel', { status: 'met' }, true],
  ['senior: commendation not declared yet', 'pinghu', { commendationLevel: null }, TODAY, 'senior', 'commendationLevel', { status: 'pending', actual: null }, true],
  // exam: pending until passed, never unmet
  ['junior: exam not taken yet', 'pinghu', { examsPassed: [] }, TODAY, 'junior', 'examPassed', { status: 'pending', required: true, actual: false }, true],
  ['junior: exam passed', 'pinghu', { examsPassed: ['junior'] }, TODAY, 'junior', 'examPassed', { status: 'met', actual: true }, true],
  ["intermediate: the junior exam is not the intermediate's", 'pinghu', { examsPassed: ['junior'] }, TODAY, 'intermediate', 'examPassed', { status: 'pending' }, true],
  // still in post
  ['intermediate: left party work', 'pinghu', { stillInPost: false }, TODAY, 'intermediate', 'stillInPost', { status: 'unmet', required: true, actual: false }, false],
  ['senior: in post', 'pinghu', { stillInPost: true }, TODAY, 'senior', 'stillInPost', { status: 'met' }, true],
];

const JIANGSU_ROWS: Row[] = [
  ['junior: exactly 1 year', 'jiangsu', { workStart: '2025-03-01' }, '2026-03-01', 'junior', 'minYearsInPartyWork', { status: 'met', required: 1, actual: 1 }, true],
  ['junior: one day short of 1 year', 'jiangsu', { workStart: '2025-03-01' }, '2026-02-28', 'junior', 'minYearsInPartyWork', { status: 'unmet', required: 1, actual: 0.9, gap: 0.1 }, false],
  ['junior: a title waives the year', 'jiangsu', { workStart: '2026-02-01', professionalTitle: 'socialWork' }, '2026-03-01', 'junior', 'minYearsInPartyWork', { status: 'met', required: 0, actual: 0, relaxedBy: 'socialWork', relaxedFrom: 1 }, true],
  // relaxation by professional title: one year fewer
  ['intermediate: 2 years with a political title', 'jiangsu', { workStart: '2024-03-01', professionalTitle: 'political', heldLevels: ['junior'] }, '2026-03-01', 'intermediate', 'minYearsInPartyWork', { status: 'met', required: 2, actual: 2, relaxedBy: 'political', relaxedFrom: 3 }, true],
  ['intermediate: a day short of 2 years with a social-work title', 'jiangsu', { workStart: '2024-03-01', professionalTitle: 'socialWork', heldLevels: ['junior'] }, '2026-02-28', 'intermediate', 'minYearsInPartyWork', { status: 'unmet', required: 2, actual: 1.9, gap: 0.1, relaxedBy: 'socialWork', relaxedFrom: 3 }, false],
  ['intermediate: 2 years without a title', 'jiangsu', { workStart: '2024-03-01', professionalTitle: 'none', heldLevels: ['junior'] }, '2026-03-01', 'intermediate', 'minYearsInPartyWork', { status: 'unmet', required: 3, actual: 2, gap: 1, relaxedBy: undefined, relaxedFrom: undefined }, false],
  ['intermediate: exactly 3 years', 'jiangsu', { workStart: '2023-03-01', heldLevels: ['junior'] }, '2026-03-01', 'intermediate', 'minYearsInPartyWork', { status: 'met', required: 3, actual: 3 }, true],
  ['senior: 4.9 years', 'jiangsu', { workStart: '2021-03-01', ...ALL_HELD }, '2026-02-28', 'senior', 'minYearsInPartyWork', { status: 'unmet', required: 5, gap: 0.1 }, false],
  ['special: exactly 8 years', 'jiangsu', { workStart: '2018-03-01', ...ALL_HELD }, '2026-03-01', 'special', 'minYearsInPartyWork', { status: 'met', required: 8, actual: 8 }, true],
  ['special: 7 years with a political title', 'jiangsu', { workStart: '2019-03-01', professionalTitle: 'political', ...ALL_HELD }, '2026-03-01', 'special', 'minYearsInPartyWork', { status: 'met', required: 7, relaxedBy: 'political' }, true],
  ['special: 7 years without a title', 'jiangsu', { workStart: '2019-03-01', ...ALL_HELD }, '2026-03-01', 'special', 'minYearsInPartyWork', { status: 'unmet', required: 8, actual: 7, gap: 1 }, false],
  // promotion level by level
  ['intermediate: no junior certificate', 'promotion', { heldLevels: [] }, TODAY, 'intermediate', 'requiresLevel', { status: 'unmet', required: 'junior', actual: false }, false],
  ['intermediate: holds junior', 'promotion', { heldLevels: ['junior'] }, TODAY, 'intermediate', 'requiresLevel', { status: 'met', actual: true }, true],
  ['senior: holds junior only', 'promotion', { heldLevels: ['junior'] }, TODAY, 'senior', 'requiresLevel', { status: 'unmet', required: 'intermediate' }, false],
  ['special: holds junior and intermediate, not senior', 'promotion', { heldLevels: ['junior', 'intermediate'] }, TODAY, 'special', 'requiresLevel', { status: 'unmet', required: 'senior' }, false],
  ['special: holds senior', 'promotion', { ...ALL_HELD }, TODAY, 'special', 'requiresLevel', { status: 'met' }, true],
  // other conditions
  ['junior: probationary member', 'jiangsu', { membership: 'probationary' }, TODAY, 'junior', 'fullMember', { status: 'unmet' }, false],
  ['junior: not in post', 'jiangsu', { stillInPost: false }, TODAY, 'junior', 'stillInPost', { status: 'unmet' }, false],
  ['special: exam pending', 'jiangsu', { ...ALL_HELD }, TODAY, 'special', 'examPassed', { status: 'pending' }, true],
  ['special: exam passed', 'jiangsu', { ...ALL_HELD, examsPassed: ['special'] }, TODAY, 'special', 'examPassed', { status: 'met' }, true],
];

/** One boundary row: what the condition says, and whether the level as a whole is then open. */
function checkBoundary(...[, policy, over, today, level, condition, expected, eligible]: Row): void {
  const r = conditionResult(POLICIES[policy], facts(over), today, level, condition);
  expect(r).toBeDefined();
  expect(r).toMatchObject(expected);
  expect(levelResult(POLICIES[policy], facts(over), today, level).eligible).toBe(eligible);
}

describe('evaluateEligibility: Pinghu boundaries', () => {
  it.each(PINGHU_ROWS)('%s', checkBoundary);
});

describe('evaluateEligibility: Jiangsu boundaries', () => {
  it.each(JIANGSU_ROWS)('%s', checkBoundary);
});

describe('evaluateEligibility: whole policies', () => {
  it.each<[string, PolicyId, Partial<WorkerFacts>, boolean[]]>([
    ['Pinghu: nothing measured yet, everything else fine', 'pinghu', {}, [true, true, true]],
    ['Pinghu: 85 % satisfied', 'pinghu', { satisfaction: 0.85 }, [true, true, false]],
    ['Pinghu: 3.75 years', 'pinghu', { workStart: '2022-06-01' }, [true, true, false]],
    ['Pinghu: 1.5 years', 'pinghu', { workStart: '2024-09-01' }, [false, false, false]],
    ['Pinghu: not in post (junior does not ask)', 'pinghu', { stillInPost: false }, [true, false, false]],
    ['Pinghu: a woman of 56', 'pinghu', { gender: 'female', birthDate: '1969-06-15' }, [false, false, false]],
    ['Jiangsu: no certificate yet', 'promotion', {}, [true, false, false, false]],
    ['Jiangsu: holds junior', 'promotion', { heldLevels: ['junior'] }, [true, true, false, false]],
    ['Jiangsu: holds up to senior, 11 years', 'jiangsu', ALL_HELD, [true, true, true, true]],
    ['Jiangsu: 11 years and no certificate: any level (no promotion rule)', 'jiangsu', { heldLevels: [] }, [true, true, true, true]],
    ['Jiangsu: holds up to senior, 4 years, political title (senior 5 − 1)', 'jiangsu', { ...ALL_HELD, workStart: '2022-03-01', professionalTitle: 'political' }, [true, true, true, false]],
    ['Jiangsu: has no age limit (a man of 65)', 'jiangsu', { birthDate: '1961-01-01' }, [true, true, true, true]],
  ])('%s', (_name, policy, over, eligible) => {
    const results = evaluateEligibility(POLICIES[policy], facts(over), TODAY);
    expect(results.map((r) => r.level)).toEqual(POLICIES[policy].levels.map((l) => l.id));
    expect(results.map((r) => r.eligible)).toEqual(eligible);
    for (const r of results) expect(r.eligible).toBe(!r.conditions.some((c) => c.status === 'unmet'));
  });

  it('reports the levels held', () => {
    const results = evaluateEligibility(jiangsu, facts({ heldLevels: ['junior', 'intermediate'] }), TODAY);
    expect(results.map((r) => r.held)).toEqual([true, true, false, false]);
  });

  it('lists the conditions in a fixed order, personal ones first and pipeline ones last', () => {
    expect(levelResult(pinghu, facts(), TODAY, 'senior').conditions.map((c) => c.condition)).toEqual([
      'fullMember',
      'maxAge',
      'minEducation',
      'minYearsInPartyWork',
      'stillInPost',
      'orgSizeClass',
      'commendationLevel',
      'examPassed',
      'minSatisfaction',
    ]);
    expect(levelResult(promotion, facts(), TODAY, 'intermediate').conditions.map((c) => c.condition)).toEqual([
      'fullMember',
      'minYearsInPartyWork',
      'stillInPost',
      'requiresLevel',
      'examPassed',
    ]);
  });

  it('reports each failing condition with its gap, not just no', () => {
    const r = levelResult(pinghu, facts({ workStart: '2021-03-01', satisfaction: 0.75, membership: 'probationary' }), '2023-08-31', 'intermediate');
    expect(r.eligible).toBe(false);
    expect(r.conditions.filter((c) => c.status === 'unmet').map((c) => [c.condition, c.gap])).toEqual([
      ['fullMember', undefined],
      ['minYearsInPartyWork', 0.5],
      ['minSatisfaction', 0.05],
    ]);
  });

  it('waives education where a policy says so, and reports it', () => {
    const relaxed: Policy = {
      ...pinghu,
      levels: pinghu.levels.map((l) => ({ ...l, relaxations: [{ professionalTitles: ['socialWork'], yearsReducedBy: 0, waiveEducation: true }] })),
    };
    const waived = conditionResult(relaxed, facts({ education: 'juniorHigh', professionalTitle: 'socialWork' }), TODAY, 'junior', 'minEducation');
    expect(waived).toMatchObject({ status: 'met', actual: 'juniorHigh', relaxedBy: 'socialWork', relaxedFrom: 'highSchool' });
    const notWaived = conditionResult(relaxed, facts({ education: 'juniorHigh', professionalTitle: 'political' }), TODAY, 'junior', 'minEducation');
    expect(notWaived).toMatchObject({ status: 'unmet', relaxedBy: undefined });
    // yearsReducedBy 0 relaxes nothing
    const years = conditionResult(relaxed, facts({ professionalTitle: 'socialWork' }), TODAY, 'junior', 'minYearsInPartyWork');
    expect(years).toMatchObject({ required: 2, relaxedBy: undefined });
  });

  it('builds facts from a profile with nothing known yet', () => {
    const f = factsFromProfile({ birthDate: '1980-06-15', gender: 'female', membership: 'full', education: 'bachelor', professionalTitle: 'none', workStart: '2020-01-01' });
    expect(f).toEqual({
      birthDate: '1980-06-15',
      gender: 'female',
      membership: 'full',
      education: 'bachelor',
      professionalTitle: 'none',
      workStart: '2020-01-01',
      stillInPost: true,
      examsPassed: [],
      satisfaction: null,
      orgSizeClass: null,
      commendationLevel: null,
      trainingHours: null,
      heldLevels: [],
    });
    expect(factsFromProfile(f, { satisfaction: 0.9, stillInPost: false })).toMatchObject({ satisfaction: 0.9, stillInPost: false });
  });
});

// ---- the fast date arithmetic agrees with parseDate's -----------------------------------------------------------

/** A deterministic pseudo-random date, 29 February often. */
function makeDates(seed: number) {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const date = (fromYear: number, span: number): string => {
    const y = fromYear + Math.floor(next() * span);
    if (next() < 0.1) return `${y - (y % 4)}-02-29`; // every multiple of 4 from 1948 to 2028 is a leap year
    const m = 1 + Math.floor(next() * 12);
    const d = 1 + Math.floor(next() * 28);
    return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  };
  return date;
}

describe('evaluateEligibility: date arithmetic', () => {
  it('gives the same years and ages as yearsBetween and ageOn, for 3,000 pairs', () => {
    const date = makeDates(42);
    for (let i = 0; i < 3000; i++) {
      const today = date(2020, 12);
      const workStart = date(1990, 40); // sometimes after today
      const birthDate = date(1950, 50);
      const r = evaluateEligibility(pinghu, facts({ workStart, birthDate }), today)[1]!;
      const years = yearsBetween(workStart, today);
      const y = r.conditions.find((c) => c.condition === 'minYearsInPartyWork')!;
      expect(y.status, `${workStart} → ${today}`).toBe(years >= 3 ? 'met' : 'unmet');
      expect(y.actual, `${workStart} → ${today}`).toBe(Math.floor(years * 10 + 1e-9) / 10);
      if (y.status === 'unmet') expect(Math.round(((y.actual as number) + y.gap!) * 10) / 10).toBe(3);
      const age = r.conditions.find((c) => c.condition === 'maxAge')!;
      expect(age.actual, `${birthDate} → ${today}`).toBe(ageOn(birthDate, today));
    }
  });

  it('rejects a date that is not YYYY-MM-DD, as yearsBetween does', () => {
    expect(() => evaluateEligibility(pinghu, facts({ workStart: '2020-02-30' }), TODAY)).toThrow(TypeError);
    expect(() => evaluateEligibility(pinghu, facts({ workStart: '2020/01/01' }), TODAY)).toThrow(TypeError);
    expect(() => evaluateEligibility(pinghu, facts(), '2026-3-1')).toThrow(TypeError);
  });
});

// ---- template text -----------------------------------------------------------------------------------------------

const templates = {
  'zh-CN': { eligibility: parseYaml(read('templates/zh-CN/eligibility.yaml')) as Record<string, unknown> },
  en: { eligibility: parseYaml(read('templates/en/eligibility.yaml')) as Record<string, unknown> },
};
const translator = createTranslator(templates, 'zh-CN');
type Locale = keyof typeof templates;

function keysOf(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keysOf(v as Record<string, unknown>, `${prefix}${k}.`)));
}

/** The template parameters as the file header documents them: satisfaction rates shown as percentages. */
function params(policy: Policy, locale: Locale, r: ConditionResult): Record<string, unknown> {
  const name = (id: string) => policy.levels.find((l) => l.id === id)!.name[locale];
  const shown = (v: ConditionResult['actual'] | undefined) => (r.condition === 'minSatisfaction' && typeof v === 'number' ? Math.round(v * 1000) / 10 : v);
  return {
    required: shown(r.required),
    actual: shown(r.actual),
    gap: shown(r.gap),
    requiredLevel: r.condition === 'requiresLevel' ? name(String(r.required)) : undefined,
    relaxedBy: r.relaxedBy,
    relaxedFrom: r.relaxedFrom,
  };
}

function render(locale: Locale, policy: Policy, level: string, r: ConditionResult): string {
  const name = (id: string) => policy.levels.find((l) => l.id === id)!.name[locale];
  return translator.t(locale, `eligibility:${r.condition}.${r.status}`, { ...params(policy, locale, r), level: name(level) });
}

/** Results of every kind: the boundary tables plus variations. */
function sweep(): [Policy, string, ConditionResult][] {
  const out: [Policy, string, ConditionResult][] = [];
  const overs: Partial<WorkerFacts>[] = [...PINGHU_ROWS, ...JIANGSU_ROWS].map((row) => row[2]);
  overs.push({ ...ALL_HELD, examsPassed: ['junior', 'intermediate', 'senior', 'special'], satisfaction: 0.95, orgSizeClass: 'aboveDesignatedSize', commendationLevel: 'province' });
  for (const policy of [jiangsu, pinghu, promotion]) {
    for (const over of overs) {
      for (const lv of evaluateEligibility(policy, facts(over), TODAY)) for (const c of lv.conditions) out.push([policy, lv.level, c]);
    }
  }
  return out;
}

describe('eligibility templates', () => {
  it('have the same keys in both locales', () => {
    expect(keysOf(templates.en.eligibility).sort()).toEqual(keysOf(templates['zh-CN'].eligibility).sort());
  });

  it('have a text for every condition and status the rules produce, and render it completely', () => {
    const seen = new Set<string>();
    for (const [policy, level, r] of sweep()) {
      const key = `${r.condition}.${r.status}`;
      seen.add(key);
      for (const locale of ['zh-CN', 'en'] as const) {
        expect(translator.has(locale, `eligibility:${key}`), `${locale} ${key}`).toBe(true);
        const text = render(locale, policy, level, r);
        expect(text, `${locale} ${key}`).not.toMatch(/\{\{|\$t\(|undefined|eligibility:|values\./);
      }
    }
    // every kind of status was exercised
    for (const key of ['minYearsInPartyWork.unmet', 'minSatisfaction.pending', 'examPassed.pending', 'orgSizeClass.pending', 'commendationLevel.unmet', 'requiresLevel.met', 'maxAge.unmet']) {
      expect(seen.has(key), key).toBe(true);
    }
  });

  it.each<[Locale, PolicyId, Partial<WorkerFacts>, string, string, string]>([
    ['zh-CN', 'pinghu', { workStart: '2021-03-01' }, 'intermediate', 'minYearsInPartyWork', '党务工作年限 2.5 年，中级需满 3 年，还差 0.5 年'],
    ['en', 'pinghu', { workStart: '2021-03-01' }, 'intermediate', 'minYearsInPartyWork', '2.5 years of party work; Intermediate requires 3, 0.5 more to go'],
    ['zh-CN', 'pinghu', {}, 'intermediate', 'examPassed', '需通过中级培训测试（在申报后的培训测试环节进行）'],
    ['zh-CN', 'pinghu', { satisfaction: 0.7999 }, 'intermediate', 'minSatisfaction', '满意率 79.9%，中级需达 80%，还差 0.1 个百分点'],
    ['zh-CN', 'pinghu', {}, 'senior', 'minSatisfaction', '高级需满意率达 90%（在申报后的满意度调查环节测评）'],
    ['zh-CN', 'pinghu', { education: 'juniorHigh' }, 'junior', 'minEducation', '学历为初中及以下，初级需高中（中专）及以上学历'], // regression: a worker who chose 初中及以下 was told 学历为初中
    ['zh-CN', 'pinghu', { membership: 'probationary' }, 'junior', 'fullMember', '目前为预备党员，初级需为中共正式党员，转正后即可申报'],
    ['zh-CN', 'pinghu', { birthDate: '1966-03-01' }, 'junior', 'maxAge', '年龄 60 岁，初级申报须未满 60 周岁'],
    ['zh-CN', 'pinghu', { commendationLevel: 'county' }, 'senior', 'commendationLevel', '表彰或经验交流为县级，高级需市级及以上'],
    ['zh-CN', 'pinghu', {}, 'senior', 'orgSizeClass', '高级需所在组织为规模以上组织（申报时提供证明，资格审查时核实）'],
    ['zh-CN', 'promotion', {}, 'intermediate', 'requiresLevel', '中级需先取得初级资格证书'],
    ['en', 'promotion', {}, 'intermediate', 'requiresLevel', 'Intermediate requires the Junior certificate first'],
  ])('%s %s %s: %s', (locale, policy, over, level, condition, text) => {
    const today = over.workStart === '2021-03-01' ? '2023-08-31' : TODAY;
    const r = conditionResult(POLICIES[policy], facts(over), today, level, condition)!;
    expect(render(locale, POLICIES[policy], level, r)).toBe(text);
  });

  it('renders the relaxation note and the headings', () => {
    const r = conditionResult(jiangsu, facts({ workStart: '2024-03-01', professionalTitle: 'political' }), TODAY, 'intermediate', 'minYearsInPartyWork')!;
    const p = params(jiangsu, 'zh-CN', r);
    expect(translator.t('zh-CN', 'eligibility:relaxedNote.minYearsInPartyWork', p)).toBe('（持政工类职称，年限要求由 3 年放宽为 2 年）');
    expect(translator.t('en', 'eligibility:relaxedNote.minYearsInPartyWork', p)).toBe(' (with a political-work title the requirement is 2 years instead of 3)');
    expect(translator.t('zh-CN', 'eligibility:heading.eligible')).toBe('可以申报：');
    expect(translator.t('zh-CN', 'eligibility:heading.notEligible')).toBe('暂不符合条件：');
    expect(translator.t('en', 'eligibility:heading.eligible')).toBe('You can apply for:');
  });
});
