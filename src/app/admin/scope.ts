import { mayAct, type ActRefusal } from '../../domain/certification/tier.ts';
import type { LevelId } from '../../domain/certification/types.ts';
import type { PolicySet } from '../../domain/policy/load.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import type { ServiceError } from '../certification/runCommand.ts';
import type { AdminRecord } from '../ports/certification.ts';

/**
 * What an admin may see: everything in their region (a province admin sees all its cities) at the levels they
 * manage (none listed = all levels). Acting needs more: see `actRefusal`.
 */
export interface AdminScope {
  regionPrefix: string;
  levels: string[] | null;
}

export function scopeOf(admin: AdminRecord): AdminScope {
  return { regionPrefix: regionPrefix(admin.regionCode), levels: admin.levels.length ? admin.levels : null };
}

export function inScope(scope: AdminScope, target: { regionCode: string; level: string }): boolean {
  return target.regionCode.startsWith(scope.regionPrefix) && (scope.levels === null || scope.levels.includes(target.level));
}

/** An application or a certificate, as far as who may act on it goes. */
export interface ActingSubject {
  policyId: string;
  level: LevelId;
  regionCode: string;
}

/**
 * Why this admin may not act (advance, score, record an inspection, ...) on the subject, or null when they may:
 * only the tier the level's policy names in `managedBy` acts, inside its region (src/domain/certification/tier.ts).
 * The refusal names the managing committee so the admin knows whom to pass the case to; its detail goes to the
 * audit trail.
 */
export function actRefusal(policies: PolicySet, admin: AdminRecord, subject: ActingSubject, kind: 'applications' | 'certificates'): ServiceError | null {
  const policy = policies.get(subject.policyId);
  const level = policy ? policies.level(policy, subject.level) : null;
  if (!policy || !level) {
    return { status: 500, code: 'policyMissing', message: `level ${subject.level} of policy ${subject.policyId} is not loaded, so no tier may act on it` };
  }
  const decision = mayAct(level, admin.regionCode, subject.regionCode);
  if (decision.ok) return null;
  const name = level.name['zh-CN'];
  return {
    status: 403,
    code: 'notManagingTier',
    message: `${name} ${kind} are managed by ${committee(decision)}; ${whyNot(decision, admin, subject, name)}`,
    detail: { refusal: decision.reason, managingTier: decision.managingTier, managingRegion: decision.managingRegion, adminTier: decision.adminTier },
    params: { reason: decision.reason, level: subject.level, kind, managingTier: decision.managingTier, managingRegion: decision.managingRegion, adminTier: decision.adminTier, regionCode: subject.regionCode, adminRegion: admin.regionCode },
  };
}

function committee(d: ActRefusal): string {
  return d.managingRegion === null ? `a ${d.managingTier} committee` : `the ${d.managingTier} (${d.managingRegion}) committee`;
}

function whyNot(d: ActRefusal, admin: AdminRecord, subject: ActingSubject, levelName: string): string {
  switch (d.reason) {
    case 'lowerTier':
      return `a ${d.adminTier} admin may read but not act on them`;
    case 'upperTier':
      return `a ${d.adminTier} admin may read but not act on them (the policy does not let upper tiers act on ${levelName})`;
    case 'outsideRegion':
      return `region ${subject.regionCode} is outside your region ${admin.regionCode}`;
    case 'unknownRegion':
      return `your region ${admin.regionCode} is not a province, city, county or street code`;
  }
}
