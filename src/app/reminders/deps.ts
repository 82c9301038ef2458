import type { PolicySet } from '../../domain/policy/load.ts';
import type { Reminder } from '../../domain/reminders/reminder.ts';
import type { Translator } from '../../engine/types.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Clock } from '../ports/clock.ts';
import type { ReachAnswer, ReachPurpose } from '../ports/reach.ts';
import type { ReminderStore } from '../ports/reminders.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { Sender } from '../ports/sender.ts';
import type { WorkerRepository } from '../ports/workerRepository.ts';
import type { RegionSettingsView } from './regionSettings.ts';

/** Asked when a reminder fires: are the facts that made it still true? (The session still on, the application still returned.) */
export type StillDue = (r: Reminder) => Promise<boolean>;

export interface ReminderDeps {
  reminders: ReminderStore;
  policies: PolicySet;
  workers: Pick<WorkerRepository, 'findById'>;
  sender: Sender;
  reach: (channel: string, userId: string, purpose: ReachPurpose) => Promise<ReachAnswer>;
  scheduler: Scheduler;
  translator: Translator;
  clock: Clock;
  logger: Logger;
  /** Per kind; a kind without a check is taken as still due. */
  checks: Partial<Record<Reminder['kind'], StillDue>>;
  /** Settings set per region through the admin API; without it, the policies' settings apply. */
  regionSettings?: RegionSettingsView;
}

/** The sweep over due reminders: every minute, and at each reminder's send time (keyed by the second). */
export const REMINDER_SWEEP_JOB = 'reminders.sweep';
