import type { ReminderKind } from '../policy/trainingSchema.ts';

export type { ReminderKind };

/** Kinds whose deadline carries consequences: they reach the worker even when muted (never in quiet hours). */
export const CONSEQUENTIAL: ReadonlySet<ReminderKind> = new Set<ReminderKind>(['inspectionDue', 'returnedApplication']);

export type ReminderStatus = 'scheduled' | 'sent' | 'skipped' | 'cancelled' | 'digested';

/** Why a reminder was not sent; recorded with it, never dropped silently. */
export type SkipReason = 'muted' | 'factsChanged' | 'disabled' | 'noWorker' | 'sendFailed' | `unreachable:${string}`;

/** One reminder: kind + subject + occurrence + offset (+ worker, for a shared subject) is its identity; scheduling it again replaces it. */
export interface Reminder {
  key: string;
  kind: ReminderKind;
  /** What the reminder is about: a session id, an application id, a certificate number, a worker id. */
  subject: string;
  /** Which occurrence of the event: a session's start time, the day an application was returned, a year. */
  occurrence: string;
  /** Hours before (or after) the event. */
  offsetHours: number;
  workerId: string;
  channel: string;
  userId: string;
  /** When the reminder is due by its offset, and when it may go out (after quiet hours). */
  dueAt: Date;
  sendAt: Date;
  status: ReminderStatus;
  reason: string | null;
  /** Region whose settings apply (quiet hours, cap). */
  regionCode: string;
  /** Template parameters for the message. */
  params: Record<string, string | number>;
  sentAt: Date | null;
}

/**
 * A subject many workers share (a session's seats) gets the worker in its key, so one worker's reminder never
 * replaces another's; a subject of one worker (an application, a certificate) does not need it.
 */
export function reminderKey(kind: ReminderKind, subject: string, occurrence: string, offsetHours: number, workerId?: string): string {
  return `${kind}|${subject}|${occurrence}|${offsetHours}${workerId === undefined ? '' : `|${workerId}`}`;
}

/** What a mute silences: one reminder kind, everything, or the admins' broadcasts (notices) alone. */
export type MuteKind = ReminderKind | 'all' | 'broadcast';

/** Mute of one kind or of all; `until` null = until unmuted. */
export interface Mute {
  workerId: string;
  kind: MuteKind;
  until: Date | null;
}

export function isMuted(mutes: readonly Mute[], kind: ReminderKind, now: Date): boolean {
  if (CONSEQUENTIAL.has(kind)) return false;
  return mutes.some((m) => (m.kind === 'all' || m.kind === kind) && (m.until === null || m.until.getTime() > now.getTime()));
}
