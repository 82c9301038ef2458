import type { PolicySet } from '../../domain/policy/load.ts';
import { reminderSettings, type ReminderPolicy } from '../../domain/policy/trainingSchema.ts';
import type { Clock } from '../ports/clock.ts';
import type { RegionReminderSettings, ReminderSettingsStore } from '../ports/reminderSettings.ts';

/**
 * The reminder settings that apply in a region: those set for the region itself or its nearest ancestor through
 * the admin API, else the region's policy (its `reminders:` section, or the defaults). Read synchronously from a
 * snapshot of the few override documents, refreshed at most every `ttlMs` (each sweep asks), so a change made on
 * one instance applies on the others within that time.
 */
export interface RegionSettingsView {
  effective(regionCode: string): ReminderPolicy;
  /** The override that applies and where it was set, or null when the policy's settings apply. */
  source(regionCode: string): RegionReminderSettings | null;
  refresh(force?: boolean): Promise<void>;
  /** The regions that have settings of their own. */
  regions(): string[];
}

export function createRegionSettingsView(deps: { store: ReminderSettingsStore; policies: PolicySet; clock: Clock }, ttlMs = 30_000): RegionSettingsView {
  let snapshot: RegionReminderSettings[] = [];
  let loadedAt = -Infinity;
  const source = (regionCode: string) => {
    let best: RegionReminderSettings | null = null;
    for (const s of snapshot) if (regionCode.startsWith(s.region) && (!best || s.region.length > best.region.length)) best = s;
    return best;
  };
  return {
    effective: (regionCode) => source(regionCode)?.settings ?? reminderSettings(deps.policies.forRegion(regionCode)),
    source,
    regions: () => snapshot.map((s) => s.region),
    async refresh(force = false) {
      const now = deps.clock.now().getTime();
      if (!force && now - loadedAt < ttlMs && now >= loadedAt) return;
      snapshot = await deps.store.all();
      loadedAt = now;
    },
  };
}

/** The settings of a region for reminder code that may run without the view (unit tests, older wiring). */
export function settingsOf(deps: { policies: PolicySet; regionSettings?: RegionSettingsView | undefined }, regionCode: string): ReminderPolicy {
  return deps.regionSettings ? deps.regionSettings.effective(regionCode) : reminderSettings(deps.policies.forRegion(regionCode));
}
