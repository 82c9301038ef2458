import type { ReminderPolicy } from '../../domain/policy/trainingSchema.ts';

/** A region's own reminder settings, set through the admin API over the policy's defaults. */
export interface RegionReminderSettings {
  /** A region code prefix: '32' a province, '3201' a city, '320102' a county, nine digits a street. */
  region: string;
  settings: ReminderPolicy;
  updatedAt: Date;
  updatedBy: string;
}

/** One document per region (`reminder_settings`); few, so they are read all at once. */
export interface ReminderSettingsStore {
  all(): Promise<RegionReminderSettings[]>;
  get(region: string): Promise<RegionReminderSettings | null>;
  put(entry: RegionReminderSettings): Promise<void>;
}
