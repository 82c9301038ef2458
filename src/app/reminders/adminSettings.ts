import { reminderSettings, type ReminderPolicy } from '../../domain/policy/trainingSchema.ts';
import { regionPrefix } from '../../domain/regions/regions.ts';
import type { AdminRecord, AuditLog } from '../ports/certification.ts';
import type { Clock } from '../ports/clock.ts';
import type { ReminderSettingsStore } from '../ports/reminderSettings.ts';
import type { PolicySet } from '../../domain/policy/load.ts';
import type { Result } from '../certification/runCommand.ts';
import type { RegionSettingsView } from './regionSettings.ts';

export interface SettingsAnswer {
  region: string;
  /** Where the settings come from: this region's own, an enclosing region's (`from`), or the policy's. */
  source: 'region' | 'inherited' | 'policy';
  from: string | null;
  settings: ReminderPolicy;
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * Reading and setting a region's reminder settings (on/off and offsets per kind, quiet hours, daily cap).
 * Scope: an admin reads and sets their own region and the regions below it. Setting them changes what every
 * worker there receives, so it is for admins who manage every level (a level-restricted admin may read only).
 * Every setting is audited, refusals included.
 */
export function createReminderSettingsAdmin(deps: { store: ReminderSettingsStore; view: RegionSettingsView; policies: PolicySet; audit: AuditLog; clock: Clock }) {
  const outOfScope = (admin: AdminRecord, region: string) => ({ ok: false as const, error: { status: 403 as const, code: 'outOfScope', message: `region ${region} is outside your region ${admin.regionCode}` } });
  const inScope = (admin: AdminRecord, region: string) => region.startsWith(regionPrefix(admin.regionCode));

  async function answer(region: string): Promise<SettingsAnswer> {
    await deps.view.refresh(true);
    const own = deps.view.source(region);
    if (own) return { region, source: own.region === region ? 'region' : 'inherited', from: own.region, settings: own.settings, updatedAt: own.updatedAt.toISOString(), updatedBy: own.updatedBy };
    return { region, source: 'policy', from: null, settings: reminderSettings(deps.policies.forRegion(region)), updatedAt: null, updatedBy: null };
  }

  return {
    async get(admin: AdminRecord, region: string | undefined): Promise<Result<SettingsAnswer>> {
      const r = region ?? regionPrefix(admin.regionCode);
      if (!inScope(admin, r)) return outOfScope(admin, r);
      return { ok: true, value: await answer(r) };
    },

    async put(admin: AdminRecord, region: string | undefined, settings: ReminderPolicy): Promise<Result<SettingsAnswer>> {
      const r = region ?? regionPrefix(admin.regionCode);
      const at = deps.clock.now();
      const refuse = async (e: { status: 403; code: string; message: string }) => {
        await deps.audit.append({ at: at.toISOString(), adminId: admin.id, action: 'reminders.settings', target: `region:${r}`, outcome: 'refused', detail: { reason: e.code } });
        return { ok: false as const, error: e };
      };
      if (!inScope(admin, r)) return refuse(outOfScope(admin, r).error);
      if (admin.levels.length > 0) return refuse({ status: 403, code: 'levelRestricted', message: 'reminder settings apply to every level: an admin who manages only some levels cannot set them' });
      const before = await answer(r);
      await deps.store.put({ region: r, settings, updatedAt: at, updatedBy: admin.id });
      await deps.audit.append({ at: at.toISOString(), adminId: admin.id, action: 'reminders.settings', target: `region:${r}`, outcome: 'done', detail: { before: before.settings, after: settings } });
      return { ok: true, value: await answer(r) };
    },
  };
}

export type ReminderSettingsAdmin = ReturnType<typeof createReminderSettingsAdmin>;
