import type { CertificationDeps } from '../certification/deps.ts';
import type { ReminderStore } from '../ports/reminders.ts';
import type { TrainingRepository } from '../ports/training.ts';
import type { RegionSettingsView } from '../reminders/regionSettings.ts';

/** The training use cases: the certification deps (workers, applications, audit, sender, ...) plus their own stores. */
export interface TrainingDeps extends CertificationDeps {
  training: TrainingRepository;
  reminders: ReminderStore;
  /** The server's secret for check-in codes (derived from the PII key in main.ts, never sent anywhere). */
  checkinSecret: Buffer;
  /** Reminder settings set per region through the admin API (the policies' otherwise). */
  regionSettings?: RegionSettingsView;
}

/** The sweep that expires lapsed waiting-list offers and offers free seats to the next in line. */
export const OFFER_SWEEP_JOB = 'training.offerSweep';
