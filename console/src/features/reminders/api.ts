/** The reminders part of the admin API: the summary per kind and reason, and a region's settings. */
import { api } from '../../session.ts';

export const KINDS = ['sessionStart', 'examDate', 'returnedApplication', 'inspectionDue', 'certificateExpiring', 'newSecretaryUntrained', 'rotation', 'hoursShort', 'abandonedConversation'] as const;
export type Kind = (typeof KINDS)[number];

export interface SummaryRow {
  kind: string;
  status: 'scheduled' | 'sent' | 'skipped' | 'cancelled' | 'digested';
  reason: string | null;
  count: number;
}

export interface ReminderSettings {
  quietHours: { start: string; end: string; spreadMinutes: number };
  dailyCap: number;
  kinds: Record<Kind, { enabled: boolean; offsetsHours: number[] }>;
}

export interface SettingsAnswer {
  region: string;
  source: 'region' | 'inherited' | 'policy';
  from: string | null;
  settings: ReminderSettings;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** A worker near five years in post, with the state of their own rotation reminder. */
export interface RotationRow {
  workerId: string;
  name: string | null;
  role: 'secretary' | 'deputySecretary' | 'staff' | 'instructor';
  regionCode: string;
  since: string;
  fiveYears: string;
  daysLeft: number;
  reminder: { status: SummaryRow['status']; sendAt: string; sentAt: string | null } | null;
}

export const remindersApi = {
  rotation: (q: { days?: number; cursor?: string; limit?: number }) => api.http.get<{ items: RotationRow[]; nextCursor?: string }>('/reminders/rotation', q),
  summary: (q: { region?: string; from?: string; to?: string }) => api.http.get<{ region: string; rows: SummaryRow[] }>('/reminders/summary', q),
  settings: (region?: string) => api.http.get<SettingsAnswer>('/reminders/settings', { region }),
  saveSettings: (region: string, settings: ReminderSettings) => api.http.put<SettingsAnswer>('/reminders/settings', settings, { region }),
};
