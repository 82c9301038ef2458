/**
 * Which admins may act on an application or certificate of a level: the committee of the tier the policy names in
 * `managedBy` (Jiangsu: the province 特级, a city 高级 and 中级, a county 初级; Pinghu: the county every level),
 * inside its own region. Upper tiers read everything below them but act only where the level's `upperTiersMayAct`
 * says so; lower tiers never act. Pure: codes in, a decision out.
 */
import type { Level } from '../policy/schema.ts';
import { regionLevel, regionPrefix } from '../regions/regions.ts';

/** An admin's tier follows from their region code: XX0000, XXXX00, other 6 digits, 9 digits. */
export type Tier = 'province' | 'city' | 'county' | 'street';

/** Highest first. */
export const TIERS: readonly Tier[] = ['province', 'city', 'county', 'street'];

export function tierOf(regionCode: string): Tier | undefined {
  const level = regionLevel(regionCode);
  return level === 'township' ? 'street' : level;
}

/**
 * The code of the region at `tier` that contains `regionCode` (its province, city, county or street), or null when
 * the region is itself above that tier (a city has no county of its own).
 */
export function regionAtTier(regionCode: string, tier: Tier): string | null {
  const own = tierOf(regionCode);
  if (own === undefined || TIERS.indexOf(own) < TIERS.indexOf(tier)) return null;
  switch (tier) {
    case 'province':
      return `${regionCode.slice(0, 2)}0000`;
    case 'city':
      return `${regionCode.slice(0, 4)}00`;
    case 'county':
      return regionCode.slice(0, 6);
    case 'street':
      return regionCode;
  }
}

export type ActRefusal = {
  ok: false;
  /**
   * outsideRegion: the subject is not in the admin's region; lowerTier: the admin is below the managing tier;
   * upperTier: above it, and the level does not let upper tiers act; unknownRegion: the admin's code is no region.
   */
  reason: 'outsideRegion' | 'lowerTier' | 'upperTier' | 'unknownRegion';
  managingTier: Tier;
  /** The managing committee's region for this subject, where the subject lies at or below that tier. */
  managingRegion: string | null;
  adminTier: Tier | null;
};
export type ActDecision = { ok: true } | ActRefusal;

/** May the admin of `adminRegion` act on a `level` application or certificate of a worker in `subjectRegion`? */
export function mayAct(level: Pick<Level, 'managedBy' | 'upperTiersMayAct'>, adminRegion: string, subjectRegion: string): ActDecision {
  const managingTier = level.managedBy;
  const adminTier = tierOf(adminRegion) ?? null;
  const refuse = (reason: ActRefusal['reason']): ActRefusal => ({ ok: false, reason, managingTier, managingRegion: regionAtTier(subjectRegion, managingTier), adminTier });
  if (adminTier === null) return refuse('unknownRegion');
  if (!subjectRegion.startsWith(regionPrefix(adminRegion))) return refuse('outsideRegion');
  const rank = TIERS.indexOf(adminTier) - TIERS.indexOf(managingTier);
  if (rank > 0) return refuse('lowerTier');
  if (rank < 0 && !level.upperTiersMayAct) return refuse('upperTier');
  return { ok: true };
}
