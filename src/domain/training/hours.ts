import type { TrainingPolicy } from '../policy/trainingSchema.ts';
import type { HoursCredit, Role } from './types.ts';

/**
 * 学时 a worker needs in a calendar year: the highest of the policy's default, their role's figure and the figure
 * of every level they hold (a 56-学时 secretary who also holds a level needing 24 still needs 56).
 */
export function hoursRequired(policy: TrainingPolicy, role: Role, heldLevels: readonly string[]): number {
  let required = policy.hoursPerYear.default;
  const byRole = policy.hoursPerYear.roles[role];
  if (byRole !== undefined) required = Math.max(required, byRole);
  for (const level of heldLevels) {
    const byLevel = policy.hoursPerYear.levels[level];
    if (byLevel !== undefined) required = Math.max(required, byLevel);
  }
  return required;
}

/** The yearly ledger: hours per China calendar year. */
export function hoursByYear(credits: readonly Pick<HoursCredit, 'year' | 'hours'>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const c of credits) out.set(c.year, (out.get(c.year) ?? 0) + c.hours);
  return out;
}

/** What eligibility reads: the better of this year and last (early in a year nobody has this year's hours yet). */
export function eligibilityHours(credits: readonly Pick<HoursCredit, 'year' | 'hours'>[], year: number): number {
  const ledger = hoursByYear(credits);
  return Math.max(ledger.get(year) ?? 0, ledger.get(year - 1) ?? 0);
}

export interface HoursStanding {
  year: number;
  credited: number;
  required: number;
  missing: number;
}

export function hoursStanding(credits: readonly Pick<HoursCredit, 'year' | 'hours'>[], year: number, required: number): HoursStanding {
  const credited = hoursByYear(credits).get(year) ?? 0;
  return { year, credited, required, missing: Math.max(0, required - credited) };
}
