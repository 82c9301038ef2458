import type { Mute, Reminder, ReminderKind, ReminderStatus } from '../../domain/reminders/reminder.ts';

export type ReminderInput = Omit<Reminder, 'status' | 'reason' | 'sentAt'>;

export interface SummaryRow {
  kind: string;
  status: ReminderStatus;
  reason: string | null;
  count: number;
}

export interface DigestItem {
  kind: ReminderKind;
  text: string;
}

export interface DueDigest {
  id: string;
  workerId: string;
  channel: string;
  userId: string;
  items: DigestItem[];
}

/**
 * Reminders, keyed by kind|subject|occurrence|offset (unique): scheduling the same key again replaces the
 * scheduled one and never adds a second; a sent one stays sent. Claims (`reminder_sent`, unique) make one
 * instance the sender of each reminder; the daily counter per worker is one conditional increment.
 */
export interface ReminderStore {
  schedule(r: ReminderInput): Promise<void>;
  /** Cancels the scheduled reminders of this kind and subject (every occurrence and offset); returns how many. */
  cancel(kind: ReminderKind, subject: string): Promise<number>;
  /** Cancels the scheduled reminders of this kind and subject for one worker only. */
  cancelFor(kind: ReminderKind, subject: string, workerId: string): Promise<number>;
  /** Scheduled reminders whose send time has come, earliest first. */
  due(now: Date, limit: number): Promise<Reminder[]>;
  get(key: string): Promise<Reminder | null>;
  /** Moves a scheduled reminder's send time (quiet hours began while it waited). */
  postpone(key: string, sendAt: Date): Promise<void>;
  /** The one right to send this reminder: true for exactly one caller across instances. */
  claim(key: string, now: Date): Promise<boolean>;
  /** The claims of many reminders in one write: the keys this caller won. */
  claimMany(keys: string[], now: Date): Promise<Set<string>>;
  finish(key: string, status: Exclude<ReminderStatus, 'scheduled'>, reason: string | null, at: Date): Promise<void>;
  finishMany(items: { key: string; status: Exclude<ReminderStatus, 'scheduled'>; reason: string | null }[], at: Date): Promise<void>;
  /** The mutes of many workers in one read. */
  mutesOf(workerIds: string[]): Promise<Mute[]>;
  /** Counts one reminder against the worker's cap for `day`: false when the cap is already reached. */
  takeDailySlot(workerId: string, day: string, cap: number): Promise<boolean>;
  /** `takeDailySlot` for many at once, in order (a worker may appear more than once): whether each got a slot. */
  takeDailySlots(requests: readonly { workerId: string; cap: number }[], day: string): Promise<boolean[]>;
  /** Adds an item to the worker's digest for `day`, sent at `sendAt`. */
  addToDigest(who: { workerId: string; channel: string; userId: string }, day: string, item: DigestItem, sendAt: Date): Promise<void>;
  /** Digests due by `now`, each claimed once across instances. */
  takeDueDigests(now: Date, limit: number): Promise<DueDigest[]>;
  mute(m: Mute): Promise<void>;
  unmuteAll(workerId: string): Promise<number>;
  mutes(workerId: string): Promise<Mute[]>;
  /** Counts per kind, status and reason among reminders of regions under `regionPrefix`, due within `range` when given ([from, to)). */
  summary(regionPrefix: string, range?: { from?: Date; to?: Date }): Promise<SummaryRow[]>;
}
