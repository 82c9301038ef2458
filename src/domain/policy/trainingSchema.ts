import { z } from 'zod';
import { ROLES } from '../worker/profile.ts';

/**
 * The training and reminder settings of a region's policy (`training:` and `reminders:` in policies/*.yaml).
 * Every figure is a region setting (docs/training-and-reminders.md); what is left out takes the defaults below.
 */

const hours = z.number().min(0).max(500);

export const trainingPolicySchema = z.strictObject({
  /**
   * 学时 required per calendar year. A worker needs the highest figure that applies to them: `default`, their
   * role's, and that of every level whose certificate they hold.
   */
  hoursPerYear: z
    .strictObject({
      default: hours.default(16),
      roles: z.partialRecord(z.enum(ROLES), hours).default({}),
      levels: z.record(z.string(), hours).default({}),
    })
    .prefault({}),
  /** How long a seat freed in a full session is held for the first in line before it passes to the next. */
  offerHours: z.number().min(1).max(168).default(24),
  /** A new branch secretary is trained within this many months of taking office. */
  newSecretaryMonths: z.number().int().min(1).max(24).default(6),
});
export type TrainingPolicy = z.infer<typeof trainingPolicySchema>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'times are HH:MM, 24-hour, China time');

/**
 * One reminder kind's switch and offsets: hours before the event, or after it (a return, taking office, the start
 * of the last quarter, a conversation's last message). Up to six years, since rotation counts from taking office.
 */
export const MAX_OFFSET_HOURS = 24 * 366 * 6;
const kindSetting = (offsets: number[]) =>
  z
    .strictObject({
      enabled: z.boolean().default(true),
      offsetsHours: z
        .array(z.number().min(0, 'offsets are 0 or more hours').max(MAX_OFFSET_HOURS, `offsets are at most ${MAX_OFFSET_HOURS} hours (six years)`))
        .min(1, 'a kind needs at least one offset; switch it off with enabled: false')
        .max(10, 'at most 10 offsets per kind')
        .default(offsets),
    })
    .prefault({});

export const REMINDER_KINDS = ['sessionStart', 'examDate', 'returnedApplication', 'inspectionDue', 'certificateExpiring', 'newSecretaryUntrained', 'rotation', 'hoursShort', 'abandonedConversation'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export const reminderPolicySchema = z.strictObject({
  /** No pushes between `start` and `end`, China time; a reminder due then waits for `end`, spread over `spreadMinutes`. */
  quietHours: z.strictObject({ start: hhmm.default('22:00'), end: hhmm.default('08:00'), spreadMinutes: z.number().int().min(0).max(180).default(30) }).prefault({}),
  /** Reminders per worker per China day before the rest go into one digest (deadlines with consequences are never held back). */
  dailyCap: z.number().int().min(1).max(50).default(3),
  kinds: z
    .strictObject({
      sessionStart: kindSetting([24, 2]),
      examDate: kindSetting([24]),
      returnedApplication: kindSetting([72, 168]),
      inspectionDue: kindSetting([720]),
      certificateExpiring: kindSetting([720]),
      newSecretaryUntrained: kindSetting([24 * 91, 24 * 152]),
      rotation: kindSetting([24 * 1765]),
      hoursShort: kindSetting([0]),
      abandonedConversation: kindSetting([4]),
    })
    .prefault({}),
});
export type ReminderPolicy = z.infer<typeof reminderPolicySchema>;

const TRAINING_DEFAULTS = trainingPolicySchema.parse({});
const REMINDER_DEFAULTS = reminderPolicySchema.parse({});

/** A policy's training settings, the defaults where the file has none. */
export function trainingSettings(policy: { training?: TrainingPolicy | undefined }): TrainingPolicy {
  return policy.training ?? TRAINING_DEFAULTS;
}

/** A policy's reminder settings, the defaults where the file has none. */
export function reminderSettings(policy: { reminders?: ReminderPolicy | undefined } | null | undefined): ReminderPolicy {
  return policy?.reminders ?? REMINDER_DEFAULTS;
}
