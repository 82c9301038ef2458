import { regionPrefix } from '../../domain/regions/regions.ts';
import type { AdminRecord } from '../ports/certification.ts';

/**
 * What an admin may see and act on: everything in their region (a province admin sees all its cities) at the
 * levels they manage (none listed = all levels).
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
