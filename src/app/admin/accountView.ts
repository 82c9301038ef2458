import { TIERS, tierOf, type Tier } from '../../domain/certification/tier.ts';
import { findRegion, regionPrefix, type RegionNode } from '../../domain/regions/regions.ts';
import type { AdminRecord } from '../ports/certification.ts';

/** An admin as the console API shows it: never a password or token hash. */
export interface AccountView {
  id: string;
  /** null for an admin created for scripts only (it has tokens and no login yet). */
  username: string | null;
  name: string;
  regionCode: string;
  regionName: string;
  tier: Tier | null;
  levels: string[];
  disabled: boolean;
  createdAt: string;
  lastLoginAt?: string;
}

export function accountView(regions: readonly RegionNode[], admin: AdminRecord): AccountView {
  return {
    id: admin.id,
    username: admin.username ?? null,
    name: admin.name,
    regionCode: admin.regionCode,
    regionName: regionLabel(regions, admin.regionCode),
    tier: tierOf(admin.regionCode) ?? null,
    levels: [...admin.levels],
    disabled: admin.disabled,
    createdAt: admin.createdAt,
    ...(admin.lastLoginAt ? { lastLoginAt: admin.lastLoginAt } : {}),
  };
}

export function regionLabel(regions: readonly RegionNode[], code: string): string {
  return findRegion(regions, code)?.name['zh-CN'] ?? code;
}

/**
 * Whether `target` is a region strictly below `own`: inside it and of a lower tier. A region beside one's own
 * (another city of the province) or the same region is not, nor any region above.
 */
export function isStrictlyBelow(own: string, target: string): boolean {
  const ownTier = tierOf(own);
  const targetTier = tierOf(target);
  if (ownTier === undefined || targetTier === undefined) return false;
  return target.startsWith(regionPrefix(own)) && TIERS.indexOf(targetTier) > TIERS.indexOf(ownTier);
}
